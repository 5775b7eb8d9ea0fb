"""Analysis 3: what the pilot group's activation rate would be at the latest month if its
unemployment had returned to the February 2020 level with today's number of persons in
services, and the gap that would remain to the comparison group.

counterfactual rate = P_t / (U_base + P_t) × 100, from the group's summed counts.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kuva.analysis.inputs import group_monthly, params, protect, resolve_min_cell, texter, titler
from kuva.analysis.result import AnalysisResult
from kuva.analysis.style import colour, finish, new_figure, styled
from kuva.errors import KuvaInputError
from kuva.i18n import fmt_number, label
from kuva.indicators.groups import COMPARISON, PILOT, PILOT_START
from kuva.privacy.spec import Count, Derived, Ratio, TableSpec
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KEY = "counterfactual_activation"


def counterfactual_rate(in_services: float, unemployed_base: float) -> float:
    """``P / (U_base + P) × 100`` (NaN when the denominator is not positive)."""
    den = unemployed_base + in_services
    return float(in_services / den * 100.0) if den > 0 else float("nan")


def counterfactual_activation(
    wh: Warehouse,
    *,
    month: date | None = None,
    base: date = date(2020, 2, 1),
    on: date = PILOT_START,
    pilots_csv: Path | None = None,
    min_cell: int | None = None,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """The pilot and comparison groups' activation rate at ``month`` (default: the latest month
    where both groups have one) and at the ``base`` month's unemployment.

    ``numbers``: ``rate_pilot``, ``rate_comparison``, ``rate_pilot_cf``, ``rate_comparison_cf``,
    ``gap_now`` (comparison − pilot), ``gap_remaining`` (comparison − pilot counterfactual),
    ``month``.
    """
    cell = resolve_min_cell(min_cell)
    data = group_monthly(wh, base, month, on=on, pilots_csv=pilots_csv, as_of=as_of)
    df = data.frame
    rated = df.dropna(subset=["activation_rate"])
    complete = rated.groupby("period")["group"].nunique()
    months = complete[complete == 2].index
    if month is None:
        if len(months) == 0:
            raise KuvaInputError("no month has activation rates for both groups (persons in services missing)")
        month = max(months)
    if month not in set(months):
        raise KuvaInputError(f"no activation rate for both groups in {month:%Y-%m}")
    rec = {(r["group"], r["period"]): r for r in df.to_dict("records")}
    rows = []
    for g in (PILOT, COMPARISON):
        u_base = float(rec[(g, base)]["unemployed"]) if (g, base) in rec else float("nan")
        now = rec[(g, month)]
        p = float(now["in_services"])
        rows.append({"group": g, "unemployed_base": u_base, "unemployed_now": float(now["unemployed"]),
                     "in_services_now": p, "activation_rate_now": float(now["activation_rate"]),
                     "activation_rate_counterfactual": counterfactual_rate(p, u_base)})
    counts = ("unemployed_base", "unemployed_now", "in_services_now")
    spec = TableSpec(
        counts=(Count("unemployed_base", ("group",)), Count("unemployed_now", ("group",)),
                Count("in_services_now", ("group",))),
        derived=(Ratio("activation_rate_now", "in_services_now", ("unemployed_now", "in_services_now")),
                 Derived("activation_rate_counterfactual", ("in_services_now", "unemployed_base"))))
    protected = protect(pd.DataFrame(rows), spec, KEY, cell)
    table = protected.frame
    t = {str(r["group"]): {str(k): v for k, v in r.items()} for r in table.to_dict("records")}
    numbers: dict[str, float | str] = {
        "month": month.isoformat(),
        "rate_pilot": float(t[PILOT]["activation_rate_now"]),
        "rate_comparison": float(t[COMPARISON]["activation_rate_now"]),
        "rate_pilot_cf": float(t[PILOT]["activation_rate_counterfactual"]),
        "rate_comparison_cf": float(t[COMPARISON]["activation_rate_counterfactual"]),
    }
    numbers["gap_now"] = float(numbers["rate_comparison"]) - float(numbers["rate_pilot"])
    numbers["gap_remaining"] = float(numbers["rate_comparison"]) - float(numbers["rate_pilot_cf"])
    synthetic = data.provenance.synthetic

    def figure(lang: str) -> Figure:
        with styled():
            fig, axes = new_figure(1, 1, width=6.5, height=4.0)
            ax = axes[0][0]
            labels = [label("activation_rate_now", lang), label("activation_rate_counterfactual", lang)]
            for i, g in enumerate((PILOT, COMPARISON)):
                vals = [float(t[g]["activation_rate_now"]), float(t[g]["activation_rate_counterfactual"])]
                xs = [j + (i - 0.5) * 0.38 for j in range(2)]
                bars = ax.bar(xs, vals, width=0.36, color=colour(g), label=label(g, lang))
                ax.bar_label(bars, labels=[fmt_number(v, lang) for v in vals], fontsize=8)
            ax.set_xticks([0, 1], labels)
            ax.set_ylabel(label("activation_rate", lang))
            ax.legend(loc="upper left")
            return finish(fig, label(f"title.{KEY}", lang), lang, synthetic=synthetic,
                          source=", ".join(data.provenance.sources))

    text_values = {k: v for k, v in numbers.items() if k != "month"} | {"month": month}
    return AnalysisResult(
        key=KEY, title=titler(KEY), table=table, figure=figure,
        text=texter(f"text.{KEY}", text_values, synthetic), numbers=numbers,
        sources=data.provenance.sources, synthetic=synthetic, count_columns=counts, disclosure=protected,
        parameters=params(month=month, base=base, membership_date=on, pilots_csv=pilots_csv, min_cell=cell,
                          as_of=as_of, comparison="report.param.value.mainland_outside_pilots"),
    )
