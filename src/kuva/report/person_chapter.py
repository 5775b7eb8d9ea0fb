"""The report's person-level chapter ("Henkilötason vaikutukset" / "Effekter på personnivå" /
"Person-level effects"), listed as ``person`` (order 65) in :data:`kuva.report.builtin.CHAPTERS`.

From the service-process event log (docs/person-level.md): time to exit to work by whether a
service started (Kaplan–Meier, descriptive), the services' effect (dynamic matching against
not-yet-treated clients and the Cox model with a time-varying treatment), and the pilots' effect
on exits to work (difference-in-differences of inflow cohorts and its event study). With
``--area`` the first two are the area's clients; for a pilot area the third compares its
municipalities with the non-pilot ones.

Every table passes the disclosure engine: the persons behind a figure are its counts, and every
estimate, interval and median is a value derived from them — hidden when they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva.analysis.inputs import resolve_policy
from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaInputError
from kuva.evaluate.contract import critical_value
from kuva.i18n import fmt_number, label
from kuva.privacy.engine import protect_table
from kuva.privacy.spec import Count, Derived, TableSpec
from kuva.report.chapters import Chapter, ReportParams
from kuva.warehouse import Warehouse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kuva.process.outcomes import PilotEffect

#: the horizon (days) of the matched effect, the pilots' cohorts and the incidence shown
HORIZON_DAYS = 180
YEAR_DAYS = 365
#: below this p-value of the joint pre-trend test the text warns that the design is in doubt
PRETREND_ALPHA = 0.05
#: the table's code of each group of :func:`kuva.process.outcomes.service_groups`
GROUP_CODE = {"service": "service", "no service": "no_service"}
#: the figure's Kaplan–Meier curves are read at every this many days (no single exit's day shows)
GRID_DAYS = 30


def _title(key: str) -> Callable[[str], str]:
    return lambda lang: label(key, lang)


def _n(value: object, lang: str, decimals: int = 1) -> str:
    v = float(value) if isinstance(value, int | float | np.floating) else float("nan")
    return fmt_number(v, lang, decimals) if np.isfinite(v) else "–"


def _as_of(params: ReportParams) -> date | None:
    """The report's last month's last day (``--to``), or none: the log's last date."""
    if params.end is None:
        return None
    return (pd.Timestamp(params.end) + pd.offsets.MonthEnd(0)).date()


def _scope(params: ReportParams) -> tuple[str, str]:
    """(code, kind) of whose clients the chapter shows: the report's area, or the whole country."""
    return (params.area.code, params.area.kind) if params.area is not None else ("SSS", "country")


def _scope_name(params: ReportParams, lang: str) -> str:
    return params.area.name(lang) if params.area is not None else label("SSS", lang)


def _on_grid(curve: pd.DataFrame, step: int = GRID_DAYS) -> pd.DataFrame:
    """A Kaplan–Meier curve (``time, survival, ci_low, ci_high``) read every ``step`` days: the
    figure shows no single client's exit day."""
    times = curve["time"].to_numpy(dtype=float)
    grid = np.arange(0.0, float(times.max()) + step, step) if len(times) else np.array([0.0])
    at = np.searchsorted(times, grid, side="right") - 1
    out = {"time": grid}
    for c in ("survival", "ci_low", "ci_high"):
        v = curve[c].to_numpy(dtype=float)
        out[c] = np.where(at >= 0, v[np.maximum(at, 0)], 1.0)
    return pd.DataFrame(out)


