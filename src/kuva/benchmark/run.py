"""Benchmarking from the warehouse: the area frame (outcome, clients, framework conditions),
the model, shrinkage, rank sets and peer types in one table, through the disclosure engine.

Framework specification ``v1`` (a change is a new version; every result names its version):
outcome the activation rate (persons in activating services / (unemployed + in services), %)
at the end of a month, weights the clients (the denominator); conditions — the unemployment
share of the labour force (previous year), the change in unemployed jobseekers over 12 months
(log ratio), vacancies per unemployed jobseeker, the shares of under-15s and over-64s, the
foreign-language share, the share with tertiary education, the shares of jobs in primary
production and in manufacturing (previous year), log population, and the urban–rural area type
(dummies, reference: the most common type).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from kuva.analysis.inputs import municipal_monthly, resolve_policy
from kuva.benchmark.model import FrameworkFit, fit_framework
from kuva.benchmark.peers import comparison_types
from kuva.benchmark.ranks import rank_sets
from kuva.benchmark.shrink import eb_shrink
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.indicators.observations import observations
from kuva.privacy.engine import ProtectedTable, protect_table
from kuva.privacy.spec import Count, Derived, Ratio, TableSpec
from kuva.registry import area_registry
from kuva.warehouse.areas import GROUP_LEVELS, area_members
from kuva.warehouse.connection import Warehouse

SPEC_VERSION = "v1"
Outcome = Literal["activation_rate"]
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]
Level = Literal["municipality", "pilot_area", "employment_area", "custom"]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]
#: annual background conditions (previous year's value)
ANNUAL = ("TYOTTOMIEN_OSUUS", "VAESTO_ALLE15_OSUUS", "VAESTO_YLI64_OSUUS", "VIERASKIELISET_OSUUS",
          "KORKEASTI_KOULUTETUT_OSUUS", "TP_ALKUTUOTANTO_OSUUS", "TP_JALOSTUS_OSUUS", "VAKILUKU")
MONTHLY = ("TYOTTOMATLOPUSSA", "AVPAIKATLOPUSSA")


@dataclass(frozen=True)
class Benchmark:
    table: pd.DataFrame  #: one row per area (before disclosure control)
    fit: FrameworkFit
    conditions: pd.DataFrame  #: the model's regressors, indexed by area
    period: date
    level: str
    synthetic: bool
    sources: tuple[str, ...]
    tau2: float


def _annual(wh: Warehouse, year: int) -> pd.DataFrame:
    long = observations(wh, ANNUAL, area_prefix="KU", start=date(year - 2, 1, 1), end=date(year, 12, 31))
    df = long.to_pandas()
    if df.empty:
        return pd.DataFrame(columns=list(ANNUAL))
    df["period"] = pd.to_datetime(df["period"])
    df = df.sort_values("period").groupby(["area_code", "measure"]).last()["value"].unstack()
    out: pd.DataFrame = df.reindex(columns=list(ANNUAL))
    return out


def area_frame(wh: Warehouse, period: date, level: Level = "municipality"
               ) -> tuple[pd.DataFrame, bool, tuple[str, ...]]:
    """Per area: ``clients, in_services, actual`` and the conditions (see the module docstring)."""
    month = date(period.year, period.month, 1)
    year_ago = date(month.year - 1, month.month, 1)
    mm, prov = municipal_monthly(wh, year_ago, month)
    now = mm[mm["period"] == month].set_index("area_code")
    before = mm[mm["period"] == year_ago].set_index("area_code")
    if now.empty:
        raise KuvaLookupError(f"no municipal activation figures for {month:%Y-%m}")
    vac = observations(wh, ["AVPAIKATLOPUSSA"], area_prefix="KU", start=month, end=month).to_pandas()
    vac = vac.set_index("area_code")["value"]
    annual = _annual(wh, month.year - 1)
    reg = area_registry()
    f = pd.DataFrame(index=now.index)
    f["unemployed"] = now["unemployed"]
    f["in_services"] = now["in_services"]
    f["clients"] = now["unemployed"] + now["in_services"]
    f["unemployed_before"] = before["unemployed"].reindex(f.index)
    f["vacancies"] = vac.reindex(f.index)
    for c in ANNUAL:
        f[c] = annual[c].reindex(f.index) if c in annual else np.nan
    f["area_type"] = [reg.municipality(c).area_type for c in f.index]
    if level in GROUP_LEVELS:
        members = area_members(wh, level)
        f = f.merge(members[["municipality_code", "area_code"]].rename(columns={"area_code": "area"}),
                    left_index=True, right_on="municipality_code").set_index("municipality_code")
        w = f["unemployed"]
        shares = [c for c in ANNUAL if c != "VAKILUKU"]
        agg = f.groupby("area").agg({"unemployed": "sum", "in_services": "sum", "clients": "sum",
                                     "unemployed_before": "sum", "vacancies": "sum", "VAKILUKU": "sum"})
        for c in shares:
            agg[c] = (f[c] * w).groupby(f["area"]).sum() / w.groupby(f["area"]).sum()
        agg["area_type"] = f.groupby("area")["area_type"].agg(lambda s: s.mode().iloc[0])
        f = agg
    elif level != "municipality":
        raise KuvaInputError(f"level must be one of {list(LEVELS)}, got {level!r}")
    f["actual"] = 100.0 * f["in_services"] / f["clients"]
    return f, prov.synthetic, prov.sources


def latest_period(wh: Warehouse) -> date:
    """The latest month with both municipal service counts and vacancies (the default period)."""
    t = wh.table("observations")
    t = t.filter(t.area_code.startswith("KU") & t.measure.isin(["PALVELUISSAYHTEENSA", "AVPAIKATLOPUSSA"]))
    last = t.group_by("measure").aggregate(p=t.period.max()).to_pandas()
    if len(last) < 2:
        raise KuvaLookupError("the warehouse lacks municipal service counts or vacancies to benchmark")
    p = pd.Timestamp(last["p"].min())
    return date(p.year, p.month, 1)


def conditions(f: pd.DataFrame) -> pd.DataFrame:
    """The model's regressors from an area frame (specification v1)."""
    x = pd.DataFrame(index=f.index)
    x["unemployment_share"] = f["TYOTTOMIEN_OSUUS"]
    x["unemployed_change_log"] = np.log(f["unemployed"] / f["unemployed_before"])
    x["vacancies_per_unemployed"] = f["vacancies"] / f["unemployed"]
    for c, name in (("VAESTO_ALLE15_OSUUS", "under15_share"), ("VAESTO_YLI64_OSUUS", "over64_share"),
                    ("VIERASKIELISET_OSUUS", "foreign_language_share"),
                    ("KORKEASTI_KOULUTETUT_OSUUS", "tertiary_share"),
                    ("TP_ALKUTUOTANTO_OSUUS", "primary_jobs_share"), ("TP_JALOSTUS_OSUUS", "manufacturing_jobs_share")):
        x[name] = f[c]
    x["log_population"] = np.log(f["VAKILUKU"])
    types = f["area_type"].fillna("unknown")
    ref = types.mode().iloc[0]
    for t in sorted(set(types) - {ref}):
        x[f"type[{t}]"] = (types == t).astype(float)
    return x.replace([np.inf, -np.inf], np.nan)


