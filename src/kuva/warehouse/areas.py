"""Custom areas (a user's own groupings of municipalities) and the public-data check of own figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


def custom_areas(wh: Any) -> pd.DataFrame:
    """Members of every custom area as its latest load defines it (any engine)."""
    t = wh.table("custom_areas")
    latest = t.group_by("area_code").aggregate(latest=t.load_id.max())
    cur = t.inner_join(latest, [t.area_code == latest.area_code, t.load_id == latest.latest])
    frame: pd.DataFrame = cur.select(*AREA_COLUMNS).order_by(["area_code", "municipality_code"]).to_pandas()
    return frame


def area_members(wh: Any, level: str) -> pd.DataFrame:
    """``area_code, area_name, municipality_code`` of the areas of a grouping level:
    ``pilot_area`` and ``employment_area`` (the stored programme memberships) or ``custom``
    (:func:`custom_areas`). A municipality may belong to several custom areas."""
    from kuva.registry.pilots import PROGRAMME_LEVELS
    from kuva.warehouse.reference import stored_memberships

    if level == "custom":
        return custom_areas(wh)
    stored = stored_memberships(wh, PROGRAMME_LEVELS[level])
    return stored[list(AREA_COLUMNS)].drop_duplicates(["area_code", "municipality_code"]).reset_index(drop=True)


#: grouping levels whose areas are lists of municipalities (see :func:`area_members`)
GROUP_LEVELS: tuple[str, ...] = ("pilot_area", "employment_area", "custom")


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
