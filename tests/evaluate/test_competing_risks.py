"""Competing risks: the Aalen–Johansen cumulative incidence equals the cases it must reduce to
(no censoring: the empirical share; one cause: 1 − Kaplan–Meier from statsmodels), its causes
add up to 1 − the all-cause Kaplan–Meier, and its 95 % interval covers the true cumulative
incidence of a known exponential competing-risks world at the nominal rate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kuva.errors import KuvaInputError
from kuva.evaluate.survival import cumulative_incidence


def test_without_censoring_it_is_the_share_ended_by_the_cause() -> None:
    rng = np.random.default_rng(11)
    t = rng.integers(1, 200, 500).astype(float)  # many ties, as day counts have
    cause = rng.choice(["work", "education", "other"], 500, p=[0.5, 0.2, 0.3])
    r = cumulative_incidence(t, cause, np.zeros(500))
    for c in ("work", "education", "other"):
        for horizon in (10.0, 57.0, 150.0, 300.0):
            got = float(r.at(horizon).set_index("cause").loc[c, "cif"])
            assert got == pytest.approx(float(np.mean((t <= horizon) & (cause == c))), abs=1e-12)


def test_one_cause_is_one_minus_kaplan_meier_and_causes_add_up() -> None:
    from statsmodels.duration.survfunc import SurvfuncRight

    rng = np.random.default_rng(12)
    n = 400
    t = np.round(rng.exponential(100, n))
    kind = rng.choice([0, 1, 2], n, p=[0.3, 0.5, 0.2])  # 0 = censored
    one = cumulative_incidence(t, np.where(kind > 0, 1, 0), np.zeros(n))
    km = SurvfuncRight(t, (kind > 0).astype(int))
    cif = one.curves.set_index("time")["cif"]
    expected = pd.Series(1 - km.surv_prob, index=km.surv_times)
    np.testing.assert_allclose(cif.to_numpy(), expected.reindex(cif.index).to_numpy(), atol=1e-12)
    both = cumulative_incidence(t, kind, np.zeros(n))
    for horizon in (20.0, 80.0, 200.0):
        total = both.at(horizon)["cif"].sum()
        surv = km.surv_prob[km.surv_times <= horizon]
        assert total == pytest.approx(1 - (surv[-1] if len(surv) else 1.0), abs=1e-12)


def test_interval_covers_the_true_cumulative_incidence() -> None:
    """Exponential causes (rates 0.010 and 0.005 per day), uniform censoring: the true incidence
    of cause 1 by day 100 is 0.010/0.015 × (1 − e^{−1.5}) = 0.518. 400 worlds of 300 spells; the
    95 % log(−log) interval must cover it in 92–98 % of them."""
    rng = np.random.default_rng(20251203)
    lam1, lam2, horizon = 0.010, 0.005, 100.0
    truth = lam1 / (lam1 + lam2) * (1 - np.exp(-(lam1 + lam2) * horizon))
    covered, ses, estimates = [], [], []
    for _ in range(400):
        n = 300
        latent = rng.exponential(1 / (lam1 + lam2), n)
        cause = np.where(rng.random(n) < lam1 / (lam1 + lam2), 1, 2)
        censor = rng.uniform(0, 400, n)
        t = np.minimum(latent, censor)
        c = np.where(latent <= censor, cause, 0)
        row = cumulative_incidence(t, c, np.zeros(n)).at(horizon).set_index("cause").loc[1]
        covered.append(row["ci_low"] <= truth <= row["ci_high"])
        ses.append(row["std_error"])
        estimates.append(row["cif"])
    assert 0.92 <= np.mean(covered) <= 0.98
    # the delta-method standard error matches the spread of the estimates (within 15 %)
    assert np.mean(ses) == pytest.approx(np.std(estimates), rel=0.15)
    assert np.mean(estimates) == pytest.approx(truth, abs=0.01)


def test_bad_input() -> None:
    with pytest.raises(KuvaInputError, match="every spell is censored"):
        cumulative_incidence([1.0, 2.0], [0, None], ["a", "a"])
    with pytest.raises(KuvaInputError, match="non-negative"):
        cumulative_incidence([-1.0], ["work"], ["a"])
