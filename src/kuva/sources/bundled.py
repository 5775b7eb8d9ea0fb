"""The real StatFin data shipped inside the package (``kuva/sources/data``), as observation
frames for the warehouse.

``kuva load bundled`` stores them; :func:`bundled_tables` lists what there is. The vintage of
each file is the date its upstream copy was made (see ``data/PROVENANCE.md``), so a live
PxWeb pull later stores revisions as newer vintages of the same source ids.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable

import pandas as pd

from kuva.errors import BadRowError
from kuva.warehouse import LoadReport, SourceInfo, Warehouse, load_observations

PUBLISHER = "Statistics Finland / TEM employment service statistics"
LICENSE = "CC BY 4.0"  # attribution: "Source: Statistics Finland, employment service statistics / StatFin"


@dataclass(frozen=True)
class BundledTable:
    table: str  #: StatFin table id (short form), e.g. ``12r5``
    file: str  #: path below ``kuva/sources/data``
    title: str
    vintage: datetime

    @property
    def source_id(self) -> str:
        return f"statfin:{self.table}"


_R5 = "statfin/tyonv_12r5_monthly_2006-01_2023-10.csv.gz"
_NATIONAL_TITLES = {
    "12u1": "Persons in coaching by type (monthly)",
    "12u2": "Labour market training (monthly)",
    "12u4": "Activation rate and persons in activating services (monthly)",
    "12u5": "Activation rate and services, foreign nationals (monthly)",
    "12u6": "Subsidised employment by type (monthly)",
    "12u8": "Work and training trials (monthly)",
    "12u9": "Other services (monthly)",
    "12ur": "Three-month follow-up after labour market training (annual)",
    "12us": "Three-month follow-up after coaching (annual)",
    "12ut": "Three-month follow-up after subsidised employment (annual)",
    "12uu": "Other services during the year (annual)",
    "12uv": "Trials during the year (annual)",
    "12uw": "Three-month follow-up after trials (annual)",
    "12ux": "Three-month follow-up after other services (annual)",
    "12v7": "Labour market training participants and starts (annual)",
    "12v8": "Labour market training ends and durations (annual)",
    "12v9": "Coaching participants, starts, ends and durations (annual)",
    "12va": "Subsidised employment participants, starts, ends and durations (annual)",
}
_GZIPPED = {"12u6", "12ut"}


def bundled_tables() -> tuple[BundledTable, ...]:
    """Every bundled StatFin table, 12r5 first."""
    out = [BundledTable("12r5", _R5, "Unemployed jobseekers, labour force and open vacancies by area (monthly)",
                        datetime(2023, 12, 1))]
    for table, title in _NATIONAL_TITLES.items():
        name = f"statfin/national/tyonv_{table}.csv" + (".gz" if table in _GZIPPED else "")
        out.append(BundledTable(table, name, title, datetime(2023, 10, 1)))
    return tuple(out)


def _data_file(path: str) -> Traversable:
    node = resources.files("kuva.sources").joinpath("data")
    for part in path.split("/"):
        node = node.joinpath(part)
    return node


def _read_csv(path: str) -> pd.DataFrame:
    raw = _data_file(path).read_bytes()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)


def read_12r5(location: str = _R5) -> pd.DataFrame:
    """Table 12r5 as observations: TYOTTOMATLOPUSSA and AVPAIKATLOPUSSA monthly, TYOVOIMATK
    (repeated monthly by the publisher) once a year at 1 January.

    Empty cells (suppressed by the publisher) become missing values, never zero.
    """
    wide = _read_csv(location)
    wide["row"] = range(2, len(wide) + 2)  # 1-based file line; line 1 is the header
    for col in ("alue", "time", "TYOTTOMATLOPUSSA", "AVPAIKATLOPUSSA", "TYOVOIMATK"):
        if col not in wide.columns:
            raise BadRowError(location, None, None, f"missing column {col!r}")
    monthly = wide.melt(id_vars=["alue", "time", "row"], value_vars=["TYOTTOMATLOPUSSA", "AVPAIKATLOPUSSA"],
                        var_name="measure", value_name="value")
    labour = wide[["alue", "time", "row", "TYOVOIMATK"]].copy()
    labour["year"] = labour["time"].str[:4]
    distinct = labour.groupby(["alue", "year"])["TYOVOIMATK"].nunique()
    if (distinct > 1).any():
        alue, year = distinct[distinct > 1].index[0]
        first = labour[(labour.alue == alue) & (labour.year == year)].iloc[0]
        raise BadRowError(location, int(first["row"]), "TYOVOIMATK",
                          f"annual labour force differs between months of {year} for {alue}")
    labour = labour.sort_values("time").drop_duplicates(["alue", "year"], keep="first")
    annual = pd.DataFrame({
        "alue": labour["alue"], "time": labour["year"] + "-01-01", "row": labour["row"],
        "measure": "TYOVOIMATK", "value": labour["TYOVOIMATK"],
    })
    frame = pd.concat([monthly, annual], ignore_index=True)
    return pd.DataFrame({
        "area_code": frame["alue"], "period": frame["time"], "measure": frame["measure"],
        "breakdown": "", "value": frame["value"].replace("", pd.NA), "row": frame["row"],
    })


def read_national(table: BundledTable) -> pd.DataFrame:
    """A national long-format table (``time, tiedot, value`` with an optional breakdown column
    before them) as observations for the whole country (``SSS``)."""
    long = _read_csv(table.file)
    for col in ("time", "tiedot", "value"):
        if col not in long.columns:
            raise BadRowError(table.file, None, None, f"missing column {col!r}; found {list(long.columns)}")
    extra = [c for c in long.columns if c not in ("time", "tiedot", "value")]
    if len(extra) > 1:
        raise BadRowError(table.file, None, None, f"more than one breakdown column: {extra}")
    breakdown = (extra[0] + "=" + long[extra[0]]) if extra else pd.Series("", index=long.index)
    return pd.DataFrame({
        "area_code": "SSS", "period": long["time"], "measure": long["tiedot"], "breakdown": breakdown,
        "value": long["value"].replace("", pd.NA), "row": range(2, len(long) + 2),
    })


def read_table(table: BundledTable) -> pd.DataFrame:
    return read_12r5(table.file) if table.table == "12r5" else read_national(table)


def source_info(table: BundledTable) -> SourceInfo:
    return SourceInfo(
        source_id=table.source_id, kind="statfin-bundled",
        title=f"StatFin {table.table}: {table.title}", publisher=PUBLISHER, license=LICENSE,
        synthetic=False, location=f"kuva/sources/data/{table.file}", vintage=table.vintage,
    )


def load_bundled(
    wh: Warehouse,
    tables: list[str] | None = None,
    progress: Callable[[BundledTable], None] | None = None,
) -> list[LoadReport]:
    """Store the bundled tables (all, or the given ids), one transaction per table."""
    chosen = bundled_tables()
    if tables is not None:
        known = {t.table for t in chosen}
        unknown = [t for t in tables if t not in known]
        if unknown:
            raise BadRowError("--tables", None, None, f"unknown bundled table(s) {unknown}; known: {sorted(known)}")
        chosen = tuple(t for t in chosen if t.table in tables)
    reports = []
    for table in chosen:
        if progress is not None:
            progress(table)
        reports.append(load_observations(wh, read_table(table), source_info(table)))
    return reports
