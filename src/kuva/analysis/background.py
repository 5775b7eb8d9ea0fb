"""Analysis 1: pilot vs comparison municipalities before the pilots.

For the pilot municipalities and every other mainland municipality (Åland excluded): the mean
over municipalities of each background variable for a chosen year. Counts (population, net
migration, natural change, monthly-average unemployed and persons in services, number of
municipalities) are plain means over municipalities; shares and per-resident figures are
population-weighted means. Each variable states the year its values come from (the chosen
year, or the latest earlier year with data). Standardised differences use the same weights.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva.analysis.inputs import params, texter, titler
from kuva.analysis.result import AnalysisResult
from kuva.analysis.style import OKABE_ITO, colour, finish, new_figure, styled
from kuva.errors import KuvaInputError
from kuva.i18n import label
from kuva.indicators import codes
from kuva.indicators.groups import COMPARISON, PILOT, PILOT_START, membership
from kuva.indicators.observations import Provenance, observations, provenance
from kuva.registry import area_registry
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KEY = "pilot_vs_comparison"

#: Variables whose group value is a plain mean over municipalities (counts).
COUNT_VARIABLES = ("population", "net_migration", "natural_change", "avg_unemployed", "avg_long_term",
                   "avg_under_25", "avg_foreign", "avg_in_services")
#: Monthly measures averaged over the months of the year per municipality.
MONTHLY: dict[str, tuple[str, ...]] = {
    "avg_unemployed": (codes.UNEMPLOYED,),
    "avg_long_term": (codes.LONG_TERM_UNEMPLOYED,),
    "avg_under_25": (codes.UNDER_25_UNEMPLOYED,),
    "avg_foreign": (codes.FOREIGN_UNEMPLOYED,),
    "avg_in_services": codes.SERVICES,
}
ORDER = ("population", "share_under_15", "share_over_64", "share_swedish", "share_foreign_language", "share_tertiary",
         "share_pensioners", "net_migration", "natural_change", "urban_share", "loans_municipality", "loans_group",
         "social_health_spending", "avg_unemployed", "avg_long_term", "avg_under_25", "avg_foreign",
         "avg_in_services", "employment_rate", "unemployed_share", "jobs_primary", "jobs_processing",
         "jobs_services")


def weighted_mean_sd(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weighted mean and (population) standard deviation, ignoring missing values."""
    ok = ~np.isnan(values) & ~np.isnan(weights) & (weights > 0)
    if not ok.any():
        return math.nan, math.nan
    v, w = values[ok], weights[ok]
    mean = float(np.average(v, weights=w))
    return mean, float(math.sqrt(np.average((v - mean) ** 2, weights=w)))


def standardised_difference(m1: float, s1: float, m0: float, s0: float) -> float:
    """(m1 − m0) / sqrt((s1² + s0²) / 2); NaN when both spreads are zero."""
    den = math.sqrt((s1 ** 2 + s0 ** 2) / 2.0)
    return (m1 - m0) / den if den > 0 else math.nan


def _annual(wh: Warehouse, year: int, as_of: datetime | date | None) -> tuple[pd.DataFrame, dict[str, int], Provenance]:
    """Municipality × variable values of the annual background measures: the chosen year or the
    latest earlier year with data (per variable)."""
    measure_of = {**codes.BACKGROUND}
    long = observations(wh, list(measure_of.values()), area_prefix="KU", end=date(year, 12, 31), as_of=as_of)
    df = long.filter(long.value.notnull()).select("area_code", "period", "measure", "value").to_pandas()
    df["year"] = pd.to_datetime(df["period"]).dt.year
    out = pd.DataFrame()
    years: dict[str, int] = {}
    for var, m in measure_of.items():
        sub = df[df["measure"] == m]
        if sub.empty:
            continue
        y = int(sub["year"].max())
        years[var] = y
        out[var] = sub[sub["year"] == y].set_index("area_code")["value"]
    return out, years, provenance(long)


def _monthly(wh: Warehouse, year: int, as_of: datetime | date | None) -> tuple[pd.DataFrame, Provenance]:
    needed = sorted({m for ms in MONTHLY.values() for m in ms} | {codes.LABOUR_FORCE})
    long = observations(wh, needed, area_prefix="KU", start=date(year, 1, 1), end=date(year, 12, 1), as_of=as_of)
    df = long.select("area_code", "period", "measure", "value").to_pandas()
    wide = df.pivot_table(index=["area_code", "period"], columns="measure", values="value", aggfunc="first")
    out = pd.DataFrame(index=sorted(set(df["area_code"])))
    for var, ms in MONTHLY.items():
        if all(m in wide.columns for m in ms):
            total = wide[list(ms)].sum(axis=1, min_count=len(ms))
            out[var] = total.groupby(level="area_code").mean()
    if codes.LABOUR_FORCE in wide.columns and codes.UNEMPLOYED in wide.columns:
        lf = wide[codes.LABOUR_FORCE].groupby(level="area_code").max()
        out["unemployed_share"] = out["avg_unemployed"] / lf * 100.0
    return out, provenance(long)


