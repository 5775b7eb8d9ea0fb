"""Rambachan–Roth (2023) sensitivity of an event-study effect to violations of parallel
trends, under the *relative magnitudes* restriction.

Restriction ``Delta^RM(Mbar)``: every post-treatment first difference of the bias ``delta``
is at most ``Mbar`` times the largest pre-treatment first difference (with ``delta = 0`` at
the reference period ``e = -1``). For the effect at event time ``e >= 0`` this gives the
identified set ``beta_e ± (e + 1) * Mbar * m``, where ``m`` is the largest absolute first
difference of the pre-period coefficients (including the step to the reference period).

Confidence interval (deliberately simple and **conservative**, not Rambachan & Roth's
conditional/hybrid or FLCI intervals): Bonferroni-combine a ``1 - alpha/2`` interval for
``beta_e`` with a ``1 - alpha/2`` upper bound for ``m`` (itself Bonferroni over the pre
differences): ``[beta_e - z_{1-alpha/4} se_e - (e+1) Mbar m_U, beta_e + z se_e + (e+1) Mbar
m_U]``. It covers the identified set with probability at least ``1 - alpha`` asymptotically,
but is wider than the honest-DiD package's intervals.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kuva.errors import KuvaInputError
from kuva.evaluate.did.results import EventStudyResults
from kuva.evaluate.sensitivity.results import RelativeMagnitudesResults


def relative_magnitude_bounds(
    event_times: Sequence[int],
    beta: Sequence[float],
    vcov: np.ndarray,
    *,
    target: int,
    mbar: Sequence[float],
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Identified set and conservative CI for ``tau_target`` for each ``Mbar`` (pure)."""
    et = np.asarray(event_times, dtype=int)
    b = np.asarray(beta, dtype=float)
    v = np.asarray(vcov, dtype=float)
    if target < 0 or target not in et:
        raise KuvaInputError(f"target event time {target} must be a post period in {list(et)}")
    pre_idx = [i for i in np.argsort(et) if et[i] < -1]
    if not pre_idx:
        raise KuvaInputError("need at least one pre-period coefficient (event time < -1)")
    # contrasts for the pre first differences, ending with delta_{-1} - delta_{-2} = -b_{-2}
    contrasts = []
    for a, c in itertools.pairwise(pre_idx):
        r = np.zeros(len(b))
        r[c], r[a] = 1.0, -1.0
        contrasts.append(r)
    r = np.zeros(len(b))
    r[pre_idx[-1]] = -1.0
    contrasts.append(r)
    cmat = np.array(contrasts)
    diffs = cmat @ b
    diff_se = np.sqrt(np.einsum("ij,jk,ik->i", cmat, v, cmat))
    m_hat = float(np.max(np.abs(diffs)))
    z_m = stats.norm.ppf(1 - alpha / (4 * len(diffs)))
    m_upper = float(np.max(np.abs(diffs) + z_m * diff_se))
    k = int(np.flatnonzero(et == target)[0])
    steps = target + 1
    z = stats.norm.ppf(1 - alpha / 4)
    se = float(np.sqrt(v[k, k]))
    rows = []
    for mb in mbar:
        if mb < 0:
            raise KuvaInputError(f"Mbar must be >= 0; got {mb}")
        half_id = steps * mb * m_hat
        half_ci = steps * mb * m_upper
        rows.append(
            {
                "mbar": float(mb),
                "id_low": b[k] - half_id,
                "id_high": b[k] + half_id,
                "ci_low": b[k] - z * se - half_ci,
                "ci_high": b[k] + z * se + half_ci,
            }
        )
    return pd.DataFrame(rows)


class RelativeMagnitudes:
    """Relative-magnitudes sensitivity analysis of one post-period event-study coefficient."""

    def __init__(self, event_study: EventStudyResults, *, target: int = 0) -> None:
        if not isinstance(event_study, EventStudyResults):
            raise KuvaInputError("event_study must be an EventStudyResults")
        if target >= event_study.lags:
            raise KuvaInputError(
                f"target {target} is the binned endpoint (>= {event_study.lags}) or beyond; "
                "choose an unbinned post period"
            )
        self._es = event_study
        self._target = target

    def fit(
        self, *, mbar: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0),
        alpha: float = 0.05,
    ) -> RelativeMagnitudesResults:
        es = self._es
        table = relative_magnitude_bounds(
            es.event_times.tolist(), es.coefficients.tolist(), np.asarray(es.vcov),
            target=self._target, mbar=mbar, alpha=alpha,
        )
        k = int(np.flatnonzero(es.event_times == self._target)[0])
        beta = float(es.coefficients[k])
        se = float(es.std_errors[k])
        # breakdown: smallest Mbar whose conservative CI contains zero
        z = stats.norm.ppf(1 - alpha / 4)
        probe = relative_magnitude_bounds(
            es.event_times.tolist(), es.coefficients.tolist(), np.asarray(es.vcov),
            target=self._target, mbar=[1.0], alpha=alpha,
        )
        per_unit = float(probe["ci_high"].iloc[0] - beta - z * se)  # (e+1) * m_U
        margin = abs(beta) - z * se
        breakdown = max(margin, 0.0) / per_unit if per_unit > 0 else float("inf")
        return RelativeMagnitudesResults(
            target=self._target, estimate=beta, std_error=se, alpha=alpha, table=table,
            breakdown_mbar=breakdown, n_units=self._es.n_units, n_obs=self._es.n_obs,
        )
