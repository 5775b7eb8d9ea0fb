"""CONSTRUCTED StatFin tables for the test server, built from the bundled REAL values.

How they are made: the bundled real files (``src/kuva/sources/data/statfin/``: 12r5 by area,
monthly 2006-01…2023-10; ``national/tyonv_12*.csv``) are pivoted into cubes whose dimensions
follow StatFin's json-stat2 layout (area × [breakdown] × time × content). Values are copied
unchanged; empty cells in the files (suppressed by the publisher) become ``null`` with status
``"."``; combinations absent from a file become ``null`` with status ``".."``. The national
tables get an area dimension with the single code ``SSS``. Variable codes exist in both forms:
``old`` (pre-8.6.2026: ``Alue``, ``Kuukausi``/``Vuosi``, ``Tiedot``, Finnish-text breakdown
names) and ``new`` (``alue_23_20260101``, ``timeperiod_m``/``timeperiod_y``, ``contentscode``,
``<breakdown>_1_20260101``; content code ``AVPAIKATLOPUSSA`` gains the prefix ``tyonv_``).
Nothing here is a real API response; the shapes copy the recorded real response in
``recorded/statfin_v2_response_population_three_cities.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[3] / "src" / "kuva" / "sources" / "data" / "statfin"
UPDATED = "2023-11-21T06:00:00Z"

BREAKDOWN_TEXT = {  # old-form (Finnish text) variable codes of the breakdowns
    "valmennus": "Valmennus",
    "valtionosuuskoulutus_vos": "Valtionosuuskoulutus (VOS)",
    "tyollistamisen_laji": "Työllistämisen laji",
    "arviointi_kokeilut": "Arviointi, kokeilut",
    "muut_palvelut": "Muut palvelut",
}
NEW_PREFIXED = {"AVPAIKATLOPUSSA": "tyonv_AVPAIKATLOPUSSA"}
LABELS = {
    "area": {"fi": "Alue", "sv": "Område", "en": "Area"},
    "time_M": {"fi": "Kuukausi", "sv": "Månad", "en": "Month"},
    "time_A": {"fi": "Vuosi", "sv": "År", "en": "Year"},
    "content": {"fi": "Tiedot", "sv": "Uppgifter", "en": "Information"},
}


@dataclass
class Dim:
    role: str  # area / time / content / breakdown
    old: str
    new: str
    label: dict[str, str]
    values: list[str]
    new_values: list[str]
    elimination: bool = False

    def code(self, form: str) -> str:
        return self.old if form == "old" else self.new

    def codes(self, form: str) -> list[str]:
        return self.values if form == "old" else self.new_values


@dataclass
class Cube:
    table: str
    frequency: str
    label: str
    dims: list[Dim]
    values: np.ndarray  # float, NaN missing; shape = dim sizes
    status: np.ndarray  # object: None / "." / ".."


def time_code(ts: str, freq: str) -> str:
    return ts[:4] if freq == "A" else f"{ts[:4]}M{ts[5:7]}"


def _content_dim(codes: list[str]) -> Dim:
    return Dim("content", "Tiedot", "contentscode", LABELS["content"], codes, [NEW_PREFIXED.get(c, c) for c in codes])


def _time_dim(codes: list[str], freq: str) -> Dim:
    return Dim(
        "time",
        "Kuukausi" if freq == "M" else "Vuosi",
        "timeperiod_m" if freq == "M" else "timeperiod_y",
        LABELS[f"time_{freq}"],
        codes,
        codes,
    )


def _area_dim(codes: list[str]) -> Dim:
    return Dim("area", "Alue", "alue_23_20260101", LABELS["area"], codes, codes)


def _fill(long: pd.DataFrame, dims: list[Dim], cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    shape = tuple(len(d.values) for d in dims)
    values = np.full(shape, np.nan)
    status = np.full(shape, "..", dtype=object)
    idx = []
    for d, c in zip(dims, cols, strict=True):
        pos = {v: i for i, v in enumerate(d.values)}
        idx.append(long[c].map(pos).to_numpy())
    v = long["value"].to_numpy(dtype=float)
    values[tuple(idx)] = v
    status[tuple(idx)] = np.where(np.isnan(v), ".", None)
    return values, status


@cache
def cube_12r5() -> Cube:
    raw = pd.read_csv(DATA / "tyonv_12r5_monthly_2006-01_2023-10.csv.gz", dtype={"alue": str, "time": str})
    contents = ["TYOTTOMATLOPUSSA", "TYOVOIMATK", "AVPAIKATLOPUSSA"]
    long = raw.melt(id_vars=["alue", "time"], value_vars=contents, var_name="tiedot")
    long["t"] = long["time"].map(lambda s: time_code(s, "M"))
    areas = sorted(raw["alue"].unique(), key=lambda a: (a != "SSS", a))
    dims = [_area_dim(areas), _time_dim(sorted(long["t"].unique()), "M"), _content_dim(contents)]
    values, status = _fill(long, dims, ["alue", "t", "tiedot"])
    return Cube(
        "12r5", "M", "Työnhakijat ja työpaikat alueittain (CONSTRUCTED from bundled real values)", dims, values, status
    )


NATIONAL = {
    "12u1": "M",
    "12u2": "M",
    "12u4": "M",
    "12u5": "M",
    "12u6": "M",
    "12u8": "M",
    "12u9": "M",
    "12ur": "A",
    "12us": "A",
    "12ut": "A",
    "12uu": "A",
    "12uv": "A",
    "12uw": "A",
    "12ux": "A",
    "12v7": "A",
    "12v8": "A",
    "12v9": "A",
    "12va": "A",
}


def national_path(table: str) -> Path:
    p = DATA / "national" / f"tyonv_{table}.csv"
    return p if p.exists() else p.with_suffix(".csv.gz")


@cache
def national_frame(table: str) -> pd.DataFrame:
    return pd.read_csv(national_path(table), dtype=str).assign(
        value=lambda f: pd.to_numeric(f["value"], errors="coerce")
    )


@cache
def cube_national(table: str) -> Cube:
    freq = NATIONAL[table]
    raw = national_frame(table).copy()
    bd = [c for c in raw.columns if c not in ("time", "tiedot", "value")]
    raw["t"] = raw["time"].map(lambda s: time_code(s, freq))
    raw["area"] = "SSS"
    contents = list(dict.fromkeys(raw["tiedot"]))
    dims = [_area_dim(["SSS"])]
    cols = ["area"]
    for b in bd:
        codes = sorted(raw[b].unique())
        dims.append(
            Dim(
                "breakdown",
                BREAKDOWN_TEXT[b],
                f"{b}_1_20260101",
                {"fi": BREAKDOWN_TEXT[b], "sv": BREAKDOWN_TEXT[b], "en": BREAKDOWN_TEXT[b]},
                codes,
                codes,
            )
        )
        cols.append(b)
    dims += [_time_dim(sorted(raw["t"].unique()), freq), _content_dim(contents)]
    cols += ["t", "tiedot"]
    values, status = _fill(raw, dims, cols)
    return Cube(table, freq, f"StatFin {table} (CONSTRUCTED from bundled real national values)", dims, values, status)


#: the seven activating services of 12u4 and the shares the constructed municipal cube splits
#: its (made-up) persons in services into
_SERVICE_SHARES = {"TYOLLISTETTYLOP": 0.25, "TVKOULUTUSLOP": 0.2, "VALMENNUSLOP": 0.15, "KOKEILULOP": 0.1,
                   "KUNTTYOLOP": 0.15, "OMAEHTLOP": 0.14, "VUORVAPLOP": 0.01}


@cache
def cube_12u4_municipal(first: str = "2018-01", last: str = "2023-10") -> Cube:
    """12u4 for the whole country and every municipality, in StatFin's layout — with MADE-UP
    service counts (NOT real data: municipal 12u4 values are public but not bundled). The
    unemployed are the real 12r5 values; persons in services are a fixed 30 % of them (plus one
    point per month since 2018 so rates move), split by :data:`_SERVICE_SHARES` with the rounding
    remainder in the first service; the total is their sum and AKTASTE is computed from the
    counts and rounded to 0.1 as StatFin does. Used to test the municipal pull path and that real
    (public) values replace synthetic ones everywhere."""
    raw = pd.read_csv(DATA / "tyonv_12r5_monthly_2006-01_2023-10.csv.gz", dtype={"alue": str, "time": str})
    raw = raw[(raw["alue"] == "SSS") | raw["alue"].str.startswith("KU")]
    raw = raw[(raw["time"].str[:7] >= first) & (raw["time"].str[:7] <= last)].copy()
    months = (raw["time"].str[:4].astype(int) - 2018) * 12 + raw["time"].str[5:7].astype(int) - 1
    u = raw["TYOTTOMATLOPUSSA"]
    total = (u * (0.30 + 0.001 * months)).round()
    parts = {s: (total * share).round() for s, share in _SERVICE_SHARES.items()}
    first_service = next(iter(_SERVICE_SHARES))
    parts[first_service] = total - sum(v for k, v in parts.items() if k != first_service)
    wide = pd.DataFrame({"alue": raw["alue"], "time": raw["time"], "TYOTTOMATLOPUSSA": u,
                         "PALVELUISSAYHTEENSA": total, **parts,
                         "AKTASTE": (100 * total / (u + total)).round(1)})
    contents = ["AKTASTE", "TYOTTOMATLOPUSSA", "PALVELUISSAYHTEENSA", *_SERVICE_SHARES]
    long = wide.melt(id_vars=["alue", "time"], value_vars=contents, var_name="tiedot")
    long["t"] = long["time"].map(lambda s: time_code(s, "M"))
    areas = sorted(wide["alue"].unique(), key=lambda a: (a != "SSS", a))
    dims = [_area_dim(areas), _time_dim(sorted(long["t"].unique()), "M"), _content_dim(contents)]
    values, status = _fill(long, dims, ["alue", "t", "tiedot"])
    return Cube("12u4", "M", "Aktivointiaste kunnittain (CONSTRUCTED, MADE-UP service counts: test only)", dims,
                values, status)


def cube(table: str) -> Cube:
    return cube_12r5() if table == "12r5" else cube_national(table)


TABLES = ["12r5", *NATIONAL]
