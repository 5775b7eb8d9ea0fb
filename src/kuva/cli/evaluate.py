"""``kuva evaluate``: the pilots' effect with every design side by side."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast, get_args

import typer

from kuva.cli.app import app, state
from kuva.cli.output import choice, out, parse_month, progress
from kuva.errors import KuvaInputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from kuva.effects.battery import BatteryUnit
    from kuva.effects.panel import Comparison, Outcome
    from kuva.evaluate.dynamic import DynamicMatchingResults
    from kuva.evaluate.survival import SubdistributionHazardResults
    from kuva.process.costs import UnitCosts


def _person_level(ctx: typer.Context, service_cost: float | None = None, daily_benefit: float | None = None,
                  unit_costs: Path | None = None) -> None:
    import math

    from kuva.process.costs import first_service_types, load_unit_costs
    from kuva.process.outcomes import (
        LANDMARK_DAYS,
        client_spells,
        exit_curves,
        exit_incidence,
        service_effect_discrete,
        service_effect_fine_gray,
        service_effect_matched,
        service_effect_on_exits,
    )
    from kuva.warehouse.query import source_sensitivity

    s = state(ctx).settings()
    costs = load_unit_costs(unit_costs)  # a bad table stops here, before the long estimates
    with state(ctx).open_warehouse() as wh:
        spells = client_spells(wh)
        r = service_effect_on_exits(wh, spells=spells)
        daily = service_effect_discrete(wh, spells=spells)
        try:
            subdistribution: SubdistributionHazardResults | str = service_effect_fine_gray(wh, spells=spells)
        except KuvaInputError as exc:  # e.g. no spell still open at the landmark ends in work
            subdistribution = str(exc)
        curves = exit_curves(wh, spells=spells)
        incidence = exit_incidence(wh, spells=spells)
        matched = service_effect_matched(wh, spells=spells)
        types = first_service_types(wh, spells)
        sources = {k: v for k, v in source_sensitivity(wh).items() if k.startswith(("synthetic:process", "process:"))}
    out.print(str(r.summary()))
    lo, hi = r.conf_int()
    out.print(f"Hazard ratio of exit to work after a service starts: {r.hazard_ratio:.3f} "
              f"(95 % CI {math.exp(lo):.3f}–{math.exp(hi):.3f})")
    dlo, dhi = daily.conf_int()
    out.print(f"The same in the discrete-time hazard model (daily periods, cloglog): {daily.hazard_ratio:.3f} "
              f"(95 % CI {math.exp(dlo):.3f}–{math.exp(dhi):.3f})")
    head = (f"Subdistribution hazard ratio of exit to work after day {LANDMARK_DAYS}, service by then vs not "
            "(Fine–Gray): ")
    if isinstance(subdistribution, str):
        out.print(f"{head}not estimable ({subdistribution})")
    else:
        flo, fhi = subdistribution.conf_int()
        out.print(f"{head}{subdistribution.hazard_ratio:.3f} (95 % CI {math.exp(flo):.3f}–{math.exp(fhi):.3f}; "
                  "exits to education and other stay at risk)")
    sizes = {str(g): int(n) for g, n in curves.n.items()}
    for g, med in curves.medians.items():
        n = sizes[str(g)]
        small = n < s.min_cell
        shown = "hidden (fewer than the minimum cell)" if small else (
            f"{med:.0f} days" if med == med else "not reached")
        out.print(f"Median time to exit to work, {g}: {shown} (n = {'–' if small else n})")
    # competing risks: where the spells end within a year (groups below the minimum cell hidden)
    year = incidence.at(365.0)
    for group, sub in year.groupby("group", sort=True):
        g = str(group)
        if int(incidence.n[group]) < s.min_cell:
            out.print(f"Within a year, {g}: hidden (fewer than the minimum cell)")
            continue
        parts = [f"{c} {100 * float(cif):.1f} % ({100 * float(lo):.1f}–{100 * float(hi):.1f})"
                 for c, cif, lo, hi in zip(sub["cause"], sub["cif"], sub["ci_low"], sub["ci_high"], strict=True)]
        out.print(f"Within a year, {g} (cumulative incidence, competing risks): " + "; ".join(parts))
    # dynamic matching: starting a service now vs not yet (same elapsed days, age group and language)
    if matched.below_min_cell(s.min_cell):
        out.print("Dynamic matching: hidden (fewer treated clients than the minimum cell)")
    else:
        lo, hi = matched.conf_int()
        out.print(f"Dynamic matching, exit to work within {matched.horizon} days, service now vs not yet: "
                  f"{100 * matched.estimate:+.1f} percentage points (95 % CI {100 * lo:+.1f} to {100 * hi:+.1f}; "
                  f"treated {100 * matched.cif_treated:.1f} %, comparison {100 * matched.cif_comparison:.1f} %; "
                  f"{matched.n_treated} treated, {matched.n_trimmed} without overlap trimmed; largest |SMD| after "
                  f"weighting {matched.max_abs_smd:.3f})")
        out.print(f"Days unemployed within {matched.horizon} days, service now vs not yet: "
                  f"{matched.days_effect:+.1f} (SE {matched.days_effect_se:.1f})")
        _net_cost(matched, costs, types, service_cost, daily_benefit)
    _spell_costs(spells, types, costs, s.min_cell)
    _pilot_cohorts(ctx, s.min_cell)
    _wellbeing_exits(ctx, s.min_cell)
    if any(k.startswith("synthetic:") for k in sources):
        out.print("Note: SYNTHETIC event log; compare with the planted hazard ratio of the simulation.")


def _net_cost(matched: DynamicMatchingResults, costs: UnitCosts, types: np.ndarray, service_cost: float | None,
              daily_benefit: float | None) -> None:
    """The net cost of one more exit to work: the service's price and the daily benefit from the
    options, else from the unit-cost table (the mean price of the services started)."""
    from kuva.process.costs import cost_per_treated

    benefit = costs.benefit_per_day if daily_benefit is None else daily_benefit
    if service_cost is None:
        service_cost, unpriced = cost_per_treated(types, costs)
        if service_cost is None:
            out.print(f"Net cost per additional exit to work: needs the price of {', '.join(unpriced)} "
                      f"(--service-cost, or --unit-costs with them; {costs.source} leaves them empty)")
            return
    cost, low, high = matched.cost_per_additional_exit(service_cost, benefit)
    bounds = (f"95 % CI {low:,.0f}–{high:,.0f}" if low == low else
              "no upper bound: the effect's interval reaches zero")
    out.print(f"Net cost per additional exit to work (service {service_cost:,.0f} €, benefit "
              f"{benefit:,.2f} €/day): {cost:,.0f} € ({bounds})")


def _spell_costs(spells: pd.DataFrame, types: np.ndarray, costs: UnitCosts, min_cell: int) -> None:
    """Mean benefit days and euros, and service euros, per spell by whether it had a service."""
    from kuva.process.costs import cost_summary

    t = cost_summary(spells, types, costs)
    for group, n, days, benefit, euros in zip(t["group"], t["spells"].astype(int), t["benefit_days"].astype(float),
                                             t["benefit_euros"].astype(float), t["service_euros"].astype(float),
                                             strict=True):
        if n < min_cell:
            out.print(f"Costs per spell, {group}: hidden (fewer spells than the minimum cell)")
            continue
        service = f"{euros:,.0f} €" if euros == euros else "not priced in the table"
        out.print(f"Costs per spell, {group} ({n} spells; unit costs {costs.year}, {costs.source}): "
                  f"{days:.0f} benefit days, {benefit:,.0f} € benefit (every day on full benefit), "
                  f"services {service}")


def _pilot_cohorts(ctx: typer.Context, min_cell: int) -> None:
    """The pilots' effect on exits to work within 180 days: the DiD of inflow cohorts."""
    from kuva.indicators.groups import PILOT_START
    from kuva.process.outcomes import pilot_effect

    with state(ctx).open_warehouse() as wh:
        p = pilot_effect(wh, horizon_days=180)
    if p.did is None:
        out.print(f"Pilot municipalities vs others, inflow cohorts: not estimable from this log ({p.did_reason})")
        return
    if p.below_min_cell(min_cell):
        out.print("Pilot municipalities vs others, inflow cohorts: hidden (fewer treated clients than the minimum "
                  "cell)")
        return
    r = p.did
    lo, hi = r.conf_int()
    boot = f"; wild cluster bootstrap {100 * r.bootstrap.ci_low:+.1f} to {100 * r.bootstrap.ci_high:+.1f}" if (
        r.bootstrap is not None) else ""
    out.print(f"Pilot municipalities vs others, exit to work within 180 days of registering (DiD of inflow cohorts "
              f"before and from {PILOT_START:%m/%Y}): {100 * r.estimate:+.1f} percentage points (95 % CI "
              f"{100 * lo:+.1f} to {100 * hi:+.1f}{boot}; {p.n_treated} treated clients, {r.n_clusters} "
              "municipalities)")
    es = p.event_study
    if es is None:
        out.print(f"Pre-trend test by cohort quarter: not estimable from this log ({p.event_study_reason})")
        return
    out.print(f"Pre-trend test by cohort quarter (the {es.pretrend.df} quarters before {PILOT_START:%m/%Y} against "
              f"the last one, jointly): F = {es.pretrend.f_statistic:.2f}, p = {es.pretrend.p_value_f:.3f}; "
              "by quarter from the start: " + ", ".join(f"{100 * c:+.1f}" for e, c in
                                                          zip(es.event_times, es.coefficients, strict=True) if e >= 0)
              + " percentage points")


