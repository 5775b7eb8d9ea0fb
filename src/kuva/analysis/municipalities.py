"""Analyses 4 and 5 at municipality level.

* :func:`largest_municipalities` — each large municipality's activation rate relative to the
  national rate at a month, in two panels (over 2,000 and 1,000–2,000 unemployed), pilot and
  comparison marked; how many of each group are over 2,000.
* :func:`change_vs_nation` — each municipality's change in activation rate between two months
  minus the national change.

Municipal counts pass small-cell suppression; a suppressed municipality's rates are masked.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva.analysis.inputs import (
    municipal_monthly,
    national_basis_text,
    national_monthly,
    params,
    protect,
    resolve_min_cell,
    texter,
    titler,
)
from kuva.analysis.result import AnalysisResult
from kuva.analysis.style import OKABE_ITO, colour, finish, new_figure, styled
from kuva.errors import KuvaInputError
from kuva.i18n import label
from kuva.indicators.groups import COMPARISON, PILOT, PILOT_START, membership
from kuva.privacy.spec import Count, Derived, Ratio, TableSpec
from kuva.registry import area_registry
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KEY_LARGEST = "largest_municipalities"
KEY_CHANGE = "change_vs_nation"


def _names(codes: pd.Series, lang: str) -> list[str]:
    reg = area_registry()
    return [reg.municipality(str(c)).name_sv if lang == "sv" else reg.municipality(str(c)).name_fi for c in codes]


def _groups(on: date, pilots_csv: Path | None) -> pd.DataFrame:
    m = membership("pilot_group", on, pilots_csv=pilots_csv)
    return m.rename(columns={"municipality_code": "area_code", "group_code": "group"})[["area_code", "group"]]


def _national_rate(wh: Warehouse, month: date, as_of: datetime | date | None) -> tuple[float, str]:
    n = national_monthly(wh, month, month, as_of=as_of)
    rows = n.frame[n.frame["period"] == month]
    if rows.empty:
        return float("nan"), national_basis_text(n.basis)
    return float(rows["activation_rate"].iloc[0]), national_basis_text(n.basis)


def _latest_complete_month(frame: pd.DataFrame) -> date:
    rated = frame.dropna(subset=["activation_rate"])
    if rated.empty:
        raise KuvaInputError("no municipality has an activation rate (persons in services missing)")
    latest: date = max(rated["period"])
    return latest


def largest_municipalities(
    wh: Warehouse,
    *,
    month: date | None = None,
    thresholds: tuple[int, int] = (1000, 2000),
    on: date = PILOT_START,
    pilots_csv: Path | None = None,
    min_cell: int | None = None,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """Mainland municipalities with at least ``thresholds[0]`` unemployed at ``month`` (default:
    the latest month with activation rates): activation rate and the rate relative to the
    national rate (nation = 100); size class ``over_2000`` (more than ``thresholds[1]``) or
    ``1000_2000``. ``numbers``: ``n_over_2000``, ``n_pilot_over_2000``,
    ``n_comparison_over_2000``, ``national_rate``, ``month``."""
    lo, hi = thresholds
    if not 0 < lo < hi:
        raise KuvaInputError(f"thresholds must satisfy 0 < low < high, got {thresholds}")
    cell = resolve_min_cell(min_cell)
    frame, prov = municipal_monthly(wh, month, month, as_of=as_of)
    if month is None:
        month = _latest_complete_month(frame)
        frame = frame[frame["period"] == month]
    nat_rate, basis = _national_rate(wh, month, as_of)
    df = frame.merge(_groups(on, pilots_csv), on="area_code", how="inner")
    df = df[df["unemployed"] >= lo].copy()
    df["relative_rate"] = df["activation_rate"] / nat_rate * 100.0 if nat_rate > 0 else np.nan
    df["size_class"] = np.where(df["unemployed"] > hi, "over_2000", "1000_2000")
    table = df[["area_code", "group", "period", "size_class", "unemployed", "in_services", "activation_rate",
                "relative_rate"]].sort_values("relative_rate", ascending=False).reset_index(drop=True)
    counts = ("unemployed", "in_services")
    spec = TableSpec(
        counts=(Count("unemployed", ("area_code", "period")), Count("in_services", ("area_code", "period"))),
        derived=(Ratio("activation_rate", "in_services", ("unemployed", "in_services")),
                 Derived("relative_rate", ("unemployed", "in_services"))))
    protected = protect(table, spec, KEY_LARGEST, cell)
    table = protected.frame
    over = table[table["size_class"] == "over_2000"]
    numbers: dict[str, float | str] = {
        "month": month.isoformat(), "national_rate": nat_rate, "n_over_2000": len(over),
        "n_pilot_over_2000": int((over["group"] == PILOT).sum()),
        "n_comparison_over_2000": int((over["group"] == COMPARISON).sum()),
    }
    synthetic = prov.synthetic

    def figure(lang: str) -> Figure:
        with styled():
            fig, axes = new_figure(1, 2, width=8.0, height=max(4.0, 0.16 * max(len(table) / 2, 10) + 1.5))
            for ax, cls in zip(axes[0], ("over_2000", "1000_2000"), strict=True):
                sub = table[table["size_class"] == cls].dropna(subset=["relative_rate"])
                sub = sub.sort_values("relative_rate")
                ys = np.arange(len(sub))
                ax.barh(ys, sub["relative_rate"] - 100.0, left=100.0,
                        color=[colour(str(g)) for g in sub["group"]])
                ax.set_yticks(ys, _names(sub["area_code"], lang), fontsize=6)
                ax.axvline(100.0, color=OKABE_ITO["black"], linewidth=0.8)
                ax.set_title(label(cls, lang))
                ax.set_xlabel(label("relative_rate", lang))
                ax.grid(axis="y", visible=False)
            from matplotlib.patches import Patch

            axes[0][0].legend(handles=[Patch(color=colour(g), label=label(g, lang)) for g in (PILOT, COMPARISON)],
                              loc="lower right")
            return finish(fig, label(f"title.{KEY_LARGEST}", lang), lang, synthetic=synthetic,
                          source=", ".join(prov.sources))

    return AnalysisResult(
        key=KEY_LARGEST, title=titler(KEY_LARGEST), table=table, figure=figure,
        text=texter(f"text.{KEY_LARGEST}", {**numbers, "month": month}, synthetic), numbers=numbers,
        sources=prov.sources, synthetic=synthetic, count_columns=counts, disclosure=protected,
        parameters=params(month=month, thresholds=f"{lo}, {hi}", membership_date=on, pilots_csv=pilots_csv,
                          min_cell=cell, as_of=as_of, national=basis),
    )


def change_vs_nation(
    wh: Warehouse,
    *,
    start: date = date(2019, 10, 1),
    end: date = date(2021, 10, 1),
    on: date = PILOT_START,
    pilots_csv: Path | None = None,
    min_cell: int | None = None,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """Per mainland municipality: activation rate at ``start`` and ``end``, its change, the
    national change and the difference (percentage points). ``numbers`` also give the pilot
    and comparison groups' change (from summed counts) minus the national change."""
    if end <= start:
        raise KuvaInputError(f"end ({end}) must be after start ({start})")
    cell = resolve_min_cell(min_cell)
    frame, prov = municipal_monthly(wh, start, end, as_of=as_of)
    frame = frame[frame["period"].isin([start, end])]
    groups = _groups(on, pilots_csv)
    cols = ["unemployed", "in_services", "activation_rate"]
    a = frame[frame["period"] == start][["area_code", *cols]]
    b = frame[frame["period"] == end][["area_code", *cols]]
    df = groups.merge(a, on="area_code", how="left").merge(b, on="area_code", how="left", suffixes=("_start", "_end"))
    df = df.rename(columns={"activation_rate_start": "rate_start", "activation_rate_end": "rate_end"})
    nat = national_monthly(wh, start, end, as_of=as_of)
    nr = {p: float(r) for p, r in zip(nat.frame["period"], nat.frame["activation_rate"], strict=True)}
    national_change = nr.get(end, math.nan) - nr.get(start, math.nan)
    df["change"] = df["rate_end"] - df["rate_start"]
    df["national_change"] = national_change
    df["change_vs_nation"] = df["change"] - national_change
    counts = ("unemployed_start", "in_services_start", "unemployed_end", "in_services_end")
    both = ("unemployed_start", "in_services_start", "unemployed_end", "in_services_end")
    spec = TableSpec(
        counts=tuple(Count(c, ("area_code",)) for c in counts),
        derived=(Ratio("rate_start", "in_services_start", ("unemployed_start", "in_services_start")),
                 Ratio("rate_end", "in_services_end", ("unemployed_end", "in_services_end")),
                 Derived("change", both), Derived("change_vs_nation", both)))
    ordered = df[["area_code", "group", *counts, "rate_start", "rate_end", "change", "national_change",
                  "change_vs_nation"]].sort_values("change_vs_nation", ascending=False).reset_index(drop=True)
    protected_change = protect(ordered, spec, KEY_CHANGE, cell)
    table = protected_change.frame
    numbers: dict[str, float | str] = {"start": start.isoformat(), "end": end.isoformat(),
                                       "national_change": national_change}
    for g in (PILOT, COMPARISON):
        sub = df[df["group"] == g]
        sub = sub[sub[list(both)].notna().all(axis=1)]  # a missing count would pass for 0 in a sum
        u0, p0 = sub["unemployed_start"].sum(), sub["in_services_start"].sum()
        u1, p1 = sub["unemployed_end"].sum(), sub["in_services_end"].sum()
        r0 = 100.0 * p0 / (u0 + p0) if u0 + p0 > 0 else math.nan
        r1 = 100.0 * p1 / (u1 + p1) if u1 + p1 > 0 else math.nan
        numbers[f"{g}_change"] = float(r1 - r0)
        numbers[f"{g}_vs_nation"] = float(r1 - r0 - national_change)
        numbers[f"{g}_median_vs_nation"] = float(table.loc[table["group"] == g, "change_vs_nation"].median())
    synthetic = prov.synthetic

    def figure(lang: str) -> Figure:
        with styled():
            fig, axes = new_figure(1, 1, width=7.0, height=4.0)
            ax = axes[0][0]
            rng = np.random.default_rng(0)  # fixed jitter, independent of global state
            for i, g in enumerate((PILOT, COMPARISON)):
                vals = table.loc[table["group"] == g, "change_vs_nation"].dropna().to_numpy(dtype=float)
                ax.scatter(vals, i + rng.uniform(-0.2, 0.2, len(vals)), s=10, alpha=0.6, color=colour(g),
                           label=label(g, lang))
                ax.plot([float(numbers[f"{g}_vs_nation"])] * 2, [i - 0.35, i + 0.35], color=colour(g), linewidth=3)
            ax.axvline(0.0, color=OKABE_ITO["black"], linewidth=0.8)
            ax.set_yticks([0, 1], [label(PILOT, lang), label(COMPARISON, lang)])
            ax.set_xlabel(label("change_vs_nation", lang))
            return finish(fig, label(f"title.{KEY_CHANGE}", lang), lang, synthetic=synthetic,
                          source=", ".join(prov.sources))

    values = {"start": start, "end": end, "national_change": national_change,
              "pilot_vs_nation": numbers[f"{PILOT}_vs_nation"],
              "comparison_vs_nation": numbers[f"{COMPARISON}_vs_nation"]}
    return AnalysisResult(
        key=KEY_CHANGE, title=titler(KEY_CHANGE), table=table, figure=figure,
        text=texter(f"text.{KEY_CHANGE}" if not any(math.isnan(float(numbers[f"{g}_vs_nation"])) for g in
                                                     (PILOT, COMPARISON))
                    else f"text.{KEY_CHANGE}.national_only", values, synthetic), numbers=numbers,
        sources=prov.sources, synthetic=synthetic, count_columns=counts, disclosure=protected_change,
        parameters=params(start=start, end=end, membership_date=on, pilots_csv=pilots_csv, min_cell=cell,
                          as_of=as_of, national=national_basis_text(nat.basis)),
    )
