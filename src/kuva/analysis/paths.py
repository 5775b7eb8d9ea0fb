"""Analysis 2: monthly paths since 2018 — unemployed jobseekers and the activation rate of the
pilot group, the comparison group and the nation, the pilot start marked, and the growth of
unemployment from February 2020 to the COVID peak in each group."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kuva.analysis.inputs import (
    NATION,
    groups_and_nation,
    national_basis_text,
    params,
    protect,
    resolve_min_cell,
    texter,
    titler,
)
from kuva.analysis.result import AnalysisResult
from kuva.analysis.style import colour, finish, mark_month, new_figure, styled, year_axis
from kuva.errors import KuvaInputError
from kuva.i18n import label
from kuva.indicators.groups import COMPARISON, PILOT, PILOT_START
from kuva.privacy.spec import Count, Ratio, TableSpec
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KEY = "monthly_paths"
GROUPS = (PILOT, COMPARISON, NATION)


def growth_to_peak(series: Mapping[date, float], base: date, window: tuple[date, date]) -> tuple[float, date | None]:
    """(peak / base × 100 − 100, peak month) of a monthly series (month → value); NaN and None
    when the base or the window has no value."""
    s = {k: float(v) for k, v in series.items() if v is not None and not math.isnan(float(v))}
    w = {k: v for k, v in s.items() if window[0] <= k <= window[1]}
    if base not in s or not w or s[base] <= 0:
        return float("nan"), None
    peak = max(w, key=lambda k: w[k])
    return w[peak] / s[base] * 100.0 - 100.0, peak


def monthly_paths(
    wh: Warehouse,
    *,
    start: date = date(2018, 1, 1),
    end: date | None = None,
    on: date = PILOT_START,
    base: date = date(2020, 2, 1),
    peak_window: tuple[date, date] = (date(2020, 3, 1), date(2020, 12, 1)),
    pilots_csv: Path | None = None,
    min_cell: int | None = None,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """Unemployed jobseekers and activation rate per month for pilot, comparison and nation.

    Group rates come from summed counts. ``numbers`` hold ``growth_<group>`` (percent growth
    of the unemployed from ``base`` to the highest month in ``peak_window``) and
    ``peak_<group>`` (that month).
    """
    if end is not None and end < start:
        raise KuvaInputError(f"end ({end}) is before start ({start})")
    cell = resolve_min_cell(min_cell)
    data = groups_and_nation(wh, min(start, base), end, on=on, pilots_csv=pilots_csv, as_of=as_of)
    df = data.frame
    numbers: dict[str, float | str] = {}
    for g in GROUPS:
        sub = df[df["group"] == g]
        s = dict(zip(sub["period"], sub["unemployed"].astype(float), strict=True))
        growth, peak = growth_to_peak(s, base, peak_window)
        numbers[f"growth_{g}"] = growth
        numbers[f"peak_{g}"] = peak.isoformat() if peak else ""
    table = df[df["period"] >= start][["group", "period", "unemployed", "in_services", "activation_rate"]]
    counts = ("unemployed", "in_services")
    spec = TableSpec(counts=(Count("unemployed", ("group", "period")), Count("in_services", ("group", "period"))),
                     derived=(Ratio("activation_rate", "in_services", ("unemployed", "in_services")),))
    protected = protect(table.reset_index(drop=True), spec, KEY, cell)
    table = protected.frame
    synthetic = data.provenance.synthetic
    plot = table.copy()

    def figure(lang: str) -> Figure:
        with styled():
            fig, axes = new_figure(1, 2)
            ax_u, ax_a = axes[0]
            for g in GROUPS:
                sub = plot[plot["group"] == g]
                x = pd.to_datetime(sub["period"])
                if g != NATION:
                    ax_u.plot(x, sub["unemployed"] / 1000, color=colour(g), label=label(g, lang))
                ax_a.plot(x, sub["activation_rate"], color=colour(g), label=label(g, lang))
            ax_u.set_title(f"{label('unemployed', lang)}, {label('thousands', lang)}")
            ax_a.set_title(label("activation_rate", lang))
            for ax in (ax_u, ax_a):
                mark_month(ax, on, label("pilot_start", lang))
                year_axis(ax)
            ax_a.legend(loc="best")
            return finish(fig, label(f"title.{KEY}", lang), lang, synthetic=synthetic,
                          source=", ".join(data.provenance.sources))

    values = {f"growth_{g}": numbers[f"growth_{g}"] for g in GROUPS}
    return AnalysisResult(
        key=KEY, title=titler(KEY), table=table, figure=figure,
        text=texter(f"text.{KEY}", values, synthetic), numbers=numbers,
        sources=data.provenance.sources, synthetic=synthetic, count_columns=counts, disclosure=protected,
        parameters=params(start=start, end=end, membership_date=on, base=base,
                          peak_window=f"{peak_window[0]:%Y-%m}…{peak_window[1]:%Y-%m}", min_cell=cell,
                          pilots_csv=pilots_csv, as_of=as_of, national=national_basis_text(data.basis),
                          comparison="report.param.value.mainland_outside_pilots"),
    )


__all__ = ["KEY", "growth_to_peak", "monthly_paths"]
