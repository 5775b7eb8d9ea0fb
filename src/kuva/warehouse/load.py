"""Loading observations: one transaction per load, with its provenance row.

:func:`load_observations` validates the frame (:mod:`kuva.warehouse.validate`), compares each
observation with the latest stored vintage at or before the load's vintage and inserts only
what is new or revised, together with one ``loads`` row (source, location, query, retrieved
at, vintage, checksum, row counts). Re-running the same load changes nothing and writes no
provenance row. A failure at any point (or a killed process) leaves the warehouse as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from kuva.errors import BadRowError, KuvaInputError
from kuva.warehouse.connection import Warehouse
from kuva.warehouse.provenance import content_checksum, record_load
from kuva.warehouse.validate import validate_observations

KEY = ("area_code", "period", "measure", "breakdown")


@dataclass(frozen=True)
class SourceInfo:
    """Where a batch of observations comes from. Stored in ``sources`` and ``loads``."""

    source_id: str  #: stable id, e.g. ``statfin:12r5`` or ``synthetic:panel``
    kind: str  #: ``statfin-bundled``, ``statfin-pxweb``, ``synthetic``, ``user-file``, ...
    title: str
    publisher: str
    license: str
    synthetic: bool
    location: str  #: file path or URL
    vintage: datetime  #: when the publisher released these values (revision time)
    retrieved_at: datetime | None = None  #: when KuVa fetched them (default: now)
    query: str | None = None  #: the query sent, if any (JSON text)
    #: ``public`` (already published by its owner: passes disclosure control unchanged) or
    #: ``confidential`` (person-level data, a municipality's own figures and every synthetic
    #: stand-in for them). Default: public only for real StatFin tables.
    sensitivity: str | None = None

    @property
    def classification(self) -> str:
        """The disclosure class of this source (see :attr:`sensitivity`)."""
        if self.sensitivity is not None:
            if self.sensitivity not in ("public", "confidential"):
                raise KuvaInputError(f"source {self.source_id}: sensitivity must be 'public' or 'confidential', "
                                     f"got {self.sensitivity!r}")
            return self.sensitivity
        return "public" if self.kind.startswith("statfin") and not self.synthetic else "confidential"


@dataclass(frozen=True)
class LoadReport:
    """What a load did."""

    source_id: str
    location: str
    load_id: int | None  #: None when nothing changed (no provenance row written)
    rows_in: int
    inserted: int  #: observations for keys never seen before
    revised: int  #: new vintages of keys whose value changed
    unchanged: int
    checksum: str

    @property
    def changed(self) -> bool:
        return self.inserted + self.revised > 0


def frame_checksum(clean: pd.DataFrame) -> str:
    """SHA-256 of a validated frame's content, independent of row order."""
    return content_checksum(clean, list(clean.columns))


def load_observations(
    wh: Warehouse,
    frame: pd.DataFrame,
    source: SourceInfo,
    *,
    before_commit: Callable[[], None] | None = None,
) -> LoadReport:
    """Validate and store ``frame`` (see :mod:`kuva.warehouse.validate` for its columns).

    ``before_commit`` is called inside the transaction after all rows are written and before
    the commit; tests use it to kill the process at the worst moment.
    """
    clean = validate_observations(frame, source.location)
    checksum = frame_checksum(clean)
    vintage = source.vintage.replace(tzinfo=None)
    clean = clean.assign(vintage=vintage)
    with wh.transaction() as con:
        con.register("_incoming", clean)
        try:
            con.execute(
                """
                CREATE OR REPLACE TEMP TABLE _cmp AS
                SELECT i.*, l.value AS old_value, l.status AS old_status, l.vintage AS old_vintage,
                       l.area_code IS NOT NULL AS existed
                FROM _incoming i
                LEFT JOIN (
                    SELECT o.area_code, o.period, o.measure, o.breakdown, o.value, o.status, o.vintage
                    FROM observations o
                    SEMI JOIN _incoming j USING (area_code, period, measure, breakdown)
                    WHERE o.vintage <= ?
                    QUALIFY row_number() OVER (
                        PARTITION BY o.area_code, o.period, o.measure, o.breakdown ORDER BY o.vintage DESC) = 1
                ) l USING (area_code, period, measure, breakdown)
                """,
                [vintage],
            )
        finally:
            con.unregister("_incoming")
        diff = "NOT (value IS NOT DISTINCT FROM old_value AND status IS NOT DISTINCT FROM old_status)"
        conflict = con.execute(
            f"SELECT area_code, period, measure, breakdown, value, old_value FROM _cmp "
            f"WHERE existed AND old_vintage = vintage AND {diff} LIMIT 1"
        ).fetchone()
        if conflict is not None:
            a, p, m, b, v, old = conflict
            raise KuvaInputError(
                f"{source.location}: {a} {p} {m} {b!r} has value {v} but vintage {vintage} already "
                f"stores {old}; a revision needs a new vintage"
            )
        counts = con.execute(
            f"SELECT count(*) FILTER (WHERE NOT existed), count(*) FILTER (WHERE existed AND {diff}), "
            f"count(*) FILTER (WHERE existed AND NOT ({diff})) FROM _cmp"
        ).fetchone()
        assert counts is not None
        inserted, revised, unchanged = (int(x) for x in counts)
        load_id: int | None = None
        if inserted + revised > 0:
            load_id = record_load(con, source, checksum=checksum, rows_in=len(clean), inserted=inserted,
                                  revised=revised, unchanged=unchanged)
            con.execute(
                f"""INSERT INTO observations
                    SELECT area_code, period, frequency, measure, breakdown, value, status, vintage,
                           {load_id}, ? FROM _cmp WHERE NOT existed OR {diff}""",
                [source.source_id],
            )
        con.execute("DROP TABLE _cmp")
        if before_commit is not None:
            before_commit()
    return LoadReport(source.source_id, source.location, load_id, len(clean), inserted, revised, unchanged, checksum)


__all__ = ["BadRowError", "LoadReport", "SourceInfo", "frame_checksum", "load_observations"]
