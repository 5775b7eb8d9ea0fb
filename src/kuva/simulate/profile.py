"""Fixed characteristics of each municipality used by every part of the simulation.

Drawn once per seed from the registry (population, region, urban–rural area type) with
stylised, documented relations: foreign-language and tertiary-educated shares grow with
urbanity; Swedish-speaking shares follow the bilingual regions (Ostrobothnia, Åland, coastal
Uusimaa and Southwest Finland); rehabilitative work activity leans on eastern and northern
regions, self-motivated study on the large cities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kuva.registry import area_registry

URBAN_TYPES = ("PK-seutu", "Muut yliopistokaupungit", "Muut kaupungit")
RURAL_TYPES = ("Ydinmaaseutu", "Harvaan asuttu maaseutu")
#: Regions leaning on rehabilitative work activity (Kymenlaakso, Etelä-Savo, Pohjois-Savo,
#: Pohjois-Karjala, Keski-Suomi, Kainuu, Lappi).
REHAB_REGIONS = ("MK08", "MK10", "MK11", "MK12", "MK13", "MK18", "MK19")
EAST_NORTH = ("MK10", "MK11", "MK12", "MK17", "MK18", "MK19")
_SWEDISH = {"MK21": 0.86, "MK15": 0.48, "MK16": 0.08, "MK01": 0.08, "MK02": 0.05, "MK05": 0.01}
_FOREIGN = {"PK-seutu": 0.17, "Muut yliopistokaupungit": 0.085, "Muut kaupungit": 0.055,
            "Muut keskukset": 0.04, "Kaupunkien läh. maaseutu": 0.035, "Ydinmaaseutu": 0.025,
            "Harvaan asuttu maaseutu": 0.02}
_URBAN = {"PK-seutu": 0.98, "Muut yliopistokaupungit": 0.93, "Muut kaupungit": 0.85,
          "Muut keskukset": 0.75, "Kaupunkien läh. maaseutu": 0.60, "Ydinmaaseutu": 0.55,
          "Harvaan asuttu maaseutu": 0.45}


@dataclass(frozen=True)
class Profile:
    """Arrays in municipality code order (length 309)."""

    codes: tuple[str, ...]
    population: np.ndarray  #: end of 2020 (registry)
    region: np.ndarray  #: ``MKnn``
    area_type: np.ndarray
    urban: np.ndarray  #: bool: PK-seutu, university towns and other towns
    rural: np.ndarray  #: bool: core and sparsely populated rural
    foreign_share: np.ndarray  #: foreign-language speakers, share of population
    swedish_share: np.ndarray
    urban_share: np.ndarray  #: taajama-aste (0–1)
    tertiary_share: np.ndarray  #: of population aged 15+
    under15: np.ndarray
    over64: np.ndarray
    service_propensity: np.ndarray  #: (municipality, 7 services), log scale


def build_profile(rng: np.random.Generator) -> Profile:
    ms = area_registry().municipalities()
    n = len(ms)
    pop = np.array([m.population for m in ms], dtype=float)
    region = np.array([m.region_code for m in ms])
    atype = np.array([m.area_type for m in ms])
    urban = np.isin(atype, URBAN_TYPES)
    rural = np.isin(atype, RURAL_TYPES)
    logpop = np.log(pop)
    foreign = np.array([_FOREIGN.get(a, 0.03) for a in atype]) * np.exp(rng.normal(0, 0.35, n))
    foreign = np.where(region == "MK21", 0.12, foreign)
    foreign = np.clip(foreign, 0.004, 0.30)
    sw_base = np.array([_SWEDISH.get(r, 0.003) for r in region])
    swedish = np.clip(sw_base * np.exp(rng.normal(0, 0.6, n)), 0.0005, 0.95)
    swedish = np.where(sw_base < 0.01, np.clip(sw_base * np.exp(rng.normal(0, 0.4, n)), 0.0005, 0.02), swedish)
    ushare = np.clip(np.array([_URBAN.get(a, 0.6) for a in atype]) + 0.03 * (logpop - 9.5)
                     + rng.normal(0, 0.06, n), 0.2, 0.995)
    tertiary = np.clip(0.24 + 0.025 * (logpop - 9.0) + 0.06 * urban + rng.normal(0, 0.025, n), 0.14, 0.55)
    under15 = np.clip(0.15 + 0.01 * (logpop - 9.0) - 0.02 * rural + rng.normal(0, 0.02, n), 0.08, 0.26)
    over64 = np.clip(0.30 - 0.025 * (logpop - 9.0) + 0.03 * rural + rng.normal(0, 0.025, n), 0.13, 0.45)
    # Service mix (log propensity per unemployed person), columns in SERVICE_MEASURES order.
    big = pop > 100_000
    rehab = np.isin(region, REHAB_REGIONS)
    east = np.isin(region, EAST_NORTH)
    pk = atype == "PK-seutu"
    uni = atype == "Muut yliopistokaupungit"
    prop = np.zeros((n, 7))
    prop[:, 0] = 0.15 * rural + 0.2 * east - 0.1 * pk  # subsidised employment
    prop[:, 1] = 0.15 * urban  # labour market training
    prop[:, 2] = 0.2 * urban  # coaching
    prop[:, 3] = 0.0  # trials
    prop[:, 4] = 0.45 * rehab + 0.2 * rural - 0.25 * pk  # rehabilitative work activity
    prop[:, 5] = 0.5 * pk + 0.35 * uni + 0.2 * big - 0.25 * rural  # self-motivated study
    prop[:, 6] = 0.2 * pk - 0.1 * rural  # job-alternation substitutes
    prop += rng.normal(0, 0.25, (n, 7))
    return Profile(tuple(m.code for m in ms), pop, region, atype, urban, rural, foreign, swedish,
                   ushare, tertiary, under15, over64, prop)
