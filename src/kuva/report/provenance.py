"""The provenance appendix: what the warehouse holds (sources, every load with its vintage and
checksum) and which of it the report's analyses used."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime

from kuva.warehouse import Warehouse


@dataclass(frozen=True)
class SourceRow:
    source_id: str
    kind: str
    title: str
    publisher: str
    license: str
    synthetic: bool
    used: bool
    first_period: date | None
    last_period: date | None
    observations: int


@dataclass(frozen=True)
class LoadRow:
    load_id: int
    source_id: str
    location: str
    retrieved_at: datetime
    loaded_at: datetime
    vintage: datetime
    checksum: str
    rows_in: int
    rows_inserted: int
    rows_revised: int
    kuva_version: str


@dataclass(frozen=True)
class Provenance:
    sources: tuple[SourceRow, ...]
    loads: tuple[LoadRow, ...]

    @property
    def synthetic_sources(self) -> tuple[str, ...]:
        return tuple(s.source_id for s in self.sources if s.synthetic)


def read_provenance(wh: Warehouse, used_sources: Iterable[str]) -> Provenance:
    """Sources (with period coverage) and loads from the warehouse, marking the ones used."""
    used = set(used_sources)
    s = wh.table("sources")
    o = wh.table("observations")
    cov = o.group_by("source_id").aggregate(first=o.period.min(), last=o.period.max(), n=o.period.count())
    joined = s.left_join(cov, s.source_id == cov.source_id).select(
        s.source_id, s.kind, s.title, s.publisher, s.license, s.synthetic, cov.first, cov.last, cov.n,
    ).order_by("source_id")
    sources = tuple(
        SourceRow(r["source_id"], r["kind"], r["title"], r["publisher"], r["license"], bool(r["synthetic"]),
                  r["source_id"] in used, r["first"], r["last"], int(r["n"] or 0))
        for r in joined.to_pyarrow().to_pylist()
    )
    columns = [f.name for f in fields(LoadRow)]
    ld = wh.table("loads")
    done = ld.filter(ld.undone_at.isnull()).select(*columns).order_by("load_id")  # undone loads left nothing
    loads = tuple(LoadRow(**r) for r in done.to_pyarrow().to_pylist())
    return Provenance(sources, loads)
