"""Person-level service paths and Kykyviisari answers, consistent with the municipal panel.

Construction
------------
1. Targets: ``floor(scale * x + u)`` of the panel's unemployed (per municipality) and persons
   in each service (per municipality × type), with one uniform ``u`` per cell; so every
   person-level month-end stock is within one person of ``scale`` × the panel, per cell.
2. Spells: :func:`kuva.simulate.spells.stock_flow` makes unemployment spells and service
   spells whose month-end stocks equal those targets exactly.
3. Paths: in each municipality and month, ending unemployment spells are paired at random
   with starting service spells (the person goes from unemployment into the service), and a
   share of ending service spells with starting unemployment spells (back to unemployment).
   A chain of linked spells is a *path*; unlinked ends are exits.
4. Persons: a path starting inside the window is, with a probability solved so that there are
   about :data:`PATHS_PER_PERSON` paths per person, a returning earlier person who is not in
   an open spell (their latest path ended at least two months before; same municipality
   preferred, recent exits more likely: :func:`kuva.simulate.spells.link_returns`). The
   person keeps their pseudonym, registers again, and their Kykyviisari answers and
   ``status_3m`` are read from their whole history.
5. Milestones: registration, initial interview, service-need assessment, employment plan,
   plan reviews, job-search talks (from the May 2022 Nordic service model), referrals, service
   start/end, exit, status three months after a service; with the pilots' 2021 start-up
   backlog (slow initial interviews, overdue plans).

Pseudonyms are ``kuva.privacy.pseudonym.pseudonymise(str(person_id), key)`` with a key derived
from the seed: synthetic pseudonyms are *not secret* (anyone with the seed can recompute them).
Events before the first simulated month (of persons already unemployed then) are not emitted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kuva.privacy.pseudonym import pseudonymise
from kuva.registry import kykyviisari_comparison, programme_registry
from kuva.simulate.calibration import SERVICE_CODES
from kuva.simulate.effects import EffectSpec
from kuva.simulate.panel import Panel
from kuva.simulate.spells import chain_roots, link_returns, pair_within, scaled_targets, stock_flow

#: Planned unemployment spell: (short mean, long mean, long share), months.
UNEMPLOYMENT_DURATION = (4.0, 20.0, 0.4)
#: Mean planned duration (months) of each service, SERVICE_MEASURES order.
SERVICE_DURATION = np.array([8.0, 4.0, 2.0, 3.0, 6.0, 10.0, 7.0])
#: Probability that a person goes back to unemployment when a service ends.
BACK_TO_UNEMPLOYMENT = np.array([0.45, 0.6, 0.7, 0.65, 0.8, 0.5, 0.4])
#: Sector of the referral into each service.
SERVICE_SECTOR = ("employment_services", "employment_services", "employment_services", "employment_services",
                  "social_services", "education", "employment_services")
EXIT_DETAILS = ("open_labour_market", "subsidised_work", "education", "out_of_labour_force")
EXIT_BASE = np.array([0.55, 0.05, 0.12, 0.28])
STATUS_3M = ("employed", "unemployed", "in_services", "other")
#: Kykyviisari "current situation" choices, the 15 codes of the questionnaire (the same codes as
#: kuva.wellbeing.items.SITUATION_CODES; a test keeps them equal), with the share of synthetic
#: answers (people starting a service) that tick each one.
SITUATIONS = ("work_practice", "workshop", "work_trial", "unemployed_jobseeker", "unemployed_not_registered",
              "unpaid_work", "community_service", "student", "at_home", "sick_leave", "pension", "paid_work",
              "entrepreneur", "freelancer", "grant")
SITUATION_WEIGHTS = np.array([0.06, 0.10, 0.08, 0.42, 0.03, 0.02, 0.01, 0.06, 0.04, 0.05, 0.02, 0.08,
                              0.01, 0.01, 0.00])
EVENT_TYPES = ("registration", "initial_interview", "service_need_assessment", "employment_plan",
               "plan_review", "job_search_talk", "referral", "service_start", "service_end", "exit", "status_3m")
SECTORS = ("employment_services", "social_services", "health_care", "education", "kela")
#: Person identity across paths (kuva.simulate.spells.link_returns): target number of paths
#: (chains of linked spells) per person over the window; the share of new paths that are a
#: returning earlier person is solved from it (0.70 at scale 0.001, 0.77 at 0.2), assuming that
#: RETURN_LINKED of the returners find an earlier person (the rest: the first months, whose
#: pool is still empty or thin; measured 0.95 at every scale).
PATHS_PER_PERSON = 2.45
RETURN_LINKED = 0.95
#: Decay (per month since the exit) of a person's weight in the draw of returners, share of
#: returners who come from another municipality, minimum months from an exit to a return.
RETURN_DECAY = 0.15
RETURN_MOVE_SHARE = 0.05
RETURN_MIN_GAP = 2
NORDIC_MODEL = np.datetime64("2022-05-02")
KYKYVIISARI_START = np.datetime64("2021-03-01")


@dataclass(frozen=True)
class Persons:
    """Person-level frames in the shapes :mod:`kuva.warehouse.persons` loads."""

    events: pd.DataFrame
    answers: pd.DataFrame
    truth: pd.DataFrame
    n_persons: int
    unemployed_targets: np.ndarray  #: (m, t) person-level stock targets (exactly met)
    service_targets: np.ndarray  #: (m, k, t)
    n_paths: int  #: paths (chains of linked spells); n_paths / n_persons = paths per person
    #: one row per spell: person (index of the pseudonym), kind (-1 = unemployment, else the
    #: service index), municipality (index into panel.codes), start and end (days since
    #: 1970-01-01; end is the first day after the window for spells still open)
    spells: pd.DataFrame


def synthetic_key(seed: int) -> bytes:
    """The (non-secret) pseudonym key of a synthetic data set."""
    return hashlib.sha256(f"kuva-synthetic-pseudonyms-{seed}".encode()).hexdigest().encode()


def return_share(n_paths: int, n_new_paths: int) -> float:
    """Probability that a path starting inside the window is a returning earlier person, so
    that ``n_paths / n_persons`` is about :data:`PATHS_PER_PERSON` (paths already open in the
    first month, ``n_paths - n_new_paths``, are never returners)."""
    if n_new_paths == 0:
        return 0.0
    return min(0.95, (1 - 1 / PATHS_PER_PERSON) * n_paths / (RETURN_LINKED * n_new_paths))


class _Events:
    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, person: np.ndarray, day: np.ndarray, etype: str, muni: np.ndarray,
            sector: np.ndarray | int = -1, service: np.ndarray | int = -1, detail: np.ndarray | int = -1) -> None:
        n = len(person)
        code = EVENT_TYPES.index(etype)

        def full(x: np.ndarray | int) -> np.ndarray:
            return np.broadcast_to(np.asarray(x, dtype=np.int64), (n,))

        self.parts.append((person, day.astype(np.int64), np.full(n, code), muni, full(sector), full(service),
                           full(detail)))


def simulate_persons(rng: np.random.Generator, panel: Panel, effects: EffectSpec, scale: float,
                     seed: int) -> Persons:
    months = panel.months
    n_m, n_k, n_t = panel.services.shape
    r = rng.spawn(8)
    u_targets = scaled_targets(panel.unemployed.astype(float), scale, r[0])
    s_targets = scaled_targets(panel.services.reshape(n_m * n_k, n_t).astype(float), scale, r[1])
    u_sp = stock_flow(u_targets, r[2], np.full(n_m, UNEMPLOYMENT_DURATION[0]), np.full(n_m, UNEMPLOYMENT_DURATION[1]),
                    np.full(n_m, UNEMPLOYMENT_DURATION[2]))
    s_sp = stock_flow(s_targets, r[3], np.tile(SERVICE_DURATION, n_m))
    s_muni = s_sp.cell // n_k
    s_type = s_sp.cell % n_k
    n_u, n_s = len(u_sp.cell), len(s_sp.cell)

    # dates (days since epoch)
    mstart = np.datetime64(months[0].strftime("%Y-%m"), "M")

    def month_day(t: np.ndarray, g: np.random.Generator) -> np.ndarray:
        first = (mstart + t).astype("datetime64[D]").astype(np.int64)
        nxt = (mstart + t + 1).astype("datetime64[D]").astype(np.int64)
        out: np.ndarray = first + np.floor(g.random(len(t)) * (nxt - first)).astype(np.int64)
        return out

    window_end = int((mstart + n_t).astype("datetime64[D]").astype(np.int64)) - 1
    window_start = int(mstart.astype("datetime64[D]").astype(np.int64))
    u_start_d = month_day(u_sp.start, r[4])
    s_start_d = month_day(s_sp.start, r[4])
    u_end_d = np.where(u_sp.end < n_t, month_day(np.minimum(u_sp.end, n_t - 1), r[4]), window_end + 1)
    s_end_d = np.where(s_sp.end < n_t, month_day(np.minimum(s_sp.end, n_t - 1), r[4]), window_end + 1)

    # links: unemployment -> service, service -> unemployment (same municipality and month)
    g = r[5]
    prev = np.full(n_u + n_s, -1, dtype=np.int64)
    nxt = np.full(n_u + n_s, -1, dtype=np.int64)
    ue = np.flatnonzero(u_sp.end < n_t)
    ss = np.flatnonzero(s_sp.start >= 1)
    pa, pb = pair_within(u_sp.cell[ue] * n_t + u_sp.end[ue], s_muni[ss] * n_t + s_sp.start[ss], g)
    a, b = ue[pa], ss[pb]
    nxt[a], prev[n_u + b] = n_u + b, a
    u_end_d[a] = s_start_d[b]
    se = np.flatnonzero((s_sp.end < n_t) & (g.random(n_s) < BACK_TO_UNEMPLOYMENT[s_type]))
    us = np.flatnonzero((u_sp.start >= 1) & (prev[:n_u] < 0))
    pa, pb = pair_within(s_muni[se] * n_t + s_sp.end[se], u_sp.cell[us] * n_t + u_sp.start[us], g)
    a, b = se[pa], us[pb]
    nxt[n_u + a], prev[b] = b, n_u + a
    s_end_d[a] = u_start_d[b]
    muni = np.concatenate([u_sp.cell, s_muni])
    start_t = np.concatenate([u_sp.start, s_sp.start])
    end_t = np.concatenate([u_sp.end, s_sp.end])

    # persons: a path (chain of linked spells) may be a returning earlier person (link_returns)
    tails = np.flatnonzero(nxt < 0)
    heads = chain_roots(prev)[tails]
    share = return_share(len(tails), int((start_t[heads] >= 1).sum()))
    prev_path = link_returns(start_t[heads], end_t[tails], muni[heads], muni[tails], n_m, n_t, r[7],
                             share, RETURN_DECAY, RETURN_MOVE_SHARE, RETURN_MIN_GAP)
    back = np.flatnonzero(prev_path >= 0)
    prev_person = prev.copy()
    prev_person[heads[back]] = tails[prev_path[back]]
    nxt_person = nxt.copy()
    nxt_person[tails[prev_path[back]]] = heads[back]
    uniq, person = np.unique(chain_roots(prev_person), return_inverse=True)
    del prev_person
    n_persons, n_paths = len(uniq), len(tails)
    del uniq, heads, prev_path, back

    start_d = np.concatenate([u_start_d, s_start_d])
    end_d = np.concatenate([u_end_d, s_end_d])
    is_s = np.arange(n_u + n_s) >= n_u
    pilot_on = panel.pilot
    ev = _Events()

    def pilot_at(i: np.ndarray, day: np.ndarray) -> np.ndarray:
        t = np.clip(((day.astype("datetime64[D]").astype("datetime64[M]") - mstart).astype(np.int64)), 0, n_t - 1)
        out: np.ndarray = pilot_on[muni[i], t]
        return out

    # -- entry milestones of each person (chain head starting inside the window) -------------
    h = np.flatnonzero((prev < 0) & (start_t >= 1))
    hs = is_s[h]
    reg = np.where(hs, start_d[h] - g.integers(3, 15, len(h)), start_d[h])
    ev.add(person[h], reg, "registration", muni[h], SECTORS.index("employment_services"))
    backlog_start = np.datetime64("2021-03-01").astype(np.int64)
    backlog_end = np.datetime64("2022-01-01").astype(np.int64)
    in_backlog = effects.startup_backlog & pilot_at(h, reg) & (reg >= backlog_start) & (reg < backlog_end)
    interview = reg + np.rint(np.exp(g.normal(np.where(in_backlog, np.log(28), np.log(7)), 0.6))).astype(np.int64)
    interview = np.where(hs, np.minimum(interview, start_d[h]), interview)
    ok = interview < end_d[h]
    ev.add(person[h][ok], interview[ok], "initial_interview", muni[h][ok], 0)
    sna = interview + np.where(g.random(len(h)) < 0.7, 0, g.integers(1, 21, len(h)))
    ok2 = ok & (sna < end_d[h]) & (g.random(len(h)) < 0.92)
    ev.add(person[h][ok2], sna[ok2], "service_need_assessment", muni[h][ok2], 0)
    plan_delay = np.exp(g.normal(np.where(in_backlog, np.log(70), np.log(10)), 0.7))
    never = g.random(len(h)) < np.where(in_backlog, 0.18, 0.03)
    plan = interview + np.rint(plan_delay).astype(np.int64)
    ok3 = ok & ~never & (plan < np.where(hs, end_d[h], end_d[h]))
    ev.add(person[h][ok3], plan[ok3], "employment_plan", muni[h][ok3], 0)

    # -- reviews and talks during every unemployment spell --------------------------------
    ui = np.arange(n_u)
    first_review = start_d[ui] + 90
    n_rev = np.clip((np.minimum(end_d[ui], window_end) - first_review) // 90 + 1, 0, 16)
    rep = np.repeat(ui, n_rev)
    k = np.arange(len(rep)) - np.repeat(np.cumsum(n_rev) - n_rev, n_rev)
    rd = start_d[rep] + 90 * (k + 1) + g.integers(-10, 11, len(rep))
    okr = (rd < end_d[rep]) & (g.random(len(rep)) < 0.85)
    ev.add(person[rep][okr], rd[okr], "plan_review", muni[rep][okr], 0)
    talk_n = np.where(start_d[ui] >= NORDIC_MODEL.astype(np.int64), 3, np.where(g.random(n_u) < 0.2, 1, 0))
    rep = np.repeat(ui, talk_n)
    k = np.arange(len(rep)) - np.repeat(np.cumsum(talk_n) - talk_n, talk_n)
    td = start_d[rep] + 14 + 21 * k + g.integers(-3, 4, len(rep))
    okt = td < end_d[rep]
    ev.add(person[rep][okt], td[okt], "job_search_talk", muni[rep][okt], 0)
    long_u = ui[(end_d[ui] - start_d[ui]) > 365]
    hc = long_u[g.random(len(long_u)) < 0.25]
    ev.add(person[hc], start_d[hc] + 365 + g.integers(0, 60, len(hc)), "referral", muni[hc],
           SECTORS.index("health_care"))
    kl = long_u[g.random(len(long_u)) < 0.10]
    ev.add(person[kl], start_d[kl] + 400 + g.integers(0, 60, len(kl)), "referral", muni[kl], SECTORS.index("kela"))

    # -- services -------------------------------------------------------------------------
    si = n_u + np.arange(n_s)
    sector = np.array([SECTORS.index(s) for s in SERVICE_SECTOR])[s_type]
    ref_d = start_d[si] - g.integers(0, 22, n_s)
    ev.add(person[si], ref_d, "referral", muni[si], sector, s_type)
    ev.add(person[si], start_d[si], "service_start", muni[si], sector, s_type)
    ended = s_sp.end < n_t
    ev.add(person[si][ended], end_d[si][ended], "service_end", muni[si][ended], sector[ended], s_type[ended])

    # -- exits (chain tails that ended inside the window) --------------------------------
    tails = tails[end_t[tails] < n_t]
    p = np.tile(EXIT_BASE, (len(tails), 1))
    tail_type = np.where(is_s[tails], s_type[np.clip(tails - n_u, 0, None)], -1)
    p[tail_type == 0, 0] += 0.15  # after subsidised work, more often to the open labour market
    p[tail_type == 5, 2] += 0.25  # after self-motivated study, more often to education
    treated = pilot_at(tails, end_d[tails]) & (end_d[tails] >= np.datetime64(effects.start).astype(np.int64))
    p[treated, 0] = np.minimum(p[treated, 0] * effects.exit_to_work_hr, 0.95)
    p = p / p.sum(axis=1, keepdims=True)
    cum = np.cumsum(p, axis=1)
    detail = (g.random(len(tails))[:, None] > cum).sum(axis=1)
    ev.add(person[tails], end_d[tails], "exit", muni[tails], 0, -1, detail)
    exit_detail = np.full(n_u + n_s, -1, dtype=np.int64)
    exit_detail[tails] = detail

    # -- status three months after a service, read from the person's whole history ---------
    sd = si[ended & (end_d[si] + 91 <= window_end)]
    day3 = end_d[sd] + 91
    status = np.full(len(sd), -1, dtype=np.int64)
    cur = sd.copy()
    active = np.ones(len(sd), dtype=bool)
    while active.any():
        j = nxt_person[cur]
        jj = np.maximum(j, 0)
        on = active & (j >= 0) & (start_d[jj] <= day3)  # the next spell began by then
        gap = active & ~on  # the path was exited (cur is a path's last spell) at day3
        work = (exit_detail[cur[gap]] >= 0) & (exit_detail[cur[gap]] <= 1)  # open or subsidised work
        status[gap] = np.where(work, STATUS_3M.index("employed"), STATUS_3M.index("other"))
        open_then = on & (end_d[jj] > day3)
        status[open_then] = np.where(is_s[jj[open_then]], STATUS_3M.index("in_services"),
                                     STATUS_3M.index("unemployed"))
        active = on & ~open_then
        cur = np.where(active, jj, cur)
    ev.add(person[sd], day3, "status_3m", muni[sd], 0, s_type[sd - n_u], status + 100)

    pseud = _pseudonyms(n_persons, seed)
    spells = pd.DataFrame({
        "person": person.astype(np.int32),
        "kind": np.where(is_s, np.concatenate([np.zeros(n_u, dtype=np.int64), s_type]), -1).astype(np.int8),
        "municipality": muni.astype(np.int16),
        "start": start_d.astype(np.int32),
        "end": end_d.astype(np.int32),
    })
    events = _events_frame(ev, panel, pseud, window_start, window_end)
    answers, wa_truth = _kykyviisari(r[6], panel, effects, person, muni, start_d, s_type, si, pseud,
                                     window_start, window_end, pilot_at)
    truth = pd.DataFrame({
        "name": ["exit_to_work_hazard_ratio", "work_ability_effect_points", "startup_backlog", "person_scale"],
        "area_code": "", "period": None,
        "value": [effects.exit_to_work_hr, effects.work_ability_points, float(effects.startup_backlog), scale],
        "note": ["ratio of the exit-to-work cause-specific hazard in pilots after the start (total exit hazard "
                 "fixed by the panel)", f"added to the change in Kykyviisari work_ability; {wa_truth}",
                 "1 = pilots had the 2021 start-up backlog (interview and plan delays)",
                 "persons per panel person"],
    })
    return Persons(events, answers, truth, n_persons, u_targets, s_targets.reshape(n_m, n_k, n_t), n_paths, spells)


def _pseudonyms(n: int, seed: int) -> np.ndarray:
    key = synthetic_key(seed)
    return np.array([pseudonymise(str(i), key) for i in range(n)], dtype=object)


def _events_frame(ev: _Events, panel: Panel, pseud: np.ndarray, lo: int, hi: int) -> pd.DataFrame:
    cols = [np.concatenate([p[i] for p in ev.parts]) for i in range(7)]
    person, day, etype, muni, sector, service, detail = cols
    keep = (day >= lo) & (day <= hi)
    person, day, etype, muni, sector, service, detail = (c[keep] for c in cols)
    order = np.lexsort((etype, day, person))
    person, day, etype, muni, sector, service, detail = (c[order] for c in (person, day, etype, muni, sector,
                                                                                service, detail))
    detail_names = [*EXIT_DETAILS, *STATUS_3M]
    detail_code = np.where(detail >= 100, detail - 100 + len(EXIT_DETAILS), detail)
    return pd.DataFrame({
        "pseudonym": pd.Categorical.from_codes(person, categories=pd.Index(pseud)),
        "event_date": day.astype("datetime64[D]").astype("datetime64[s]"),
        "event_type": pd.Categorical.from_codes(etype, categories=pd.Index(EVENT_TYPES)),
        "municipality_code": pd.Categorical.from_codes(muni, categories=pd.Index(panel.codes)),
        "sector": pd.Categorical.from_codes(sector, categories=pd.Index(SECTORS)),
        "service_type": pd.Categorical.from_codes(service, categories=pd.Index(SERVICE_CODES)),
        "detail": pd.Categorical.from_codes(detail_code, categories=pd.Index(detail_names)),
    })


def _kykyviisari(g: np.random.Generator, panel: Panel, effects: EffectSpec, person: np.ndarray,
                 muni: np.ndarray, start_d: np.ndarray, s_type: np.ndarray, si: np.ndarray, pseud: np.ndarray,
                 lo: int, hi: int, pilot_at: object) -> tuple[pd.DataFrame, str]:
    comp = set(kykyviisari_comparison())
    is_comp = np.array([c in comp for c in panel.codes])
    d0 = start_d[si] - g.integers(0, 8, len(si))
    pil = pilot_at(si, d0)  # type: ignore[operator]
    eligible = (d0 >= KYKYVIISARI_START.astype(np.int64)) & (d0 >= lo) & (d0 <= hi) & (pil | is_comp[muni[si]])
    take = eligible & (g.random(len(si)) < np.where(pil, 0.4, 0.3))
    idx = si[take]
    d0 = d0[take]
    pil = pil[take]
    n = len(idx)
    latent = 5.8 - 1.3 * (s_type[idx - si[0]] == 4) + g.normal(0, 1.6, n)
    wa0 = np.clip(np.rint(latent), 0, 10)
    wl0 = np.clip(np.rint(latent - 0.8 + g.normal(0, 1.2, n)), 0, 10)
    follow = (g.random(n) < 0.5)
    d1 = d0 + g.integers(90, 271, n)
    follow &= d1 <= hi
    change = 0.3 + g.normal(0, 1.2, n) + np.where(pil, effects.work_ability_points, 0.0)
    wa1 = np.clip(np.rint(latent + change), 0, 10)
    wl1 = np.clip(np.rint(latent - 0.8 + change * 0.7 + g.normal(0, 1.2, n)), 0, 10)
    parts = []
    for day, wa, wl, mask in ((d0, wa0, wl0, np.ones(n, dtype=bool)), (d1, wa1, wl1, follow)):
        base = pd.DataFrame({"p": person[idx][mask], "answered_at": day[mask], "m": muni[idx][mask]})
        parts.append(base.assign(item="work_ability", value=wa[mask]))
        parts.append(base.assign(item="working_life_relation", value=wl[mask]))
        sit = g.choice(len(SITUATIONS), int(mask.sum()), p=SITUATION_WEIGHTS / SITUATION_WEIGHTS.sum())
        parts.append(base.assign(item=np.array([f"situation_{s}" for s in SITUATIONS])[sit], value=1.0))
        extra = g.random(int(mask.sum())) < 0.3
        sit2 = g.choice(len(SITUATIONS), int(mask.sum()), p=SITUATION_WEIGHTS / SITUATION_WEIGHTS.sum())
        e = base.assign(item=np.array([f"situation_{s}" for s in SITUATIONS])[sit2], value=1.0)[extra & (sit2 != sit)]
        parts.append(e)
    a = pd.concat(parts, ignore_index=True)
    pilot_area = {m.municipality_code: m.area_code for m in programme_registry().memberships()}
    codes = np.array(panel.codes, dtype=object)[a["m"].to_numpy()]
    answers = pd.DataFrame({
        "pseudonym": pseud[a["p"].to_numpy()] if len(a) else np.array([], dtype=object),
        "answered_at": a["answered_at"].to_numpy().astype("datetime64[D]").astype("datetime64[s]"),
        "instrument": "kykyviisari",
        "municipality_code": codes,
        "area": np.array([pilot_area.get(c, "comparison") for c in codes], dtype=object),
        "item": a["item"].to_numpy(),
        "value": a["value"].to_numpy(dtype=float),
    }).sort_values(["pseudonym", "answered_at", "item"], kind="mergesort").reset_index(drop=True)
    note = f"{int(follow.sum())} follow-up answers, {int((follow & pil).sum())} of them in pilots"
    return answers, note
