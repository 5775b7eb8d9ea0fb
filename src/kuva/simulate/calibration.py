"""The real public figures the simulation is calibrated to (bundled StatFin data).

Only reads the bundled files; the warehouse receives the real data through the real loaders.

* 12r5: unemployed jobseekers (``TYOTTOMATLOPUSSA``) by municipality and month to 2023-10 and
  the labour force (``TYOVOIMATK``, annual);
* 12u4: national persons in each activating service and the unemployed, monthly to 2022-02;
* 12u5: national unemployed foreign nationals (``TYOTTOMATULK``), monthly to 2022-02;
* 12ur, 12us, 12ut, 12uw, 12ux: national follow-up three months after a service, annual.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from kuva.registry import area_registry

#: The activating service measures in the order used by every array of this package.
SERVICE_MEASURES: tuple[str, ...] = (
    "TYOLLISTETTYLOP", "TVKOULUTUSLOP", "VALMENNUSLOP", "KOKEILULOP", "KUNTTYOLOP", "OMAEHTLOP", "VUORVAPLOP",
)
#: KuVa service-type codes in the same order (see ``service_types.csv``).
SERVICE_CODES: tuple[str, ...] = (
    "subsidised_employment", "labour_market_training", "coaching", "trials", "rehabilitative_work",
    "self_motivated_study", "job_alternation",
)

#: Follow-up families (service → (table file, ended, unemployed 3m, in services 3m, share
#: unemployed, share in services)). ``MTP`` = other services (not in the activation rate).
FOLLOW_UP: dict[str, tuple[str, str, str, str, str, str]] = {
    "TVKOULUTUSLOP": ("tyonv_12ur.csv", "TVKPAATTYNYT_TAJO", "TVKTYOTTOMANA_TAJO", "TVKYHTEENSA_TAJO",
                      "TVKTYOTOSUUS_TAJO", "TVKTOIMPOSUUS_TAJO"),
    "VALMENNUSLOP": ("tyonv_12us.csv", "VALMPAATTYNYT_TAJO", "VALMTYOTTOMANA_TAJO", "VALMYHTEENSA_TAJO",
                     "VALMTYOTOSUUS_TAJO", "VALMTOIMPOSUUS_TAJO"),
    "TYOLLISTETTYLOP": ("tyonv_12ut.csv.gz", "TYOLSIJOITPAATTYI_TAJO", "TYOLTYOTTOMANA_TAJO",
                        "TYOLYHTEENSA_TAJO", "TYOLTYOTOSUUS_TAJO", "TYOLTOIMPOSUUS_TAJO"),
    "KOKEILULOP": ("tyonv_12uw.csv", "KOKTOIMPIDEPAATTYI_TAJO", "KOKTYOTTOMANA_TAJO", "KOKYHTEENSA_TAJO",
                   "KOKTYOTOSUUS_TAJO", "KOKTOIMPOSUUS_TAJO"),
    "MTP": ("tyonv_12ux.csv", "MTPTOIMPIDEPAATTYI_TAJO", "MTPTYOTTOMANA_TAJO", "MTPYHTEENSA_TAJO",
            "MTPTYOTOSUUS_TAJO", "MTPTOIMPOSUUS_TAJO"),
}

_STATFIN = "kuva.sources"


def _open(name: str) -> pd.DataFrame:
    path = resources.files(_STATFIN).joinpath("data", "statfin", *name.split("/"))
    with resources.as_file(path) as p:
        return pd.read_csv(p, dtype={0: str}, keep_default_na=True)


@dataclass(frozen=True)
class RealData:
    """Real figures as arrays on the simulation grid (municipalities in registry code order)."""

    codes: tuple[str, ...]  #: municipality codes, ``KUnnn``
    months: pd.DatetimeIndex  #: 2006-01 … 2023-10 (12r5)
    unemployed: np.ndarray  #: (municipality, month) float, NaN where suppressed
    labour_force: pd.DataFrame  #: index year, columns municipality codes
    national: pd.DataFrame  #: 12u4, index month, columns measures
    foreign_national: pd.Series  #: 12u5 TYOTTOMATULK by month
    follow_up: dict[str, pd.DataFrame]  #: family → index year, columns (ended, unemployed, services)


@cache
def real_data() -> RealData:
    """The bundled real data (read once per process)."""
    codes = tuple(m.code for m in area_registry().municipalities())
    d = _open("tyonv_12r5_monthly_2006-01_2023-10.csv.gz")
    d["time"] = pd.to_datetime(d["time"])
    ku = d[d["alue"].isin(codes)]
    months = pd.DatetimeIndex(sorted(ku["time"].unique()))
    une = ku.pivot(index="alue", columns="time", values="TYOTTOMATLOPUSSA").reindex(index=list(codes), columns=months)
    lf = ku.assign(year=ku["time"].dt.year).groupby(["year", "alue"])["TYOVOIMATK"].first().unstack()
    lf = lf.reindex(columns=list(codes))
    nat = _open("national/tyonv_12u4.csv")
    nat["time"] = pd.to_datetime(nat["time"])
    national = nat.pivot(index="time", columns="tiedot", values="value").sort_index()
    u5 = _open("national/tyonv_12u5.csv")
    u5["time"] = pd.to_datetime(u5["time"])
    foreign = u5[u5["tiedot"] == "TYOTTOMATULK"].set_index("time")["value"].sort_index()
    follow: dict[str, pd.DataFrame] = {}
    for fam, (fname, ended, unemp, serv, _s1, _s2) in FOLLOW_UP.items():
        t = _open(f"national/{fname}")
        t["year"] = pd.to_datetime(t["time"]).dt.year
        first = str(t.columns[0])
        codes_b = t[first].astype(str)
        # Use the published total (SSS) where there is one, else sum the breakdown classes.
        t = t[codes_b == "SSS"] if (codes_b == "SSS").any() else t
        piv = t[t["tiedot"].isin([ended, unemp, serv])].groupby(["year", "tiedot"])["value"].sum().unstack()
        follow[fam] = piv.rename(columns={ended: "ended", unemp: "unemployed", serv: "services"})[
            ["ended", "unemployed", "services"]]
    return RealData(codes, months, une.to_numpy(dtype=float), lf, national, foreign, follow)