def _wellbeing_exits(ctx: typer.Context, min_cell: int) -> None:
    """Kykyviisari work-ability change linked to later exits to work (when there are answers)."""
    from kuva.errors import KuvaLookupError
    from kuva.wellbeing.exits import HORIZON_DAYS, change_exit_model, change_exit_panel

    with state(ctx).open_warehouse() as wh:
        try:
            panel = change_exit_panel(wh)
        except KuvaLookupError:
            return
    if len(panel) < min_cell:
        if len(panel):
            out.print("Kykyviisari change and later exits: hidden (fewer respondents than the minimum cell)")
        return
    try:
        r = change_exit_model(panel)
    except KuvaInputError as exc:
        out.print(f"Kykyviisari change and later exits: not estimable ({exc})")
        return
    lo, hi = r.conf_int()
    out.print(f"Kykyviisari work ability, one point more from the first to the second answer: {r.estimate:+.1f} "
              f"percentage points in exits to work within {HORIZON_DAYS} days at the same starting level (95 % CI "
              f"{lo:+.1f} to {hi:+.1f}; {r.n_units} respondents, {r.exit_rate:.1f} % exited to work; an "
              "association, not an effect)")


@app.command()
def evaluate(
    ctx: typer.Context,
    outcome: Annotated[
        str, typer.Option(help="activation_rate, unemployment_share or log_unemployed.")
    ] = "activation_rate",
    design: Annotated[
        str, typer.Option(help="did, event, cs, sa, synth, sdid, all, or a comma-separated list.")
    ] = "all",
    areas: Annotated[
        list[str] | None, typer.Option("--areas", "-a", help="Pilot areas to evaluate (repeatable); default all 25.")
    ] = None,
    comparison: Annotated[
        str, typer.Option(help="Comparison units: rest, sub_region or matched_shock (matched on the 2020 COVID shock).")
    ] = "rest",
    unit: Annotated[str, typer.Option(help="Unit of analysis: area (pilot-area aggregates) or municipality.")] = "area",
    start: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM (default 2018-01).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM (default 2023-12).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap and placebo draws.")] = 2021,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write tables (CSV), figures (PNG) and the summary here.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of figure labels: fi, sv or en.")] = "en",
    level: Annotated[str, typer.Option("--level", help="area (the pilots' effect on area aggregates) or person "
                                                       "(services' effect on clients' exits, from the event log)."
                                       )] = "area",
    service_cost: Annotated[float | None, typer.Option("--service-cost", help="With --level person: euros a "
                                                       "service costs per client who starts one; prints the net "
                                                       "cost per additional exit to work.")] = None,
    daily_benefit: Annotated[float | None, typer.Option("--daily-benefit", help="With --level person: euros of "
                                                        "benefit per calendar day unemployed (fewer days are a "
                                                        "saving); default from the unit-cost table.")] = None,
    unit_costs: Annotated[Path | None, typer.Option("--unit-costs", help="With --level person: the unit-cost "
                                                    "table (CSV: item, service_type, unit, euros, year, source; "
                                                    "default the bundled one, which prices the benefit only).")
                          ] = None,
) -> None:
    """Estimate the effect of the 2021–2024 pilots with every design side by side (a specification
    curve): two-way fixed-effects DiD with wild cluster bootstrap, event study with pre-trend test,
    Callaway–Sant'Anna, Sun–Abraham, synthetic control with placebo inference, synthetic DiD.
    With --level person: the hazard ratio of exit to work after a service starts (Cox model with
    a time-varying treatment) and Kaplan–Meier medians, from the service-process event log."""
    if choice("--level", level, ("area", "person")) == "person":
        _person_level(ctx, service_cost, daily_benefit, unit_costs)
        return
    for name, given in (("--service-cost", service_cost), ("--daily-benefit", daily_benefit),
                        ("--unit-costs", unit_costs)):
        if given is not None:
            raise KuvaInputError(f"{name} needs --level person")
    from kuva.effects import battery as battery_module
    from kuva.effects import panel as panel_module
    from kuva.i18n import check_lang

    outcome_ = cast("Outcome", choice("--outcome", outcome, get_args(panel_module.Outcome)))
    comparison_ = cast("Comparison", choice("--comparison", comparison, get_args(panel_module.Comparison)))
    unit_ = cast("BatteryUnit", choice("--unit", unit, get_args(battery_module.BatteryUnit)))
    figure_lang = check_lang(lang, name="--lang")
    pilots_csv = state(ctx).settings().pilots_csv
    with state(ctx).open_warehouse() as wh, progress() as bar:
        bar.add_task("Estimating", total=None)
        battery = battery_module.evaluate_cli(
            wh, outcome=outcome_, design=design, areas=areas, comparison=comparison_,
            unit=unit_, start=parse_month(start, "--from"), end=parse_month(end, "--to"),
            seed=seed, out_dir=out_dir, lang=figure_lang, pilots_csv=pilots_csv,
        )
        synthetic = battery.data.synthetic
        truth = (battery_module.planted_gap(wh, start=battery.data.treat_start, end=battery.data.end)
                 if synthetic else None)
    out.print(str(battery.summary()))
    if battery.data.synthetic:
        out.print("Note: the panel rests on SYNTHETIC data; the estimates show what the designs recover.")
        if truth is not None:
            out.print(f"Planted effect (synthetic truth, mean gap over the post-period): {truth:.3f} pp")
    if out_dir is not None:
        out.print(f"Wrote tables, figures and summary to {out_dir}")
