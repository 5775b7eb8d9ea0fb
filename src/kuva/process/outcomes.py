"""Outcomes per client spell from the event log, and the person-level effect of services on
exits (issue 16's duration design).

A **spell** starts at a registration and ends at the first exit after it (``exit_work``,
``exit_education``, ``exit_other``, ``exit_moved``), at the client's next registration, or is
censored at ``as_of``. Its **service start** is the first ``service_start`` inside the spell.
Definitions, version ``v1``:

- ``duration_days``: end − start (days); ``exit_type``: the exit's kind, or ``None`` (censored
  or re-registered);
- for the hazard of ``exit_work``, other exits and re-registrations are censoring (cause-specific
  hazard);
- the start–stop data split a spell at its service start, so ``treated`` is time-varying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.evaluate.survival import (
    CoxTimeVarying,
    CumulativeIncidence,
    DiscreteHazardResults,
    DiscreteTimeHazard,
    FineGray,
    HazardRatioResults,
    SubdistributionHazardResults,
    SurvivalCurves,
    cumulative_incidence,
    kaplan_meier,
)
from kuva.process.eventlog import EXIT_TYPES
from kuva.process.kpis import Level, _spells, area_map, data_end, events, rule_outcomes
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    from kuva.evaluate.did import DidResults, EventStudyResults
    from kuva.evaluate.dynamic import DynamicMatchingResults

OUTCOME_VERSION = "v1"


def client_spells(wh: Warehouse, *, as_of: date | None = None) -> pd.DataFrame:
    """One row per spell: ``start_id`` (the registration's event id), ``pseudonym,
    municipality_code, start, end, exit_type, service_start, duration_days``, ordered by
    ``start`` and ``start_id`` (so a seeded bootstrap over them gives the same answer every run)."""
    day = as_of or data_end(wh)
    if day is None:
        raise KuvaLookupError("no service-process events in the warehouse; load a log with `kuva process load FILE`")
    ev = events(wh)
    sp = _spells(ev, "registration")
    ex = ev.filter(ev.event_type.isin(list(EXIT_TYPES))).select(x_p=ev.pseudonym, x_date=ev.event_date,
                                                                 x_type=ev.event_type)
    j = sp.left_join(ex, [sp.pseudonym == ex.x_p, ex.x_date >= sp.start,
                          sp.next_start.isnull() | (ex.x_date < sp.next_start)])
    first_exit = j.group_by(["start_id", "pseudonym", "municipality_code", "start", "next_start"]).aggregate(
        exit_date=j.x_date.min(), exit_type=j.x_type.argmin(j.x_date))
    sv = ev.filter(ev.event_type == "service_start").select(s_p=ev.pseudonym, s_date=ev.event_date)
    k = first_exit.left_join(sv, [first_exit.pseudonym == sv.s_p, sv.s_date >= first_exit.start,
                                  first_exit.next_start.isnull() | (sv.s_date < first_exit.next_start)])
    per = k.group_by(["start_id", "pseudonym", "municipality_code", "start", "next_start", "exit_date",
                      "exit_type"]).aggregate(service_start=k.s_date.min())
    df = per.to_pandas()
    t = {c: pd.to_datetime(df[c]) for c in ("start", "next_start", "exit_date", "service_start")}
    cut = pd.Timestamp(day)
    exited = t["exit_date"].notna() & (t["exit_date"] <= cut)  # else the next registration or as_of ends it
    end = t["exit_date"].where(exited, t["next_start"].where(t["next_start"] < cut, cut))
    service = t["service_start"].where(t["service_start"] < end)  # a service after the end is not the spell's
    duration = (end - t["start"]).dt.days
    df = pd.DataFrame({"start_id": df["start_id"], "pseudonym": df["pseudonym"],
                       "municipality_code": df["municipality_code"], "start": t["start"], "end": end,
                       "exit_type": df["exit_type"].where(exited), "service_start": service,
                       "duration_days": duration.astype("int64")})
    # a fixed order (the query's is not): seeded bootstraps and matching give the same answer every run
    df = df[(t["start"] <= cut) & (duration > 0)].sort_values(["start", "start_id"], kind="stable")
    for c in ("start", "end", "service_start"):  # dates as datetime.date, a missing one as None
        df[c] = df[c].dt.date.astype(object).where(df[c].notna(), None)
    out: pd.DataFrame = df[["start_id", "pseudonym", "municipality_code", "start", "end", "exit_type",
                            "service_start", "duration_days"]].reset_index(drop=True)
    return out


#: how a spell's exit counts among the competing risks
EXIT_CAUSES: dict[str, str] = {"exit_work": "work", "exit_education": "education", "exit_other": "other",
                               "exit_moved": "other"}


def start_stop(spells: pd.DataFrame, event: str = "exit_work") -> pd.DataFrame:
    """Start–stop intervals (days from the spell's start) split at the service start; ``event``
    marks the spells that end in ``event``, ``cause`` the competing risk that ends each spell
    (:data:`EXIT_CAUSES`; 0 on a row that does not end it or a spell still open)."""
    rows: list[tuple[int, int, int, int, object, float]] = []
    for i, (start, service, duration, kind) in enumerate(zip(spells["start"], spells["service_start"],
                                                             spells["duration_days"], spells["exit_type"],
                                                             strict=True)):
        hit = int(kind == event)
        cause = EXIT_CAUSES.get(kind, 0) if isinstance(kind, str) else 0
        days = int(duration)
        s = (service - start).days if isinstance(service, date) and isinstance(start, date) else None
        if s is None:
            rows.append((i, 0, days, hit, cause, 0.0))
        elif s > 0:
            rows += [(i, 0, s, 0, 0, 0.0), (i, s, days, hit, cause, 1.0)]
        else:
            rows.append((i, 0, days, hit, cause, 1.0))
    return pd.DataFrame(rows, columns=["id", "start", "stop", "event", "cause", "treated"])


def service_effect_on_exits(wh: Warehouse, *, event: str = "exit_work", as_of: date | None = None,
                            alpha: float = 0.05, spells: pd.DataFrame | None = None) -> HazardRatioResults:
    """The hazard ratio of ``event`` after a service starts (Cox, time-varying treatment), on
    ``spells`` when given (a subset of :func:`client_spells`, e.g. one area's), else on all."""
    spells = client_spells(wh, as_of=as_of) if spells is None else spells
    return CoxTimeVarying(start_stop(spells, event), event=event).fit(alpha=alpha)


def service_effect_discrete(wh: Warehouse, *, event: str = "exit_work", width: int = 1, as_of: date | None = None,
                            alpha: float = 0.05, spells: pd.DataFrame | None = None) -> DiscreteHazardResults:
    """The hazard ratio of ``event`` after a service starts in the discrete-time model with
    ``width``-day periods (:class:`~kuva.evaluate.survival.DiscreteTimeHazard`; daily by
    default — monthly periods attenuate the effect of services starting mid-month)."""
    spells = client_spells(wh, as_of=as_of) if spells is None else spells
    return DiscreteTimeHazard(start_stop(spells, event), width=width, event=event).fit(alpha=alpha)


#: the Fine–Gray design's landmark: days from the spell's start by which a service counts
LANDMARK_DAYS = 90


def landmark_frame(spells: pd.DataFrame, landmark: int) -> pd.DataFrame:
    """The spells still open ``landmark`` days after their start, one row each from the
    landmark on: ``treated`` = a service started by then (whatever comes later), ``cause`` the
    competing risk that ends the spell (0 while open) — the landmark design (Anderson, Cain &
    Gelber 1983) that turns the service start into a covariate fixed at the origin."""
    if landmark < 1:
        raise KuvaInputError(f"the landmark is a day ≥ 1 after the spell's start, not {landmark}")
    rows = []
    for i, (start, service, duration, kind) in enumerate(zip(spells["start"], spells["service_start"],
                                                             spells["duration_days"], spells["exit_type"],
                                                             strict=True)):
        if int(duration) <= landmark:
            continue
        by_then = isinstance(service, date) and isinstance(start, date) and (service - start).days <= landmark
        cause = EXIT_CAUSES.get(kind, 0) if isinstance(kind, str) else 0
        rows.append((i, 0, int(duration) - landmark, cause, float(by_then)))
    return pd.DataFrame(rows, columns=["id", "start", "stop", "cause", "treated"])


def service_effect_fine_gray(wh: Warehouse, *, cause: str = "work", landmark: int = LANDMARK_DAYS,
                             as_of: date | None = None, alpha: float = 0.05, spells: pd.DataFrame | None = None
                             ) -> SubdistributionHazardResults:
    """The subdistribution hazard ratio of exits for ``cause`` (work, education, other) of the
    spells still open ``landmark`` days after their start, by whether a service had started by
    then (:func:`landmark_frame`, :class:`~kuva.evaluate.survival.FineGray`): those who left for
    another reason stay in the risk set, weighted by the censoring distribution, so the ratio
    moves the cumulative incidence of ``cause`` after the landmark. The service start is fixed
    at the landmark on purpose: as a time-varying covariate, everyone who left for another
    reason before a service would stay untreated in the risk set forever, and a service with no
    effect would look like one (Beyersmann & Schumacher 2008; the tests show it). On ``spells``
    when given; read beside the cause-specific hazard ratio of :func:`service_effect_on_exits`."""
    if cause not in set(EXIT_CAUSES.values()):
        raise KuvaInputError(f"cause {cause!r} is none of {sorted(set(EXIT_CAUSES.values()))}")
    spells = client_spells(wh, as_of=as_of) if spells is None else spells
    return FineGray(landmark_frame(spells, landmark), of_interest=cause).fit(alpha=alpha)


def matching_panel(wh: Warehouse, *, as_of: date | None = None, spells: pd.DataFrame | None = None) -> pd.DataFrame:
    """The person-level panel of :func:`kuva.evaluate.dynamic.dynamic_matching`: one row per
    spell with ``id`` (the pseudonym), ``duration``, ``outcome`` (the exit type), ``treat_day``
    (days from the registration to the service start, NaN without one), the strata
    ``municipality_code``, ``age_group`` and ``language`` (from the registration event;
    ``unknown`` when missing), and ``start_month`` (months from the first registration in the
    log, for balance checks of calendar time); on ``spells`` when given."""
    spells = client_spells(wh, as_of=as_of) if spells is None else spells
    ev = events(wh)
    reg = ev.filter(ev.event_type == "registration").select("event_id", "age_group", "language").to_pandas()
    reg = reg.rename(columns={"event_id": "start_id"}).drop_duplicates("start_id")
    df = spells.merge(reg, on="start_id", how="left")
    for c in ("age_group", "language"):
        df[c] = df[c].astype(object).where(df[c].notna(), "unknown").astype(str)
    starts = pd.to_datetime(df["start"])
    first = starts.min()
    treat = [(s - a).days if isinstance(s, date) else np.nan for s, a in zip(df["service_start"], df["start"],
                                                                               strict=True)]
    return pd.DataFrame({"id": df["pseudonym"], "duration": df["duration_days"].astype(int),
                         "outcome": df["exit_type"], "treat_day": np.asarray(treat, dtype=float),
                         "municipality_code": df["municipality_code"].astype(str), "age_group": df["age_group"],
                         "language": df["language"],
                         "start_month": (starts.dt.year - first.year) * 12 + starts.dt.month - first.month})


def service_effect_matched(wh: Warehouse, *, event: str = "exit_work", horizon: int = 180,
                           strata: Sequence[str] = ("age_group", "language"), reps: int = 199, seed: int = 0,
                           as_of: date | None = None, alpha: float = 0.05,
                           spells: pd.DataFrame | None = None,
                           propensity_on: Sequence[str] = ()) -> DynamicMatchingResults:
    """The effect of starting a service now rather than not yet on ``event`` within ``horizon``
    days (dynamic matching on elapsed days and ``strata``, and a service-start model on the
    numeric ``propensity_on`` columns of :func:`matching_panel`, e.g. ``start_month``; balance
    checked on calendar time), on ``spells`` when given."""
    from kuva.evaluate.dynamic import dynamic_matching

    return dynamic_matching(matching_panel(wh, as_of=as_of, spells=spells), event=event, horizon=horizon, strata=strata,
                            balance_on=("start_month",), reps=reps, seed=seed, alpha=alpha,
                            propensity_on=propensity_on)


def inflow_cohorts(wh: Warehouse, *, event: str = "exit_work", horizon_days: int = 180, as_of: date | None = None,
                   pilot_start: date | None = None) -> pd.DataFrame:
    """One row per spell followed for ``horizon_days`` by ``as_of`` (later registrations are left
    out, so every cohort has the same follow-up): ``start_id, municipality_code, cohort`` (the
    registration month), ``pilot`` (the municipality was in the stored pilot list on
    ``pilot_start``, default 1.3.2021) and ``exited`` (1 when the spell ended in ``event`` within
    ``horizon_days`` of the registration)."""
    from kuva.indicators.groups import PILOT_START
    from kuva.warehouse.reference import stored_memberships

    if horizon_days < 1:
        raise KuvaInputError(f"the horizon must be at least one day, got {horizon_days}")
    day = as_of or data_end(wh)
    if day is None:
        raise KuvaLookupError("no service-process events in the warehouse; load a log with `kuva process load FILE`")
    on = pilot_start or PILOT_START
    m = stored_memberships(wh)
    active = m[(pd.to_datetime(m["start_date"]).dt.date <= on)
               & (m["end_date"].isna() | (pd.to_datetime(m["end_date"]).dt.date > on))]
    pilots = set(active["municipality_code"])
    spells = client_spells(wh, as_of=day)
    spells = spells[[s + timedelta(days=horizon_days) <= day for s in spells["start"]]]
    exited = (spells["exit_type"] == event) & (spells["duration_days"] <= horizon_days)
    return pd.DataFrame({"start_id": spells["start_id"], "municipality_code": spells["municipality_code"],
                         "cohort": [s.replace(day=1) for s in spells["start"]],
                         "pilot": spells["municipality_code"].isin(pilots),
                         "exited": exited.astype(int)}).reset_index(drop=True)


def pilot_cohorts(wh: Warehouse, *, event: str = "exit_work", horizon_days: int = 180, as_of: date | None = None,
                  pilot_start: date | None = None) -> pd.DataFrame:
    """:func:`inflow_cohorts` up to the pilots' end (the last end date of the stored pilot list,
    31.12.2024): from 2025 every municipality runs the services, so later cohorts have no
    comparison group."""
    from kuva.warehouse.reference import stored_memberships

    frame = inflow_cohorts(wh, event=event, horizon_days=horizon_days, as_of=as_of, pilot_start=pilot_start)
    ends = pd.to_datetime(stored_memberships(wh)["end_date"]).dropna()
    if len(ends):
        frame = frame[frame["cohort"] <= ends.max().date()].reset_index(drop=True)
    return frame


@dataclass(frozen=True)
class PilotEffect:
    """The pilots' effect on exits (:func:`pilot_effect`): the DiD and the event study, or the
    reason each could not be estimated, and the treated clients (for the minimum-cell rule)."""

    n_treated: int
    did: DidResults | None
    did_reason: str | None
    event_study: EventStudyResults | None
    event_study_reason: str | None

    def below_min_cell(self, min_cell: int) -> bool:
        return self.n_treated < min_cell


def pilot_effect(wh: Warehouse, *, event: str = "exit_work", horizon_days: int = 180, as_of: date | None = None,
                 reps: int = 999, seed: int = 0, treated: Sequence[str] | None = None) -> PilotEffect:
    """:func:`pilot_effect_on_exits` and the cohort-quarter event study on the same cohorts, each
    with the reason instead when the log cannot give it (the one home of the design for the CLI,
    the API, the report and the area page). ``treated``: only these pilot municipalities (one
    pilot area's members) against the non-pilot ones; the other pilots' clients are left out."""
    from kuva.errors import KuvaInputError
    from kuva.evaluate.cohort import cohort_did, cohort_event_study
    from kuva.indicators.groups import PILOT_START

    frame = pilot_cohorts(wh, event=event, horizon_days=horizon_days, as_of=as_of)
    if treated is not None:
        frame = frame[~frame["pilot"] | frame["municipality_code"].isin(set(treated))].reset_index(drop=True)
    n_treated = int((frame["pilot"] & (frame["cohort"] >= PILOT_START)).sum())
    kw: dict[str, object] = {"group": "municipality_code", "cohort": "cohort", "outcome": "exited",
                             "treated": "pilot", "start": PILOT_START}
    try:
        did = cohort_did(frame, bootstrap_reps=reps, seed=seed, **kw)  # type: ignore[arg-type]
    except KuvaInputError as exc:
        return PilotEffect(n_treated, None, str(exc), None, None)
    try:
        es = cohort_event_study(frame, **kw)  # type: ignore[arg-type]
    except KuvaInputError as exc:
        return PilotEffect(n_treated, did, None, None, str(exc))
    return PilotEffect(n_treated, did, None, es, None)


def pilot_effect_on_exits(wh: Warehouse, *, event: str = "exit_work", horizon_days: int = 180,
                          as_of: date | None = None, pilot_start: date | None = None, reps: int = 999,
                          seed: int = 0, alpha: float = 0.05) -> DidResults:
    """The municipal pilots' effect on the share of a cohort that exits to ``event`` within
    ``horizon_days``: the DiD of inflow cohorts (:func:`kuva.evaluate.cohort.cohort_did`), pilot
    municipalities against the others, cohorts before and from ``pilot_start`` on up to the
    pilots' end (:func:`pilot_cohorts`), clustered on municipalities."""
    from kuva.evaluate.cohort import cohort_did
    from kuva.indicators.groups import PILOT_START

    frame = pilot_cohorts(wh, event=event, horizon_days=horizon_days, as_of=as_of, pilot_start=pilot_start)
    return cohort_did(frame, group="municipality_code", cohort="cohort", outcome="exited", treated="pilot",
                      start=pilot_start or PILOT_START, bootstrap_reps=reps, seed=seed, alpha=alpha)


def exit_curves(wh: Warehouse, *, event: str = "exit_work", as_of: date | None = None,
                spells: pd.DataFrame | None = None) -> SurvivalCurves:
    """Kaplan–Meier curves of time to ``event`` by whether the spell had a service (descriptive:
    the groups differ in who gets a service and when — the Cox model's time-varying treatment
    is the comparison to read); on ``spells`` when given."""
    spells = client_spells(wh, as_of=as_of) if spells is None else spells
    groups = service_groups(spells)
    return kaplan_meier(spells["duration_days"].to_numpy(dtype=float),
                        (spells["exit_type"] == event).to_numpy(dtype=int), groups)


OUTCOME_COLUMNS: tuple[str, ...] = ("exit_work", "exit_education", "exit_other", "still_open")


def outcomes_by_milestone(wh: Warehouse, rule_id: str = "initial_interview", *, horizon_days: int = 180,
                          level: Level = "municipality", as_of: date | None = None) -> pd.DataFrame:
    """Where the clients stood ``horizon_days`` after registering, by whether they met a
    milestone of the rulebook in force (a rule whose clock starts at registration, e.g. the
    initial interview within five working days): ``level, area_code, rule, met, clients,
    exit_work, exit_education, exit_other, still_open``. Only registrations whose horizon has
    passed by ``as_of`` and whose milestone clock is due count (no censoring). Descriptive: the
    clients who are seen in time differ from the others."""
    from kuva.process.rules import rulebook_in_force, rulebooks

    day = as_of or data_end(wh)
    if day is None:
        raise KuvaLookupError("no service-process events in the warehouse; load a log with `kuva process load FILE`")
    spells = client_spells(wh, as_of=day)
    spells = spells[[s + timedelta(days=horizon_days) <= day for s in spells["start"]]]
    books = rulebooks()
    in_force = {d: rulebook_in_force(d, books=books) for d in set(spells["start"])}  # a lookup per day, not spell
    frames = []
    for _label, group in spells.groupby(spells["start"].map(lambda d: in_force[d].label)):
        book = in_force[group["start"].iloc[0]]
        rule = next((r for r in book.rules if r.id == rule_id), None)
        if rule is None or rule.after != "registration":
            raise KuvaInputError(f"rule {rule_id!r} is not a registration milestone of {book.label}; choose one of "
                                 f"{[r.id for r in book.rules if r.after == 'registration']}")
        o = rule_outcomes(wh, rule, as_of=day).filter(lambda t: t.due).select("start_id", "met").to_pandas()
        frames.append(group.merge(o, on="start_id"))
    if not frames:
        raise KuvaLookupError(f"no registration is {horizon_days} days old by {day}")
    f = pd.concat(frames, ignore_index=True)
    within = [(e - s).days <= horizon_days and isinstance(x, str)
              for s, e, x in zip(f["start"], f["end"], f["exit_type"], strict=True)]
    kind = pd.Series(np.where(within, f["exit_type"].map(lambda x: "exit_other" if x == "exit_moved" else x),
                              "still_open"), index=f.index)
    f["outcome"] = kind
    areas = area_map(wh, level, list(f["municipality_code"]))
    f = f.merge(areas, on="municipality_code")
    table = (f.groupby(["area_code", "met", "outcome"]).size().unstack("outcome", fill_value=0)
             .reindex(columns=list(OUTCOME_COLUMNS), fill_value=0).reset_index())
    table.insert(0, "rule", rule_id)
    table.insert(0, "level", level)
    table["clients"] = table[list(OUTCOME_COLUMNS)].sum(axis=1)
    table["met"] = table["met"].astype(bool)
    cols = ["level", "area_code", "rule", "met", "clients", *OUTCOME_COLUMNS]
    out: pd.DataFrame = table[cols].sort_values(["area_code", "met"]).reset_index(drop=True)
    return out


def service_groups(spells: pd.DataFrame) -> np.ndarray:
    """``service`` or ``no service`` per spell: whether a service started inside it."""
    return np.where(spells["service_start"].notna(), "service", "no service")


def exit_incidence(wh: Warehouse, *, as_of: date | None = None, spells: pd.DataFrame | None = None
                   ) -> CumulativeIncidence:
    """Competing risks of the client spells: the cumulative incidence of exit to work, to
    education and other exits (moved counts as other) by whether the spell had a service; a
    spell still open at ``as_of`` is censored (descriptive, like :func:`exit_curves`); on
    ``spells`` when given."""
    spells = client_spells(wh, as_of=as_of) if spells is None else spells
    groups = service_groups(spells)
    causes = np.array([EXIT_CAUSES.get(x, 0) if isinstance(x, str) else 0 for x in spells["exit_type"]], dtype=object)
    return cumulative_incidence(spells["duration_days"].to_numpy(dtype=float), causes, groups)


__all__ = ["EXIT_CAUSES", "LANDMARK_DAYS", "OUTCOME_COLUMNS", "OUTCOME_VERSION", "client_spells", "exit_curves",
           "exit_incidence", "landmark_frame", "matching_panel", "outcomes_by_milestone", "pilot_effect",
           "service_effect_discrete", "service_effect_fine_gray", "service_effect_matched", "service_effect_on_exits",
           "service_groups", "start_stop"]