def benchmark(wh: Warehouse, period: date, *, level: Level = "municipality", alpha: float = 0.05,
              tau: float = 0.1, types: int = 8, seed: int = 0) -> Benchmark:
    """The whole benchmark of one month (see the module docstring)."""
    f, synthetic, sources = area_frame(wh, period, level)
    x = conditions(f)
    keep = x.notna().all(axis=1) & f["clients"].gt(0)
    if keep.sum() < x.shape[1] + 5:
        raise KuvaLookupError(f"{int(keep.sum())} areas have every condition for {period:%Y-%m}; too few to model")
    f, x = f[keep], x[keep]
    x = x.loc[:, x.std(ddof=0) > 0]
    p = f["actual"].to_numpy() / 100
    sampling_se = 100 * np.sqrt(p * (1 - p) / f["clients"].to_numpy())
    fit = fit_framework(f["actual"].to_numpy(dtype=float), x, weights=f["clients"].to_numpy(dtype=float),
                        sampling_se=sampling_se)
    eb = eb_shrink(fit.gap, fit.gap_se)
    # ranks are inferred from the gaps and their standard errors (frequentist, as Mogstad et al.):
    # each area's own rank set (marginal) for its row, the joint sets for the top/bottom lists
    marginal = rank_sets(fit.gap, fit.gap_se, alpha=alpha, joint=False, seed=seed)
    rs = rank_sets(fit.gap, fit.gap_se, alpha=alpha, joint=True, seed=seed)
    ctype = comparison_types(x.loc[:, [c for c in x.columns if not c.startswith("type[")]],
                             min(types, len(x)), seed=seed)
    names = _names(wh, list(f.index), level)
    table = pd.DataFrame({
        "level": level, "area_code": f.index, "area": [names[c] for c in f.index], "period": date(period.year,
                                                                                                  period.month, 1),
        "clients": f["clients"].to_numpy(), "in_services": f["in_services"].to_numpy(),
        "actual": f["actual"].to_numpy(), "expected": fit.expected, "gap_pp": fit.gap, "gap_se": fit.gap_se,
        "gap_persons": fit.gap / 100 * f["clients"].to_numpy(), "shrunk_gap_pp": eb.mean, "shrunk_sd": eb.sd,
        "rank": marginal.rank, "rank_low": marginal.low, "rank_high": marginal.high,
        "possibly_top": rs.possibly_top(tau), "credibly_top": rs.credibly_top(tau),
        "possibly_bottom": rs.possibly_bottom(tau), "credibly_bottom": rs.credibly_bottom(tau),
        "comparison_type": ctype.to_numpy(), "spec_version": SPEC_VERSION,
    })
    return Benchmark(table.sort_values("rank").reset_index(drop=True), fit, x, period, level, synthetic, sources,
                     eb.tau2)


