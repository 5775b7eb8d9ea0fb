"""The person-level duration models against published reference results.

* Cox (Efron ties) on the Rossi recidivism data shipped with lifelines (``reference/rossi.csv``,
  see PROVENANCE.md) against R ``survival::coxph(Surv(week, arrest) ~ fin + age + race + wexp +
  mar + paro + prio)`` — the model of Fox's appendix on Cox regression; the coefficients
  rounded to 7 decimals and the standard errors to 5, as lifelines' test suite records them
  (``test_coef_output_against_R_super_accurate``, ``test_standard_error_coef_output_against_R``).
  ``fin`` (financial aid) plays the treatment, constant over the follow-up.
* Kaplan–Meier on the 6-MP arm of Freireich et al. (1963), the textbook example (Klein &
  Moeschberger, *Survival Analysis*, 2nd ed., Table 4.1A): the product-limit values as exact
  fractions.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from kuva.evaluate.survival import CoxTimeVarying, kaplan_meier

ROSSI = Path(__file__).parent / "reference" / "rossi.csv"
#: R survival::coxph on rossi (Efron ties): fin, age, race, wexp, mar, paro, prio
R_COEF = np.array([-0.3794222, -0.0574377, 0.3138998, -0.1497957, -0.4337039, -0.0848711, 0.0914971])
R_SE = np.array([0.19138, 0.02200, 0.30799, 0.21222, 0.38187, 0.19576, 0.02865])
COEF_TOL = 1e-6  #: the published digits are 7 decimals
SE_TOL = 6e-6  #: ... and 5 for the standard errors (half a unit of the last digit, plus optimiser noise)


def test_cox_equals_r_survival_on_rossi() -> None:
    d = pd.read_csv(ROSSI)
    assert len(d) == 432 and int(d["arrest"].sum()) == 114
    frame = pd.DataFrame({"id": range(len(d)), "start": 0.0, "stop": d["week"].astype(float),
                          "event": d["arrest"], "treated": d["fin"]}).join(
        d[["age", "race", "wexp", "mar", "paro", "prio"]])
    r = CoxTimeVarying(frame, covariates=["age", "race", "wexp", "mar", "paro", "prio"],
                       event="arrest").fit()
    got = np.array([r.estimate, *r.covariates["estimate"]])
    se = np.array([r.std_error, *r.covariates["std_error"]])
    np.testing.assert_allclose(got, R_COEF, rtol=0, atol=COEF_TOL)
    np.testing.assert_allclose(se, R_SE, rtol=0, atol=SE_TOL)
    assert r.n_events == 114 and r.n_units == 432


def test_kaplan_meier_equals_the_product_limit_on_the_6mp_arm() -> None:
    times = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    event = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    km = kaplan_meier(times, event, ["6-MP"] * len(times)).curves
    got = km.set_index("time")["survival"]
    # the product limit by hand: at each death time, × (at risk − deaths) / at risk
    want, s = {}, Fraction(1)
    for t in sorted({t for t, e in zip(times, event, strict=True) if e}):
        at_risk = sum(1 for u in times if u >= t)
        deaths = sum(1 for u, e in zip(times, event, strict=True) if u == t and e)
        s *= Fraction(at_risk - deaths, at_risk)
        want[t] = s
    for t, v in want.items():
        assert abs(float(got.loc[float(t)]) - float(v)) < 1e-12, t
    # Klein & Moeschberger's Table 4.1A, four decimals
    published = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378, 23: 0.4482}
    for t, v in published.items():
        assert abs(float(got.loc[float(t)]) - v) < 5e-5, t


def test_cox_on_whole_days_solves_the_counting_process_score_of_r() -> None:
    """An interval is at risk at t when start < t ≤ stop (R's ``Surv(start, stop, event)``). On
    whole-day data a client whose service starts on a day someone exits must not be in that day's
    risk set twice (statsmodels' ``entry`` alone counts start ≤ t): the fitted log HR zeroes the
    Efron score computed by a loop over the event days, and the score with start ≤ t does not."""
    rng = np.random.default_rng(1)
    rows = []
    for i in range(400):
        end, switch, event = float(rng.integers(1, 60)), float(rng.integers(1, 60)), int(rng.random() < 0.7)
        split = [(i, 0.0, switch, 0, 0.0), (i, switch, end, event, 1.0)]
        rows += split if switch < end else [(i, 0.0, end, event, 0.0)]
    f = pd.DataFrame(rows, columns=["id", "start", "stop", "event", "treated"])
    beta = CoxTimeVarying(f).fit().estimate
    z, start, stop = f["treated"].to_numpy(), f["start"].to_numpy(), f["stop"].to_numpy()
    ev = f["event"].to_numpy().astype(bool)

    def efron_score(b: float, closed_start: bool) -> float:
        u = 0.0
        for t in np.unique(stop[ev]):
            risk = ((start <= t) if closed_start else (start < t)) & (stop >= t)
            hit = ev & (stop == t)
            d, w = int(hit.sum()), np.exp(b * z)
            r0, r1, e0, e1 = (w * risk).sum(), (w * z * risk).sum(), (w * hit).sum(), (w * z * hit).sum()
            u += z[hit].sum() - sum((r1 - j / d * e1) / (r0 - j / d * e0) for j in range(d))
        return u

    assert abs(efron_score(beta, closed_start=False)) < 1e-9
    assert abs(efron_score(beta, closed_start=True)) > 0.5  # the double-counting score is far from zero
