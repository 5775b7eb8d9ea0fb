"""Fine–Gray regression: the proportional subdistribution-hazard model of one cause among
competing risks (Fine & Gray 1999, *JASA* 94:496–509).

Where a cause-specific Cox model asks "how fast do people leave *for work* among those still
unemployed", the subdistribution hazard keeps those who left for another reason (education,
other) in the risk set, weighted by the chance that they would still be under observation —
so its coefficient moves the **cumulative incidence** of the cause itself: a subdistribution
hazard ratio above 1 means more people have left for work by any day.

Estimated as R ``survival::finegray`` + ``coxph(..., weights, cluster(id))`` do (Geskus 2011,
*Biometrics* 67:39–49): a weighted Cox partial likelihood with Breslow ties on start–stop data in
which a person ended by a competing cause stays at risk after the end with the weight
``G(t−)/G(X−)`` (``G``: Kaplan–Meier of the censoring times, ``X``: the end of their spell,
their covariates as at the end); the standard error is the robust sandwich over persons. It
leaves out the (small) extra variance from estimating ``G`` that ``cmprsk::crr`` adds.

With a time-varying covariate (a service that starts during the spell) the coefficient is still
the subdistribution hazard ratio, but it no longer maps onto the cumulative incidence of a group
fixed at the start (Latouche et al. 2005) — read it beside the cause-specific hazard ratio.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError
from kuva.evaluate.survival.model import check_start_stop
from kuva.evaluate.survival.results import SubdistributionHazardResults

REQUIRED = ("id", "start", "stop", "cause")


def _censoring_left_limit(ends: np.ndarray, censored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier of the censoring distribution as a step function: (times, ``G(t−)`` just
    after each time) so that ``G(t−)`` is the product over censoring times strictly below ``t``.
    An event and a censoring at the same time: the event comes first (the usual convention)."""
    times, idx = np.unique(ends, return_inverse=True)
    at_risk = len(ends) - np.concatenate([[0], np.cumsum(np.bincount(idx, minlength=len(times)))[:-1]])
    lost = np.bincount(idx, weights=censored.astype(float), minlength=len(times))
    return times, np.cumprod(1.0 - lost / at_risk)


