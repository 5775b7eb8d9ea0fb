"""The planted truth of a simulation (table ``synthetic_truth``), kept beside the synthetic
data so estimators can be scored against it.

:func:`write_truth` is meant to run inside the transaction of the synthetic panel's load (pass
it through ``load_observations(..., before_commit=...)``), so data and truth commit together.
"""

from __future__ import annotations

import pandas as pd

from kuva.errors import KuvaInputError, KuvaWarehouseError
from kuva.warehouse.connection import Warehouse

TRUTH_COLUMNS = ("name", "area_code", "period", "value", "note")
LATEST_LOAD = "SELECT max(load_id) FROM loads WHERE source_id = ? AND undone_at IS NULL"


def write_truth(wh: Warehouse, source_id: str, truth: pd.DataFrame) -> int:
    """Attach ``truth`` (columns name, area_code, period, value, note) to the latest load of
    ``source_id``, replacing any truth that load had. Returns the rows written."""
    missing = [c for c in TRUTH_COLUMNS if c not in truth.columns]
    if missing:
        raise KuvaInputError(f"planted truth: missing column(s) {missing}")
    row = wh.con.execute(LATEST_LOAD, [source_id]).fetchone()
    if row is None or row[0] is None:
        raise KuvaWarehouseError(f"no load of {source_id} to attach the planted truth to")
    load_id = int(row[0])
    frame = truth.assign(load_id=load_id)[["load_id", *TRUTH_COLUMNS]]
    wh.con.execute("DELETE FROM synthetic_truth WHERE load_id = ?", [load_id])
    wh.con.register("_truth", frame)
    try:
        wh.con.execute(
            "INSERT INTO synthetic_truth SELECT load_id, name, area_code, CAST(period AS DATE), value, note FROM _truth"
        )
    finally:
        wh.con.unregister("_truth")
    return len(frame)


def read_truth(wh: Warehouse, source_id: str, load_id: int | None = None) -> pd.DataFrame:
    """The truth of the latest load of ``source_id`` (or of ``load_id``); empty if none."""
    if load_id is None:
        row = wh.con.execute(LATEST_LOAD, [source_id]).fetchone()
        if row is None or row[0] is None:
            return pd.DataFrame(columns=["load_id", *TRUTH_COLUMNS])
        load_id = int(row[0])
    frame: pd.DataFrame = wh.con.execute(
        "SELECT load_id, name, area_code, period, value, note FROM synthetic_truth WHERE load_id = ? "
        "ORDER BY name, area_code, period", [load_id]).df()
    return frame