def pilot_vs_comparison(
    wh: Warehouse,
    *,
    year: int = 2020,
    on: date = PILOT_START,
    pilots_csv: Path | None = None,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """Means of the background variables for pilot and comparison municipalities in ``year``.

    Table columns: ``variable``, ``year``, ``weighting``, ``pilot_mean``, ``comparison_mean``,
    ``std_difference``, ``n_pilot``, ``n_comparison`` (municipalities with a value). The last
    row, ``n_municipalities``, counts the municipalities of each group. ``numbers`` give
    ``n_pilot``, ``n_comparison`` and the variable with the largest |standardised difference|.
    """
    if not 2006 <= year <= 2100:
        raise KuvaInputError(f"year must be a calendar year from 2006, got {year}")
    groups = membership("pilot_group", on, pilots_csv=pilots_csv).set_index("municipality_code")["group_code"]
    annual, years, prov_a = _annual(wh, year, as_of)
    monthly, prov_m = _monthly(wh, year, as_of)
    frame = pd.DataFrame(index=groups.index).join(annual).join(monthly)
    if "unemployed_share" not in frame.columns and "unemployed_share_background" in frame.columns:
        frame["unemployed_share"] = frame["unemployed_share_background"]
        years["unemployed_share"] = years["unemployed_share_background"]
    for var in MONTHLY:
        if var in frame.columns:
            years[var] = year
    if "unemployed_share" in monthly.columns:
        years["unemployed_share"] = year
    registry_pop = pd.Series({m.code: float(m.population) for m in area_registry().municipalities()})
    weight = frame["population"] if "population" in frame.columns else registry_pop.reindex(frame.index)
    weight = weight.fillna(registry_pop.reindex(frame.index))
    rows = []
    for var in ORDER:
        if var not in frame.columns:
            continue
        weighted = var not in COUNT_VARIABLES
        stats = {}
        for g in (PILOT, COMPARISON):
            sel = (groups == g).to_numpy()
            vals = frame[var].to_numpy(dtype=float)[sel]
            w = weight.to_numpy(dtype=float)[sel] if weighted else np.ones(int(sel.sum()))
            stats[g] = (*weighted_mean_sd(vals, w), int((~np.isnan(vals)).sum()))
        rows.append({"variable": var, "year": years.get(var, year),
                     "weighting": "population_weighted" if weighted else "unweighted",
                     "pilot_mean": stats[PILOT][0], "comparison_mean": stats[COMPARISON][0],
                     "std_difference": standardised_difference(stats[PILOT][0], stats[PILOT][1],
                                                               stats[COMPARISON][0], stats[COMPARISON][1]),
                     "n_pilot": stats[PILOT][2], "n_comparison": stats[COMPARISON][2]})
    n_p, n_c = int((groups == PILOT).sum()), int((groups == COMPARISON).sum())
    rows.append({"variable": "n_municipalities", "year": year, "weighting": "unweighted", "pilot_mean": float(n_p),
                 "comparison_mean": float(n_c), "std_difference": math.nan, "n_pilot": n_p, "n_comparison": n_c})
    table = pd.DataFrame(rows)
    prov = prov_a | prov_m
    d = table.dropna(subset=["std_difference"])
    numbers: dict[str, float | str] = {"year": str(year), "n_pilot": n_p, "n_comparison": n_c}
    if not d.empty:
        top = d.iloc[int(np.argmax(d["std_difference"].abs().to_numpy(dtype=float)))]
        numbers["largest_variable"] = str(top["variable"])
        numbers["largest_d"] = float(top["std_difference"])
    synthetic = prov.synthetic

    def figure(lang: str) -> Figure:
        with styled():
            plot = table.dropna(subset=["std_difference"]).iloc[::-1]
            fig, axes = new_figure(1, 1, width=7.0, height=0.22 * len(plot) + 1.5)
            ax = axes[0][0]
            ys = np.arange(len(plot))
            ax.scatter(plot["std_difference"], ys, color=colour(PILOT), zorder=3)
            ax.set_yticks(ys, [f"{label(v, lang)} ({y})" for v, y in zip(plot["variable"], plot["year"], strict=True)],
                          fontsize=7)
            for x in (-0.1, 0.1):
                ax.axvline(x, color=OKABE_ITO["black"], linewidth=0.6, linestyle=":")
            ax.axvline(0.0, color=OKABE_ITO["black"], linewidth=0.8)
            ax.set_xlabel(label("std_difference", lang))
            return finish(fig, label(f"title.{KEY}", lang), lang, synthetic=synthetic, source=", ".join(prov.sources))

    def text(lang: str) -> str:
        vals: dict[str, object] = {"year": str(year), "n_pilot": n_p, "n_comparison": n_c,
                                   "largest_variable": numbers.get("largest_variable", "–"),
                                   "largest_d": numbers.get("largest_d", math.nan)}
        if vals["largest_variable"] != "–":
            vals["largest_variable"] = label(str(vals["largest_variable"]), lang)
        return texter(f"text.{KEY}", vals, synthetic, decimals=2)(lang)

    return AnalysisResult(
        key=KEY, title=titler(KEY), table=table, figure=figure, text=text, numbers=numbers,
        sources=prov.sources, synthetic=synthetic,
        # No person-count cells: pilot_mean/comparison_mean are means over municipalities (e.g. the
        # mean number of unemployed per municipality), n_pilot/n_comparison count municipalities.
        count_columns=(),
        parameters=params(year=year, membership_date=on, pilots_csv=pilots_csv, as_of=as_of,
                          comparison="report.param.value.mainland_outside_pilots",
                          means="report.param.value.background_means"),
    )
