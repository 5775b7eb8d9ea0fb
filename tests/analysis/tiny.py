"""A tiny hand-made warehouse for exact analysis tests.

Pilot areas (user-replaced pilot list): ``Alpha`` = KU091, ``Beta`` = KU092. Comparison
municipalities with data: KU005, KU009. KU035 (Brändö) is on Åland and must never be in a
mainland comparison (it only enters the national sums).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from kuva.indicators import codes
from kuva.warehouse import SourceInfo, Warehouse, load_observations

PILOTS_CSV = (
    "pilot_area_fi,municipality_code,municipality_name_fi,source_url,confidence\n"
    "Alpha,091,Helsinki,https://example.org,confirmed\n"
    "Beta,092,Vantaa,https://example.org,likely\n"
)

#: unemployed jobseekers (area, month) → value
UNEMPLOYED = {
    "KU091": {"2020-02": 100, "2020-03": 150, "2020-04": 180, "2021-02": 120, "2021-03": 120},
    "KU092": {"2020-02": 50, "2020-03": 90, "2020-04": 60, "2021-02": 60, "2021-03": 60},
    "KU005": {"2020-02": 40, "2020-03": 50, "2020-04": 70, "2021-02": 50, "2021-03": 50},
    "KU009": {"2020-02": 10, "2020-03": 20, "2020-04": 30, "2021-02": 10, "2021-03": 10},
    "KU035": {"2020-02": 1000, "2020-03": 1000, "2020-04": 5000, "2021-02": 1000, "2021-03": 1000},
}
#: persons in services (area, month) → {measure: value}; unlisted services are 0
SERVICES = {
    "KU091": {"2020-02": {"TYOLLISTETTYLOP": 25}, "2021-02": {"TYOLLISTETTYLOP": 30},
              "2021-03": {"TYOLLISTETTYLOP": 20, "KUNTTYOLOP": 20}},
    "KU092": {"2020-02": {"TVKOULUTUSLOP": 50}, "2021-02": {"TVKOULUTUSLOP": 30},
              "2021-03": {"TYOLLISTETTYLOP": 10, "TVKOULUTUSLOP": 10}},
    "KU005": {"2020-02": {"KUNTTYOLOP": 10}, "2021-02": {"KUNTTYOLOP": 30}, "2021-03": {"KUNTTYOLOP": 25}},
    "KU009": {"2020-02": {"OMAEHTLOP": 10}, "2021-02": {}, "2021-03": {"OMAEHTLOP": 15}},
    "KU035": {"2020-02": {"TYOLLISTETTYLOP": 200}, "2021-02": {"TYOLLISTETTYLOP": 200},
              "2021-03": {"TYOLLISTETTYLOP": 500}},
}
#: annual background 2020
BACKGROUND = {
    "VAKILUKU": {"KU091": 1000, "KU092": 3000, "KU005": 500, "KU009": 1500, "KU035": 400},
    "VAESTO_YLI64_OSUUS": {"KU091": 10, "KU092": 20, "KU005": 30, "KU009": 40, "KU035": 90},
}
#: three-month follow-up of trials in 2020: (ended, unemployed, in services)
TRIALS_2020 = {"KU091": (100, 40, 30), "KU092": (50, 10, 20), "KU005": (20, 10, 5), "KU009": (10, 5, 0)}
TRIALS_2020_NATION = (1000, 400, 300)


def write_pilots(folder: Path) -> Path:
    path = folder / "pilots.csv"
    path.write_text(PILOTS_CSV, encoding="utf-8")
    return path


def source(source_id: str, synthetic: bool) -> SourceInfo:
    return SourceInfo(source_id=source_id, kind="synthetic" if synthetic else "user-file", title=source_id,
                      publisher="tests", license="test", synthetic=synthetic, location=source_id,
                      vintage=datetime(2024, 1, 1))


def frame(rows: list[tuple[str, str, str, float | None]], breakdown: str = "") -> pd.DataFrame:
    return pd.DataFrame({"area_code": [r[0] for r in rows], "period": [r[1] for r in rows],
                         "measure": [r[2] for r in rows], "breakdown": breakdown, "value": [r[3] for r in rows]})


def unemployed_rows() -> list[tuple[str, str, str, float | None]]:
    return [(a, f"{m}-01", codes.UNEMPLOYED, v) for a, ms in UNEMPLOYED.items() for m, v in ms.items()]


def service_rows() -> list[tuple[str, str, str, float | None]]:
    return [(a, f"{m}-01", s, float(d.get(s, 0))) for a, ms in SERVICES.items() for m, d in ms.items()
            for s in codes.SERVICES]


def build(path: Path, *, services_synthetic: bool = True, with_services: bool = True) -> Path:
    """Write the tiny warehouse to ``path`` and return it."""
    with Warehouse(path) as wh:
        load_observations(wh, frame(unemployed_rows()), source("test:unemployed", False))
        if with_services:
            load_observations(wh, frame(service_rows()), source("test:services", services_synthetic))
            bg = [(a, "2020-01-01", m, float(v)) for m, d in BACKGROUND.items() for a, v in d.items()]
            load_observations(wh, frame(bg), source("test:background", False))
            fu = []
            c_end, c_une, c_srv = codes.FOLLOW_UP["trials"]
            for a, (e, u, s) in TRIALS_2020.items():
                fu += [(a, "2020-01-01", c_end, float(e)), (a, "2020-01-01", c_une, float(u)),
                       (a, "2020-01-01", c_srv, float(s))]
            load_observations(wh, frame(fu), source("test:follow_up", services_synthetic))
            e, u, s = TRIALS_2020_NATION
            nat = frame([("SSS", "2020-01-01", c_end, float(e)), ("SSS", "2020-01-01", c_une, float(u)),
                         ("SSS", "2020-01-01", c_srv, float(s))], breakdown="arviointi_kokeilut=SSS")
            load_observations(wh, nat, source("test:follow_up_nation", False))
    return path
