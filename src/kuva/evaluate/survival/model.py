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
from kuva.evaluate.survival.results import HazardRatioResults, SurvivalCurves

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
        lo, hi = sf.simultaneous_cb(alpha=alpha) if len(sf.surv_times) > 1 else (sf.surv_prob, sf.surv_prob)
        curves.append(pd.DataFrame({"group": g, "time": sf.surv_times, "survival": sf.surv_prob,
                                    "ci_low": lo, "ci_high": hi}))
        below = np.flatnonzero(sf.surv_prob <= 0.5)
        medians[g] = float(sf.surv_times[below[0]]) if len(below) else float("nan")
        ns[g] = len(sub)
    return SurvivalCurves(pd.concat(curves, ignore_index=True), pd.Series(medians, name="median"),
                          pd.Series(ns, name="n"))


__all__ = ["CoxTimeVarying", "kaplan_meier"]
