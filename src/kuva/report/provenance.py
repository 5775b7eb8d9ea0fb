"""The provenance appendix: what the warehouse holds (sources, every load with its vintage and
checksum) and which of it the report's analyses used."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
    srows = wh.con.execute(
        """
        SELECT s.source_id, s.kind, s.title, s.publisher, s.license, s.synthetic,
               min(o.period), max(o.period), count(o.period)
        FROM sources s LEFT JOIN observations o ON o.source_id = s.source_id
        GROUP BY ALL ORDER BY s.source_id
        """
    ).fetchall()
    sources = tuple(
        SourceRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[0] in used, r[6], r[7], int(r[8])) for r in srows
    )
    lrows = wh.con.execute(
        """SELECT load_id, source_id, location, retrieved_at, loaded_at, vintage, checksum,
                  rows_in, rows_inserted, rows_revised, kuva_version
           FROM loads ORDER BY load_id"""
    ).fetchall()
    loads = tuple(LoadRow(*r) for r in lrows)
    return Provenance(sources, loads)
