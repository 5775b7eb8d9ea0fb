"""Analysis 6: service mix — for chosen pilot areas, each activating service's share of the
area's persons in activating services minus the national share, in percentage points, monthly.

Shares of an area come from its summed counts; the national shares from the published 12u4
components where present, municipal sums otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from kuva.analysis.inputs import (
    group_monthly,
    national_basis_text,
    national_monthly,
    params,
    protect,
    resolve_min_cell,
    resolve_pilot_area,
    texter,
    titler,
)
from kuva.analysis.result import AnalysisResult
from kuva.analysis.style import OKABE_ITO, colour, finish, new_figure, styled, year_axis
from kuva.errors import KuvaInputError
from kuva.i18n import label
from kuva.indicators import codes
from kuva.privacy.spec import Count, Derived, Ratio, SumOver, TableSpec
from kuva.registry import service_type
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KEY = "service_mix"
DEFAULT_AREAS: tuple[str, ...] = ("Helsinki", "Pirkanmaa", "Oulun seutu", "Porin seutu", "Etelä-Pohjanmaa")


def service_mix(
    wh: Warehouse,
    *,
    areas: Sequence[str] = DEFAULT_AREAS,
    start: date = date(2017, 1, 1),
    end: date | None = None,
    on: date | None = None,
    pilots_csv: Path | None = None,
    min_cell: int | None = None,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """Per area, month and service: ``share_area``, ``share_nation`` and ``difference_pp``.

    ``areas`` are pilot areas of the registry (name, code or a unique prefix); membership is as
    of ``on`` (default: the pilot start). ``numbers``: the largest absolute difference at the
    latest month (``max_area``, ``max_service``, ``max_difference``) and ``month``.
    """
    from kuva.indicators.groups import PILOT_START

    if not areas:
        raise KuvaInputError("give at least one area")
    cell = resolve_min_cell(min_cell)
    day = on or PILOT_START
    resolved = [resolve_pilot_area(a, pilots_csv) for a in areas]
    mapping = pd.DataFrame(
        [(m.municipality_code, a.code, a.name) for a in resolved for m in a.members(day)],
        columns=["municipality_code", "group_code", "group_name"])
    g = group_monthly(wh, start, end, on=day, pilots_csv=pilots_csv, as_of=as_of, mapping=mapping)
    n = national_monthly(wh, start, end, as_of=as_of)
    names = dict(zip(mapping["group_code"], mapping["group_name"], strict=False))
    rows = []
    nat = n.frame.set_index("period")
    for s in codes.SERVICES:
        code = service_type(s).code
        sub = g.frame[["group", "period", s, "in_services", f"share_{s}"]].rename(
            columns={s: "persons", f"share_{s}": "share_area"})
        sub = sub.assign(service=code, share_nation=sub["period"].map(nat[f"share_{s}"]))
        rows.append(sub)
    df = pd.concat(rows, ignore_index=True).rename(columns={"group": "area_code"})
    df["area"] = df["area_code"].map(names)
    df["difference_pp"] = df["share_area"] - df["share_nation"]
    table = df[["area_code", "area", "period", "service", "persons", "in_services", "share_area", "share_nation",
                "difference_pp"]].sort_values(["area_code", "service", "period"]).reset_index(drop=True)
    counts = ("persons", "in_services")
    spec = TableSpec(
        counts=(Count("persons", ("area_code", "period", "service"), quantity="in_service"),
                Count("in_services", ("area_code", "period"))),
        relations=(SumOver("in_services", "persons", "service"),),
        derived=(Ratio("share_area", "persons", ("in_services",)),
                 Derived("difference_pp", ("persons", "in_services"))))
    protected = protect(table, spec, KEY, cell)
    table = protected.frame
    valid = table.dropna(subset=["difference_pp"])
    numbers: dict[str, float | str] = {}
    if not valid.empty:
        month = max(valid["period"])
        last = valid[valid["period"] == month]
        top = last.loc[last["difference_pp"].abs().idxmax()]
        numbers = {"month": month.isoformat(), "max_area": str(top["area"]), "max_service": str(top["service"]),
                   "max_difference": float(top["difference_pp"])}
    synthetic = g.provenance.synthetic or n.provenance.synthetic
    prov = g.provenance | n.provenance
    area_codes = [a.code for a in resolved]

    def figure(lang: str) -> Figure:
        with styled():
            ncols = min(3, len(area_codes))
            nrows = -(-len(area_codes) // ncols)
            fig, axes = new_figure(nrows, ncols, width=9.0, height=2.6 * nrows + 1.0, sharey=True)
            for k, code in enumerate(area_codes):
                ax = axes[k // ncols][k % ncols]
                sub = table[table["area_code"] == code]
                for i, s in enumerate(codes.SERVICES):
                    st = service_type(s)
                    ss = sub[sub["service"] == st.code]
                    ax.plot(pd.to_datetime(ss["period"]), ss["difference_pp"], color=colour(st.code, i),
                            linewidth=1.2, label=st.name(lang))
                ax.axhline(0.0, color=OKABE_ITO["black"], linewidth=0.8)
                ax.set_title(names.get(code, code))
                year_axis(ax)
                ax.tick_params(axis="x", labelrotation=90)
            spare = [axes[k // ncols][k % ncols] for k in range(len(area_codes), nrows * ncols)]
            for ax in spare:
                ax.set_axis_off()
            axes[0][0].set_ylabel(label("difference_pp", lang))
            handles, labels_ = axes[0][0].get_legend_handles_labels()
            if spare:
                spare[0].legend(handles, labels_, loc="center", fontsize=7)
            else:
                axes[-1][ncols // 2].legend(handles, labels_, loc="upper center", bbox_to_anchor=(0.5, -0.3),
                                            ncols=2, fontsize=7)
            return finish(fig, label(f"title.{KEY}", lang), lang, synthetic=synthetic, source=", ".join(prov.sources))

    def text(lang: str) -> str:
        if not numbers:
            return label("text.no_data", lang)
        vals = {"month": date.fromisoformat(str(numbers["month"])), "area": numbers["max_area"],
                "service": service_type(str(numbers["max_service"])).name(lang),
                "difference": numbers["max_difference"]}
        return texter(f"text.{KEY}", vals, synthetic)(lang)

    return AnalysisResult(
        key=KEY, title=titler(KEY), table=table, figure=figure, text=text, numbers=numbers,
        sources=prov.sources, synthetic=synthetic, count_columns=counts, disclosure=protected,
        parameters=params(areas="; ".join(f"{a.name} ({len(a.members(day))})" for a in resolved), start=start,
                          end=end, membership_date=day, pilots_csv=pilots_csv, min_cell=cell, as_of=as_of,
                          national=national_basis_text(n.basis)),
    )
