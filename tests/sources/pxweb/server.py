"""A misbehaving PxWeb server for tests: real sockets on 127.0.0.1 (port 0), one thread per
request, speaking enough of PxWeb API v2 and v1 to serve the CONSTRUCTED tables of
:mod:`cubes` (built from the bundled real values).

v2 (base ``http://127.0.0.1:<port>/api/v2``): ``GET /config``, ``GET /tables/{id}/metadata``,
``GET|POST /tables/{id}/data?outputFormat=json-stat2``.
v1 (base ``http://127.0.0.1:<port>/PXWeb/api/v1/fi/StatFin``): ``GET /PXWeb/api/v1/fi/?config``,
``GET {base}/tyonv`` (table list), ``GET|POST {base}/tyonv/<table>.px``.

Faults (``server.faults``) are consumed in order by the requests they match (``fault_on``):
``429`` (with ``Retry-After``), ``500``, ``timeout`` (sleep beyond the client timeout),
``truncate`` (Content-Length larger than the body, then close), ``badjson``. Persistent modes:
``fail_data_after`` (every data request after the n-th answers 500), ``rename`` (variable code
renames), ``form`` (``new`` / ``old`` variable codes), ``revisions`` (changed cells) and
``updated``. Every request is counted in ``log``.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from tests.sources.pxweb.cubes import UPDATED, Cube, cube

TABLE_IDS = {
    "12r5",
    "12u1",
    "12u2",
    "12u4",
    "12u5",
    "12u6",
    "12u8",
    "12u9",
    "12ur",
    "12us",
    "12ut",
    "12uu",
    "12uv",
    "12uw",
    "12ux",
    "12v7",
    "12v8",
    "12v9",
    "12va",
}


@dataclass
class Logged:
    method: str
    path: str
    kind: str  # config / metadata / listing / data
    body: str
    status: int


@dataclass
class ServerState:
    form: str = "new"
    v1_form: str = "old"
    max_cells: int = 100_000
    max_calls: int = 30
    window: int = 10
    updated: str = UPDATED
    faults: list[str] = field(default_factory=list)
    fault_on: tuple[str, ...] = ("data",)
    fail_data_after: int | None = None
    rename: dict[str, str] = field(default_factory=dict)
    revisions: dict[tuple[str, str, str, str], float] = field(default_factory=dict)
    retry_after: str = "2"
    #: table id -> cube served instead of the default one (e.g. a municipal 12u4)
    cubes: dict[str, Cube] = field(default_factory=dict)
    timeout_sleep: float = 1.0
    log: list[Logged] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, kind: str) -> int:
        with self.lock:
            return sum(1 for r in self.log if r.kind == kind)

    def data_bodies(self) -> list[str]:
        with self.lock:
            return [r.body for r in self.log if r.kind == "data" and r.status == 200]


class PxWebTestServer:
    """Use as a context manager; ``v2`` and ``v1`` are the base URLs."""

    def __init__(self) -> None:
        self.state = ServerState()
        state = self.state

        class Handler(_Handler):
            st = state

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def v2(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v2"

    @property
    def v1(self) -> str:
        return f"http://127.0.0.1:{self.port}/PXWeb/api/v1/fi/StatFin"

    def __enter__(self) -> PxWebTestServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


# -- json-stat2 building ------------------------------------------------------------------------
def _dim_code(d: Any, form: str, rename: dict[str, str]) -> str:
    code = d.code(form)
    return rename.get(code, code)


def _dimension_json(d: Any, codes: list[str], form: str, lang: str) -> dict[str, Any]:
    labels = dict(zip(d.codes(form), d.codes(form), strict=True))
    if d.role == "area":
        labels = {c: ("KOKO MAA" if c == "SSS" else c) for c in codes}
    out: dict[str, Any] = {
        "label": d.label.get(lang, d.label["fi"]),
        "category": {"index": {c: i for i, c in enumerate(codes)}, "label": {c: labels.get(c, c) for c in codes}},
        "extension": {"elimination": d.elimination, "show": "value"},
    }
    if d.role == "content":
        out["category"]["unit"] = {c: {"base": "lukumäärä", "decimals": 0} for c in codes}
    return out


def jsonstat(
    c: Cube, st: ServerState, form: str, lang: str, pick: list[list[int]] | None, with_values: bool
) -> dict[str, Any]:
    """json-stat2 in the recorded StatFin shape, for the chosen indices of each dimension."""
    pick = pick if pick is not None else [list(range(len(d.values))) for d in c.dims]
    ids = [_dim_code(d, form, st.rename) for d in c.dims]
    dims = {}
    for d, code, idx in zip(c.dims, ids, pick, strict=True):
        dims[code] = _dimension_json(d, [d.codes(form)[i] for i in idx], form, lang)
    role = {
        "time": [ids[i] for i, d in enumerate(c.dims) if d.role == "time"],
        "geo": [ids[i] for i, d in enumerate(c.dims) if d.role == "area"],
        "metric": [ids[i] for i, d in enumerate(c.dims) if d.role == "content"],
    }
    doc: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": c.label,
        "source": "Tilastokeskus, työnvälitystilasto (CONSTRUCTED test data)",
        "updated": st.updated,
        "role": role,
        "id": ids,
        "size": [len(i) for i in pick],
        "dimension": dims,
        "extension": {
            "px": {"tableid": c.table, "decimals": 0, "language": lang, "matrix": c.table, "subject-code": "tyonv"}
        },
    }
    if with_values:
        sub = c.values[np.ix_(*pick)].copy()
        stat = c.status[np.ix_(*pick)].copy()
        for (area, t, content, extra), v in st.revisions.items():
            if c.table != extra:
                continue
            try:
                ai = pick[0].index(c.dims[0].values.index(area))
                ti = pick[-2].index(c.dims[-2].values.index(t))
                ci = pick[-1].index(c.dims[-1].values.index(content))
            except ValueError:
                continue
            sub[(ai,) + (0,) * (sub.ndim - 3) + (ti, ci)] = v
        flat = sub.reshape(-1)
        doc["value"] = [None if np.isnan(x) else (int(x) if float(x).is_integer() else float(x)) for x in flat]
        fs = stat.reshape(-1)
        status = {str(i): s for i, s in enumerate(fs) if s is not None}
        if status:
            doc["status"] = status
    return doc


def v1_metadata(c: Cube, st: ServerState, form: str) -> dict[str, Any]:
    return {
        "title": c.label,
        "variables": [
            {
                "code": _dim_code(d, form, st.rename),
                "text": d.label["fi"],
                "values": d.codes(form),
                "valueTexts": d.codes(form),
                "elimination": d.elimination,
                "time": d.role == "time",
            }
            for d in c.dims
        ],
    }


class _Handler(BaseHTTPRequestHandler):
    st: ServerState
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._serve("GET", "")

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length") or 0)
        self._serve("POST", self.rfile.read(n).decode("utf-8") if n else "")

    # -- plumbing -------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None, truncate: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if truncate else body)
        self.wfile.flush()
        if truncate:
            self.close_connection = True

    def _serve(self, method: str, body: str) -> None:
        st = self.st
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        path = url.path.rstrip("/")
        try:
            kind, status, payload = self._route(method, path, url.query, params, body)
        except KeyError as exc:
            kind, status, payload = "error", 404, {"title": f"not found: {exc}"}
        except ValueError as exc:
            kind, status, payload = "error", 400, {"title": str(exc)}
        fault = None
        with st.lock:
            if (
                kind == "data"
                and st.fail_data_after is not None
                and sum(1 for r in st.log if r.kind == "data" and r.status == 200) >= st.fail_data_after
            ):
                fault = "500"
            elif st.faults and kind in st.fault_on:
                fault = st.faults.pop(0)
            code = {"429": 429, "500": 500}.get(fault or "", status)
            st.log.append(Logged(method, self.path, kind, body, code if fault != "truncate" else -1))
        if fault == "429":
            self._send(429, b'{"status":429,"title":"Too many requests"}', {"Retry-After": st.retry_after})
        elif fault == "500":
            self._send(500, b'{"status":500,"title":"Internal server error"}')
        elif fault == "timeout":
            time.sleep(st.timeout_sleep)
            self._send(status, json.dumps(payload).encode())
        elif fault == "badjson":
            self._send(200, b'{"version": "2.0", "class": "dataset", "value": [1, 2,, oops')
        elif fault == "truncate":
            self._send(200, json.dumps(payload).encode(), truncate=True)
        else:
            self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    def _route(self, method: str, path: str, query: str, params: dict[str, str], body: str) -> tuple[str, int, Any]:
        st = self.st
        parts = path.strip("/").split("/")
        # ---- v2
        if parts[:2] == ["api", "v2"]:
            rest = parts[2:]
            if rest == ["config"]:
                return (
                    "config",
                    200,
                    {
                        "apiVersion": "2.0",
                        "appVersion": "test",
                        "languages": [
                            {"id": "fi", "label": "Suomi"},
                            {"id": "sv", "label": "Svenska"},
                            {"id": "en", "label": "English"},
                        ],
                        "defaultLanguage": "fi",
                        "maxDataCells": st.max_cells,
                        "maxCallsPerTimeWindow": st.max_calls,
                        "timeWindow": st.window,
                        "license": "CC BY 4.0",
                        "defaultDataFormat": "json-stat2",
                        "dataFormats": ["json-stat2"],
                    },
                )
            if len(rest) == 3 and rest[0] == "tables":
                tid = self._table(rest[1], st.form, v1=False)
                c = st.cubes.get(tid) or cube(tid)
                lang = params.get("lang", "fi")
                if rest[2] == "metadata":
                    return "metadata", 200, jsonstat(c, st, st.form, lang, None, with_values=False)
                if rest[2] == "data":
                    if method == "POST":
                        sel = {s["variableCode"]: s["valueCodes"] for s in json.loads(body)["selection"]}
                    else:
                        sel = {
                            k[len("valuecodes[") : -1]: v.split(",")
                            for k, v in params.items()
                            if k.lower().startswith("valuecodes[")
                        }
                    return "data", 200, self._data(c, st.form, sel, lang)
            raise KeyError(path)
        # ---- v1
        if parts[:3] == ["PXWeb", "api", "v1"]:
            if len(parts) == 4 and query == "config":
                return (
                    "config",
                    200,
                    {"maxValues": st.max_cells, "maxCalls": st.max_calls, "timeWindow": st.window, "CORS": True},
                )
            rest = parts[4:]
            if rest[:1] == ["StatFin"] and len(rest) == 2 and rest[1] == "tyonv":
                prefix = "statfin_tyonv_pxt_" if st.v1_form == "old" else ""
                return (
                    "listing",
                    200,
                    [
                        {"id": f"{prefix}{t}.px", "type": "t", "text": t, "updated": st.updated}
                        for t in sorted(TABLE_IDS)
                    ],
                )
            if rest[:2] == ["StatFin", "tyonv"] and len(rest) == 3:
                tid = self._table(rest[2], st.v1_form, v1=True)
                c = st.cubes.get(tid) or cube(tid)
                if method == "GET":
                    return "metadata", 200, v1_metadata(c, st, st.v1_form)
                q = json.loads(body)
                if q.get("response", {}).get("format") != "json-stat2":
                    raise ValueError("this test server answers json-stat2 only")
                sel = {s["code"]: s["selection"]["values"] for s in q["query"]}
                return "data", 200, self._data(c, st.v1_form, sel, "fi")
        raise KeyError(path)

    def _table(self, tid: str, form: str, v1: bool) -> str:
        t = tid.removesuffix(".px")
        if form == "old":
            if not t.startswith("statfin_tyonv_pxt_"):
                raise KeyError(tid)
            t = t.removeprefix("statfin_tyonv_pxt_")
        if t not in TABLE_IDS:
            raise KeyError(tid)
        return t

    def _data(self, c: Cube, form: str, sel: dict[str, list[str]], lang: str) -> dict[str, Any]:
        st = self.st
        pick: list[list[int]] = []
        for d in c.dims:
            code = _dim_code(d, form, st.rename)
            codes = d.codes(form)
            if code in sel:
                pos = {v: i for i, v in enumerate(codes)}
                try:
                    pick.append([pos[v] for v in sel[code]])
                except KeyError as exc:
                    raise ValueError(f"unknown value {exc} of {code}") from exc
            elif d.elimination:
                pick.append([0])
            else:
                raise ValueError(f"variable {code} must be selected")
        unknown = set(sel) - {_dim_code(d, form, st.rename) for d in c.dims}
        if unknown:
            raise ValueError(f"unknown variable(s) {sorted(unknown)}")
        n = int(np.prod([len(p) for p in pick]))
        if n > st.max_cells:
            raise ValueError(f"{n} cells asked, the limit is {st.max_cells}")
        return jsonstat(c, st, form, lang, pick, with_values=True)
