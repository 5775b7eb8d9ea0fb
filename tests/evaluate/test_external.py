"""External validation against pyfixest (the Python port of R fixest) on mpdta (Callaway and
Sant'Anna's example data, provenance in reference/PROVENANCE.md):

- the event study's coefficients and CRV1 standard errors against ``feols`` with
  ``i(rel_time, ref=-1)`` and the never-treated coded into the reference period — KuVa builds
  its own dummies, binning and reference, so this checks the design, not the solver;
- Sun–Abraham's cohort × event-time effects and their interaction-weighted averages against
  pyfixest's ``event_study(estimator="saturated")`` and its ``aggregate()``.

Tolerances: coefficients 1e-8 (same least-squares problem); standard errors relative 1e-6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kuva.evaluate import EventStudy, SunAbraham
from tests.evaluate.helpers import PYFIXEST_PANDAS_FILTER, mpdta_frame, mpdta_panel

pytestmark = [
    PYFIXEST_PANDAS_FILTER,
    pytest.mark.filterwarnings(r"ignore:The inplace keyword in Series\.\w+ is deprecated:pandas.errors.Pandas4Warning"),
    pytest.mark.filterwarnings("ignore:The SaturatedEventStudyClass is currently in beta:UserWarning"),
    # the saturated model's empty cohort x event-time cells (e.g. e = -4 for the 2004 cohort)
    pytest.mark.filterwarnings(r"ignore:\s*\d+ variables dropped due to multicollinearity:UserWarning"),
]
COEF_TOL = 1e-8
SE_RTOL = 1e-6


def test_event_study_matches_fixest_i_rel_time() -> None:
    import pyfixest as pf

    es = EventStudy(mpdta_panel(), leads=4, lags=3).fit()  # mpdta: e runs -4 … 3, nothing is binned
    df = mpdta_frame()
    df["rel"] = np.where(df["first.treat"] > 0, df["year"] - df["first.treat"], -1).astype(int)
    fit = pf.feols("lemp ~ i(rel, ref=-1) | countyreal + year", data=df, vcov={"CRV1": "countyreal"})
    ref = fit.tidy()
    got = es.coefficients_frame().set_index("event_time")
    for name, row in ref.iterrows():
        e = int(float(str(name).split("::")[1].rstrip("]")))
        assert got.loc[e, "estimate"] == pytest.approx(row["Estimate"], abs=COEF_TOL)
        assert got.loc[e, "std_error"] == pytest.approx(row["Std. Error"], rel=SE_RTOL)
    assert len(ref) == len(got)


def test_sun_abraham_matches_pyfixest_saturated() -> None:
    import pyfixest as pf

    sa = SunAbraham(mpdta_panel()).fit()
    df = mpdta_frame()
    fit = pf.event_study(df, yname="lemp", idname="countyreal", tname="year", gname="first.treat",
                         estimator="saturated")
    ref = fit.tidy()
    cells = sa.cohort_effects.assign(cohort=lambda d: d["cohort"].astype(str))
    for name, row in ref.iterrows():
        parts = str(name).split("::")
        e, g = int(float(parts[1].split(":")[0])), str(int(float(parts[2])))
        mine = cells[(cells["cohort"] == g) & (cells["event_time"] == e)]
        assert len(mine) == 1, name
        assert float(mine["estimate"].iloc[0]) == pytest.approx(row["Estimate"], abs=COEF_TOL)
    agg = fit.aggregate()
    got = sa.event_frame().set_index("event_time")
    for period, row in agg.iterrows():
        assert got.loc[int(float(period)), "estimate"] == pytest.approx(row["Estimate"], abs=COEF_TOL)
    assert isinstance(agg, pd.DataFrame)
