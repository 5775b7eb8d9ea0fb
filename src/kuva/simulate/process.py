"""A synthetic service-process event log with planted milestones, referral routes and plan debt.

Each simulated client registers on a working day, gets an initial interview after a planted
number of working days (or never), an employment plan (or not), supplementary and three-monthly
job-search talks, referrals from a planted origin-sector mix, services after a planted wait,
and an exit. The planted quantities are drawn first and the events written from them, and the
truth is counted from the draws — not from the events — so the measures in
:mod:`kuva.process.kpis` can be checked against it exactly. Nothing is recorded after a client's
exit: a drawn interview, plan, supplementary talk, referral or service start that would fall after
it never happened (the truth keeps the draws and says which were recorded).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError
from kuva.privacy.pseudonym import pseudonymise
from kuva.registry.calendar import add_working_days, calendar_frame
from kuva.warehouse.connection import Warehouse
from kuva.warehouse.load import LoadReport, SourceInfo
from kuva.warehouse.persons import load_process_events

#: origin sector of referrals to employment services and its planted share (the seed's 78/22)
DEFAULT_ORIGINS: Mapping[str, float] = {"social_services": 0.78, "employment_services": 0.22}
SERVICES: tuple[str, ...] = ("VALMENNUS", "TYOKOKEILU", "KOULUTUS", "PALKKATUKI")


@dataclass(frozen=True)
class ProcessParams:
    """The planted behaviour (per client, independent draws)."""

    interview_within_5: float = 0.7  #: share interviewed within 5 working days
    late_interview_max: int = 25  #: late interviews: 6 … this many working days
    no_interview: float = 0.05  #: share never interviewed
    plan: float = 0.85  #: share with a plan drawn up at the interview
    referral: float = 0.4  #: share referred to a service
    origins: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_ORIGINS))
    wait_days_max: int = 60  #: wait from referral to service start, uniform 1 … this
    unrealised: float = 0.15  #: share of referrals that never lead to a service
    median_exit_days: float = 150.0  #: median time to exit without a service (exponential)
    service_exit_hr: float = 1.5  #: planted hazard ratio of exit after a service starts (the effect)
    follow_up_days: int = 270  #: exits later than this after the last registration month are censored
    supplementary_two: float = 0.6  #: share of interviewed clients with two supplementary talks (else one)
    talks_on_time: float = 0.7  #: share of interviewed clients whose job-search talks keep the 3-month cadence
    job_offers: float = 0.6  #: share of interviewed clients assigned vacancies to apply for (job offers)
    offer_gaps: tuple[int, ...] = (45, 120)  #: days between a client's job offers, one drawn per client
    #: planted hazard ratio of every exit for clients of ``pilot_municipalities`` registering on
    #: or after ``pilot_start`` (the municipal pilots' effect; 1.0: none)
    pilot_exit_hr: float = 1.0
    pilot_start: date = date(2021, 3, 1)


@dataclass(frozen=True)
class SimulatedLog:
    events: pd.DataFrame  #: the raw event-log format (client ids; see kuva.process.eventlog)
    #: one row per client: the planted draws, and what of them was recorded before the exit
    #: (``interview``, ``supplementary_recorded``, ``referral_recorded``, ``service_day``)
    truth: pd.DataFrame
    key: bytes  #: the pseudonym key the ids were meant for (tests)


def simulate_event_log(
    municipalities: Sequence[str], *, clients: int = 1000, start: date = date(2023, 1, 2),
    months: int = 12, params: ProcessParams | None = None, seed: int = 0,
    pilot_municipalities: Sequence[str] = (), weights: Sequence[float] | None = None,
) -> SimulatedLog:
    """An event log of ``clients`` clients registering over ``months`` months from ``start``,
    each in a municipality drawn uniformly or, with ``weights`` (one per municipality, e.g. the
    population), in proportion to them — from a stream of its own, so every other draw of a seed
    is the same either way.

    Clients of ``pilot_municipalities`` registering on or after ``params.pilot_start`` exit
    ``params.pilot_exit_hr`` times as fast; the truth keeps each client's exit without that
    effect too (``exit_without_pilot``), so the effect on any exit outcome is known exactly."""
    p = params or ProcessParams()
    if clients < 1 or months < 1 or not municipalities:
        raise KuvaInputError("simulate_event_log needs clients >= 1, months >= 1 and municipalities")
    if abs(sum(p.origins.values()) - 1.0) > 1e-9:
        raise KuvaInputError(f"origin shares must sum to 1, got {sum(p.origins.values())}")
    drawn: np.ndarray | None = None
    if weights is not None:
        w = np.asarray(weights, dtype=float)
        if len(w) != len(municipalities) or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
            raise KuvaInputError("weights: one finite number ≥ 0 per municipality, not all zero")
        drawn = np.random.default_rng([seed, 2]).choice(len(municipalities), size=clients, p=w / w.sum())
    rng = np.random.default_rng(seed)
    offer_rng = np.random.default_rng([seed, 1])  # its own stream: the other draws stay as they were
    cal = calendar_frame()
    span_end = (pd.Timestamp(start) + pd.DateOffset(months=months)).date()
    work_days = cal.loc[cal["working"] & (cal["day"] >= start) & (cal["day"] < span_end), "day"].to_numpy()
    origins, shares = list(p.origins), np.array(list(p.origins.values()))
    rows: list[tuple[object, ...]] = []
    truth: list[dict[str, object]] = []
    horizon = span_end + timedelta(days=p.follow_up_days)
    pilots = frozenset(pilot_municipalities)
    for i in range(clients):
        cid = f"S-{seed}-{i:07d}"
        uniform = int(rng.integers(len(municipalities)))  # drawn either way: the other draws keep their stream
        muni = municipalities[uniform if drawn is None else int(drawn[i])]
        reg = work_days[int(rng.integers(len(work_days)))]
        u = rng.random()
        if u < p.no_interview:
            delay = None
        elif u < p.no_interview + p.interview_within_5:
            delay = int(rng.integers(0, 6))
        else:
            delay = int(rng.integers(6, p.late_interview_max + 1))
        has_plan = delay is not None and rng.random() < p.plan
        referred = rng.random() < p.referral
        origin = origins[int(rng.choice(len(origins), p=shares))] if referred else None
        ref_day = reg + timedelta(days=int(rng.integers(10, 40))) if referred else None
        unreal = referred and rng.random() < p.unrealised
        wait = int(rng.integers(1, p.wait_days_max + 1)) if referred and not unreal else None
        # exit: exponential with the planted hazard ratio after the service starts (piecewise)
        service_off = (ref_day - reg).days + wait if ref_day is not None and wait is not None else None
        lam0 = math.log(2) / p.median_exit_days
        e = float(rng.exponential())
        piloted = muni in pilots and reg >= p.pilot_start

        def exit_after(lam: float, e: float = e, service_off: int | None = service_off, reg: date = reg
                       ) -> date | None:
            t = e / lam if service_off is None or e / lam <= service_off else (
                service_off + (e - lam * service_off) / (lam * p.service_exit_hr))
            day = reg + timedelta(days=max(1, math.ceil(t)))
            return None if day > horizon else day

        exit_day = exit_after(lam0 * (p.pilot_exit_hr if piloted else 1.0))
        exit_without_pilot = exit_after(lam0) if piloted else exit_day
        base = [cid, muni]
        k = 0

        def ev(day: date, kind: str, origin_s: str | None = "employment_services", dest: str | None = None,
               service: str | None = None, plan: str | None = None, ref: str | None = None,
               age: str | None = None, lang: str | None = None, base: list[str] = base, cid: str = cid,
               exit_day: date | None = exit_day) -> None:
            nonlocal k
            if exit_day is not None and day > exit_day:
                return  # the client has left: nothing more is recorded in this spell
            k += 1
            rows.append((f"{cid}-{k}", base[0], day.isoformat(), kind, base[1], origin_s, dest, service,
                         "Provider Oy" if service else None, f"{cid}-c", plan, ref, age, lang, None))

        ev(reg, "registration", age=("15-24", "25-29", "30-54", "55-")[int(rng.integers(4))],
           lang=("fi", "sv", "other")[int(rng.choice(3, p=[0.85, 0.05, 0.10]))])
        interview = None
        two, gap = False, None
        if delay is not None:
            interview = reg if delay == 0 else add_working_days(reg, delay)
            ev(interview, "initial_interview")
            if has_plan:
                ev(interview, "plan_created", plan=f"{cid}-p")
            two = rng.random() < p.supplementary_two
            for days in ((20, 45) if two else (30,)):
                ev(interview + timedelta(days=days), "supplementary_job_search_talk")
            gap = 85 if rng.random() < p.talks_on_time else 120
            stop = exit_day or horizon
            talk = interview + timedelta(days=gap)
            while talk < stop:
                ev(talk, "job_search_talk")
                talk += timedelta(days=gap)
        offered = offer_rng.random() < p.job_offers
        offer_gap = int(p.offer_gaps[int(offer_rng.integers(len(p.offer_gaps)))])
        offer_gap_kept = offer_gap if offered and interview is not None else None
        if offer_gap_kept is not None and interview is not None:
            offer = interview + timedelta(days=offer_gap_kept)
            while offer < (exit_day or horizon):
                ev(offer, "job_offer")
                offer += timedelta(days=offer_gap_kept)
        service = SERVICES[int(rng.integers(len(SERVICES)))]
        if referred and ref_day is not None:
            ev(ref_day, "referral_sent", origin_s=origin, dest="employment_services", ref=f"{cid}-r")
            if wait is not None:
                ev(ref_day + timedelta(days=wait), "service_start", service=service, ref=f"{cid}-r")
        # the exit's kind, drawn when the client exits with or without the pilot's effect (without
        # pilots, exactly when they exit: the stream of a seed is what it was before pilots)
        to_work = rng.random() < 0.6 if exit_day is not None or exit_without_pilot is not None else False
        if exit_day is not None:
            ev(exit_day, "exit_work" if to_work else "exit_other")

        def recorded(day: date | None, exit_day: date | None = exit_day) -> date | None:
            return day if day is not None and (exit_day is None or day <= exit_day) else None

        talks = [] if interview is None else [interview + timedelta(days=d) for d in ((20, 45) if two else (30,))]
        truth.append({"client_id": cid, "municipality_code": muni, "registration": reg, "interview_delay": delay,
                      "plan": has_plan, "exit": exit_day, "piloted": piloted,
                      "exit_without_pilot": exit_without_pilot, "exit_to_work": to_work,
                      "supplementary_two": delay is not None and two, "talk_gap": gap if delay is not None else None,
                      "interview": recorded(interview),
                      "offer_gap": offer_gap_kept if recorded(interview) is not None else None,
                      "supplementary_recorded": sum(recorded(t) is not None for t in talks),
                      "referred": referred, "origin": origin,
                      "referral_date": ref_day, "referral_recorded": recorded(ref_day) is not None,
                      "wait_days": wait, "unrealised": unreal,
                      "service_day": recorded(reg + timedelta(days=service_off)) if service_off is not None else None})
    cols = ["event_id", "client_id", "event_date", "event_type", "municipality_code", "origin_sector",
            "destination_sector", "service_type", "provider", "case_id", "plan_id", "referral_id", "age_group",
            "language", "detail"]
    events = pd.DataFrame(rows, columns=cols)
    return SimulatedLog(events, pd.DataFrame(truth), b"kuva-simulated-process-key")


#: clients registering per year in the whole country at scale 1 (order of magnitude of new
#: unemployment spells; the demo's 0.01 gives about 4 000 a year)
NATIONAL_CLIENTS_PER_YEAR = 400_000
SOURCE_ID = "synthetic:process"


def stored_frame(log: SimulatedLog) -> pd.DataFrame:
    """The simulated log in the warehouse's stored shape (client ids pseudonymised with the
    simulation's own key)."""
    out = log.events.copy()
    ids = {c: pseudonymise(c, log.key) for c in out["client_id"].unique()}
    out.insert(1, "pseudonym", out.pop("client_id").map(ids))
    out["event_date"] = pd.to_datetime(out["event_date"]).dt.date
    return out


