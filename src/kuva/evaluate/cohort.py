"""Difference-in-differences over inflow cohorts: people who entered in the same month, in
treated and untreated groups, before and after a policy start.

A person-level outcome (e.g. "exited to work within 180 days of registering") is regressed on
group and inflow-month fixed effects and the indicator "treated group and entered on or after
``start``" — the cohort DiD of the register-based evaluations of the municipal pilots. Comparing
cohorts by their entry month, not the stock of unemployed in a month, keeps the composition of
the stock (who is still unemployed after the shock) out of the comparison: each cohort is
followed for the same time. Inference is clustered on the groups (CRV1 with t(G-1), as fixest
and Stata) with the wild cluster bootstrap (restricted, Webb weights) of
:mod:`kuva.evaluate.did.inference`; the result is a :class:`~kuva.evaluate.did.DidResults`.

The estimate is the average effect on the treated cohorts when the effect does not change over
cohorts; with one start date for every treated group there is no staggered-adoption bias. The
parallel-trends assumption is about cohorts: without the policy, treated and untreated groups'
cohorts would have moved alike.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from kuva.errors import KuvaInputError
from kuva.evaluate.did.inference import wild_cluster_bootstrap, within
from kuva.evaluate.did.results import DidResults
from kuva.evaluate.fixest import feols, n_obs
from kuva.evaluate.numerics import rng as _rng
from kuva.evaluate.options import BootstrapWeights, validate_option


def cohort_did(frame: pd.DataFrame, *, group: str, cohort: str, outcome: str, treated: str, start: date,
               bootstrap_reps: int = 999, bootstrap_weights: BootstrapWeights = "webb", alpha: float = 0.05,
               seed: int | np.random.Generator | None = None) -> DidResults:
    """The DiD of ``outcome`` (one row per person) between groups where ``treated`` is true and
    the others, cohorts (``cohort``: the inflow month, a date) before and on or after ``start``.

    ``treated`` must be constant within a group; every group is a cluster. Raises
    :class:`~kuva.errors.KuvaInputError` when a column is missing, the outcome is not numeric, or
    either group kind or either period is empty."""
    validate_option("bootstrap_weights", bootstrap_weights, BootstrapWeights)
    if not 0 < alpha < 1:
        raise KuvaInputError(f"alpha must be in (0, 1); got {alpha!r}")
    missing = [c for c in (group, cohort, outcome, treated) if c not in frame.columns]
    if missing:
        raise KuvaInputError(f"cohort_did: column(s) {missing} not in the frame")
    y = pd.to_numeric(frame[outcome], errors="coerce")
    if y.isna().any():
        raise KuvaInputError(f"cohort_did: {outcome!r} must be numeric without missing values")
    tr = frame[treated].astype(bool)
    if (tr.groupby(frame[group]).nunique() > 1).any():
        raise KuvaInputError(f"cohort_did: {treated!r} must be constant within each {group!r}")
    post = pd.Series([c >= start for c in frame[cohort]], index=frame.index)
    for name, mask in (("treated groups", tr), ("untreated groups", ~tr), ("cohorts before the start", ~post),
                       ("cohorts from the start on", post)):
        if not mask.any():
            raise KuvaInputError(f"cohort_did: no {name} ({start:%Y-%m})")
    work = pd.DataFrame({"y": y.to_numpy(dtype=float), "d": (tr & post).to_numpy(dtype=float),
                         "g": pd.factorize(frame[group])[0], "c": pd.factorize(frame[cohort])[0]})
    fit = feols("y ~ d | g + c", data=work, vcov={"CRV1": "g"})
    coef, se = float(fit.coef()["d"]), float(fit.se()["d"])
    n_groups = int(work["g"].nunique())
    n_treated = int(work.loc[tr.to_numpy(), "g"].nunique())
    dof = n_groups - 1
    tcrit = float(stats.t.ppf(1 - alpha / 2, dof))
    boot = None
    if bootstrap_reps > 0:
        fe = [work["g"].to_numpy(), work["c"].to_numpy()]
        boot = wild_cluster_bootstrap(within(work["y"].to_numpy(), fe), within(work[["d"]].to_numpy(), fe),
                                      work["g"].to_numpy(), reps=bootstrap_reps, weights=bootstrap_weights,
                                      alpha=alpha, rng=_rng(seed))
    return DidResults(estimate=coef, std_error=se, statistic=coef / se,
                      p_value=float(2 * stats.t.sf(abs(coef / se), dof)), ci_low=coef - tcrit * se,
                      ci_high=coef + tcrit * se, alpha=alpha, n_obs=n_obs(fit), n_units=n_groups,
                      n_clusters=n_groups, n_treated_clusters=n_treated, covariates=(), bootstrap=boot)


__all__ = ["cohort_did"]
