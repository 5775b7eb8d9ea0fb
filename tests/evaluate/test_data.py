"""PanelData: validation messages, period conversion, typed warnings, no mutation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuva.errors import KuvaInputError, MissingValuesWarning
from kuva.evaluate import PanelData
from kuva.evaluate.warnings import (
    PanelGapWarning,
    SingletonUnitWarning,
    UnbalancedPanelWarning,
)


def _frame(n_units: int = 3, n_periods: int = 4) -> pd.DataFrame:
    periods = pd.period_range("2020-01", periods=n_periods, freq="M")
    rows = []
    for u in range(n_units):
        start = periods[2] if u == 0 else pd.NaT
        for p in periods:
            rows.append({"unit": f"u{u}", "month": p, "y": float(u + p.month), "start": start})
    frame = pd.DataFrame(rows)
    frame["start"] = pd.PeriodIndex(frame["start"], freq="M")
    return frame


def _panel(frame: pd.DataFrame, **kw: object) -> PanelData:
    args: dict[str, object] = {"unit": "unit", "time": "month", "outcome": "y",
                               "treat_start": "start"}
    args.update(kw)
    return PanelData(frame, **args)  # type: ignore[arg-type]


def test_monthly_periods_become_consecutive_integers() -> None:
    p = _panel(_frame())
    long = p.long
    assert sorted(long["t"].unique().tolist()) == [0, 1, 2, 3]
    assert p.cohorts.tolist() == [2]
    assert long.loc[long["unit"] == "u0", "d"].tolist() == [0, 0, 1, 1]
    assert long.loc[long["unit"] == "u1", "d"].sum() == 0
    assert p.period_label(2) == "2020-03"
    assert p.is_balanced and p.n_units == 3 and p.n_periods == 4


def test_string_and_datetime_months_are_read() -> None:
    f = _frame()
    f["month"] = f["month"].astype(str)
    f["start"] = f["start"].astype(str).replace("NaT", None)
    p = _panel(f)
    assert p.time_kind == "month" and p.cohorts.tolist() == [2]
    f2 = _frame()
    f2["month"] = f2["month"].dt.to_timestamp()
    assert _panel(f2).times.tolist() == [0, 1, 2, 3]


def test_integer_years_keep_their_gaps() -> None:
    f = pd.DataFrame({"unit": ["a", "a", "b", "b"], "year": [2000, 2002, 2000, 2002],
                      "y": [1.0, 2.0, 3.0, 4.0], "start": [2002, 2002, np.nan, np.nan]})
    with pytest.warns(PanelGapWarning):
        p = PanelData(f, unit="unit", time="year", outcome="y", treat_start="start")
    assert p.times.tolist() == [0, 2]
    assert p.to_index(2002) == 2 and p.to_period(2) == 2002


def test_caller_frame_is_not_modified() -> None:
    f = _frame()
    before = f.copy()
    p = _panel(f)
    long = p.long
    long.loc[:, "y"] = 0.0
    pd.testing.assert_frame_equal(f, before)
    assert p.long["y"].iloc[0] != 0.0


@pytest.mark.parametrize("role", ["unit", "time", "outcome", "treat_start", "cluster"])
def test_missing_column_is_named(role: str) -> None:
    kw = {role: "nope"}
    with pytest.raises(KuvaInputError, match="'nope'"):
        _panel(_frame(), **kw)


def test_bad_inputs_raise_clear_errors() -> None:
    f = _frame()
    with pytest.raises(KuvaInputError, match="duplicate"):
        _panel(pd.concat([f, f.iloc[:1]]))
    g = f.copy()
    g.loc[0, "start"] = pd.Period("2020-02", freq="M")
    with pytest.raises(KuvaInputError, match="varies within unit 'u0'"):
        _panel(g)
    h = f.copy()
    h["y"] = "x"
    with pytest.raises(KuvaInputError, match="must be numeric"):
        _panel(h)
    with pytest.raises(KuvaInputError, match="covariate column 'zz'"):
        _panel(f, covariates=["zz"])
    with pytest.raises(KuvaInputError, match="DataFrame"):
        PanelData([1, 2], unit="u", time="t", outcome="y", treat_start="s")  # type: ignore[arg-type]


def test_typed_warnings_for_shape_problems() -> None:
    f = _frame(n_units=4)
    gap = f.drop(index=f.index[(f["unit"] == "u1") & (f["month"] == pd.Period("2020-02", "M"))])
    with pytest.warns(PanelGapWarning), pytest.warns(UnbalancedPanelWarning):
        p = _panel(gap)
    assert not p.is_balanced
    single = f.loc[~((f["unit"] == "u2") & (f["month"] != pd.Period("2020-01", "M")))]
    with pytest.warns(SingletonUnitWarning), pytest.warns(UnbalancedPanelWarning):
        _panel(single)
    miss = f.copy()
    miss.loc[miss.index[0], "y"] = np.nan
    with pytest.warns(MissingValuesWarning, match="1 rows"), pytest.warns(UnbalancedPanelWarning):
        p2 = _panel(miss)
    assert p2.n_obs == len(f) - 1


def test_balanced_panel_raises_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _panel(_frame())


@given(
    year=st.integers(min_value=1990, max_value=2040),
    month=st.integers(min_value=1, max_value=12),
    offset=st.integers(min_value=0, max_value=5),
)
def test_period_index_round_trip(year: int, month: int, offset: int) -> None:
    periods = pd.period_range(pd.Period(year=year, month=month, freq="M"), periods=6, freq="M")
    f = pd.DataFrame({"unit": ["a"] * 6 + ["b"] * 6, "m": list(periods) * 2,
                      "y": np.arange(12.0), "s": [periods[3]] * 6 + [pd.NaT] * 6})
    f["m"] = pd.PeriodIndex(f["m"], freq="M")
    f["s"] = pd.PeriodIndex(f["s"], freq="M")
    p = PanelData(f, unit="unit", time="m", outcome="y", treat_start="s")
    target = periods[offset]
    assert p.to_index(target) == offset
    assert p.to_period(offset) == target
    assert p.period_label(offset) == str(target)


def test_a_single_covariate_given_as_a_string_is_one_column() -> None:
    from tests.evaluate.helpers import mpdta_frame

    frame = mpdta_frame()
    one = PanelData(frame, unit="countyreal", time="year", outcome="lemp", treat_start="g",
                    covariates="lpop")
    assert one.covariates == ("lpop",)


def test_cohort_zero_for_never_treated_is_explained_or_accepted() -> None:
    from tests.evaluate.helpers import mpdta_frame

    frame = mpdta_frame()
    with pytest.raises(KuvaInputError, match=r"never_treated=0"):
        PanelData(frame, unit="countyreal", time="year", outcome="lemp", treat_start="first.treat")
    coded = PanelData(frame, unit="countyreal", time="year", outcome="lemp", treat_start="first.treat",
                      never_treated=0)
    missing = PanelData(frame, unit="countyreal", time="year", outcome="lemp", treat_start="g")
    pd.testing.assert_frame_equal(coded.long, missing.long)
