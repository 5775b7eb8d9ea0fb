"""Reading observations: the latest vintage by default, or the values as known at a time.

``latest_observations(wh)`` is an Ibis table expression (portable to other engines) with one
row per (area_code, period, measure, breakdown): the newest vintage at or before ``as_of``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from kuva.registry import measure as lookup_measure
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd


def latest_observations(wh: Warehouse, as_of: datetime | date | None = None) -> ir.Table:
    """Observations as an Ibis table, one value per key: the latest vintage (at or before
    ``as_of``) of a real source, and a synthetic value only where no real source has the key —
    real beats synthetic whatever the load order (a StatFin pull after the demo's simulation wins
    over the simulated month)."""
    import ibis

    obs = wh.table("observations")
    if as_of is not None:
        cutoff = as_of if isinstance(as_of, datetime) else datetime(as_of.year, as_of.month, as_of.day, 23, 59, 59)
        obs = obs.filter(obs.vintage <= cutoff)
    src = wh.table("sources")
    synthetic = src.filter(src.synthetic).select("source_id")
    obs = obs.mutate(_synthetic=obs.source_id.isin(synthetic.source_id))
    w = ibis.window(group_by=[obs.area_code, obs.period, obs.measure, obs.breakdown],
                    order_by=[obs._synthetic, ibis.desc(obs.vintage)])
    ranked = obs.mutate(_rank=ibis.row_number().over(w))
    return ranked.filter(ranked._rank == 0).drop("_rank", "_synthetic")


def select_observations(
    wh: Warehouse,
    measures: Sequence[str],
    *,
    areas: Sequence[str] | None = None,
    area_prefix: str | None = None,
    start: date | None = None,
    end: date | None = None,
    breakdown: str | None = "",
    as_of: datetime | date | None = None,
) -> ir.Table:
    """Latest-vintage observations of ``measures`` as an Ibis expression (nothing executed).

    ``area_prefix`` keeps codes starting with it (``"KU"`` for municipalities). ``breakdown=""``
    keeps rows without a breakdown, ``None`` every breakdown. Unknown measure codes raise
    :class:`~kuva.errors.KuvaLookupError`.
    """
    codes = [lookup_measure(m).code for m in measures]
    t = latest_observations(wh, as_of)
    t = t.filter(t.measure.isin(codes))
    if areas is not None:
        t = t.filter(t.area_code.isin(list(areas)))
    if area_prefix is not None:
        t = t.filter(t.area_code.startswith(area_prefix))
    if start is not None:
        t = t.filter(t.period >= start)
    if end is not None:
        t = t.filter(t.period <= end)
    if breakdown is not None:
        t = t.filter(t.breakdown == breakdown)
    return t


def query_observations(
    wh: Warehouse,
    measures: list[str],
    *,
    areas: list[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    breakdown: str | None = "",
    as_of: datetime | date | None = None,
) -> pd.DataFrame:
    """Observations of the given measures as a pandas frame, sorted by area, measure, period
    (see :func:`select_observations` for the arguments)."""
    import pandas as pd

    t = select_observations(wh, measures, areas=areas, start=start, end=end, breakdown=breakdown, as_of=as_of)
    cols = ["area_code", "period", "measure", "breakdown", "value", "status", "vintage", "source_id"]
    df: pd.DataFrame = t.select(*cols).order_by(["area_code", "measure", "breakdown", "period"]).to_pandas()
    df["period"] = pd.to_datetime(df["period"]).dt.date
    return df.reset_index(drop=True)


OBSERVATION_COLUMNS = ("area_code", "period", "measure", "breakdown", "value", "status", "vintage", "source_id")


def observation_records(
    wh: Warehouse,
    measures: Sequence[str],
    *,
    areas: Sequence[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    breakdown: str | None = "",
    as_of: datetime | date | None = None,
) -> list[dict[str, object]]:
    """The rows of :func:`query_observations` as plain dicts, read with one SQL statement on the
    DuckDB file (no pandas, no Ibis: what ``kuva query`` needs to answer in well under a second).
    The same rule as :func:`latest_observations` — real beats synthetic, then the newest vintage
    at or before ``as_of`` — written in SQL; a test keeps the two equal."""
    codes = [lookup_measure(m).code for m in measures]
    where: list[str] = ["measure IN (SELECT unnest(?))"]
    params: list[object] = [codes]
    if as_of is not None:
        cutoff = as_of if isinstance(as_of, datetime) else datetime(as_of.year, as_of.month, as_of.day, 23, 59, 59)
        where.append("vintage <= ?")
        params.append(cutoff)
    for cond, arg in (("area_code IN (SELECT unnest(?))", None if areas is None else list(areas)),
                      ("period >= ?", start), ("period <= ?", end), ("breakdown = ?", breakdown)):
        if arg is not None:
            where.append(cond)
            params.append(arg)
    # the filters are on the window's partition keys (and the vintage cut-off comes first in the
    # Ibis expression too), so filtering before ranking gives the same rows
    sql = f"""
        SELECT {", ".join(OBSERVATION_COLUMNS)} FROM (
            SELECT o.*, row_number() OVER (
                PARTITION BY area_code, period, measure, breakdown
                ORDER BY source_id IN (SELECT source_id FROM sources WHERE synthetic), vintage DESC) AS _rank
            FROM observations o WHERE {" AND ".join(where)})
        WHERE _rank = 1 ORDER BY area_code, measure, breakdown, period"""
    return [dict(zip(OBSERVATION_COLUMNS, row, strict=True)) for row in wh.con.execute(sql, params).fetchall()]


@dataclass(frozen=True)
class SourceSummary:
    source_id: str
    title: str
    synthetic: bool
    sensitivity: str  #: ``public`` or ``confidential`` (disclosure control)
    loads: int
    latest_vintage: datetime
    observations: int
    measures: int
    areas: int
    first_period: date
    last_period: date


def synthetic_continuations(rows: Iterable[Mapping[Any, Any]]) -> list[str]:
    """Series that change between a real and a SYNTHETIC source inside the answer (e.g. a real
    StatFin series that the demo's simulation continues after its last published month), as
    lines naming the area, measure and the months of each part — so no answer switches silently.
    ``rows`` are observation records (a frame's ``to_dict("records")``)."""
    series: dict[tuple[str, ...], dict[bool, list[Mapping[Any, Any]]]] = {}
    for r in rows:
        if "source_id" not in r:
            return []
        key = tuple(str(r[c]) for c in ("area_code", "measure", "breakdown") if c in r)
        series.setdefault(key, {}).setdefault(str(r["source_id"]).startswith("synthetic:"), []).append(r)
    out = []
    for key in sorted(series):
        parts_by_kind = series[key]
        if len(parts_by_kind) < 2:
            continue
        parts = []
        for flag in sorted(parts_by_kind):
            part = parts_by_kind[flag]
            lo, hi = min(r["period"] for r in part), max(r["period"] for r in part)
            kind = "SYNTHETIC" if flag else "real"
            parts.append(f"{kind} {lo:%Y-%m}…{hi:%Y-%m} ({', '.join(sorted({str(r['source_id']) for r in part}))})")
        name = " ".join(k for k in key if k)
        out.append(f"{name}: " + "; ".join(parts))
    return out


def latest_period(wh: Warehouse, source_id: str) -> date | None:
    """The latest period stored from ``source_id`` (None when nothing is)."""
    import pandas as pd

    o = wh.table("observations")
    p = o.filter(o.source_id == source_id).period.max().to_pandas()
    if p is None or pd.isna(p):
        return None
    ts = pd.Timestamp(p)
    return date(ts.year, ts.month, ts.day)


def warehouse_summary(wh: Warehouse) -> list[SourceSummary]:
    """Per source: loads, vintages, observation count, measures, areas and period range."""
    rows = wh.con.execute(
        """
        SELECT s.source_id, s.title, s.synthetic, s.sensitivity,
               (SELECT count(*) FROM loads l WHERE l.source_id = s.source_id AND l.undone_at IS NULL),
               (SELECT max(vintage) FROM loads l WHERE l.source_id = s.source_id AND l.undone_at IS NULL),
               count(*), count(DISTINCT o.measure),
               count(DISTINCT o.area_code), min(o.period), max(o.period)
        FROM sources s JOIN observations o ON o.source_id = s.source_id
        GROUP BY s.source_id, s.title, s.synthetic, s.sensitivity ORDER BY s.source_id
        """
    ).fetchall()
    return [SourceSummary(*r) for r in rows]


def source_sensitivity(wh: Warehouse) -> dict[str, str]:
    """The disclosure class of every source: ``public`` or ``confidential``."""
    return {str(k): str(v) for k, v in wh.con.execute("SELECT source_id, sensitivity FROM sources").fetchall()}


def area_coverage(wh: Warehouse) -> list[tuple[str, int, int]]:
    """``(level, areas, observations)``: distinct areas with observations, by area level."""
    rows = wh.con.execute(
        """SELECT a.level, count(DISTINCT o.area_code) AS areas, count(*) AS observations
           FROM observations o JOIN areas a ON a.code = o.area_code GROUP BY a.level ORDER BY a.level"""
    ).fetchall()
    return [(str(r[0]), int(r[1]), int(r[2])) for r in rows]


def person_level_rows(wh: Warehouse) -> tuple[int, int, int]:
    """Rows stored in ``service_events``, ``survey_answers`` and ``process_events`` (table sizes,
    not persons)."""
    row = wh.con.execute(
        "SELECT (SELECT count(*) FROM service_events), (SELECT count(*) FROM survey_answers), "
        "(SELECT count(*) FROM process_events)"
    ).fetchone()
    return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)


def custom_area_summary(wh: Warehouse) -> list[tuple[str, str, int]]:
    """``(area_code, area_name, municipalities)`` of every custom area as its latest load defines
    it (plain SQL: ``kuva info`` needs no Ibis or pandas)."""
    rows = wh.con.execute(
        """SELECT c.area_code, any_value(c.area_name), count(*)
           FROM custom_areas c JOIN (SELECT area_code, max(load_id) AS m FROM custom_areas GROUP BY area_code) l
             ON c.area_code = l.area_code AND c.load_id = l.m
           GROUP BY c.area_code ORDER BY c.area_code""").fetchall()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


@dataclass(frozen=True)
class LoadRow:
    load_id: int
    source_id: str
    location: str
    loaded_at: datetime
    rows_inserted: int
    rows_revised: int
    undone_at: datetime | None


def recent_loads(wh: Warehouse, n: int = 10) -> list[LoadRow]:
    """The latest ``n`` loads, newest first, with whether each was undone (``kuva load undo``)."""
    rows = wh.con.execute(
        "SELECT load_id, source_id, location, loaded_at, rows_inserted, rows_revised, undone_at FROM loads "
        "ORDER BY load_id DESC LIMIT ?", [n]).fetchall()
    return [LoadRow(*r) for r in rows]


