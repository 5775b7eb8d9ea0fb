"""Relative-magnitudes bounds: exact identified sets on hand-made inputs, monotonicity,
and the conservative CI containing the identified set."""

from __future__ import annotations

import numpy as np
import pytest

from kuva.errors import KuvaInputError
from kuva.evaluate import EventStudy, PanelData, RelativeMagnitudes
from kuva.evaluate.planted import simulate_panel
from kuva.evaluate.sensitivity import relative_magnitude_bounds
from tests.evaluate.helpers import PYFIXEST_PANDAS_FILTER

pytestmark = PYFIXEST_PANDAS_FILTER


def test_identified_set_by_hand() -> None:
    # pre: e=-3: 0.1, e=-2: -0.05 ; reference e=-1 (0); post e=0: -1.0, e=1: -1.2
    et = [-3, -2, 0, 1]
    beta = [0.1, -0.05, -1.0, -1.2]
    vcov = np.diag([0.01, 0.01, 0.04, 0.04])
    # pre first differences: -0.05 - 0.1 = -0.15 ; 0 - (-0.05) = 0.05 -> m = 0.15
    t = relative_magnitude_bounds(et, beta, vcov, target=1, mbar=[0.0, 1.0, 2.0])
    np.testing.assert_allclose(t["id_low"], [-1.2, -1.2 - 2 * 0.15, -1.2 - 4 * 0.15])
    np.testing.assert_allclose(t["id_high"], [-1.2, -1.2 + 2 * 0.15, -1.2 + 4 * 0.15])
    assert np.all(t["ci_low"] < t["id_low"]) and np.all(t["ci_high"] > t["id_high"])
    widths = (t["ci_high"] - t["ci_low"]).to_numpy()
    assert np.all(np.diff(widths) > 0)
    with pytest.raises(KuvaInputError, match="target event time"):
        relative_magnitude_bounds(et, beta, vcov, target=-2, mbar=[1.0])


def test_on_event_study_results() -> None:
    sim = simulate_panel(seed=9, n_units=240, n_clusters=40, treated_clusters=14,
                         effect=-2.0, effect_sd=0.1)
    p = PanelData(sim.frame, unit="unit", time="period", outcome="y",
                  treat_start="treat_start", cluster="cluster")
    es = EventStudy(p, leads=5, lags=4).fit()
    res = RelativeMagnitudes(es, target=0).fit(mbar=[0.0, 0.5, 1.0, 2.0])
    t = res.grid()
    assert t.loc[0, "id_low"] == pytest.approx(res.estimate)
    assert res.breakdown_mbar > 0
    # at the breakdown value the CI just reaches zero
    at = relative_magnitude_bounds(es.event_times.tolist(), es.coefficients.tolist(),
                                   np.asarray(es.vcov), target=0, mbar=[res.breakdown_mbar])
    assert at["ci_high"].iloc[0] == pytest.approx(0.0, abs=1e-9)
    assert "conservative" in res.summary().as_text()
    res.plot()
    with pytest.raises(KuvaInputError, match="binned endpoint"):
        RelativeMagnitudes(es, target=4)