def simulate_process_into(wh: Warehouse, *, scale: float, seed: int, start: date = date(2023, 1, 2),
                          months: int = 24, pilot_exit_hr: float = 1.0) -> LoadReport:
    """Simulate the event log of every municipality and store it (replacing an earlier one of the
    same source is not needed: the same seed gives the same content, stored once); each client's
    municipality is drawn in proportion to its population at the end of 2020.

    ``pilot_exit_hr`` other than 1 plants the municipal pilots' effect: clients of the 2021 pilot
    municipalities (the bundled programme list on 1.3.2021) registering from 1.3.2021 on exit
    that many times as fast (:class:`ProcessParams`). At 1 the pilot list is not consulted, so a
    seed's log is what it was before pilots could be planted."""
    from kuva.registry import area_registry
    from kuva.registry.pilots import programme_registry

    registry = area_registry().municipalities()
    munis = [m.code for m in registry]
    clients = max(1, round(scale * NATIONAL_CLIENTS_PER_YEAR * months / 12))
    params = ProcessParams(pilot_exit_hr=pilot_exit_hr)
    pilots = (sorted(programme_registry().member_codes(on=params.pilot_start)) if pilot_exit_hr != 1.0 else [])
    # clients in proportion to the population: Helsinki has about 12 % of them, Luhanka 0.01 %
    log = simulate_event_log(munis, clients=clients, start=start, months=months, seed=seed, params=params,
                             pilot_municipalities=pilots, weights=[m.population for m in registry])
    note = f"kuva.simulate.process seed={seed} scale={scale} start={start} months={months}" + (
        f" pilot_exit_hr={pilot_exit_hr}" if pilot_exit_hr != 1.0 else "")
    info = SourceInfo(SOURCE_ID, "synthetic", "SYNTHETIC service-process event log", "KuVa simulator", "CC0",
                      True, note, datetime(2025, 1, 1))
    return load_process_events(wh, stored_frame(log), info)


__all__ = ["DEFAULT_ORIGINS", "NATIONAL_CLIENTS_PER_YEAR", "SOURCE_ID", "ProcessParams", "SimulatedLog",
           "simulate_event_log", "simulate_process_into", "stored_frame"]
