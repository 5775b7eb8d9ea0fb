"""Loading person-level data: service events (milestones of a jobseeker's path) and survey
answers (e.g. Kykyviisari). Only keyed pseudonyms are stored (see
:mod:`kuva.privacy.pseudonym`); a row with anything that looks like a personal identity code
in any text field is refused, and the whole load with it.

Service event frame: ``pseudonym``, ``event_date``, ``event_type`` (one of
:data:`EVENT_TYPES`), optional ``municipality_code``, ``sector`` (one of :data:`SECTORS`),
``service_type``, ``detail``.

Survey answer frame: ``pseudonym``, ``answered_at``, ``instrument``, ``item``, ``value``,
optional ``municipality_code``, ``area``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from kuva.errors import BadRowError
from kuva.privacy.pseudonym import PSEUDONYM_PATTERN, first_identity_code
from kuva.registry import area_registry
from kuva.warehouse.connection import Warehouse
from kuva.warehouse.load import LoadReport, SourceInfo
from kuva.warehouse.provenance import content_checksum, record_load

if TYPE_CHECKING:
    import duckdb
    import ibis.expr.types as ir

EventType = Literal[
    "registration", "initial_interview", "service_need_assessment", "employment_plan",
    "plan_review", "job_search_talk", "referral", "service_start", "service_end", "exit",
    "status_3m",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
Sector = Literal["employment_services", "social_services", "health_care", "education", "kela"]
SECTORS: tuple[str, ...] = Sector.__args__  # type: ignore[attr-defined]

EVENT_COLUMNS = ("pseudonym", "event_date", "event_type", "municipality_code", "sector", "service_type", "detail")
ANSWER_COLUMNS = ("pseudonym", "answered_at", "instrument", "municipality_code", "area", "item", "value")


def _rows(frame: pd.DataFrame) -> np.ndarray:
    return frame["row"].to_numpy() if "row" in frame.columns else np.arange(1, len(frame) + 1)


def _check_common(frame: pd.DataFrame, source: str, date_col: str, required: tuple[str, ...]) -> pd.DataFrame:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise BadRowError(source, None, None, f"missing column(s) {missing}; found {list(frame.columns)}")
    rows = _rows(frame)
    for col in frame.columns:
        i = first_identity_code(frame[col])
        if i is not None:
            raise BadRowError(source, int(rows[i]), col,
                              "contains a personal identity code; only keyed pseudonyms may be stored")
    ok = frame["pseudonym"].astype("string").str.fullmatch(PSEUDONYM_PATTERN).fillna(False)
    if not ok.all():
        i = int(np.flatnonzero(~ok.to_numpy(dtype=bool))[0])
        raise BadRowError(source, int(rows[i]), "pseudonym",
                          "not a keyed pseudonym (64 hex characters from kuva.privacy.pseudonym)")
    dates = pd.to_datetime(frame[date_col], errors="coerce")
    if dates.isna().any():
        i = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise BadRowError(source, int(rows[i]), date_col, f"not a date: {frame[date_col].iloc[i]!r}")
    out = frame.copy()
    out[date_col] = dates.dt.date
    if "municipality_code" in out.columns:
        known = {m.code for m in area_registry().municipalities()}
        codes = out["municipality_code"]
        bad = codes.notna() & ~codes.isin(known)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise BadRowError(source, int(rows[i]), "municipality_code", f"unknown municipality code {codes.iloc[i]!r}")
    return out


#: tables whose rows are vintages of a keyed item (table -> key within a source): a later load
#: of the same key is a correction, and the ``is_latest`` flag marks each key's latest load
VINTAGED: dict[str, str] = {"process_events": "event_id"}


def restore_latest(con: duckdb.DuckDBPyConnection, table: str, source_id: str) -> None:
    """After a load of ``source_id`` was deleted from a :data:`VINTAGED` table, flag each key's
    latest remaining load again (the vintage the undone load had superseded)."""
    key = VINTAGED[table]
    con.execute(f"""UPDATE {table} p SET is_latest = true
                    FROM (SELECT {key}, max(load_id) AS m FROM {table} WHERE source_id = ? GROUP BY ALL) l
                    WHERE p.source_id = ? AND p.{key} = l.{key} AND p.load_id = l.m AND NOT p.is_latest""",
                [source_id, source_id])


def insert_rows(
    wh: Warehouse, table: str, clean: pd.DataFrame, columns: tuple[str, ...], source: SourceInfo, replace_source: bool
) -> LoadReport:
    checksum = content_checksum(clean, columns)
    with wh.transaction() as con:
        latest = con.execute(
            "SELECT checksum FROM loads WHERE source_id = ? AND undone_at IS NULL "
            "ORDER BY load_id DESC LIMIT 1", [source.source_id]
        ).fetchone()
        seen = con.execute(
            "SELECT count(*) FROM loads WHERE source_id = ? AND checksum = ? "
            "AND undone_at IS NULL", [source.source_id, checksum]
        ).fetchone()
        if (replace_source and latest is not None and latest[0] == checksum) or (
            not replace_source and seen is not None and seen[0] > 0
        ):
            return LoadReport(source.source_id, source.location, None, len(clean), 0, 0, len(clean), checksum)
        if replace_source:
            con.execute(f"DELETE FROM {table} WHERE source_id = ?", [source.source_id])
        load_id = record_load(con, source, checksum=checksum, rows_in=len(clean), inserted=len(clean),
                              revised=0, unchanged=0)
        frame = clean[list(columns)].assign(load_id=load_id, source_id=source.source_id)
        con.register("_persons", frame)
        try:
            cols = ", ".join([*columns, "load_id", "source_id"])
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _persons")
            if table in VINTAGED:
                con.execute(f"UPDATE {table} SET is_latest = false WHERE source_id = ? AND load_id < ? AND is_latest "
                            f"AND {VINTAGED[table]} IN (SELECT {VINTAGED[table]} FROM _persons)",
                            [source.source_id, load_id])
        finally:
            con.unregister("_persons")
    return LoadReport(source.source_id, source.location, load_id, len(clean), len(clean), 0, 0, checksum)


def load_service_events(
    wh: Warehouse, frame: pd.DataFrame, source: SourceInfo, *, replace_source: bool = False
) -> LoadReport:
    """Validate and store service events; the same file loaded twice is stored once.

    With ``replace_source`` the rows replace everything earlier loaded from the same source
    (used for a re-run simulation); otherwise they are added.
    """
    src = source.location
    for col in EVENT_COLUMNS[3:]:
        if col not in frame.columns:
            frame = frame.assign(**{col: None})
    clean = _check_common(frame, src, "event_date", ("pseudonym", "event_date", "event_type"))
    rows = _rows(frame)
    bad = ~clean["event_type"].isin(EVENT_TYPES)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise BadRowError(src, int(rows[i]), "event_type",
                          f"must be one of {list(EVENT_TYPES)}, got {clean['event_type'].iloc[i]!r}")
    bad = clean["sector"].notna() & ~clean["sector"].isin(SECTORS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise BadRowError(
            src, int(rows[i]), "sector", f"must be one of {list(SECTORS)}, got {clean['sector'].iloc[i]!r}"
        )
    return insert_rows(wh, "service_events", clean, EVENT_COLUMNS, source, replace_source)


def load_survey_answers(
    wh: Warehouse, frame: pd.DataFrame, source: SourceInfo, *, replace_source: bool = False
) -> LoadReport:
    """Validate and store survey answers (one row per person, time and item); ``replace_source``
    as in :func:`load_service_events`."""
    for col in ("municipality_code", "area"):
        if col not in frame.columns:
            frame = frame.assign(**{col: None})
    clean = _check_common(frame, source.location, "answered_at",
                          ("pseudonym", "answered_at", "instrument", "item", "value"))
    clean["value"] = pd.to_numeric(clean["value"], errors="coerce")
    return insert_rows(wh, "survey_answers", clean, ANSWER_COLUMNS, source, replace_source)


#: the stored columns of the service-process event log (kuva.process.eventlog.STORED_COLUMNS)
PROCESS_COLUMNS = ("event_id", "pseudonym", "event_date", "event_type", "municipality_code", "origin_sector",
                   "destination_sector", "service_type", "provider", "case_id", "plan_id", "referral_id",
                   "age_group", "language", "detail")


def load_process_events(wh: Warehouse, frame: pd.DataFrame, source: SourceInfo) -> LoadReport:
    """Store a validated service-process event log (:func:`kuva.process.eventlog.validate_event_log`).

    In one transaction (a killed load changes nothing): the same content loaded twice is stored
    once; otherwise every row is added under a new load, and a row whose ``event_id`` was stored
    before is a correction — reads take each event's latest load (:func:`latest_process_events`).
    The identity-code screen and pseudonym check run again here, whoever calls.
    """
    missing = [c for c in PROCESS_COLUMNS if c not in frame.columns]
    if missing:
        raise BadRowError(source.location, None, None, f"missing column(s) {missing}")
    clean = _check_common(frame, source.location, "event_date", ("pseudonym", "event_date", "event_type"))
    return insert_rows(wh, "process_events", clean, PROCESS_COLUMNS, source, False)


def latest_process_events(wh: Warehouse) -> ir.Table:
    """The event log as an Ibis expression: each ``event_id`` of a source in its latest load
    (the ``is_latest`` flag the loads keep, so no read ranks the vintages)."""
    t = wh.table("process_events")
    return t.filter(t.is_latest).drop("is_latest")


__all__ = ["EVENT_TYPES", "PROCESS_COLUMNS", "SECTORS", "latest_process_events", "load_process_events",
           "load_service_events", "load_survey_answers"]
