"""Duration models on person-level spells (statsmodels' ``PHReg`` and ``SurvfuncRight``
underneath; lifelines was the first choice but pins pandas below 3).

The data are start–stop intervals, one or more per person: ``id, start, stop, event, treated``
(and covariates), where ``treated`` switches on at the treatment's start (a service) so the
treatment is time-varying — the standard way to avoid the immortal-time bias of comparing
treated and untreated spells from their beginnings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError
from kuva.evaluate.survival.results import (
    CumulativeIncidence,
    DiscreteHazardResults,
    HazardRatioResults,
    SurvivalCurves,
)

REQUIRED = ("id", "start", "stop", "event", "treated")


def check_start_stop(frame: pd.DataFrame, covariates: Sequence[str], required: Sequence[str] = REQUIRED) -> None:
    """The columns are there, every interval has a positive length and ``event`` (if required) is 0/1."""
    missing = [c for c in (*required, *covariates) if c not in frame.columns]
    if missing:
        raise KuvaInputError(f"start-stop frame lacks column(s) {missing}; it needs {[*required, *covariates]}")
    if (frame["stop"] <= frame["start"]).any():
        bad = frame[frame["stop"] <= frame["start"]].iloc[0]
        raise KuvaInputError(f"an interval ends before it starts (id {bad['id']!r}: {bad['start']} → {bad['stop']})")
    if "event" in required and not frame["event"].isin([0, 1, True, False]).all():
        raise KuvaInputError("event must be 0/1")


class CoxTimeVarying:
    """Cox model of the event hazard with the time-varying ``treated`` indicator."""

    def __init__(self, frame: pd.DataFrame, *, covariates: Sequence[str] = (), event: str = "event") -> None:
        check_start_stop(frame, covariates)
        self._frame = frame[[*REQUIRED, *covariates]].copy()
        self._covariates = tuple(covariates)
        self._event = event

    def fit(self, *, alpha: float = 0.05) -> HazardRatioResults:
        """Cox partial likelihood with Efron ties on the counting-process data (each interval
        enters the risk set at ``start``), as R ``coxph(Surv(start, stop, event) ~ ...)``."""
        from statsmodels.duration.hazard_regression import PHReg

        f = self._frame.astype({"start": float, "stop": float, "event": int, "treated": float})
        if f["treated"].nunique() < 2 or f["event"].sum() == 0:
            raise KuvaInputError("the treatment never varies or no event happens: nothing to estimate")
        names = ["treated", *self._covariates]
        # statsmodels counts a row at risk at t when entry ≤ t, R (and the counting process) when
        # start < t: entering just after ``start`` keeps a person who switches on an event's day
        # out of that day's risk set twice (their untreated row ends there, the treated one begins)
        entry = np.nextafter(f["start"].to_numpy(), np.inf)
        model = PHReg(f["stop"].to_numpy(), f[names].to_numpy(dtype=float), status=f["event"].to_numpy(),
                      entry=entry, ties="efron")
        res = model.fit()
        params = np.asarray(res.params, dtype=float)
        se = np.asarray(res.bse, dtype=float)
        cov = pd.DataFrame({"estimate": params[1:], "std_error": se[1:]}, index=list(self._covariates))
        return HazardRatioResults(float(params[0]), float(se[0]), alpha, int(f["id"].nunique()), len(f),
                                  int(f["event"].sum()), self._event, cov)


def person_periods(frame: pd.DataFrame, width: int = 1) -> pd.DataFrame:
    """Start–stop data as counts per (period, treated): ``period, treated, at_risk, events``.

    Period ``p`` covers days ``((p − 1)·width, p·width]`` of the spell. A person is in the period
    with the treatment status of the interval holding the period's first day at risk (so a
    treatment that starts inside a period counts from the next one), and the event falls in the
    period of its day ``ceil(stop / width)``. Equivalent to expanding every person into one row
    per period (the model's likelihood is the same), without making the rows: a difference array
    per status over the period index."""
    check_start_stop(frame, ())
    if width < 1:
        raise KuvaInputError(f"the period width must be at least one day, got {width}")
    f = frame.sort_values(["id", "start"], kind="stable")
    a = f["start"].to_numpy(dtype=np.int64)
    b = f["stop"].to_numpy(dtype=np.int64)
    if (f["start"].to_numpy(dtype=float) != a).any() or (f["stop"].to_numpy(dtype=float) != b).any():
        raise KuvaInputError("start and stop must be whole days for a discrete-time model")
    treated = f["treated"].to_numpy(dtype=float) > 0
    event = f["event"].to_numpy(dtype=int) == 1
    first = np.where(a == 0, 1, (a - 1) // width + 2)  # the first period whose first day is after a
    last = (b - 1) // width + 1  # the period holding day b
    covers = first <= last
    n = int(last.max()) + 2 if len(last) else 2
    risk = np.zeros((2, n))
    for st in (0, 1):
        m = covers & (treated == bool(st))
        risk[st] += np.bincount(first[m], minlength=n)[:n] - np.bincount(last[m] + 1, minlength=n + 1)[:n]
    risk = np.cumsum(risk, axis=1)
    # an event whose interval holds no period start (a treatment starting in the event's own
    # period) belongs to the period's status: that of the interval before it
    ids = f["id"].to_numpy()
    status = treated.copy()
    orphan = np.flatnonzero(event & ~covers)
    for i in orphan:
        if i == 0 or ids[i - 1] != ids[i]:
            raise KuvaInputError(f"id {ids[i]!r}: an event interval starting after day 0 without one before it")
        status[i] = treated[i - 1]
    events = np.zeros((2, n))
    np.add.at(events, (status[event].astype(int), last[event]), 1.0)
    rows = [(p, st, risk[st, p], events[st, p]) for st in (0, 1) for p in range(1, n) if risk[st, p] > 0]
    out = pd.DataFrame(rows, columns=["period", "treated", "at_risk", "events"])
    return out.astype({"period": int, "treated": int, "at_risk": int, "events": int})


class DiscreteTimeHazard:
    """The grouped-time proportional-hazards model of the event with the time-varying
    ``treated`` indicator: the complementary log-log regression of the event in each period of
    ``width`` days on one free baseline term per period and the treatment (Prentice & Gloeckler
    1978; Allison, *Survival Analysis Using SAS*, ch. 7). Its coefficient is the log hazard ratio
    of the continuous-time proportional-hazards model whose events are only known by period — the
    design for monthly register data — and close to the Cox model's when periods are short.
    Fitted on the (period, treated) counts of :func:`person_periods` as a binomial GLM
    (statsmodels), identical to the fit on one row per person and period."""

    def __init__(self, frame: pd.DataFrame, *, width: int = 1, event: str = "event") -> None:
        check_start_stop(frame, ())
        self._frame = frame[list(REQUIRED)].copy()
        self._width = int(width)
        self._event = event

    def fit(self, *, alpha: float = 0.05, tol: float = 1e-10, max_iter: int = 100) -> DiscreteHazardResults:
        """Fisher scoring of the binomial cloglog likelihood of the (period, treated) counts. The
        information matrix is an arrowhead — the treatment against each period's own baseline —
        so each step is solved in closed form in O(periods), where a GLM with one dummy per
        period inverts a dense matrix (statsmodels took 24–50 s a fit on 24,000 spells with 870
        daily periods); the same maximum and the same expected-information SE (tested against
        statsmodels' GLM on the rows)."""
        cells = person_periods(self._frame, self._width)
        if cells["treated"].nunique() < 2 or cells["events"].sum() == 0:
            raise KuvaInputError("the treatment never varies or no event happens: nothing to estimate")
        # a period without events has its baseline at −∞ and adds nothing to the likelihood
        with_events = cells.groupby("period")["events"].transform("sum") > 0
        c = cells[with_events].reset_index(drop=True)
        periods, p_idx = np.unique(c["period"].to_numpy(), return_inverse=True)
        t = c["treated"].to_numpy(dtype=float)
        n = c["at_risk"].to_numpy(dtype=float)
        d = c["events"].to_numpy(dtype=float)
        k = len(periods)
        # start: each period's pooled hazard, no treatment effect
        share = np.bincount(p_idx, d, k) / np.bincount(p_idx, n, k)
        a = np.log(-np.log1p(-np.clip(share, 1e-12, 1 - 1e-12)))
        beta = 0.0
        for _ in range(max_iter):
            score_eta, w = _cloglog_cell(a[p_idx] + beta * t, n, d)
            g_a = np.bincount(p_idx, score_eta, k)
            g_b = float(np.sum(t * score_eta))
            w_aa = np.bincount(p_idx, w, k)
            w_ab = np.bincount(p_idx, t * w, k)
            w_bb = float(np.sum(t * w))
            usable = w_aa > 0
            schur = w_bb - float(np.sum(w_ab[usable] ** 2 / w_aa[usable]))
            step_b = (g_b - float(np.sum(w_ab[usable] * g_a[usable] / w_aa[usable]))) / schur
            step_a = np.where(usable, (g_a - w_ab * step_b) / np.where(usable, w_aa, 1.0), 0.0)
            beta += step_b
            a += step_a
            # a period whose every client exits has its baseline run off to +∞ while its score
            # vanishes: converged when the treatment's step and every period's score are tiny
            if abs(step_b) < tol and np.max(np.abs(g_a), initial=0.0) < 1e-7:
                break
        else:
            raise KuvaInputError("the discrete-time hazard model did not converge")
        _, w = _cloglog_cell(a[p_idx] + beta * t, n, d)
        w_aa, w_ab, w_bb = np.bincount(p_idx, w, k), np.bincount(p_idx, t * w, k), float(np.sum(t * w))
        usable = w_aa > 0
        se = 1.0 / np.sqrt(w_bb - float(np.sum(w_ab[usable] ** 2 / w_aa[usable])))
        base = c.groupby("period", as_index=False)[["at_risk", "events"]].sum()
        base["hazard"] = -np.expm1(-np.exp(a))
        return DiscreteHazardResults(float(beta), float(se), alpha, int(self._frame["id"].nunique()),
                                     int(cells["at_risk"].sum()), int(cells["events"].sum()), self._event,
                                     pd.DataFrame({"estimate": [], "std_error": []}), width=self._width,
                                     baseline=base)


def _cloglog_cell(eta: np.ndarray, n: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For binomial cells (``d`` events of ``n``) with hazard 1 − exp(−e^η): the score with
    respect to η, μ(d / (e^μ − 1) − (n − d)), and the expected information n μ² / (e^μ − 1),
    μ = e^η (a hazard that reaches 1 in floating point has information 0, not NaN)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        mu = np.exp(eta)
        em1 = np.expm1(mu)
        score = mu * (d / em1 - (n - d))
        w = n * mu * mu / em1
    return np.nan_to_num(score), np.nan_to_num(w, nan=0.0, posinf=0.0)


def kaplan_meier(durations: Sequence[float] | np.ndarray, events: Sequence[int] | np.ndarray,
                 groups: Sequence[object] | np.ndarray, *, alpha: float = 0.05) -> SurvivalCurves:
    """Kaplan–Meier curve of each group (durations from the spell's start; event 1, censored 0)."""
    from statsmodels.duration.survfunc import SurvfuncRight

    d = pd.DataFrame({"t": np.asarray(durations, dtype=float), "e": np.asarray(events, dtype=int),
                      "g": np.asarray(groups, dtype=object)})
    if d.empty or (d["t"] < 0).any():
        raise KuvaInputError("durations must be non-negative and not empty")
    curves, medians, ns = [], {}, {}
    for g, sub in d.groupby("g", sort=True):
        sf = SurvfuncRight(sub["t"].to_numpy(), sub["e"].to_numpy())
        with np.errstate(divide="ignore", invalid="ignore"):  # a curve reaching 0 has no log band there
            lo, hi = sf.simultaneous_cb(alpha=alpha) if len(sf.surv_times) > 1 else (sf.surv_prob, sf.surv_prob)
        curves.append(pd.DataFrame({"group": g, "time": sf.surv_times, "survival": sf.surv_prob,
                                    "ci_low": lo, "ci_high": hi}))
        below = np.flatnonzero(sf.surv_prob <= 0.5)
        medians[g] = float(sf.surv_times[below[0]]) if len(below) else float("nan")
        ns[g] = len(sub)
    return SurvivalCurves(pd.concat(curves, ignore_index=True), pd.Series(medians, name="median"),
                          pd.Series(ns, name="n"))


def _aalen_johansen(t: np.ndarray, cause: np.ndarray, k: object, z: float) -> pd.DataFrame:
    """One group's cumulative incidence of cause ``k`` (ties grouped at their time)."""
    times, idx = np.unique(t, return_inverse=True)
    removed = np.bincount(idx, minlength=len(times)).astype(float)
    d = np.bincount(idx, weights=(cause != 0).astype(float), minlength=len(times))
    dk = np.bincount(idx, weights=(cause == k).astype(float), minlength=len(times))
    n = len(t) - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    s = np.cumprod(1.0 - d / n)
    s_prev = np.concatenate([[1.0], s[:-1]])
    f = np.cumsum(s_prev * dk / n)
    # Var F(t_m) = Σ_{j≤m} (F_m − F_j)² a_j + b_j − 2 (F_m − F_j) c_j, expanded into running sums
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(n > d, d / (n * (n - d)), 0.0)  # Greenwood's term; 0 once nobody is left
    b = s_prev**2 * dk * (n - dk) / n**3
    c = s_prev * dk / n**2
    var = (f**2 * np.cumsum(a) - 2 * f * np.cumsum(a * f) + np.cumsum(a * f**2) + np.cumsum(b)
           - 2 * (f * np.cumsum(c) - np.cumsum(c * f)))
    se = np.sqrt(np.maximum(var, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = (f > 0) & (f < 1)
        loglog = np.where(inner, np.log(-np.log(np.where(inner, f, 0.5))), np.nan)
        width = np.where(inner, z * se / (f * np.abs(np.log(np.where(inner, f, 0.5)))), np.nan)
        low = np.where(inner, np.exp(-np.exp(loglog + width)), f)
        high = np.where(inner, np.exp(-np.exp(loglog - width)), f)
    keep = dk > 0
    return pd.DataFrame({"cause": k, "time": times[keep], "cif": f[keep], "std_error": se[keep],
                         "ci_low": low[keep], "ci_high": high[keep]})


def cumulative_incidence(durations: Sequence[float] | np.ndarray, causes: Sequence[object] | np.ndarray,
                         groups: Sequence[object] | np.ndarray, *, alpha: float = 0.05) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence of each cause by group, for competing risks (exit to
    work, to education, other). ``causes`` holds the cause of each spell's end, or ``0``/``None``
    for a censored spell. With one cause it is 1 − Kaplan–Meier; without censoring the share of
    spells ended by the cause by then. Ties are grouped at their time (no jitter)."""
    from scipy.stats import norm

    cause = pd.Series(np.asarray(causes, dtype=object)).fillna(0).replace("", 0).to_numpy(dtype=object)
    d = pd.DataFrame({"t": np.asarray(durations, dtype=float), "c": cause, "g": np.asarray(groups, dtype=object)})
    if d.empty or (d["t"] < 0).any() or d["t"].isna().any():
        raise KuvaInputError("durations must be non-negative, present and not empty")
    kinds = sorted({c for c in d["c"] if c != 0}, key=str)
    if not kinds:
        raise KuvaInputError("no spell ends in a cause: every spell is censored")
    z = float(norm.ppf(1 - alpha / 2))
    parts, ns = [], {}
    for g, sub in d.groupby("g", sort=True):
        t, c = sub["t"].to_numpy(), sub["c"].to_numpy(dtype=object)
        for k in kinds:
            parts.append(_aalen_johansen(t, c, k, z).assign(group=g))
        ns[g] = len(sub)
    curves = pd.concat(parts, ignore_index=True)[["group", "cause", "time", "cif", "std_error", "ci_low", "ci_high"]]
    return CumulativeIncidence(curves, pd.Series(ns, name="n"), alpha)


__all__ = ["CoxTimeVarying", "cumulative_incidence", "kaplan_meier"]
