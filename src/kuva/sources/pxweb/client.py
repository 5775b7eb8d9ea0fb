"""HTTP client for the PxWeb API, v2 (current StatFin) and v1 (older hosts).

* ``PxWebClient("https://pxdata.stat.fi/api/v2")`` speaks v2: ``GET /config``,
  ``GET /tables/{id}/metadata``, ``POST /tables/{id}/data?outputFormat=json-stat2`` (or GET
  with ``valuecodes[...]``).
* ``PxWebClient("https://pxdata.stat.fi/PXWeb/api/v1/fi/StatFin")`` speaks v1: ``GET
  /api/v1/{lang}/?config``, ``GET {base}/{subject}`` (table list with ``updated``), ``GET`` and
  ``POST {base}/{subject}/{table}.px`` with ``"response": {"format": "json-stat2"}``.

Every request passes the rate limiter (limits read from the config endpoint, defaults 30 calls
per 10 s and 100,000 cells) and is retried with exponential backoff on HTTP 429 and 5xx
(``Retry-After`` is honoured), timeouts, connection errors, truncated bodies and bodies that are
not valid json-stat2. A data body is cached on disk only after it parsed completely.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx

from kuva.errors import KuvaInputError
from kuva.i18n import check_lang
from kuva.sources.pxweb.cache import ResponseCache, cache_key
from kuva.sources.pxweb.catalogue import TableSpec, normalise_table_id
from kuva.sources.pxweb.chunking import Selection, split_selection
from kuva.sources.pxweb.errors import (
    PxWebError,
    PxWebNotFoundError,
    PxWebResponseError,
    PxWebRetryError,
)
from kuva.sources.pxweb.jsonstat import (
    Dimension,
    JsonStatDataset,
    parse_jsonstat2,
    parse_jsonstat2_bytes,
)
from kuva.sources.pxweb.ratelimit import Clock, RateLimiter, Sleep

log = logging.getLogger(__name__)
ApiVersion = Literal["v1", "v2"]
T = TypeVar("T")

DEFAULT_MAX_CELLS = 100_000
DEFAULT_MAX_CALLS = 30
DEFAULT_WINDOW = 10.0
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class ServerLimits:
    max_cells: int
    max_calls: int
    window: float
    origin: str  #: ``config`` (read from the server) or ``default``


@dataclass(frozen=True)
class TableMetadata:
    """A table's variables, normalised over v1 and v2."""

    table: str  #: short id
    api: ApiVersion
    metadata_url: str
    data_url: str
    label: str
    updated: str | None  #: the table's last update (vintage), ISO text
    variables: tuple[Dimension, ...]
    time_variables: tuple[str, ...]

    def variable(self, code: str) -> Dimension:
        for v in self.variables:
            if v.code == code:
                return v
        raise KeyError(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(v.code for v in self.variables)


@dataclass(frozen=True)
class ChunkResult:
    dataset: JsonStatDataset
    from_cache: bool
    query: dict[str, Any]


def parse_updated(text: str | None) -> datetime | None:
    """``2026-04-01T05:00:00Z`` (or without zone) -> naive UTC datetime."""
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def detect_api(base_url: str) -> ApiVersion:
    if "/api/v2" in base_url.lower():
        return "v2"
    if "/api/v1" in base_url.lower():
        return "v1"
    raise KuvaInputError(
        f"cannot tell the PxWeb API version from {base_url!r}: expected '/api/v2' "
        f"(e.g. https://pxdata.stat.fi/api/v2) or '/api/v1/<lang>/<database>' "
        f"(e.g. https://pxdata.stat.fi/PXWeb/api/v1/fi/StatFin); pass api="
    )


def _retry_after(value: str | None, now: Callable[[], float]) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class PxWebClient:
    """A PxWeb API client with rate limiting, retries, chunking and an on-disk cache.

    ``clock`` and ``sleep`` drive the rate limiter and the backoff (inject fakes in tests);
    ``transport`` is passed to :class:`httpx.Client`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api: ApiVersion | None = None,
        lang: str = "fi",
        cache_dir: Path | str | None = None,
        timeout: float = 60.0,
        max_attempts: int = 6,
        backoff: float = 1.0,
        max_backoff: float = 120.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        limits: ServerLimits | None = None,
        data_method: Literal["POST", "GET"] = "POST",
        transport: httpx.BaseTransport | None = None,
        user_agent: str = "kuva-pxweb",
    ) -> None:
        check_lang(lang, name="lang")
        if max_attempts < 1:
            raise KuvaInputError(f"max_attempts must be >= 1, got {max_attempts}")
        self.base_url = base_url.rstrip("/")
        self.api: ApiVersion = api or detect_api(self.base_url)
        self.lang = lang
        self.cache = ResponseCache(cache_dir) if cache_dir is not None else None
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.clock = clock
        self.sleep = sleep
        self.data_method = data_method
        self._limits = limits
        self.limiter = RateLimiter(
            limits.max_calls if limits else DEFAULT_MAX_CALLS,
            limits.window if limits else DEFAULT_WINDOW,
            clock=clock,
            sleep=sleep,
        )
        self.http = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
        )
        self._listings: dict[str, dict[str, str | None]] = {}
        self.requests_sent = 0  #: HTTP requests made (every attempt counts)
        self.cache_hits = 0
        self.retries = 0
        self.backoff_slept = 0.0

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> PxWebClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- low level ---------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        url: str,
        parse: Callable[[bytes], T],
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
    ) -> tuple[T, bytes]:
        """Send with retries; ``parse`` runs inside the retry loop, so a body it rejects
        (truncated, not JSON, wrong shape) is asked for again and never returned."""
        problem = ""
        for attempt in range(self.max_attempts):
            if attempt:
                self.retries += 1
            self.limiter.acquire()
            self.requests_sent += 1
            wait: float | None = None
            try:
                resp = self.http.request(method, url, params=params, json=body)
                content = resp.content
            except httpx.TimeoutException as exc:
                problem = f"timeout ({type(exc).__name__})"
            except httpx.TransportError as exc:  # connection reset, body cut short, ...
                problem = f"transport error: {type(exc).__name__}: {exc}"
            else:
                status = resp.status_code
                if status == 200:
                    declared = resp.headers.get("content-length")
                    encoded = resp.headers.get("content-encoding")
                    if declared is not None and not encoded and int(declared) != len(content):
                        problem = f"truncated body: {len(content)} of {declared} bytes"
                    else:
                        try:
                            return parse(content), content
                        except PxWebResponseError as exc:
                            problem = f"unusable body: {exc}"
                elif status == 404:
                    raise PxWebNotFoundError(f"{url}: HTTP 404 not found")
                elif status in RETRY_STATUSES or 500 <= status < 600:
                    problem = f"HTTP {status}"
                    wait = _retry_after(resp.headers.get("retry-after"), self.clock)
                else:
                    raise PxWebError(f"{method} {url}: HTTP {status}: {content[:300]!r}")
            if attempt + 1 >= self.max_attempts:
                break
            delay = wait if wait is not None else min(self.max_backoff, self.backoff * 2**attempt)
            log.info("PxWeb %s %s: %s; retry %d in %.1f s", method, url, problem, attempt + 1, delay)
            self.backoff_slept += delay
            self.sleep(delay)
        raise PxWebRetryError(url, self.max_attempts, problem)

    def _get_json(self, url: str, params: dict[str, str] | None = None) -> Any:
        def parse(b: bytes) -> Any:
            try:
                return json.loads(b.decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise PxWebResponseError(f"not valid JSON ({len(b)} bytes): {exc}") from exc

        return self._request("GET", url, parse, params=params)[0]

    # -- limits ------------------------------------------------------------------------------
    def config_url(self) -> str:
        if self.api == "v2":
            return f"{self.base_url}/config"
        head, _, tail = self.base_url.partition("/api/v1")
        lang = tail.strip("/").split("/")[0] or self.lang
        return f"{head}/api/v1/{lang}/?config"

    def limits(self) -> ServerLimits:
        """The server's limits from its config endpoint (once), or the StatFin defaults."""
        if self._limits is not None:
            return self._limits
        try:
            cfg = self._get_json(self.config_url())
        except PxWebNotFoundError:
            cfg = None
        if isinstance(cfg, dict):
            if self.api == "v2":
                cells, calls, window = (
                    cfg.get("maxDataCells"),
                    cfg.get("maxCallsPerTimeWindow"),
                    cfg.get("timeWindow"),
                )
            else:
                cells, calls, window = (
                    cfg.get("maxValues"),
                    cfg.get("maxCalls"),
                    cfg.get("timeWindow"),
                )
            lim = ServerLimits(
                int(cells or DEFAULT_MAX_CELLS),
                int(calls or DEFAULT_MAX_CALLS),
                float(window or DEFAULT_WINDOW),
                "config",
            )
        else:
            lim = ServerLimits(DEFAULT_MAX_CELLS, DEFAULT_MAX_CALLS, DEFAULT_WINDOW, "default")
        self._limits = lim
        self.limiter.max_calls, self.limiter.window = lim.max_calls, lim.window
        return lim

    # -- metadata ----------------------------------------------------------------------------
    def table_metadata(self, table: TableSpec | str, subject: str = "tyonv") -> TableMetadata:
        """Metadata of a table; tries the 2026 id form first, then the old one."""
        if isinstance(table, TableSpec):
            short, subject = table.id, table.subject
        else:
            short = normalise_table_id(table)
        old = f"statfin_{subject}_pxt_{short}"
        tried: list[str] = []
        if self.api == "v2":
            for tid in (short, old):
                url = f"{self.base_url}/tables/{tid}/metadata"
                tried.append(url)
                try:
                    doc = self._get_json(url, {"lang": self.lang})
                except PxWebNotFoundError:
                    continue
                return self._v2_metadata(short, url, f"{self.base_url}/tables/{tid}/data", doc)
        else:
            listing = self._v1_listing(subject)
            for tid in (f"{old}.px", f"{short}.px"):
                url = f"{self.base_url}/{subject}/{tid}"
                tried.append(url)
                try:
                    doc = self._get_json(url)
                except PxWebNotFoundError:
                    continue
                return self._v1_metadata(short, url, doc, listing.get(tid.lower()))
        raise PxWebNotFoundError(f"table {short}: not found on {self.base_url}; tried {', '.join(tried)}")

    def _v2_metadata(self, short: str, url: str, data_url: str, doc: Any) -> TableMetadata:
        ds = parse_jsonstat2(doc, require_values=False)
        return TableMetadata(
            short,
            "v2",
            url,
            data_url,
            ds.label,
            ds.updated,
            ds.dimensions,
            ds.roles.get("time", ()),
        )

    def _v1_listing(self, subject: str) -> dict[str, str | None]:
        """``{table file name (lower case): updated}`` from the v1 subject folder, if any
        (asked once per subject and client)."""
        if subject in self._listings:
            return self._listings[subject]
        try:
            items = self._get_json(f"{self.base_url}/{subject}")
        except PxWebNotFoundError:
            return {}
        out: dict[str, str | None] = {}
        if isinstance(items, list):
            for it in items:
                if isinstance(it, dict) and "id" in it:
                    out[str(it["id"]).lower()] = str(it["updated"]) if it.get("updated") else None
        self._listings[subject] = out
        return out

    def _v1_metadata(self, short: str, url: str, doc: Any, updated: str | None) -> TableMetadata:
        if not isinstance(doc, dict) or not isinstance(doc.get("variables"), list):
            raise PxWebResponseError(f"{url}: v1 metadata has no 'variables' list")
        dims: list[Dimension] = []
        time_vars: list[str] = []
        for v in doc["variables"]:
            codes = tuple(str(x) for x in v.get("values", []))
            texts = tuple(str(x) for x in v.get("valueTexts", codes))
            dims.append(
                Dimension(
                    str(v["code"]),
                    str(v.get("text", v["code"])),
                    codes,
                    texts,
                    bool(v.get("elimination", False)),
                )
            )
            if v.get("time"):
                time_vars.append(str(v["code"]))
        return TableMetadata(short, "v1", url, url, str(doc.get("title", "")), updated, tuple(dims), tuple(time_vars))

    # -- data --------------------------------------------------------------------------------
    def data_query(self, meta: TableMetadata, selection: Selection) -> dict[str, Any]:
        """The query (request body) for ``selection`` in the API's own form."""
        if meta.api == "v2":
            return {"selection": [{"variableCode": v, "valueCodes": list(vals)} for v, vals in selection]}
        return {
            "query": [{"code": v, "selection": {"filter": "item", "values": list(vals)}} for v, vals in selection],
            "response": {"format": "json-stat2"},
        }

    def fetch_chunk(self, meta: TableMetadata, selection: Selection) -> ChunkResult:
        """One data request (from the cache when this exact query was answered before)."""
        query = self.data_query(meta, selection)
        params: dict[str, str] | None = None
        body: Any = query
        method = "POST"
        if meta.api == "v2":
            params = {"lang": self.lang, "outputFormat": "json-stat2"}
            if self.data_method == "GET":
                method, body = "GET", None
                for v, vals in selection:
                    params[f"valuecodes[{v}]"] = ",".join(vals)
        key = cache_key(meta.data_url, {"method": method, "params": params, "body": query}, meta.updated)
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                try:
                    ds = parse_jsonstat2_bytes(cached)
                except PxWebResponseError:
                    log.warning("ignoring unreadable cache entry %s", self.cache.path(key))
                else:
                    self.cache_hits += 1
                    return ChunkResult(ds, True, query)

        def parse(b: bytes) -> JsonStatDataset:
            ds = parse_jsonstat2_bytes(b)
            _check_answer(ds, selection)
            return ds

        ds, raw = self._request(method, meta.data_url, parse, params=params, body=body)
        if self.cache is not None:
            self.cache.put(key, raw)
        return ChunkResult(ds, False, query)

    def fetch(
        self,
        meta: TableMetadata,
        selection: Selection,
        *,
        split_order: Sequence[str] = (),
        progress: Callable[[int, int], None] | None = None,
    ) -> list[ChunkResult]:
        """Every chunk of ``selection`` (split under the cell limit), in order."""
        chunks = split_selection(selection, self.limits().max_cells, split_order)
        out: list[ChunkResult] = []
        for i, chunk in enumerate(chunks, start=1):
            out.append(self.fetch_chunk(meta, chunk))
            if progress is not None:
                progress(i, len(chunks))
        return out


def _check_answer(ds: JsonStatDataset, selection: Selection) -> None:
    """The answer must cover exactly the cells asked for (a short answer is not data)."""
    asked = {v: set(vals) for v, vals in selection}
    for d in ds.dimensions:
        if d.code in asked and set(d.categories) != asked[d.code]:
            missing = sorted(asked[d.code] - set(d.categories))[:5]
            raise PxWebResponseError(f"answer for {d.code!r} lacks requested values {missing}")
    absent = [v for v in asked if v not in ds.ids]
    if absent:
        raise PxWebResponseError(f"answer lacks the requested variable(s) {absent}")
