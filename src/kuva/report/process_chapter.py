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
from kuva.i18n import fmt_number, label
from kuva.privacy.engine import protect_table
from kuva.privacy.spec import Count, Ratio, TableSpec
from kuva.report.chapters import Chapter, ReportParams
from kuva.warehouse import Warehouse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kuva.benchmark.run import Benchmark


def _title(key: str) -> Callable[[str], str]:
    return lambda lang: label(key, lang)


def _has_events(wh: Warehouse) -> bool:
    return int(wh.table("process_events").count().to_pandas()) > 0


def _milestones(wh: Warehouse, params: ReportParams, sources: tuple[str, ...], synthetic: bool) -> AnalysisResult:
    from kuva.process.kpis import compliance_in_force
    from kuva.process.rules import rulebooks

    m = compliance_in_force(wh, rulebooks(), level="nation", start=params.start, end=params.end)
    m["quarter"] = [f"{d.year} Q{(d.month - 1) // 3 + 1}" for d in m["month"]]
    q = m.groupby(["rulebook", "rule", "quarter"], as_index=False)[["n_due", "n_met"]].sum()
    q["share_met"] = 100.0 * q["n_met"] / q["n_due"]
    spec = TableSpec(counts=(Count("n_due", ("rulebook", "rule", "quarter"), quantity="report_process_due"),
                             Count("n_met", ("rulebook", "rule", "quarter"), quantity="report_process_met")),
                     derived=(Ratio("share_met", "n_met", ("n_due",)),))
    p = protect_table(q, spec, resolve_policy(params.min_cell), name="process_milestones")
    table = p.frame
    ii = table[(table["rule"] == "initial_interview")].dropna(subset=["share_met"])
    last = ii[ii["quarter"] == ii["quarter"].max()] if len(ii) else ii
    share = float(last["share_met"].iloc[-1]) if len(last) else float("nan")

    def figure(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure()
            ax = axes[0][0]
            for i, (rule, sub) in enumerate(table.groupby("rule", sort=True)):
                ax.plot(sub["quarter"], sub["share_met"], marker="o", color=colour(str(rule), i),
                        label=label(f"process.rule.{rule}", lang))
            ax.set_ylabel(label("share_met", lang))
            ax.set_ylim(0, 100)
            ax.tick_params(axis="x", labelrotation=90)
            ax.legend(fontsize=7, frameon=False)
            return finish(fig, label("title.process_milestones", lang), lang, synthetic=synthetic)

    def text(lang: str) -> str:
        return label("process.milestones.text", lang, share=fmt_number(share, lang, 1),
                     quarter=str(last["quarter"].iloc[0]) if len(last) else "–")

    return AnalysisResult("process_milestones", _title("title.process_milestones"), table, figure, text,
                          {"share_initial_interview": share}, sources, synthetic,
                          {"level": "nation"},
                          count_columns=("n_due", "n_met"), disclosure=p)


def _plan_debt(wh: Warehouse, params: ReportParams, sources: tuple[str, ...], synthetic: bool) -> AnalysisResult:
    from kuva.process.publish import plan_debt

    p = plan_debt(wh, min_cell=params.min_cell, level="nation", start=params.start, end=params.end)
    table = p.frame.drop(columns=["level"])
    valid = table.dropna(subset=["plan_debt_share"])
    share = float(valid["plan_debt_share"].iloc[-1]) if len(valid) else float("nan")

    def figure(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure()
            ax = axes[0][0]
            ax.plot(pd.to_datetime(table["month_end"]), table["plan_debt_share"], color=colour("pilot"))
            ax.set_ylabel(label("plan_debt_share", lang))
            ax.set_ylim(bottom=0)
            return finish(fig, label("title.process_plan_debt", lang), lang, synthetic=synthetic)

    def text(lang: str) -> str:
        when = valid["month_end"].iloc[-1] if len(valid) else None
        return label("process.plan_debt.text", lang, share=fmt_number(share, lang, 1),
                     month=f"{when.month}/{when.year}" if isinstance(when, date) else "–")

    return AnalysisResult("process_plan_debt", _title("title.process_plan_debt"), table, figure, text,
                          {"plan_debt_share": share}, sources, synthetic, {"level": "nation"},
                          count_columns=("open_spells", "plan_debt"), disclosure=p)


def _routes(wh: Warehouse, params: ReportParams, sources: tuple[str, ...], synthetic: bool) -> AnalysisResult:
    from kuva.process.kpis import referral_routes

    r = referral_routes(wh, level="nation", start=params.start, end=params.end)
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
    table = p.frame
    social = table[table["origin_sector"] == "social_services"]["share_pct"]
    share = float(social.iloc[0]) if len(social) and pd.notna(social.iloc[0]) else float("nan")

    def figure(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure(height=2.8)
            ax = axes[0][0]
            names = [f"{label('sector.' + o, lang)} → {label('sector.' + d, lang)}"
                     for o, d in zip(table["origin_sector"], table["destination_sector"], strict=True)]
            ax.barh(names, np.nan_to_num(table["share_pct"].to_numpy(dtype=float)), color=colour("pilot"))
            ax.set_xlabel(label("share_pct", lang))
            ax.invert_yaxis()
            return finish(fig, label("title.process_routes", lang), lang, synthetic=synthetic)

    def text(lang: str) -> str:
        return label("process.routes.text", lang, share=fmt_number(share, lang, 0))

    return AnalysisResult("process_routes", _title("title.process_routes"), table, figure, text,
                          {"share_social_services": share}, sources, synthetic, {"level": "nation"},
                          count_columns=("referrals", "realised", "unrealised", "all_referrals"), disclosure=p)


def process_chapter(wh: Warehouse, params: ReportParams) -> Chapter | None:
    """The service-process chapter; None when the warehouse has no event log."""
    if not _has_events(wh):
        return None
    from kuva.process.kpis import event_sources

    sources, synthetic = event_sources(wh)
    results = [_milestones(wh, params, sources, synthetic), _plan_debt(wh, params, sources, synthetic),
               _routes(wh, params, sources, synthetic)]
    return Chapter.from_labels("process", results)


def benchmark_chapter(wh: Warehouse, params: ReportParams) -> Chapter | None:
    """The benchmark of the pilot areas (latest month with data) and the model's coefficients."""
    from kuva.benchmark.run import benchmark, latest_period, publish

    b = benchmark(wh, params.end or latest_period(wh), level="pilot_area")
    p = publish(b, min_cell=params.min_cell)
    cols = ["area", "clients", "actual", "expected", "gap_pp", "shrunk_gap_pp", "rank", "rank_low", "rank_high",
            "credibly_top", "credibly_bottom", "comparison_type", "suppressed"]
    table = p.frame[cols]
    top = [a for a, c in zip(table["area"], table["credibly_top"], strict=True) if c]
    bottom = [a for a, c in zip(table["area"], table["credibly_bottom"], strict=True) if c]

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
            return finish(fig, label("title.benchmark_pilot_areas", lang), lang, synthetic=b.synthetic)

    def text(lang: str) -> str:
        none = label("benchmark.none", lang)
        return label("benchmark.text", lang, n=str(len(table)), r2=fmt_number(b.fit.r2, lang, 2),
                     top=", ".join(top) or none, bottom=", ".join(bottom) or none,
                     month=f"{b.period.month}/{b.period.year}")

    ranking = AnalysisResult("benchmark_pilot_areas", _title("title.benchmark_pilot_areas"), table, figure, text,
                             {"r2": b.fit.r2, "tau2": b.tau2}, b.sources, b.synthetic,
                             {"spec_version": "v1", "period": b.period.isoformat(), "level": "pilot_area"},
                             count_columns=("clients",), disclosure=p)
    ranks = _rank_sets(b, table)
    coef = b.fit.coefficients()
    model = AnalysisResult("benchmark_model", _title("title.benchmark_model"), coef, None,
                           lambda lang: label("benchmark.model.text", lang, n=str(b.fit.n),
                                              r2=fmt_number(b.fit.r2, lang, 2)),
                           {"r2": b.fit.r2}, b.sources, b.synthetic, {"spec_version": "v1"})
    return Chapter.from_labels("benchmark", [ranking, ranks, model])


def _rank_sets(b: Benchmark, table: pd.DataFrame) -> AnalysisResult:
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
                          {"spec_version": "v1", "level": "pilot_area"})


__all__ = ["benchmark_chapter", "process_chapter"]
