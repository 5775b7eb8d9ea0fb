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
from kuva.evaluate.survival.results import CumulativeIncidence, HazardRatioResults, SurvivalCurves

REQUIRED = ("id", "start", "stop", "event", "treated")


def _check(frame: pd.DataFrame, covariates: Sequence[str]) -> None:
    missing = [c for c in (*REQUIRED, *covariates) if c not in frame.columns]
    if missing:
        raise KuvaInputError(f"start-stop frame lacks column(s) {missing}; it needs {list(REQUIRED)}")
    if (frame["stop"] <= frame["start"]).any():
        bad = frame[frame["stop"] <= frame["start"]].iloc[0]
        raise KuvaInputError(f"an interval ends before it starts (id {bad['id']!r}: {bad['start']} → {bad['stop']})")
    if not frame["event"].isin([0, 1, True, False]).all():
        raise KuvaInputError("event must be 0/1")


class CoxTimeVarying:
    """Cox model of the event hazard with the time-varying ``treated`` indicator."""

    def __init__(self, frame: pd.DataFrame, *, covariates: Sequence[str] = (), event: str = "event") -> None:
        _check(frame, covariates)
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
        model = PHReg(f["stop"].to_numpy(), f[names].to_numpy(dtype=float), status=f["event"].to_numpy(),
                      entry=f["start"].to_numpy(), ties="efron")
        res = model.fit()
        params = np.asarray(res.params, dtype=float)
        se = np.asarray(res.bse, dtype=float)
        cov = pd.DataFrame({"estimate": params[1:], "std_error": se[1:]}, index=list(self._covariates))
        return HazardRatioResults(float(params[0]), float(se[0]), alpha, int(f["id"].nunique()), len(f),
                                  int(f["event"].sum()), self._event, cov)


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
