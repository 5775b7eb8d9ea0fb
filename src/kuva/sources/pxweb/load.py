"""Pulling StatFin tables into the warehouse: one table = one fetch of everything new, then one
:func:`~kuva.warehouse.load.load_observations` call (one transaction, with provenance).

Nothing is written for a table until every chunk of it has been fetched and parsed, so a failed
or interrupted pull never writes partial data; finished chunks are cached on disk, so running
the pull again resumes where it stopped without asking the server again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from kuva.errors import KuvaError, KuvaInputError, KuvaLookupError
from kuva.registry.names import closest
from kuva.sources.pxweb.catalogue import TableSpec, mapped_tables, normalise_table_id, tables
from kuva.sources.pxweb.client import PxWebClient, parse_updated
from kuva.sources.pxweb.errors import PxWebPullError
from kuva.sources.pxweb.mapping import (
    build_selection,
    resolve,
    split_order,
    time_codes,
    to_observations,
)
from kuva.warehouse.connection import Warehouse, utcnow
from kuva.warehouse.load import LoadReport, SourceInfo, load_observations
from kuva.warehouse.query import latest_period

KIND = "statfin-pxweb"
PUBLISHER = "Statistics Finland / TEM employment service statistics"
LICENSE = "CC BY 4.0"

Progress = Callable[[str, int, int], None]
Outcome = Literal["loaded", "unchanged", "up-to-date"]


@dataclass(frozen=True)
class TableReport:
    """What pulling one table did."""

    table: str
    source_id: str
    outcome: Outcome  #: loaded (something new or revised) / unchanged / up-to-date (nothing asked)
    load: LoadReport | None  #: None when there was nothing new to ask for
    first_period: date | None
    last_period: date | None
    vintage: datetime | None
    chunks: int
    requests: int  #: HTTP requests sent for this table (retries included)
    cache_hits: int  #: chunks answered from the on-disk cache
    skipped_areas: tuple[str, ...]  #: live area codes not in KuVa's area registry
    skipped_contents: tuple[str, ...]  #: live content codes the catalogue does not map

    @property
    def inserted(self) -> int:
        return self.load.inserted if self.load else 0

    @property
    def revised(self) -> int:
        return self.load.revised if self.load else 0

    @property
    def unchanged(self) -> int:
        return self.load.unchanged if self.load else 0

    def line(self) -> str:
        span = f" {self.first_period:%Y-%m}…{self.last_period:%Y-%m}" if self.first_period and self.last_period else ""
        what = {
            "loaded": f"{self.inserted:,} new, {self.revised:,} revised, {self.unchanged:,} unchanged",
            "unchanged": f"no change ({self.unchanged:,} values as stored)",
            "up-to-date": "nothing newer to fetch",
        }[self.outcome]
        extra = f"; skipped {len(self.skipped_areas)} unknown area code(s)" if self.skipped_areas else ""
        vint = f", vintage {self.vintage:%Y-%m-%d %H:%M}" if self.vintage else ""
        return (
            f"{self.table}:{span} {what}{vint} ({self.requests} request(s), "
            f"{self.cache_hits} chunk(s) from cache){extra}"
        )


def summarise(reports: Sequence[TableReport]) -> str:
    """A short text summary of what a pull changed, one line per table plus a total."""
    lines = [r.line() for r in reports]
    ins = sum(r.inserted for r in reports)
    rev = sum(r.revised for r in reports)
    lines.append(
        f"total: {ins:,} new and {rev:,} revised observations in "
        f"{sum(r.outcome == 'loaded' for r in reports)} of {len(reports)} table(s)"
    )
    return "\n".join(lines)


def select_tables(names: Sequence[str] | None) -> list[TableSpec]:
    """Catalogue entries by id (``12r5``, ``statfin_tyonv_pxt_12r5.px``); None = all mapped."""
    if names is None:
        return mapped_tables()
    cat = tables()
    out: list[TableSpec] = []
    for name in names:
        tid = normalise_table_id(name)
        if tid not in cat:
            raise KuvaLookupError(
                f"unknown StatFin table {name!r}; catalogue tables: "
                f"{', '.join(closest(tid, list(cat))) or ', '.join(cat)}"
            )
        spec = cat[tid]
        if spec.status != "mapped":
            raise KuvaInputError(f"table {tid} is declared but not mapped: {spec.declared_reason}")
        out.append(spec)
    return out


def pull_table(
    wh: Warehouse,
    spec: TableSpec,
    client: PxWebClient,
    *,
    since: date | None = None,
    progress: Progress | None = None,
) -> TableReport:
    """Fetch everything new of one table, then store it in one transaction."""
    sent0, hits0 = client.requests_sent, client.cache_hits
    meta = client.table_metadata(spec)
    res = resolve(spec, meta)
    start = since if since is not None else latest_period(wh, spec.source_id)
    times = time_codes(res, meta, start)
    vintage = parse_updated(meta.updated)
    if not times:
        return TableReport(
            spec.id,
            spec.source_id,
            "up-to-date",
            None,
            None,
            None,
            vintage,
            0,
            client.requests_sent - sent0,
            client.cache_hits - hits0,
            res.skipped_areas,
            res.skipped_contents,
        )
    selection = build_selection(res, meta, times)

    def chunk_progress(done: int, total: int) -> None:
        if progress is not None:
            progress(spec.id, done, total)

    results = client.fetch(meta, selection, split_order=split_order(res), progress=chunk_progress)
    datasets = [r.dataset for r in results]
    frame = to_observations(res, datasets)
    stamps = [t for t in [vintage, *(parse_updated(d.updated) for d in datasets)] if t is not None]
    vintage = max(stamps) if stamps else utcnow().replace(microsecond=0)
    query = json.dumps(
        {
            "api": meta.api,
            "table": spec.id,
            "lang": client.lang,
            "query": client.data_query(meta, selection),
            "chunks": len(results),
        },
        ensure_ascii=False,
    )
    source = SourceInfo(
        source_id=spec.source_id,
        kind=KIND,
        title=f"StatFin {spec.id}: {meta.label or spec.title}",
        publisher=PUBLISHER,
        license=LICENSE,
        synthetic=False,
        location=meta.data_url,
        vintage=vintage,
        retrieved_at=utcnow(),
        query=query,
    )
    report = load_observations(wh, frame, source)
    periods = sorted(frame["period"].unique()) if len(frame) else []
    return TableReport(
        spec.id,
        spec.source_id,
        "loaded" if report.changed else "unchanged",
        report,
        periods[0] if periods else None,
        periods[-1] if periods else None,
        vintage,
        len(results),
        client.requests_sent - sent0,
        client.cache_hits - hits0,
        res.skipped_areas,
        res.skipped_contents,
    )


def pull_statfin(
    wh: Warehouse,
    *,
    client: PxWebClient,
    tables: Sequence[str] | None = None,
    since: date | None = None,
    progress: Progress | None = None,
) -> list[TableReport]:
    """Pull the catalogue's StatFin tables into ``wh``; returns one report per table.

    ``tables``: ids in any form (``12r5``, ``statfin_tyonv_pxt_12r5.px``); None = every mapped
    entry. ``since``: first period to fetch (a date; annual tables from its year); None = from
    the latest period already stored for each table's source (``statfin:<id>``), or the whole
    history in a fresh warehouse. ``progress(table, chunks_done, chunks_total)``.

    Each table is fetched completely and then stored in one transaction. If a table fails, the
    tables before it stay loaded and :class:`PxWebPullError` (with ``.reports``) is raised; the
    failed table wrote nothing and a re-run resumes from the cache.
    """
    specs = select_tables(tables)
    reports: list[TableReport] = []
    try:
        client.limits()  # read the server's limits before the first table request
    except KuvaError as exc:
        raise PxWebPullError(specs[0].id if specs else "-", exc, []) from exc
    for spec in specs:
        try:
            reports.append(pull_table(wh, spec, client, since=since, progress=progress))
        except KuvaError as exc:
            raise PxWebPullError(spec.id, exc, list(reports)) from exc
    return reports


__all__ = [
    "KIND",
    "LICENSE",
    "PUBLISHER",
    "TableReport",
    "latest_period",
    "pull_statfin",
    "pull_table",
    "select_tables",
    "summarise",
]
