"""Analysis 7: seminar indicators.

* :func:`services_yoy` — year-on-year change in clients in activating services, pilot
  municipalities vs the other mainland municipalities.
* :func:`outcomes_after_services` — the situation three months after a service ended, by
  service type, for the pilot municipalities, a chosen pilot area and the whole country.
* :func:`municipal_share_tmt` — the municipal share of the labour market subsidy
  (työmarkkinatuen kuntaosuus), pilots vs the rest, indexed to the pre-pilot year and against
  the national trend, with the implied difference in euros. Reads Kela data loaded with
  :mod:`kuva.sources.kela`; without it, values are generated here from a seed and labelled
  synthetic.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva.analysis.inputs import group_monthly, params, protect, resolve_min_cell, resolve_pilot_area, texter, titler
from kuva.analysis.result import AnalysisResult
from kuva.analysis.style import OKABE_ITO, colour, finish, mark_month, new_figure, styled, year_axis
from kuva.errors import KuvaInputError
from kuva.i18n import label
from kuva.indicators import codes
from kuva.indicators.groups import COMPARISON, PILOT, PILOT_START, membership
from kuva.indicators.observations import Provenance, observations, provenance
from kuva.privacy.spec import ColumnSum, Count, Ratio, TableSpec
from kuva.registry import service_type
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

KEY_YOY = "services_yoy"
KEY_OUTCOMES = "outcomes_after_services"
KEY_TMT = "municipal_share_tmt"
NATION = "nation"
AREA = "area"

#: Stylised municipal share per long-term unemployed person and month (euros) for generated
#: values only: about the level of the national municipal share around 2020 divided by the
#: number of long-term unemployed. Not a real figure.
SYNTHETIC_EUR_PER_LONG_TERM = 380.0
SYNTHETIC_SOURCE = "synthetic:kela_tmt"


# -- year-on-year change ------------------------------------------------------------------------
def services_yoy(
    wh: Warehouse,
    *,
    start: date = date(2019, 1, 1),
    end: date | None = None,
    on: date = PILOT_START,
    pilots_csv: Path | None = None,
    min_cell: int | None = None,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """Persons in activating services per month and their change from the same month a year
    earlier (%), pilot vs comparison (mainland, Åland excluded). ``numbers``: ``yoy_pilot``,
    ``yoy_comparison`` at the latest month, ``month``."""
    cell = resolve_min_cell(min_cell)
    data = group_monthly(wh, date(start.year - 1, start.month, 1), end, on=on, pilots_csv=pilots_csv, as_of=as_of)
    df = data.frame[["group", "period", "in_services"]].copy()
    prev = df.assign(period=[date(p.year + 1, p.month, 1) for p in df["period"]]).rename(
        columns={"in_services": "in_services_year_ago"})
    df = df.merge(prev, on=["group", "period"], how="left")
    df["yoy_change"] = df["in_services"] / df["in_services_year_ago"] * 100.0 - 100.0
    table = df[df["period"] >= start].sort_values(["group", "period"], ascending=[False, True]).reset_index(drop=True)
    yoy_counts = ("in_services", "in_services_year_ago")
    spec = TableSpec(counts=(Count("in_services", ("group", "period")),
                             Count("in_services_year_ago", ("group", "period"))),
                     derived=(Ratio("yoy_change", "in_services", ("in_services_year_ago",)),))
    protected_yoy = protect(table, spec, KEY_YOY, cell)
    table = protected_yoy.frame
    valid = table.dropna(subset=["yoy_change"])
    numbers: dict[str, float | str] = {}
    if not valid.empty:
        month = max(valid["period"])
        last = {str(g): float(v) for g, v in zip(valid.loc[valid["period"] == month, "group"],
                                                  valid.loc[valid["period"] == month, "yoy_change"], strict=True)}
        numbers = {"month": month.isoformat(), "yoy_pilot": last.get(PILOT, math.nan),
                   "yoy_comparison": last.get(COMPARISON, math.nan)}
    synthetic = data.provenance.synthetic

    def figure(lang: str) -> Figure:
        with styled():
            fig, axes = new_figure(1, 1, width=7.5, height=4.0)
            ax = axes[0][0]
            for g in (PILOT, COMPARISON):
                sub = table[table["group"] == g]
                ax.plot(pd.to_datetime(sub["period"]), sub["yoy_change"], color=colour(g), label=label(g, lang))
            ax.axhline(0.0, color=OKABE_ITO["black"], linewidth=0.8)
            mark_month(ax, on, label("pilot_start", lang))
            year_axis(ax)
            ax.set_ylabel(label("yoy_change", lang))
            ax.legend(loc="best")
            return finish(fig, label(f"title.{KEY_YOY}", lang), lang, synthetic=synthetic,
                          source=", ".join(data.provenance.sources))

    def text(lang: str) -> str:
        if not numbers:
            return label("text.no_data", lang)
        vals = {**numbers, "month": date.fromisoformat(str(numbers["month"]))}
        return texter(f"text.{KEY_YOY}", vals, synthetic)(lang)

    return AnalysisResult(
        key=KEY_YOY, title=titler(KEY_YOY), table=table, figure=figure, text=text, numbers=numbers,
        sources=data.provenance.sources, synthetic=synthetic, count_columns=yoy_counts, disclosure=protected_yoy,
        parameters=params(start=start, end=end, membership_date=on, pilots_csv=pilots_csv, min_cell=cell,
                          as_of=as_of, comparison="report.param.value.mainland_outside_pilots"),
    )


# -- outcomes three months after a service ------------------------------------------------------
def _national_follow_up(sss: pd.DataFrame) -> pd.DataFrame:
    """Whole-country follow-up counts per (measure, period): the published total breakdown
    (``…=SSS``) where there is one, else the sum of the breakdown classes, else the row
    without a breakdown."""
    rows = []
    for (m, p), sub in sss.groupby(["measure", "period"]):
        tot = sub[sub["breakdown"].str.endswith("=SSS")]
        plain = sub[sub["breakdown"] == ""]
        if not tot.empty:
            v = float(tot["value"].iloc[0])
        elif not plain.empty:
            v = float(plain["value"].iloc[0])
        else:
            v = float(sub["value"].sum(min_count=1))
        rows.append({"measure": m, "period": p, "value": v})
    return pd.DataFrame(rows, columns=["measure", "period", "value"])


def outcomes_after_services(
    wh: Warehouse,
    *,
    year: int | None = None,
    area: str = "Pirkanmaa",
    on: date = PILOT_START,
    pilots_csv: Path | None = None,
    min_cell: int | None = None,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """Of the persons whose service ended in ``year``: unemployed, in services and other
    (open labour market, education or outside the labour force; the remainder) three months
    later, by service type, for the pilots (sum of municipalities), ``area`` (a pilot area) and
    the nation (published totals). ``numbers``: ``unemployed_pilot``, ``unemployed_area``,
    ``unemployed_nation`` (all services pooled, %) and ``year``."""
    cell = resolve_min_cell(min_cell)
    chosen = resolve_pilot_area(area, pilots_csv)
    measures = [m for triple in codes.FOLLOW_UP.values() for m in triple]
    ku_long = observations(wh, measures, area_prefix="KU", as_of=as_of)
    sss_long = observations(wh, measures, areas=[codes.NATION], breakdown=None, as_of=as_of)
    ku = ku_long.select("area_code", "period", "measure", "value").to_pandas()
    sss = sss_long.select("period", "measure", "breakdown", "value").to_pandas()
    for f in (ku, sss):
        f["period"] = pd.to_datetime(f["period"]).dt.year
    groups = membership("pilot_group", on, pilots_csv=pilots_csv)
    pilots = set(groups.loc[groups["group_code"] == PILOT, "municipality_code"])
    area_members = {m.municipality_code for m in chosen.members(on)}
    if year is None:
        years = ku.loc[ku["area_code"].isin(pilots) & ku["value"].notna(), "period"]
        if years.empty:
            years = sss.loc[sss["value"].notna(), "period"]
        if years.empty:
            raise KuvaInputError("no three-month follow-up data in the warehouse")
        year = int(years.max())
    parts = {
        PILOT: ku[ku["area_code"].isin(pilots) & (ku["period"] == year)].groupby("measure")["value"].sum(min_count=1),
        AREA: ku[ku["area_code"].isin(area_members) & (ku["period"] == year)].groupby("measure")["value"].sum(
            min_count=1),
        NATION: _national_follow_up(sss[sss["period"] == year]).set_index("measure")["value"],
    }
    # the nation: published totals where present, else the sum over all municipalities
    ku_all = ku[ku["period"] == year].groupby("measure")["value"].sum(min_count=1)
    nation = parts[NATION].dropna()
    parts[NATION] = pd.concat([nation, ku_all[~ku_all.index.isin(nation.index)]])
    nation_basis = "published" if len(nation) else ("municipal_sum" if ku_all.notna().any() else "none")
    rows = []
    for g, values in parts.items():
        for key, (c_end, c_une, c_srv) in codes.FOLLOW_UP.items():
            ended, une, srv = (float(values.get(c, math.nan)) for c in (c_end, c_une, c_srv))
            other = ended - une - srv
            rows.append({"group": g, "service": key, "year": year, "ended": ended, "unemployed_3m": une,
                         "services_3m": srv, "other_3m": other})
    df = pd.DataFrame(rows)
    for col, share in (("unemployed_3m", "share_unemployed_3m"), ("services_3m", "share_services_3m"),
                       ("other_3m", "share_other_3m")):
        df[share] = np.where(df["ended"] > 0, df[col] / df["ended"] * 100.0, np.nan)
    # persons whose service ended, and where they were three months later (other_3m is a
    # difference of counts but still a number of persons)
    counts = ("ended", "unemployed_3m", "services_3m", "other_3m")
    # the nation's published follow-up figures are public; the groups' municipal sums are not
    df["published"] = [g == NATION and all(c in nation.index for c in codes.FOLLOW_UP[s]) for g, s in
                       zip(df["group"], df["service"], strict=True)]
    dims = ("group", "service", "year")
    spec = TableSpec(
        counts=tuple(Count(c, dims, quantity=f"follow_up_{c}") for c in counts),
        relations=(ColumnSum("ended", ("unemployed_3m", "services_3m", "other_3m")),),
        derived=tuple(Ratio(share, col, ("ended",)) for col, share in (
            ("unemployed_3m", "share_unemployed_3m"), ("services_3m", "share_services_3m"),
            ("other_3m", "share_other_3m"))),
        public="published")
    protected = protect(df, spec, KEY_OUTCOMES, cell)
    table = protected.frame
    numbers: dict[str, float | str] = {"year": str(year), "area": chosen.name}
    for g in (PILOT, AREA, NATION):
        # the headline share covers every service (a share of all ended, computed before suppression:
        # it reveals no single cell, and leaving suppressed services out would bias it silently)
        sub = df[df["group"] == g].dropna(subset=["ended", "unemployed_3m"])
        tot = sub["ended"].sum()
        numbers[f"unemployed_{g}"] = float(sub["unemployed_3m"].sum() / tot * 100.0) if tot > 0 else math.nan
    prov = provenance(ku_long) | provenance(sss_long)
    synthetic = prov.synthetic

    def figure(lang: str) -> Figure:
        with styled():
            services = list(codes.FOLLOW_UP)
            from matplotlib.figure import Figure as _Figure

            fig = _Figure(figsize=(9.0, 4.0), layout="constrained")
            axd = fig.subplot_mosaic([[PILOT, AREA, NATION], ["legend", "legend", "legend"]],
                                     height_ratios=[12, 1])
            axd["legend"].set_axis_off()
            names = {PILOT: label(PILOT, lang), AREA: chosen.name, NATION: label(NATION, lang)}
            for k, g in enumerate((PILOT, AREA, NATION)):
                ax = axd[g]
                sub = table[table["group"] == g].set_index("service").reindex(services)
                left = np.zeros(len(services))
                for i, col in enumerate(("share_unemployed_3m", "share_services_3m", "share_other_3m")):
                    vals = sub[col].to_numpy(dtype=float)
                    ax.barh(range(len(services)), vals, left=left, color=(OKABE_ITO["vermillion"],
                            OKABE_ITO["sky_blue"], OKABE_ITO["bluish_green"])[i], label=label(col, lang))
                    left = left + np.nan_to_num(vals)
                ax.set_yticks(range(len(services)),
                              [service_type(s).name(lang) for s in services] if k == 0 else [], fontsize=7)
                ax.set_title(names[g])
                ax.set_xlim(0, 100)
            handles, labels_ = axd[PILOT].get_legend_handles_labels()
            axd["legend"].legend(handles, labels_, loc="center", ncols=3, fontsize=7, frameon=False)
            return finish(fig, f"{label(f'title.{KEY_OUTCOMES}', lang)} ({year})", lang, synthetic=synthetic,
                          source=", ".join(prov.sources))

    vals = {k: numbers[k] for k in ("unemployed_pilot", "unemployed_nation")} | {"year": str(year)}
    return AnalysisResult(
        key=KEY_OUTCOMES, title=titler(KEY_OUTCOMES), table=table, figure=figure,
        text=texter(f"text.{KEY_OUTCOMES}", vals, synthetic), numbers=numbers, sources=prov.sources,
        synthetic=synthetic, count_columns=counts, disclosure=protected,
        parameters=params(year=year, area=chosen.name, membership_date=on, pilots_csv=pilots_csv, min_cell=cell,
                          as_of=as_of, nation=f"report.param.value.follow_up_nation.{nation_basis}",
                          other="report.param.value.follow_up_other"),
    )


# -- municipal share of the labour market subsidy -------------------------------------------------
def synthetic_municipal_share(wh: Warehouse, *, seed: int, start: date, end: date,
                              as_of: datetime | date | None = None) -> pd.DataFrame:
    """Generated monthly municipal shares (euros) per municipality, from the long-term
    unemployed in the warehouse (or 30 % of the unemployed where those are missing) ×
    :data:`SYNTHETIC_EUR_PER_LONG_TERM` × lognormal noise. Columns ``area_code``, ``period``,
    ``value``. Not real data: always labelled synthetic."""
    long = observations(wh, [codes.LONG_TERM_UNEMPLOYED, codes.UNEMPLOYED], area_prefix="KU", start=start, end=end,
                        as_of=as_of)
    df = long.select("area_code", "period", "measure", "value").to_pandas()
    if df.empty:
        return pd.DataFrame(columns=["area_code", "period", "value"])
    wide = df.pivot_table(index=["area_code", "period"], columns="measure", values="value", aggfunc="first")
    lt = wide.get(codes.LONG_TERM_UNEMPLOYED, pd.Series(np.nan, index=wide.index))
    base = lt.fillna(0.3 * wide.get(codes.UNEMPLOYED, pd.Series(np.nan, index=wide.index)))
    rng = np.random.default_rng(seed)
    noise = np.exp(rng.normal(0.0, 0.08, len(base)))
    out = base.reset_index().rename(columns={0: "value"})
    out.columns = ["area_code", "period", "value"]
    out["value"] = np.round(out["value"].to_numpy(dtype=float) * SYNTHETIC_EUR_PER_LONG_TERM * noise, 0)
    out["period"] = pd.to_datetime(out["period"]).dt.date
    result: pd.DataFrame = out.dropna(subset=["value"])
    return result


def _municipal_share_data(wh: Warehouse, start: date, end: date | None, on: date, pilots_csv: Path | None,
                          seed: int, as_of: datetime | date | None
                          ) -> tuple[pd.DataFrame, set[str], Provenance, str]:
    """Monthly municipal shares per municipality with its ``group`` (pilot or comparison on
    ``on``), the mainland municipalities, the provenance and whether the data are Kela's or
    generated."""
    long = observations(wh, [codes.KELA_MUNICIPAL_SHARE], area_prefix="KU", start=start, end=end, as_of=as_of)
    df = long.select("area_code", "period", "value").to_pandas()
    df["period"] = pd.to_datetime(df["period"]).dt.date
    if df["value"].notna().any():
        prov = provenance(long)
        kind = "kela"
    else:
        df = synthetic_municipal_share(wh, seed=seed, start=start, end=end or date(2100, 1, 1), as_of=as_of)
        prov = Provenance((SYNTHETIC_SOURCE,), True)
        kind = "generated"
    groups = membership("pilot_group", on, pilots_csv=pilots_csv, mainland_only=False)
    mainland = set(membership("pilot_group", on, pilots_csv=pilots_csv)["municipality_code"])
    df = df.merge(groups.rename(columns={"municipality_code": "area_code", "group_code": "group"}), on="area_code")
    return df, mainland, prov, kind


def municipal_share_tmt(
    wh: Warehouse,
    *,
    base_year: int = 2020,
    end: date | None = None,
    on: date = PILOT_START,
    pilots_csv: Path | None = None,
    seed: int = 20210301,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """Yearly municipal share of the labour market subsidy for pilot, comparison (mainland) and
    all municipalities, indexed to ``base_year``; for the pilots the expected euros at the
    comparison group's trend and the difference (actual − expected).

    Reads ``KELA_TMT_KUNTAOSUUS`` (municipal rows, loaded from a Kela CSV); without any, uses
    :func:`synthetic_municipal_share` with ``seed`` (result flagged synthetic). Only years with
    all 12 months are used. ``numbers``: ``year``, ``index_pilot``, ``index_comparison``,
    ``index_nation``, ``difference_eur``, ``data`` (``kela`` or ``generated``).
    """
    df, reg_mainland, prov, kind = _municipal_share_data(wh, date(base_year, 1, 1), end, on, pilots_csv, seed, as_of)
    df["year"] = [p.year for p in df["period"]]
    months = df.groupby("year")["period"].nunique()
    full_years = sorted(int(y) for y in months[months == 12].index)
    if base_year not in full_years:
        raise KuvaInputError(f"the base year {base_year} has no complete 12 months of municipal share data")
    df = df[df["year"].isin(full_years)]
    mainland = df[df["area_code"].isin(reg_mainland)]
    sums = {
        PILOT: mainland[mainland["group"] == PILOT].groupby("year")["value"].sum(),
        COMPARISON: mainland[mainland["group"] == COMPARISON].groupby("year")["value"].sum(),
        NATION: df.groupby("year")["value"].sum(),
    }
    rows = []
    for g, s in sums.items():
        b = float(s.get(base_year, math.nan))
        for y, v in zip(s.index.tolist(), s.tolist(), strict=True):
            rows.append({"group": g, "year": int(y), "municipal_share_eur": float(v),
                         "index_base": float(v) / b * 100.0})
    table = pd.DataFrame(rows)
    comp_index = table[table["group"] == COMPARISON].set_index("year")["index_base"]
    pilot_base = float(sums[PILOT].get(base_year, math.nan))
    is_pilot = table["group"] == PILOT
    table["expected_eur"] = np.where(is_pilot, table["year"].map(comp_index) / 100.0 * pilot_base, np.nan)
    table["difference_eur"] = table["municipal_share_eur"] - table["expected_eur"]
    last = max(full_years)
    idx = {str(g): float(v) for g, v in zip(table.loc[table["year"] == last, "group"],
                                             table.loc[table["year"] == last, "index_base"], strict=True)}
    diff = table.loc[is_pilot & (table["year"] == last), "difference_eur"]
    numbers: dict[str, float | str] = {
        "year": str(last), "base_year": str(base_year), "index_pilot": idx.get(PILOT, math.nan),
        "index_comparison": idx.get(COMPARISON, math.nan), "index_nation": idx.get(NATION, math.nan),
        "difference_eur": float(diff.iloc[0]) if len(diff) else math.nan, "data": kind,
    }
    synthetic = prov.synthetic

    def figure(lang: str) -> Figure:
        with styled():
            fig, axes = new_figure(1, 1, width=7.0, height=4.0)
            ax = axes[0][0]
            for g in (PILOT, COMPARISON, NATION):
                sub = table[table["group"] == g]
                ax.plot(sub["year"], sub["index_base"], marker="o", color=colour(g), label=label(g, lang))
            ax.axhline(100.0, color=OKABE_ITO["black"], linewidth=0.8)
            ax.set_ylabel(label("index_base", lang))
            ax.set_xticks(full_years)
            ax.legend(loc="best")
            return finish(fig, label(f"title.{KEY_TMT}", lang), lang, synthetic=synthetic,
                          source=", ".join(prov.sources))

    vals = {k: numbers[k] for k in ("year", "base_year", "index_pilot", "index_comparison")}
    vals["difference_eur"] = round(float(numbers["difference_eur"]))
    return AnalysisResult(
        key=KEY_TMT, title=titler(KEY_TMT), table=table, figure=figure,
        text=texter(f"text.{KEY_TMT}", vals, synthetic), numbers=numbers, sources=prov.sources,
        synthetic=synthetic,
        count_columns=(),  # euros and indices summed over municipalities: no person counts
        parameters=params(base_year=base_year, end=end, membership_date=on, pilots_csv=pilots_csv, as_of=as_of,
                          data=f"report.param.value.tmt_data.{kind}",
                          seed=seed if kind == "generated" else None,
                          nation="report.param.value.tmt_nation",
                          expected="report.param.value.tmt_expected"),
    )


# -- the monthly counterfactual -------------------------------------------------------------------
KEY_TMT_MONTHLY = "municipal_share_tmt_monthly"


def municipal_share_tmt_monthly(
    wh: Warehouse,
    *,
    pre_start: date = date(2019, 1, 1),
    end: date | None = None,
    on: date = PILOT_START,
    pilots_csv: Path | None = None,
    seed: int = 20210301,
    as_of: datetime | date | None = None,
) -> AnalysisResult:
    """The pilot municipalities' monthly municipal share of the labour market subsidy against a
    counterfactual from the other mainland municipalities: the pilots' share of the two groups'
    sum, averaged over the months from ``pre_start`` to the month before ``on``, times the
    comparison group's euros of each month (``expected_eur``); the difference, its cumulative sum
    from ``on``, and the whole country's euros (the state total of the municipal share). The
    pre-period months get the same counterfactual (a placebo: their differences show how well it
    fits before the pilots); ``numbers``: the cumulative difference to the last month, its 95 %
    band from the pre-period differences' spread (months taken as independent, so the band is a
    rough one), the pre-period mean absolute percentage error, and the data kind."""
    df, mainland, prov, kind = _municipal_share_data(wh, pre_start, end, on, pilots_csv, seed, as_of)
    land = df[df["area_code"].isin(mainland)]
    wide = land.pivot_table(index="period", columns="group", values="value", aggfunc="sum")
    if PILOT not in wide or COMPARISON not in wide:
        raise KuvaInputError("no municipal share data for both pilot and comparison municipalities")
    table = pd.DataFrame({"period": wide.index, "pilot_eur": wide[PILOT].to_numpy(),
                          "comparison_eur": wide[COMPARISON].to_numpy()})
    table["nation_eur"] = table["period"].map(df.groupby("period")["value"].sum())
    pre = table["period"] < on
    if pre.sum() < 6 or (~pre).sum() == 0:
        raise KuvaInputError(f"the counterfactual needs at least 6 months before {on:%m/%Y} and one after; "
                             f"the data have {int(pre.sum())} and {int((~pre).sum())}")
    share = float((table.loc[pre, "pilot_eur"] / (table.loc[pre, "pilot_eur"] + table.loc[pre, "comparison_eur"]))
                  .mean())
    table["expected_eur"] = share / (1.0 - share) * table["comparison_eur"]
    table["difference_eur"] = table["pilot_eur"] - table["expected_eur"]
    table["cumulative_difference_eur"] = table["difference_eur"].where(~pre).cumsum().where(~pre)
    table["period_kind"] = np.where(pre, "pre", "pilot")
    placebo = table.loc[pre, "difference_eur"]
    months_after = int((~pre).sum())
    sd = float(placebo.std(ddof=1))
    last = table.iloc[-1]
    numbers: dict[str, float | str] = {
        "month": last["period"].isoformat(), "start": on.isoformat(),
        "cumulative_difference_eur": float(last["cumulative_difference_eur"]),
        "band_eur": 1.96 * sd * math.sqrt(months_after),
        "pre_mape_pct": float((placebo.abs() / table.loc[pre, "pilot_eur"]).mean() * 100.0),
        "pilot_share": share, "nation_eur_since": float(table.loc[~pre, "nation_eur"].sum()), "data": kind,
    }
    synthetic = prov.synthetic

    def figure(lang: str) -> Figure:
        with styled():
            fig, axes = new_figure(1, 2, width=9.0, height=3.8)
            ax, ax_c = axes[0]
            x = pd.to_datetime(table["period"])
            ax.plot(x, table["pilot_eur"] / 1e6, color=colour(PILOT), label=label(PILOT, lang))
            ax.plot(x, table["expected_eur"] / 1e6, color=colour(PILOT), linestyle="--",
                    label=label("tmt.expected", lang))
            ax.set_ylabel(label("tmt.million_eur", lang))
            mark_month(ax, on, label("pilot_start", lang))
            year_axis(ax)
            ax.legend(loc="best", fontsize=7)
            post = table[~pre]
            band = 1.96 * sd * np.sqrt(np.arange(1, len(post) + 1))
            xc = pd.to_datetime(post["period"])
            ax_c.fill_between(xc, (post["cumulative_difference_eur"] - band) / 1e6,
                              (post["cumulative_difference_eur"] + band) / 1e6, color=colour(PILOT), alpha=0.2)
            ax_c.plot(xc, post["cumulative_difference_eur"] / 1e6, color=colour(PILOT))
            ax_c.axhline(0.0, color=OKABE_ITO["black"], linewidth=0.8)
            ax_c.set_title(label("tmt.cumulative", lang))
            year_axis(ax_c)
            return finish(fig, label(f"title.{KEY_TMT_MONTHLY}", lang), lang, synthetic=synthetic,
                          source=", ".join(prov.sources))

    vals = {"start": f"{on.month}/{on.year}", "month": f"{last['period'].month}/{last['period'].year}",
            "difference": round(float(numbers["cumulative_difference_eur"]) / 1e6, 1),
            "band": round(float(numbers["band_eur"]) / 1e6, 1), "mape": round(float(numbers["pre_mape_pct"]), 1)}
    return AnalysisResult(
        key=KEY_TMT_MONTHLY, title=titler(KEY_TMT_MONTHLY), table=table, figure=figure,
        text=texter(f"text.{KEY_TMT_MONTHLY}", vals, synthetic), numbers=numbers, sources=prov.sources,
        synthetic=synthetic,
        count_columns=(),  # euros summed over municipalities: no person counts
        parameters=params(pre_start=pre_start, end=end, membership_date=on, pilots_csv=pilots_csv, as_of=as_of,
                          data=f"report.param.value.tmt_data.{kind}", seed=seed if kind == "generated" else None),
    )
