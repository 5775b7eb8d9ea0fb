"""The report's "Palveluprosessi" (service process) and "Vertailu" (benchmark) chapters, listed
in :data:`kuva.report.builtin.CHAPTERS`. Every table passes the disclosure engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva.analysis.inputs import resolve_policy
from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.i18n import fmt_number, label
from kuva.privacy.engine import protect_table
from kuva.privacy.spec import Count, Ratio, TableSpec
from kuva.report.chapters import Chapter, ReportParams
from kuva.warehouse import Warehouse

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from kuva.benchmark.run import Benchmark


def _title(key: str) -> Callable[[str], str]:
    return lambda lang: label(key, lang)


def _has_events(wh: Warehouse) -> bool:
    return int(wh.table("process_events").count().to_pandas()) > 0


#: the whole country's code in the process tables
NATION = "SSS"
#: the own area's peer group's code in the process tables (its municipalities are the area's
#: peers, :attr:`kuva.analysis.own_area.OwnArea.peers`)
PEERS = "peers"


def _scopes(params: ReportParams) -> list[tuple[str, list[str] | None]]:
    """(area code, its municipalities) of the figures: the report's own area and its peers first
    when it has one, and the whole country."""
    own = params.area
    mine = [(own.code, list(own.members)), (PEERS, list(own.peers))] if own is not None else []
    return [*mine, (NATION, None)]


def _scope_name(code: str, params: ReportParams, lang: str) -> str:
    if params.area is not None and code == params.area.code:
        return params.area.name(lang)
    return label(PEERS if code == PEERS else NATION, lang)


def _line_style(code: str, params: ReportParams) -> tuple[str, str | None]:
    """(line style, marker) of a scope's line: the own area (or the whole country when the
    report has no area) solid with markers, the peers dotted, the whole country dashed."""
    if code == PEERS:
        return ":", None
    if code == NATION and params.area is not None:
        return "--", None
    return "-", "o"


def _compared(params: ReportParams, lang: str, values: dict[str, float]) -> str:
    """The peers' and the whole country's value of the same share, as a sentence."""
    out = label("process.peers_compared", lang, value=fmt_number(values[PEERS], lang, 1)) + " " if (
        PEERS in values) else ""
    return out + label("process.nation_compared", lang, value=fmt_number(values.get(NATION, np.nan), lang, 1))


def _latest(table: pd.DataFrame, column: str, when: str, code: str) -> tuple[float, object]:
    """The latest shown value of ``column`` for area ``code`` and when it was."""
    sub = table[(table["area"] == code)].dropna(subset=[column])
    return (float(sub[column].iloc[-1]), sub[when].iloc[-1]) if len(sub) else (float("nan"), None)


def _milestones(wh: Warehouse, params: ReportParams, sources: tuple[str, ...], synthetic: bool) -> AnalysisResult:
    from kuva.process.kpis import compliance_in_force
    from kuva.process.rules import rulebooks

    frames = []
    for code, munis in _scopes(params):
        try:
            m = compliance_in_force(wh, rulebooks(), level="nation", start=params.start, end=params.end,
                                    municipalities=munis)
        except KuvaLookupError:  # no client of the scope registered in the period: nothing to show for it
            continue
        frames.append(m.assign(area=code))
    if not frames:
        raise KuvaLookupError("no clock starts under any rulebook in the report's period")
    m = pd.concat(frames, ignore_index=True)
    m["quarter"] = [f"{d.year} Q{(d.month - 1) // 3 + 1}" for d in m["month"]]
    dims = ("area", "rulebook", "rule", "quarter")
    q = m.groupby(list(dims), as_index=False, sort=False)[["n_due", "n_met"]].sum()
    q["share_met"] = 100.0 * q["n_met"] / q["n_due"]
    spec = TableSpec(counts=(Count("n_due", dims, quantity="report_process_due"),
                             Count("n_met", dims, quantity="report_process_met")),
                     derived=(Ratio("share_met", "n_met", ("n_due",)),))
    p = protect_table(q, spec, resolve_policy(params.min_cell), name="process_milestones")
    table = p.frame
    ii = table[table["rule"] == "initial_interview"].sort_values("quarter")
    first = _scopes(params)[0][0]
    share, quarter = _latest(ii, "share_met", "quarter", first)
    others = {code: (_latest(ii[ii["quarter"] == quarter], "share_met", "quarter", code)[0] if quarter else np.nan)
              for code, _ in _scopes(params)[1:]}
    nation_share = others.get(NATION, share)

    def figure(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure()
            ax = axes[0][0]
            for i, (rule, sub) in enumerate(table.groupby("rule", sort=True)):
                for code, _ in _scopes(params):
                    part = sub[sub["area"] == code].sort_values("quarter")
                    style, marker = _line_style(code, params)
                    suffix = "" if marker else f" ({_scope_name(code, params, lang)})"
                    ax.plot(part["quarter"], part["share_met"], marker=marker, linestyle=style,
                            color=colour(str(rule), i), label=label(f"process.rule.{rule}", lang) + suffix)
            ax.set_ylabel(label("share_met", lang))
            ax.set_ylim(0, 100)
            ax.tick_params(axis="x", labelrotation=90)
            ax.legend(fontsize=7, frameon=False)
            return finish(fig, label("title.process_milestones", lang), lang, synthetic=synthetic)

    def text(lang: str) -> str:
        if params.area is not None and np.isnan(share):
            return label("process.area_hidden", lang, area=_scope_name(first, params, lang))
        out = label("process.milestones.text", lang, share=fmt_number(share, lang, 1), quarter=str(quarter or "–"))
        if params.area is not None:
            out = f"{_scope_name(first, params, lang)}: {out} " + _compared(params, lang, others)
        return out

    numbers = {"share_initial_interview": share, "share_initial_interview_nation": nation_share}
    if PEERS in others:
        numbers["share_initial_interview_peers"] = others[PEERS]
    return AnalysisResult("process_milestones", _title("title.process_milestones"), table, figure, text, numbers,
                          sources, synthetic, {"area": first},
                          count_columns=("n_due", "n_met"), disclosure=p)


def _plan_debt(wh: Warehouse, params: ReportParams, sources: tuple[str, ...], synthetic: bool) -> AnalysisResult:
    from kuva.process.kpis import plan_debt
    from kuva.process.publish import PLAN_DEBT_SPEC

    frames = [plan_debt(wh, level="nation", start=params.start, end=params.end, municipalities=munis)
              .assign(area=code) for code, munis in _scopes(params)]
    raw = pd.concat(frames, ignore_index=True).drop(columns=["level", "area_code"])
    spec = TableSpec(counts=tuple(Count(c.column, ("area", "month_end"), quantity=f"report_{c.name}")
                                  for c in PLAN_DEBT_SPEC.counts), derived=PLAN_DEBT_SPEC.derived)
    p = protect_table(raw[["area", "month_end", "open_spells", "plan_debt", "plan_debt_share", "open_days",
                           "plan_debt_days", "plan_debt_days_share"]], spec,
                      resolve_policy(params.min_cell), name="process_plan_debt")
    table = p.frame
    first = _scopes(params)[0][0]
    share, when = _latest(table, "plan_debt_share", "month_end", first)
    others = {}
    for code, _ in _scopes(params)[1:]:
        same = table[(table["area"] == code) & (table["month_end"] == when)]["plan_debt_share"]
        others[code] = float(same.iloc[0]) if len(same) and pd.notna(same.iloc[0]) else float("nan")
    nation_share = others.get(NATION, share)

    def figure(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure()
            ax = axes[0][0]
            for code, _ in _scopes(params):
                part = table[table["area"] == code]
                style, _ = _line_style(code, params)
                key = {PEERS: "comparison", NATION: NATION}.get(code, "pilot") if params.area is not None else "pilot"
                ax.plot(pd.to_datetime(part["month_end"]), part["plan_debt_share"], color=colour(key),
                        linestyle=style, label=_scope_name(code, params, lang))
            ax.set_ylabel(label("plan_debt_share", lang))
            ax.set_ylim(bottom=0)
            if params.area is not None:
                ax.legend(fontsize=7, frameon=False)
            return finish(fig, label("title.process_plan_debt", lang), lang, synthetic=synthetic)

    def text(lang: str) -> str:
        if params.area is not None and np.isnan(share):
            return label("process.area_hidden", lang, area=_scope_name(first, params, lang))
        out = label("process.plan_debt.text", lang, share=fmt_number(share, lang, 1),
                    month=f"{when.month}/{when.year}" if isinstance(when, date) else "–")
        if params.area is not None:
            out = f"{_scope_name(first, params, lang)}: {out} " + _compared(params, lang, others)
        return out

    numbers = {"plan_debt_share": share, "plan_debt_share_nation": nation_share}
    if PEERS in others:
        numbers["plan_debt_share_peers"] = others[PEERS]
    return AnalysisResult("process_plan_debt", _title("title.process_plan_debt"), table, figure, text, numbers,
                          sources, synthetic,
                          {"area": first}, count_columns=("open_spells", "plan_debt"), disclosure=p)


def _routes(wh: Warehouse, params: ReportParams, sources: tuple[str, ...], synthetic: bool) -> AnalysisResult:
    from kuva.process.kpis import referral_routes

    code, munis = _scopes(params)[0]
    r = referral_routes(wh, level="nation", start=params.start, end=params.end, municipalities=munis)
    g = r.groupby(["origin_sector", "destination_sector"], as_index=False)[
        ["referrals", "realised", "unrealised"]].sum()
    g["all_referrals"] = int(g["referrals"].sum())
    g["share_pct"] = 100.0 * g["referrals"] / g["all_referrals"]
    spec = TableSpec(
        counts=(*(Count(c, ("origin_sector", "destination_sector"), quantity=f"report_routes_{c}")
                  for c in ("referrals", "realised", "unrealised")),
                Count("all_referrals", (), quantity="report_routes_all")),
        derived=(Ratio("share_pct", "referrals", ("all_referrals",)),))
    p = protect_table(g, spec, resolve_policy(params.min_cell), name="process_routes")
    table = p.frame.assign(area=code)
    social = table[table["origin_sector"] == "social_services"]["share_pct"]
    share = float(social.iloc[0]) if len(social) and pd.notna(social.iloc[0]) else float("nan")

    def figure(lang: str) -> Figure:
        from kuva.analysis.style import finish, new_figure, styled

        with styled():
            fig, axes = new_figure(height=3.2)
            route_flows(axes[0][0], table, lang)
            return finish(fig, label("title.process_routes", lang) + f": {_scope_name(code, params, lang)}", lang,
                          synthetic=synthetic)

    def text(lang: str) -> str:
        if params.area is not None and np.isnan(share):
            return label("process.area_hidden", lang, area=_scope_name(code, params, lang))
        return label("process.routes.text", lang, share=fmt_number(share, lang, 0))

    return AnalysisResult("process_routes", _title("title.process_routes"), table, figure, text,
                          {"share_social_services": share}, sources, synthetic, {"area": code},
                          count_columns=("referrals", "realised", "unrealised", "all_referrals"), disclosure=p)


def route_flows(a: Axes, table: pd.DataFrame, lang: str) -> None:
    """A Sankey-style figure of the referral routes: origin sectors on the left, each band as wide
    as its referrals, ending on the right in what came of them — a service started (realised),
    none within 90 days (unrealised), or still open. Hidden cells draw nothing (their width is
    unknown), and the figure says so."""
    from kuva.analysis.style import colour

    rows = table.dropna(subset=["referrals"])
    rows = rows[rows["referrals"] > 0]
    total = float(rows["referrals"].sum())
    a.set_axis_off()
    if total <= 0:
        a.text(0.5, 0.5, label("figure.no_data", lang), ha="center", va="center")
        return
    outcomes = ("realised", "unrealised", "open")
    flows: list[tuple[str, str, float]] = []
    for _, r in rows.iterrows():
        realised = float(r["realised"]) if pd.notna(r["realised"]) else 0.0
        unrealised = float(r["unrealised"]) if pd.notna(r["unrealised"]) else 0.0
        rest = max(float(r["referrals"]) - realised - unrealised, 0.0)
        origin = f"{r['origin_sector']}|{r['destination_sector']}"
        flows += [(origin, o, v) for o, v in zip(outcomes, (realised, unrealised, rest), strict=True) if v > 0]
    gap = 0.02
    left = list(dict.fromkeys(f[0] for f in flows))
    right = [o for o in outcomes if any(f[1] == o for f in flows)]
    scale = (1 - gap * max(len(left) - 1, 0)) / sum(f[2] for f in flows)

    def stack(names: list[str], key: int) -> dict[str, float]:
        y, out = 1.0, {}
        for n in names:
            out[n] = y
            y -= sum(f[2] for f in flows if f[key] == n) * scale + gap
        return out

    ly, ry = stack(left, 0), stack(right, 1)
    t = np.linspace(0, 1, 50)
    smooth = 3 * t ** 2 - 2 * t ** 3
    for o, d, v in flows:
        h = v * scale
        top = ly[o] + (ry[d] - ly[o]) * smooth
        a.fill_between(0.25 + 0.5 * t, top - h, top, color=colour(d, outcomes.index(d)), alpha=0.55,
                       lw=0)
        ly[o] -= h
        ry[d] -= h
    for names, x, ha, key in ((left, 0.24, "right", 0), (right, 0.76, "left", 1)):
        y = 1.0
        for n in names:
            h = sum(f[2] for f in flows if f[key] == n) * scale
            if key == 0:
                o, d = n.split("|")
                text = f"{label('sector.' + o, lang)} → {label('sector.' + d, lang)}"
            else:
                text = label(f"process.route.{n}", lang)
            a.text(x, y - h / 2, f"{text} ({fmt_number(100 * h / scale / total, lang, 0)} %)",
                   ha=ha, va="center", fontsize=7)
            y -= h + gap
    a.set_xlim(0, 1)
    a.set_ylim(-0.02, 1.02)
    if table["referrals"].isna().any():
        a.text(0.5, -0.02, label("figure.hidden_cells", lang), ha="center", va="top", fontsize=6)


def process_chapter(wh: Warehouse, params: ReportParams) -> Chapter | None:
    """The service-process chapter; None when the warehouse has no event log. The measures read
    from ``params.measures`` when the report runs on another engine (``--engine``)."""
    wh = params.measures_from(wh)
    if not _has_events(wh):
        return None
    from kuva.process.kpis import event_sources

    sources, synthetic = event_sources(wh)
    results = [_milestones(wh, params, sources, synthetic), _plan_debt(wh, params, sources, synthetic),
               _routes(wh, params, sources, synthetic)]
    return Chapter.from_labels("process", results)


def benchmark_chapter(wh: Warehouse, params: ReportParams) -> Chapter | None:
    """The benchmark of the pilot areas (latest month with data) and the model's coefficients,
    and the same areas over the latest complete half-year (six months of counts: small areas'
    gaps are less noisy than in one month)."""
    from kuva.benchmark.run import latest_half_year, latest_period

    wh = params.measures_from(wh)
    month = benchmark_results(wh, period=params.end, min_cell=params.min_cell)
    last = params.end or latest_period(wh)
    try:
        half = benchmark_results(wh, period=latest_half_year(last), min_cell=params.min_cell, months=6,
                                 key="benchmark_pilot_areas_half_year")[:1]
    except KuvaLookupError:  # the half-year's conditions or counts are not all there
        half = []
    return Chapter.from_labels("benchmark", [*month, *half])


#: the levels whose benchmark is drawn area by area (a few dozen areas fit a figure)
BENCHMARK_LEVELS: tuple[str, ...] = ("pilot_area", "employment_area")


def benchmark_results(wh: Warehouse, *, period: date | None = None, outcome: str = "activation_rate",
                      level: str = "pilot_area", min_cell: int | None = None, months: int = 1,
                      key: str | None = None) -> list[AnalysisResult]:
    """The areas' actual against expected ``outcome`` (caterpillar plot of gaps with intervals and
    the shrunk gaps), the rank-interval plot with the peer groups, and the framework model's
    coefficients, for the month ``period`` (default the latest with data); through the disclosure
    engine; ``months=6`` with ``period`` in January or July: the half-year (its period in the
    title); ``key`` names the ranking result (default ``benchmark_{level}s``)."""
    from kuva.benchmark.run import ANNUAL_OUTCOMES, benchmark, default_period, publish

    if level not in BENCHMARK_LEVELS:
        raise KuvaInputError(f"level must be one of {list(BENCHMARK_LEVELS)}, got {level!r}")
    b = benchmark(wh, period or default_period(wh, outcome), outcome=outcome, level=level,  # type: ignore[arg-type]
                  months=months)
    p = publish(b, min_cell=min_cell)
    cols = ["area", "clients", "actual", "expected", "gap_pp", "shrunk_gap_pp", "rank", "rank_low", "rank_high",
            "credibly_top", "credibly_bottom", "comparison_type", "suppressed"]
    table = p.frame[cols]
    top = [a for a, c in zip(table["area"], table["credibly_top"], strict=True) if c]
    bottom = [a for a, c in zip(table["area"], table["credibly_bottom"], strict=True) if c]

    when = (f"{b.period.month}–{b.period.month + months - 1}/{b.period.year}" if months > 1
            else f"{b.period.month}/{b.period.year}")

    def title(lang: str) -> str:
        if months > 1:
            return label("title.benchmark_areas_period", lang, areas=label(f"benchmark.level.{level}", lang),
                         outcome=label(f"benchmark.outcome.{outcome}", lang), period=when)
        return label("title.benchmark_areas", lang, areas=label(f"benchmark.level.{level}", lang),
                     outcome=label(f"benchmark.outcome.{outcome}", lang))

    def figure(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        t = b.table.sort_values("gap_pp")
        with styled():
            fig, axes = new_figure(height=0.25 * len(t) + 1.5)
            ax = axes[0][0]
            y = np.arange(len(t))
            ax.errorbar(t["gap_pp"], y, xerr=1.96 * t["gap_se"], fmt="o", color=colour("pilot"), capsize=2,
                        label=label("gap_pp", lang))
            ax.plot(t["shrunk_gap_pp"], y, "D", color=colour("comparison"), label=label("shrunk_gap_pp", lang))
            ax.axvline(0, color="#777777", linewidth=0.8)
            ax.set_yticks(y, list(t["area"]))
            ax.set_xlabel(label("gap_pp", lang))
            ax.legend(fontsize=7, frameon=False)
            return finish(fig, title(lang), lang, synthetic=b.synthetic)

    def text(lang: str) -> str:
        none = label("benchmark.none", lang)
        return label("benchmark.text", lang, n=str(len(table)), r2=fmt_number(b.fit.r2, lang, 2),
                     top=", ".join(top) or none, bottom=", ".join(bottom) or none,
                     month=str(b.period.year) if outcome in ANNUAL_OUTCOMES else when,
                     outcome=label(f"benchmark.outcome.{outcome}", lang))

    ranking = AnalysisResult(key or f"benchmark_{level}s", title, table, figure, text,
                             {"r2": b.fit.r2, "tau2": b.tau2}, b.sources, b.synthetic,
                             {"spec_version": "v1", "period": b.period.isoformat(), "months": str(months),
                              "level": level, "outcome": outcome},
                             count_columns=("clients",), disclosure=p)
    ranks = _rank_sets(b, table, level)
    coef = b.fit.coefficients()
    model = AnalysisResult("benchmark_model", _title("title.benchmark_model"), coef, None,
                           lambda lang: label("benchmark.model.text", lang, n=str(b.fit.n),
                                              r2=fmt_number(b.fit.r2, lang, 2)),
                           {"r2": b.fit.r2}, b.sources, b.synthetic, {"spec_version": "v1"})
    return [ranking, ranks, model]


def _rank_sets(b: Benchmark, table: pd.DataFrame, level: str) -> AnalysisResult:
    """The rank-interval plot: each area's rank and its 95 % confidence set (joint), ordered by
    rank, with the comparison type of its peer group; the table lists the peers by type."""
    t = table.sort_values("rank")
    widths = (t["rank_high"] - t["rank_low"]).dropna()
    median_width = float(widths.median()) if len(widths) else float("nan")
    peers = (t.groupby("comparison_type")["area"].apply(lambda s: ", ".join(sorted(s))).reset_index()
             .rename(columns={"area": "areas"}))

    def figure(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure(height=0.25 * len(t) + 1.5)
            ax = axes[0][0]
            y = np.arange(len(t))
            ax.hlines(y, t["rank_low"], t["rank_high"], color=colour("comparison"), linewidth=2)
            ax.plot(t["rank"], y, "o", color=colour("pilot"), label=label("rank", lang))
            ax.set_yticks(y, list(t["area"]))
            ax.invert_yaxis()
            ax.set_xlabel(label("benchmark.rank_axis", lang))
            return finish(fig, label("title.benchmark_ranks", lang), lang, synthetic=b.synthetic)

    def text(lang: str) -> str:
        return label("benchmark.ranks.text", lang, n=str(len(t)), width=fmt_number(median_width, lang, 0),
                     types=str(peers["comparison_type"].nunique()))

    return AnalysisResult("benchmark_ranks", _title("title.benchmark_ranks"), peers, figure, text,
                          {"median_rank_set_width": median_width}, b.sources, b.synthetic,
                          {"spec_version": "v1", "level": level})


__all__ = ["benchmark_chapter", "process_chapter"]