def _names(wh: Warehouse, codes: list[str], level: str) -> dict[str, str]:
    if level in GROUP_LEVELS:
        members = area_members(wh, level)
        return dict(zip(members.area_code, members.area_name, strict=True))
    reg = area_registry()
    return {c: reg.municipality(c).name_fi for c in codes}


BENCHMARK_SPEC = TableSpec(
    counts=(Count("clients", ("level", "area_code", "period"), quantity="benchmark_clients"),
            Count("in_services", ("level", "area_code", "period"), quantity="benchmark_in_services")),
    derived=(Ratio("actual", "in_services", ("clients",)),
             *(Derived(c, ("in_services", "clients")) for c in
               ("expected", "gap_pp", "gap_se", "gap_persons", "shrunk_gap_pp", "shrunk_sd", "rank", "rank_low",
                "rank_high"))))


def publish(b: Benchmark, *, min_cell: int | None = None) -> ProtectedTable:
    """The benchmark table through the disclosure engine: public when every source is public
    (real StatFin figures), otherwise the client counts are confidential."""
    spec = BENCHMARK_SPEC if b.synthetic or any(not s.startswith("statfin:") for s in b.sources) else TableSpec(
        counts=BENCHMARK_SPEC.counts, derived=BENCHMARK_SPEC.derived, confidential=False)
    return protect_table(b.table, spec, resolve_policy(min_cell), name="benchmark")


__all__ = ["BENCHMARK_SPEC", "LEVELS", "OUTCOMES", "SPEC_VERSION", "Benchmark", "area_frame", "benchmark",
           "conditions", "latest_period", "publish"]
