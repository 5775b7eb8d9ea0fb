"""Annual background measures per municipality (synthetic, plausible, internally consistent).

* Population is anchored to the registry's end-2020 population; other years follow
  ``VAKILUKU[y] = VAKILUKU[y-1] + NETTOMUUTTO[y] + LUONNOLLINEN_VAESTONLISAYS[y]``.
* Job shares by sector (primary, processing, services) sum to 100.
* ``TYOTTOMIEN_OSUUS`` = mean of the monthly unemployed jobseekers (real 12r5 where published)
  / labour force (real 12r5 ``TYOVOIMATK``; 2024 scaled with population) × 100;
  ``TYOLLISYYSASTE`` = (labour force − unemployed) / population aged 15–64 × 100.
* From 2023 social and health services moved to the wellbeing services counties: the spending
  measure continues as that county's spending per resident, and part of the municipal loans
  moved with the services (stylised 20 % drop).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kuva.simulate.calibration import real_data
from kuva.simulate.panel import Panel
from kuva.simulate.profile import Profile

BACKGROUND_MEASURES = (
    "VAKILUKU", "VAESTO_ALLE15_OSUUS", "VAESTO_YLI64_OSUUS", "RUOTSINKIELISET_OSUUS",
    "VIERASKIELISET_OSUUS", "KORKEASTI_KOULUTETUT_OSUUS", "ELAKELAISET_OSUUS", "NETTOMUUTTO",
    "LUONNOLLINEN_VAESTONLISAYS", "TAAJAMA_ASTE", "KUNTA_LAINAKANTA_AS", "KUNTAKONSERNI_LAINAKANTA_AS",
    "SOTE_NETTOMENOT_AS", "TYOLLISYYSASTE", "TYOTTOMIEN_OSUUS", "TP_ALKUTUOTANTO_OSUUS",
    "TP_JALOSTUS_OSUUS", "TP_PALVELUT_OSUUS",
)


def simulate_background(rng: np.random.Generator, profile: Profile, panel: Panel) -> pd.DataFrame:
    """Annual background observations (warehouse contract) for the panel's years."""
    years = np.array(sorted(set(panel.months.year)))
    n_m, n_y = len(profile.codes), len(years)
    pop20 = profile.population
    logp = np.log(pop20)
    # flows per resident per year
    nat_rate = (-0.004 - 0.012 * (profile.over64 - 0.25) * 10 / 3 + 0.003 * profile.urban)
    mig_rate = -0.004 + 0.0025 * (logp - 9.0) + 0.006 * profile.urban - 0.004 * profile.rural
    mig_rate = mig_rate + rng.normal(0, 0.003, n_m)
    natural = np.zeros((n_m, n_y))
    netmig = np.zeros((n_m, n_y))
    pop = np.zeros((n_m, n_y))
    # forward from 2020 and backward to the first year
    all_years = np.arange(min(years[0], 2020), max(years[-1], 2020) + 1)
    p = {2020: pop20.copy()}
    nat_f: dict[int, np.ndarray] = {}
    mig_f: dict[int, np.ndarray] = {}
    for y in all_years:
        nat_f[y] = np.rint((nat_rate + rng.normal(0, 0.0015, n_m)) * pop20)
        mig_f[y] = np.rint((mig_rate + rng.normal(0, 0.004, n_m) + 0.002 * (y in (2020, 2021))) * pop20)
    for y in all_years[all_years > 2020]:
        p[y] = p[y - 1] + nat_f[y] + mig_f[y]
    for y in sorted(all_years[all_years < 2020], reverse=True):
        p[y] = p[y + 1] - nat_f[y + 1] - mig_f[y + 1]
    for i, y in enumerate(years):
        pop[:, i], natural[:, i], netmig[:, i] = p[y], nat_f[y], mig_f[y]
    pop = np.maximum(pop, 50)
    dy = (years - 2020)[None, :]
    under15 = 100 * np.clip(profile.under15[:, None] - 0.0015 * dy, 0.05, 0.3)
    over64 = 100 * np.clip(profile.over64[:, None] + 0.004 * dy, 0.1, 0.5)
    swedish = 100 * np.clip(profile.swedish_share[:, None] - 0.0003 * dy, 0.0, 0.99)
    foreign = 100 * np.clip(profile.foreign_share[:, None] * (1 + 0.05 * dy), 0.001, 0.4)
    tertiary = 100 * np.clip(profile.tertiary_share[:, None] + 0.004 * dy, 0.1, 0.6)
    pensioners = np.clip(over64 + 4.0 + 3.0 * profile.rural[:, None] + rng.normal(0, 0.8, n_m)[:, None], 5, 60)
    urban = 100 * np.clip(profile.urban_share[:, None] + 0.002 * dy, 0.1, 1.0)
    loans = np.clip(2800 + 600 * rng.standard_normal(n_m) + 300 * profile.urban, 200, None)[:, None] * (
        1 + 0.04 * dy) * np.where(years >= 2023, 0.8, 1.0)[None, :]
    group_loans = loans * np.clip(1.9 + 0.3 * rng.standard_normal(n_m) + 0.4 * profile.urban, 1.05, 3.5)[:, None]
    sote = (3600 + 1500 * (profile.over64[:, None] - 0.25) + 150 * rng.standard_normal(n_m)[:, None]) * (
        1 + 0.035 * dy)
    # labour market
    real = real_data()
    lf = np.zeros((n_m, n_y))
    une = np.zeros((n_m, n_y))
    for i, y in enumerate(years):
        ry = y if y in real.labour_force.index else int(real.labour_force.index.max())
        lf_real = real.labour_force.loc[ry].to_numpy(dtype=float)
        lf[:, i] = lf_real * (pop[:, i] / p[ry] if ry != y and ry in p else 1.0)
        une[:, i] = panel.unemployed[:, np.asarray(panel.months.year == y)].mean(axis=1)
    unemployment_share = 100 * une / np.maximum(lf, 1)
    working_age = pop * (1 - (under15 + over64) / 100)
    employment_rate = 100 * (lf - une) / np.maximum(working_age, 1)
    primary = np.clip(3 + 14 * profile.rural + rng.normal(0, 3, n_m) - 2 * profile.urban, 0.5, 40)[:, None] * (
        1 - 0.01 * dy)
    processing = np.clip(22 + rng.normal(0, 6, n_m) - 5 * profile.urban, 5, 50)[:, None] + 0 * dy
    services = 100 - primary - processing
    arrays = (pop, under15, over64, swedish, foreign, tertiary, pensioners, netmig, natural, urban, loans,
              group_loans, sote, employment_rate, unemployment_share, primary, processing, services)
    rounding = (0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1)
    periods = pd.DatetimeIndex([pd.Timestamp(int(y), 1, 1) for y in years])
    frames = []
    for code, arr, dec in zip(BACKGROUND_MEASURES, arrays, rounding, strict=True):
        vals = np.round(arr, dec) if dec == 0 else arr
        frames.append(pd.DataFrame({
            "area_code": np.repeat(np.array(profile.codes, dtype=object), n_y),
            "period": np.tile(periods.to_numpy(), n_m), "measure": code, "breakdown": "",
            "value": np.asarray(vals, dtype=float).reshape(-1)}))
    return pd.concat(frames, ignore_index=True)
