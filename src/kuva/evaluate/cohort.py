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
cohorts would have moved alike; :func:`cohort_event_study` estimates the difference cohort period
by period, so the periods before the start test it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from kuva.errors import KuvaInputError
from kuva.evaluate.did.inference import wild_cluster_bootstrap, within
from kuva.evaluate.did.results import DidResults, EventStudyResults, PreTrendTest
from kuva.evaluate.fixest import coef_names, feols, n_obs, vcov_matrix
from kuva.evaluate.numerics import rng as _rng
from kuva.evaluate.options import BootstrapWeights, validate_option


def _prepare(frame: pd.DataFrame, group: str, cohort: str, outcome: str, treated: str,
             start: date) -> pd.DataFrame:
    """The work frame: ``y``, group and cohort codes ``g`` and ``c``, ``treated`` (bool) and
    ``months`` (whole months from ``start``'s month to the cohort's), validated."""
    missing = [c for c in (group, cohort, outcome, treated) if c not in frame.columns]
    if missing:
        raise KuvaInputError(f"cohort_did: column(s) {missing} not in the frame")
    y = pd.to_numeric(frame[outcome], errors="coerce")
    if y.isna().any():
        raise KuvaInputError(f"cohort_did: {outcome!r} must be numeric without missing values")
    tr = frame[treated].astype(bool)
    if (tr.groupby(frame[group]).nunique() > 1).any():
        raise KuvaInputError(f"cohort_did: {treated!r} must be constant within each {group!r}")
    months = np.array([(c.year - start.year) * 12 + c.month - start.month for c in frame[cohort]], dtype=np.int64)
    work = _without_singletons(pd.DataFrame({"y": y.to_numpy(dtype=float), "g": pd.factorize(frame[group])[0],
                                             "c": pd.factorize(frame[cohort])[0], "treated": tr.to_numpy(),
                                             "months": months}))
    treat, post = work["treated"].to_numpy(), work["months"].to_numpy() >= 0
    for name, mask in (("treated groups", treat), ("untreated groups", ~treat),
                       ("cohorts before the start", ~post), ("cohorts from the start on", post)):
        if not mask.any():
            raise KuvaInputError(f"cohort_did: no {name} ({start:%Y-%m}; persons alone in their group or "
                                 "cohort do not count)")
    return work


def _without_singletons(work: pd.DataFrame) -> pd.DataFrame:
    """The rows left after dropping, until none is left, every row alone in its group or its
    cohort (fixest's ``fixef.rm = "singleton"``): its fixed effect fits it exactly, so it adds
    nothing to the estimate, and left in it would count as a cluster of its own. The bootstrap
    and the counts of groups then see the same rows as the regression."""
    while len(work):
        alone = (work.groupby("g")["y"].transform("size") == 1) | (work.groupby("c")["y"].transform("size") == 1)
        if not alone.any():
            break
        work = work[~alone.to_numpy()]
    # codes renumbered over the rows left: a dropped group must not stay as an empty one
    return work.assign(g=pd.factorize(work["g"])[0], c=pd.factorize(work["c"])[0]).reset_index(drop=True)


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
    work = _prepare(frame, group, cohort, outcome, treated, start)
    work["d"] = (work["treated"] & (work["months"] >= 0)).astype(float)
    fit = feols("y ~ d | g + c", data=work, vcov={"CRV1": "g"})
    coef, se = float(fit.coef()["d"]), float(fit.se()["d"])
    n_groups = int(work["g"].nunique())
    n_treated = int(work.loc[work["treated"], "g"].nunique())
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


def cohort_event_study(frame: pd.DataFrame, *, group: str, cohort: str, outcome: str, treated: str, start: date,
                       bin_months: int = 3, leads: int = 4, lags: int = 4, alpha: float = 0.05
                       ) -> EventStudyResults:
    """The cohort DiD by cohort period: cohorts are binned into periods of ``bin_months`` months
    from ``start`` (period 0 starts there, −1 is the last before it and the reference), periods
    before ``-leads`` and after ``lags`` pooled into the end bins, and the treated groups' cohorts
    of each period get their own coefficient. The leads test parallel trends before the start
    (``pretrend``: joint Wald test, F with G−1 denominator degrees of freedom); the headline is
    the mean of the periods from the start on. Same fixed effects and clustering as
    :func:`cohort_did`."""
    if bin_months < 1 or leads < 2 or lags < 0:
        raise KuvaInputError(f"cohort_event_study needs bin_months >= 1, leads >= 2 (−1 is the reference) and "
                             f"lags >= 0; got {bin_months}, {leads}, {lags}")
    if not 0 < alpha < 1:
        raise KuvaInputError(f"alpha must be in (0, 1); got {alpha!r}")
    work = _prepare(frame, group, cohort, outcome, treated, start)
    rel = np.clip(np.floor_divide(work["months"].to_numpy(), bin_months), -leads, lags)
    times = [e for e in range(-leads, lags + 1) if e != -1]
    names = []
    for e in times:
        name = f"ev_m{-e}" if e < 0 else f"ev_p{e}"
        work[name] = (work["treated"].to_numpy() & (rel == e)).astype(float)
        names.append(name)
    empty = [e for e, n in zip(times, names, strict=True) if work[n].sum() == 0]
    if empty:
        raise KuvaInputError(f"cohort_event_study: no treated cohorts in periods {empty}; reduce leads/lags")
    fit = feols(f"y ~ {' + '.join(names)} | g + c", data=work, vcov={"CRV1": "g"})
    coefnames = coef_names(fit)
    dropped = [n for n in names if n not in coefnames]
    if dropped:
        raise KuvaInputError(f"cohort_event_study: periods {dropped} are collinear with the fixed effects")
    coef = fit.coef()[names].to_numpy(dtype=float)
    idx = [coefnames.index(n) for n in names]
    vcov = vcov_matrix(fit)[np.ix_(idx, idx)]
    n_groups = int(work["g"].nunique())
    pre = [i for i, e in enumerate(times) if e < -1]
    b, v = coef[pre], vcov[np.ix_(pre, pre)]
    w = float(b @ np.linalg.pinv(v) @ b)  # a generalised inverse: a degenerate covariance gives 0, not an error
    q = len(pre)
    pretrend = PreTrendTest(statistic=w, df=q, p_value_chi2=float(stats.chi2.sf(w, q)), f_statistic=w / q,
                            p_value_f=float(stats.f.sf(w / q, q, n_groups - 1)))
    return EventStudyResults(event_times=np.array(times, dtype=np.int64), coefficients=coef, vcov=vcov, alpha=alpha,
                             dof=n_groups - 1, n_obs=n_obs(fit), n_clusters=n_groups, leads=leads, lags=lags,
                             pretrend=pretrend)


__all__ = ["cohort_did", "cohort_event_study"]
