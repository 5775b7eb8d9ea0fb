"""Custom areas (a user's own groupings of municipalities) and the public-data check of own figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from kuva.warehouse.persons import insert_rows

if TYPE_CHECKING:
    from kuva.warehouse.connection import Warehouse
    from kuva.warehouse.load import LoadReport, SourceInfo

AREA_COLUMNS = ("area_code", "area_name", "municipality_code")


def load_custom_areas(wh: Warehouse, frame: pd.DataFrame, source: SourceInfo) -> LoadReport:
    """Store area definitions (``area_code, area_name, municipality_code``): each load adds a
    version; :func:`custom_areas` reads the latest load of each area."""
    return insert_rows(wh, "custom_areas", frame[list(AREA_COLUMNS)], AREA_COLUMNS, source, replace_source=False)


def custom_areas(wh: Warehouse) -> pd.DataFrame:
    """Members of every custom area as its latest load defines it."""
    frame: pd.DataFrame = wh.con.execute(
        "SELECT area_code, area_name, municipality_code FROM custom_areas "
        "QUALIFY load_id = max(load_id) OVER (PARTITION BY area_code) ORDER BY area_code, municipality_code").df()
    return frame


def public_values_for(wh: Warehouse, frame: pd.DataFrame) -> pd.DataFrame:
    """Keys of ``frame`` (area_code, period, measure) that a real public source already holds,
    with that ``source_id``."""
    o = wh.table("observations")
    s = wh.table("sources")
    public = s.filter((s.sensitivity == "public") & ~s.synthetic).select("source_id")
    have: pd.DataFrame = (o.filter(o.area_code.isin(sorted(set(frame["area_code"])))
                     & o.measure.isin(sorted(set(frame["measure"])))
                     & o.period.between(min(frame["period"]), max(frame["period"])))
            .semi_join(public, "source_id")
            .select("area_code", "period", "measure", "source_id").distinct().to_pandas())
    if have.empty:
        return pd.DataFrame(columns=["area_code", "period", "measure", "source_id"])
    have["period"] = pd.to_datetime(have["period"]).dt.date
    out: pd.DataFrame = have.drop_duplicates(["area_code", "period", "measure"])
    return out