def _g_minus(times: np.ndarray, g_after: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``G(t−)``: the censoring survivor over censoring times strictly below ``t``."""
    k = np.searchsorted(times, t, side="left")  # censoring times < t
    return np.where(k > 0, g_after[np.maximum(k - 1, 0)], 1.0)


class FineGray:
    """The subdistribution-hazard model of cause ``of_interest`` on start–stop data
    (``id, start, stop, cause`` and the ``covariates``; ``cause`` is the cause ending the row —
    ``0``/empty for a row that does not end the spell or a censored spell). Every person's
    follow-up starts at 0 (no delayed entry: the censoring weights assume it)."""

    def __init__(self, frame: pd.DataFrame, *, covariates: Sequence[str] = ("treated",),
                 of_interest: object = "work") -> None:
        if not covariates:
            raise KuvaInputError("the Fine–Gray model needs at least one covariate")
        check_start_stop(frame, covariates, REQUIRED)
        f = frame[[*REQUIRED, *covariates]].copy()
        f["cause"] = f["cause"].astype(object).where(f["cause"].notna(), 0).replace("", 0)
        if f[list(covariates)].isna().any().any():
            raise KuvaInputError(f"covariates {list(covariates)} must be present on every row")
        f = f.sort_values(["id", "start"], kind="stable").reset_index(drop=True)
        first = f.groupby("id", sort=False)["start"].transform("min")
        if (first != 0).any():
            raise KuvaInputError("every person's follow-up must start at 0 (the censoring weights assume no delayed "
                                 f"entry); id {f.loc[first != 0, 'id'].iloc[0]!r} starts later")
        last = ~f["id"].duplicated(keep="last")
        if (f.loc[~last, "cause"] != 0).any():
            raise KuvaInputError("only a person's last row may end in a cause")
        self._frame = f
        self._last = last.to_numpy()
        self._covariates = tuple(covariates)
        self._of_interest = of_interest

    def fit(self, *, alpha: float = 0.05, tol: float = 1e-10, max_iter: int = 50) -> SubdistributionHazardResults:
        f = self._frame
        z = f[list(self._covariates)].to_numpy(dtype=float)
        start, stop = f["start"].to_numpy(dtype=float), f["stop"].to_numpy(dtype=float)
        cause = f["cause"].to_numpy(dtype=object)
        event = np.array([c == self._of_interest for c in cause]) & self._last
        if not event.any():
            raise KuvaInputError(f"no spell ends in cause {self._of_interest!r}: nothing to estimate")
        if (np.ptp(z, axis=0) == 0).any():
            raise KuvaInputError("a covariate never varies: nothing to estimate")
        competing = self._last & ~event & np.array([c != 0 for c in cause])
        person = pd.factorize(f["id"])[0]
        # the censoring distribution from each person's end and whether it was censored
        ends, censored = stop[self._last], np.array([c == 0 for c in cause[self._last]])
        g_times, g_after = _censoring_left_limit(ends, censored)
        t_event, d_event = np.unique(stop[event], return_counts=True)
        g_event = _g_minus(g_times, g_after, t_event)
        # a competing person re-enters at X with weight 1/G(X−), multiplied by G(t−) at each event time
        inv_gx = 1.0 / _g_minus(g_times, g_after, stop[competing])
        x_comp = stop[competing]
        z_ev_sum = np.zeros((len(t_event), z.shape[1]))
        np.add.at(z_ev_sum, np.searchsorted(t_event, stop[event]), z[event])
        p = z.shape[1]
        beta = beta_old = np.zeros(p)
        loglik_old = -np.inf
        for _ in range(max_iter):
            s0, s1, s2, loglik = self._sums(beta, z, start, stop, competing, x_comp, inv_gx, t_event, g_event,
                                            d_event, z_ev_sum)
            if loglik < loglik_old - 1e-10 * (1 + abs(loglik_old)):  # overshot (beyond rounding): halve the step
                beta = (beta + beta_old) / 2
                continue
            zbar, info = _information(s0, s1, s2, d_event)
            score = (z_ev_sum - d_event[:, None] * zbar).sum(axis=0)
            step = np.linalg.solve(info, score)
            beta_old, loglik_old = beta, loglik
            beta = beta + step
            if np.max(np.abs(step)) < tol:
                break
        else:
            raise KuvaInputError("the Fine–Gray model did not converge (separation? a covariate that predicts the "
                                 "cause perfectly)")
        s0, s1, s2, _ = self._sums(beta, z, start, stop, competing, x_comp, inv_gx, t_event, g_event, d_event,
                                   z_ev_sum)
        zbar, info = _information(s0, s1, s2, d_event)
        resid = self._score_residuals(beta, z, start, stop, event, competing, person, x_comp, inv_gx, t_event,
                                      g_event, d_event, s0, zbar)
        resid += self._censoring_influence(beta, z, competing, x_comp, inv_gx, t_event, g_event, d_event, s0, zbar,
                                           ends, censored)
        bread = np.linalg.inv(info)
        cov = bread @ (resid.T @ resid) @ bread
        se = np.sqrt(np.diag(cov))
        others = pd.DataFrame({"estimate": beta[1:], "std_error": se[1:]}, index=list(self._covariates[1:]))
        return SubdistributionHazardResults(
            float(beta[0]), float(se[0]), alpha, int(person.max() + 1), len(f), int(event.sum()),
            str(self._of_interest), others, term=self._covariates[0], n_competing=int(competing.sum()),
            n_censored=int(censored.sum()))

    @staticmethod
    def _sums(beta: np.ndarray, z: np.ndarray, start: np.ndarray, stop: np.ndarray, competing: np.ndarray,
              x_comp: np.ndarray, inv_gx: np.ndarray, t_event: np.ndarray, g_event: np.ndarray,
              d_event: np.ndarray, z_ev_sum: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """S0, S1, S2 of the weighted risk set at each event time, and the log partial likelihood."""
        eta = z @ beta
        w = np.exp(eta)
        terms = [w, w[:, None] * z, w[:, None, None] * z[:, :, None] * z[:, None, :]]
        # rows at risk at t: start < t ≤ stop = (stop ≥ t) − (start ≥ t)
        ord_stop, ord_start = np.argsort(stop, kind="stable"), np.argsort(start, kind="stable")
        n_stop_below = np.searchsorted(stop[ord_stop], t_event, side="left")
        n_start_below = np.searchsorted(start[ord_start], t_event, side="left")
        comp_order = np.argsort(x_comp, kind="stable")
        n_comp_below = np.searchsorted(x_comp[comp_order], t_event, side="left")  # competing ends < t
        out = []
        for term in terms:
            tail_stop = _suffix(term[ord_stop])
            tail_start = _suffix(term[ord_start])
            ordinary = tail_stop[n_stop_below] - tail_start[n_start_below]
            comp = term[competing][comp_order] * inv_gx[comp_order].reshape((-1,) + (1,) * (term.ndim - 1))
            head = _prefix(comp)
            extra = head[n_comp_below] * g_event.reshape((-1,) + (1,) * (term.ndim - 1))
            out.append(ordinary + extra)
        s0, s1, s2 = out
        loglik = float((z_ev_sum @ beta).sum() - (d_event * np.log(s0)).sum())
        return s0, s1, s2, loglik

    @staticmethod
    def _score_residuals(beta: np.ndarray, z: np.ndarray, start: np.ndarray, stop: np.ndarray, event: np.ndarray,
                         competing: np.ndarray, person: np.ndarray, x_comp: np.ndarray, inv_gx: np.ndarray,
                         t_event: np.ndarray, g_event: np.ndarray, d_event: np.ndarray, s0: np.ndarray,
                         zbar: np.ndarray) -> np.ndarray:
        """Each person's score contribution (Lin & Wei 1989), summed over their rows and their
        weighted time at risk after a competing end."""
        w = np.exp(z @ beta)
        a = np.concatenate([[0.0], np.cumsum(d_event / s0)])  # Σ_{t_k ≤ t} d_k / S0_k, index by count
        b = np.vstack([np.zeros(z.shape[1]), np.cumsum(d_event[:, None] * zbar / s0[:, None], axis=0)])
        lo = np.searchsorted(t_event, start, side="right")  # event times ≤ start
        hi = np.searchsorted(t_event, stop, side="right")  # event times ≤ stop
        r = -w[:, None] * (z * (a[hi] - a[lo])[:, None] - (b[hi] - b[lo]))
        k = np.searchsorted(t_event, stop[event])
        r[event] += z[event] - zbar[k]
        # after a competing end X: Σ_{t_k > X} G(t_k−) d_k (Z − Z̄_k) / S0_k, times e^η / G(X−)
        ga = np.concatenate([[0.0], np.cumsum(g_event * d_event / s0)])
        gb = np.vstack([np.zeros(z.shape[1]), np.cumsum((g_event * d_event / s0)[:, None] * zbar, axis=0)])
        after = np.searchsorted(t_event, x_comp, side="right")
        zc = z[competing]
        r[competing] -= (w[competing] * inv_gx)[:, None] * (zc * (ga[-1] - ga[after])[:, None] - (gb[-1] - gb[after]))
        out = np.zeros((person.max() + 1, z.shape[1]))
        np.add.at(out, person, r)
        return out

    @staticmethod
    def _censoring_influence(beta: np.ndarray, z: np.ndarray, competing: np.ndarray, x_comp: np.ndarray,
                             inv_gx: np.ndarray, t_event: np.ndarray, g_event: np.ndarray, d_event: np.ndarray,
                             s0: np.ndarray, zbar: np.ndarray, ends: np.ndarray, censored: np.ndarray) -> np.ndarray:
        """Each person's share of the score's variation from estimating ``G`` (Fine & Gray 1999,
        §3: ψ_i = Σ_u q(u)/π(u) dM_i^c(u)). A censoring at ``u`` moves the weight of every person
        ended by another cause at X ≤ u at every event time after ``u``: q(u) = Σ_{X_j ≤ u}
        Σ_{t_k > u} (Z_j − Z̄_k) w_j(t_k) e^(η_j) d_k / S0_k; π(u) is the number still under
        observation at ``u`` and M^c the censoring martingale of each person (in person order)."""
        u, idx = np.unique(ends, return_inverse=True)
        at_risk = len(ends) - np.concatenate([[0], np.cumsum(np.bincount(idx, minlength=len(u)))[:-1]])
        lost = np.bincount(idx, weights=censored.astype(float), minlength=len(u))
        # the event-time sums after u (t_k > u), weighted by G(t_k−)
        ga = _suffix(g_event * d_event / s0)[np.searchsorted(t_event, u, side="right")]
        gb = _suffix((g_event * d_event / s0)[:, None] * zbar)[np.searchsorted(t_event, u, side="right")]
        # the competing persons ended at X ≤ u: Σ e^η / G(X−) and Σ e^η Z / G(X−)
        order = np.argsort(x_comp, kind="stable")
        wc = np.exp(z[competing] @ beta)[order] * inv_gx[order]
        n_ended = np.searchsorted(x_comp[order], u, side="right")
        p0 = _prefix(wc)[n_ended]
        p1 = _prefix(wc[:, None] * z[competing][order])[n_ended]
        q = p1 * ga[:, None] - p0[:, None] * gb
        jump = q / at_risk[:, None]  # q(u)/π(u)
        hazard = lost / at_risk  # dΛ^c(u)
        # ψ_i = [censored at X_i] q(X_i)/π(X_i) − Σ_{u ≤ X_i} q(u)/π(u) dΛ^c(u)
        compensator = np.cumsum(jump * hazard[:, None], axis=0)
        return np.asarray(censored[:, None] * jump[idx] - compensator[idx], dtype=float)


def _information(s0: np.ndarray, s1: np.ndarray, s2: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The weighted covariate means Z̄ at each event time and the information matrix (Breslow ties)."""
    zbar = s1 / s0[:, None]
    info = (d[:, None, None] * (s2 / s0[:, None, None] - zbar[:, :, None] * zbar[:, None, :])).sum(axis=0)
    return zbar, info


def _suffix(x: np.ndarray) -> np.ndarray:
    """Suffix sums with a trailing zero: ``out[i] = Σ_{j ≥ i} x[j]`` (index ``len(x)`` is 0)."""
    tail = np.cumsum(x[::-1], axis=0)[::-1]
    return np.concatenate([tail, np.zeros((1, *x.shape[1:]))], axis=0)


def _prefix(x: np.ndarray) -> np.ndarray:
    """Prefix sums with a leading zero: ``out[i] = Σ_{j < i} x[j]``."""
    return np.concatenate([np.zeros((1, *x.shape[1:])), np.cumsum(x, axis=0)], axis=0)


__all__ = ["FineGray"]