def _exit_curves(wh: Warehouse, spells: pd.DataFrame, params: ReportParams, sources: tuple[str, ...],
                 synthetic: bool) -> AnalysisResult:
    from kuva.process.outcomes import exit_curves, exit_incidence, service_groups

    code, _ = _scope(params)
    groups = service_groups(spells)
    work = (spells["exit_type"] == "exit_work").to_numpy(dtype=int)
    curves = exit_curves(wh, spells=spells)
    year = exit_incidence(wh, spells=spells).at(float(YEAR_DAYS))
    year = year[year["cause"] == "work"].set_index("group")
    rows = []
    for g in sorted(set(groups)):
        inside = groups == g
        rows.append({"group": GROUP_CODE[g], "spells": int(inside.sum()),
                     "exits_work": int(work[inside].sum()), "median_days": float(curves.medians[g]),
                     # a group without exits to work has no incidence curve of them: 0
                     **{c: 100 * float(year[v].get(g, 0.0))
                        for c, v in (("work_within_year", "cif"), ("ci_low", "ci_low"), ("ci_high", "ci_high"))}})
    raw = pd.DataFrame(rows)
    at = (("area", code),)
    spec = TableSpec(counts=(Count("spells", ("group",), quantity="report_person_spells", at=at),
                             Count("exits_work", ("group",), quantity="report_person_exits_work", at=at)),
                     derived=tuple(Derived(c, ("spells", "exits_work"))
                                   for c in ("median_days", "work_within_year", "ci_low", "ci_high")),
                     decimals={"median_days": 0, "work_within_year": 1, "ci_low": 1, "ci_high": 1})
    p = protect_table(raw, spec, resolve_policy(params.min_cell), name="person_exit_curves")
    table = p.frame
    # a curve is drawn only where its spells and exits are both shown (a derived value is hidden
    # with either count)
    shown = {g: bool(pd.notna(v)) for g, v in zip(table["group"], table["work_within_year"], strict=True)}
    value = dict(zip(table["group"], table["work_within_year"], strict=True))

    def figure(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        with styled():
            fig, axes = new_figure()
            ax = axes[0][0]
            for g, sub in curves.curves.groupby("group", sort=True):
                key = GROUP_CODE[str(g)]
                if not shown.get(key, False):
                    continue
                grid = _on_grid(sub)
                c = colour(key, 0 if key == "service" else 1)
                ax.step(grid["time"], grid["survival"], where="post", color=c, label=label(f"group.{key}", lang))
                ax.fill_between(grid["time"], grid["ci_low"], grid["ci_high"], step="post", alpha=0.15, color=c,
                                linewidth=0)
            ax.set_xlabel(label("person.days_since_registration", lang))
            ax.set_ylabel(label("person.share_without_work_exit", lang))
            ax.set_ylim(0, 1)
            if ax.get_lines():
                ax.legend(fontsize=7, frameon=False)
            else:
                ax.text(0.5, 0.5, label("figure.hidden_cells", lang), ha="center", va="center",
                        transform=ax.transAxes)
            return finish(fig, label("title.person_exit_curves", lang) + f": {_scope_name(params, lang)}", lang,
                          synthetic=synthetic)

    def text(lang: str) -> str:
        if not any(pd.notna(v) for v in value.values()):
            return label("person.hidden", lang, area=_scope_name(params, lang))
        return label("person.exit_curves.text", lang, area=_scope_name(params, lang),
                     service=_n(value.get("service"), lang), no_service=_n(value.get("no_service"), lang))

    return AnalysisResult("person_exit_curves", _title("title.person_exit_curves"), table, figure, text,
                          {"work_within_year_service": float(value.get("service", np.nan)),
                           "work_within_year_no_service": float(value.get("no_service", np.nan))},
                          sources, synthetic, {"area": code, "outcome_version": "v1"},
                          count_columns=("spells", "exits_work"), disclosure=p)


def _ratio(logs: Sequence[float]) -> list[float]:
    """Hazard ratios from log hazard ratios; a bound beyond ±700 (a few spells, a huge SE) is
    infinite rather than an overflow."""
    with np.errstate(over="ignore"):
        return [float(v) for v in np.exp(np.asarray(logs, dtype=float))]


def _service_effect(wh: Warehouse, spells: pd.DataFrame, params: ReportParams, sources: tuple[str, ...],
                    synthetic: bool) -> AnalysisResult:
    import math

    from kuva.process.outcomes import (
        LANDMARK_DAYS,
        landmark_frame,
        service_effect_discrete,
        service_effect_fine_gray,
        service_effect_matched,
        service_effect_on_exits,
    )

    code, _ = _scope(params)
    treated_spells = int(spells["service_start"].notna().sum())
    if treated_spells < resolve_policy(params.min_cell).min_cell:  # every figure would be hidden: not estimated
        raise KuvaInputError(label("person.hidden", params.lang, area=_scope_name(params, params.lang)))
    m = service_effect_matched(wh, horizon=HORIZON_DAYS, spells=spells)
    cox = service_effect_on_exits(wh, spells=spells)
    daily = service_effect_discrete(wh, spells=spells)
    n_landmark = int(landmark_frame(spells, LANDMARK_DAYS)["treated"].sum())  # a service by the landmark
    try:
        fine_gray = service_effect_fine_gray(wh, spells=spells, landmark=LANDMARK_DAYS)
        fg = (fine_gray.estimate, *fine_gray.conf_int())
    except KuvaInputError:  # e.g. no spell of a small area still open at the landmark ends in work
        fg = (math.nan, math.nan, math.nan)
    lo, hi = m.conf_int()
    c_lo, c_hi = cox.conf_int()
    d_lo, d_hi = daily.conf_int()
    z = critical_value(0.05)
    raw = pd.DataFrame({
        "design": ["dynamic_matching", "dynamic_matching_days", "cox_time_varying", "discrete_time_hazard",
                   "fine_gray_landmark"],
        "unit": ["percentage_points", "days", "hazard_ratio", "hazard_ratio", "subdistribution_hazard_ratio"],
        "estimate": [100 * m.estimate, m.days_effect, *_ratio((cox.estimate, daily.estimate, fg[0]))],
        "ci_low": [100 * lo, m.days_effect - z * m.days_effect_se, *_ratio((c_lo, d_lo, fg[1]))],
        "ci_high": [100 * hi, m.days_effect + z * m.days_effect_se, *_ratio((c_hi, d_hi, fg[2]))],
        "n_treated": [m.n_treated, m.n_treated, treated_spells, treated_spells, n_landmark],
    })
    at = (("area", code),)
    spec = TableSpec(counts=(Count("n_treated", ("design",), quantity="report_person_treated", at=at),),
                     derived=tuple(Derived(c, ("n_treated",)) for c in ("estimate", "ci_low", "ci_high")),
                     decimals={"estimate": 3, "ci_low": 3, "ci_high": 3})
    p = protect_table(raw, spec, resolve_policy(params.min_cell), name="person_service_effect")
    table = p.frame
    est = dict(zip(table["design"], zip(table["estimate"], table["ci_low"], table["ci_high"], strict=True),
                   strict=True))

    def text(lang: str) -> str:
        pp, days, hr = est["dynamic_matching"], est["dynamic_matching_days"], est["cox_time_varying"]
        if not pd.notna(pp[0]):
            return label("person.hidden", lang, area=_scope_name(params, lang))
        return label("person.service_effect.text", lang, horizon=str(HORIZON_DAYS), pp=_n(pp[0], lang),
                     pp_low=_n(pp[1], lang), pp_high=_n(pp[2], lang), days=_n(days[0], lang),
                     hr=_n(hr[0], lang, 2), hr_low=_n(hr[1], lang, 2), hr_high=_n(hr[2], lang, 2))

    return AnalysisResult("person_service_effect", _title("title.person_service_effect"), table, None, text,
                          {"matched_effect_pp": float(table["estimate"].iloc[0]),
                           "hazard_ratio": float(table["estimate"].iloc[2])},
                          sources, synthetic, {"area": code, "horizon_days": str(HORIZON_DAYS), "strata":
                                               "age_group, language", "bootstrap": f"Bayesian, {m.reps}"},
                          count_columns=("n_treated",), disclosure=p)


def pilot_effect_result(effect: PilotEffect, params: ReportParams, sources: tuple[str, ...],
                        synthetic: bool) -> AnalysisResult:
    """The pilots' effect on exits to work within :data:`HORIZON_DAYS` of registering (an
    estimable :class:`~kuva.process.outcomes.PilotEffect`): the DiD row and the event study's
    quarters in percentage points, all hidden when the treated clients are fewer than the
    minimum cell. Used by the report and the pilot area's page."""
    from kuva.indicators.groups import PILOT_START

    did = effect.did
    if did is None:
        raise ValueError("pilot_effect_result needs an estimable effect")
    code, _ = _scope(params)
    lo, hi = did.conf_int()
    boot = did.bootstrap
    rows: list[dict[str, object]] = [
        {"term": "did", "event_time": None, "estimate": 100 * did.estimate, "ci_low": 100 * lo, "ci_high": 100 * hi,
         "wcr_ci_low": 100 * boot.ci_low if boot else np.nan, "wcr_ci_high": 100 * boot.ci_high if boot else np.nan}]
    es = effect.event_study
    if es is not None:
        q = es.coefficients_frame()
        rows += [{"term": "quarter", "event_time": int(e), "estimate": 100 * float(b), "ci_low": 100 * float(low),
                  "ci_high": 100 * float(high), "wcr_ci_low": np.nan, "wcr_ci_high": np.nan}
                 for e, b, low, high in zip(q["event_time"], q["estimate"], q["ci_low"], q["ci_high"], strict=True)]
    raw = pd.DataFrame(rows).assign(n_treated=effect.n_treated)
    raw["event_time"] = raw["event_time"].astype("Int64")
    derived = ("estimate", "ci_low", "ci_high", "wcr_ci_low", "wcr_ci_high")
    spec = TableSpec(counts=(Count("n_treated", (), quantity="report_person_pilot_treated", at=(("area", code),)),),
                     derived=tuple(Derived(c, ("n_treated",)) for c in derived),
                     decimals=dict.fromkeys(derived, 2))
    p = protect_table(raw, spec, resolve_policy(params.min_cell), name="person_pilot_cohorts")
    table = p.frame
    head = table.iloc[0]
    pretrend_p = float(es.pretrend.p_value_f) if es is not None and pd.notna(head["estimate"]) else float("nan")

    def figure(lang: str) -> Figure:
        from kuva.analysis.style import colour, finish, new_figure, styled

        q = table[table["term"] == "quarter"]
        with styled():
            fig, axes = new_figure()
            ax = axes[0][0]
            x = np.append(q["event_time"].to_numpy(dtype=float), -1.0)
            y = np.append(q["estimate"].to_numpy(dtype=float), 0.0)
            low = np.append(q["ci_low"].to_numpy(dtype=float), 0.0)
            high = np.append(q["ci_high"].to_numpy(dtype=float), 0.0)
            order = np.argsort(x)
            x, y, low, high = x[order], y[order], low[order], high[order]
            if np.isfinite(y).any():
                ax.errorbar(x, y, yerr=[y - low, high - y], fmt="o", color=colour("pilot"), capsize=2)
            else:
                ax.text(0.5, 0.5, label("figure.hidden_cells", lang), ha="center", va="center",
                        transform=ax.transAxes)
            ax.axhline(0, color="#777777", linewidth=0.8)
            ax.axvline(-0.5, color="#777777", linewidth=0.8, linestyle="--")
            ax.set_xlabel(label("person.cohort_quarter", lang))
            ax.set_ylabel(label("person.pilot_effect_axis", lang, horizon=str(HORIZON_DAYS)))
            return finish(fig, label("title.person_pilot_cohorts", lang) + f": {_scope_name(params, lang)}", lang,
                          synthetic=synthetic)

    def text(lang: str) -> str:
        if not pd.notna(head["estimate"]):
            return label("person.hidden", lang, area=_scope_name(params, lang))
        out = label("person.pilot.text", lang, horizon=str(HORIZON_DAYS), start=f"{PILOT_START:%m/%Y}",
                    pp=_n(head["estimate"], lang), low=_n(head["wcr_ci_low"], lang),
                    high=_n(head["wcr_ci_high"], lang), n=fmt_number(float(effect.n_treated), lang, 0),
                    municipalities=str(did.n_clusters))
        if es is not None:
            key = "person.pilot.pretrend" if pretrend_p >= PRETREND_ALPHA else "person.pilot.pretrend_failed"
            out += " " + label(key, lang, p=_n(pretrend_p, lang, 3))
        return out

    return AnalysisResult("person_pilot_cohorts", _title("title.person_pilot_cohorts"), table, figure, text,
                          {"pilot_effect_pp": float(head["estimate"]), "pretrend_p_value": pretrend_p},
                          sources, synthetic, {"area": code, "horizon_days": str(HORIZON_DAYS),
                                               "start": PILOT_START.isoformat()},
                          count_columns=("n_treated",), disclosure=p)


def person_chapter(wh: Warehouse, params: ReportParams) -> Chapter | None:
    """The person-level chapter; None when the warehouse has no event log."""
    from kuva.process.kpis import event_sources
    from kuva.process.outcomes import client_spells, pilot_effect

    if int(wh.table("process_events").count().to_pandas()) == 0:
        return None
    sources, synthetic = event_sources(wh)
    as_of = _as_of(params)
    spells = client_spells(wh, as_of=as_of)
    if params.area is not None:
        spells = spells[spells["municipality_code"].isin(set(params.area.members))].reset_index(drop=True)
    omitted: list[tuple[str, str]] = []
    results: list[AnalysisResult] = []
    if len(spells) == 0:
        reason = label("person.no_spells", params.lang, area=_scope_name(params, params.lang))
        omitted += [("person_exit_curves", reason), ("person_service_effect", reason)]
    else:
        results.append(_exit_curves(wh, spells, params, sources, synthetic))
        try:
            results.append(_service_effect(wh, spells, params, sources, synthetic))
        except KuvaInputError as exc:  # e.g. no client of a small area started a service
            omitted.append(("person_service_effect", str(exc)))
    _, kind = _scope(params)
    if params.area is not None and kind != "pilot_area":
        omitted.append(("person_pilot_cohorts", label("person.pilot.not_pilot_area", params.lang)))
    else:
        treated = list(params.area.members) if params.area is not None else None
        effect = pilot_effect(wh, horizon_days=HORIZON_DAYS, as_of=as_of, treated=treated)
        if effect.did is None:
            omitted.append(("person_pilot_cohorts", str(effect.did_reason)))
        else:
            results.append(pilot_effect_result(effect, params, sources, synthetic))
    return Chapter.from_labels("person", results, omitted=omitted)


__all__ = ["HORIZON_DAYS", "person_chapter", "pilot_effect_result"]
