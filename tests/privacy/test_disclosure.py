"""Small-cell suppression: wide tables (with complementary suppression) and long observation tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuva.errors import KuvaInputError
from kuva.privacy.disclosure import suppress_long_counts, suppress_small_cells


@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=30), st.integers(1, 12))
def test_no_count_below_the_minimum_survives(counts: list[int], min_cell: int) -> None:
    df = pd.DataFrame({"n": counts, "share": np.array(counts, dtype=float) / max(sum(counts), 1)})
    out = suppress_small_cells(df, ["n"], derived_columns=["share"], min_cell=min_cell)
    shown = out["n"].dropna()
    assert not ((shown > 0) & (shown < min_cell)).any()
    assert out.loc[out["suppressed"], "share"].isna().all()  # derived values go with their count
    assert (out.loc[~out["suppressed"], "n"] == df.loc[~out["suppressed"], "n"]).all()  # the rest untouched
    assert df["n"].tolist() == counts  # the caller's frame is not modified


def test_complementary_suppression_hides_a_second_cell() -> None:
    df = pd.DataFrame({"g": ["a", "a", "a", "b"], "n": [3, 10, 12, 7]})
    out = suppress_small_cells(df, ["n"], group_by=["g"], complementary=True)
    assert out["suppressed"].tolist() == [True, True, False, False]


def test_long_tables_suppress_person_counts_only() -> None:
    df = pd.DataFrame({"measure": ["KUNTTYOLOP", "AKTASTE", "AVPAIKATLOPUSSA", "KUNTTYOLOP"],
                       "value": [2.0, 2.0, 2.0, 0.0]})
    out = suppress_long_counts(df, min_cell=5)
    assert out["suppressed"].tolist() == [True, False, False, False]
    assert np.isnan(out["value"][0]) and out["value"][3] == 0.0


def test_bad_arguments() -> None:
    with pytest.raises(KuvaInputError, match="at least 1"):
        suppress_small_cells(pd.DataFrame({"n": [1]}), ["n"], min_cell=0)
    with pytest.raises(KuvaInputError, match="no column"):
        suppress_long_counts(pd.DataFrame({"x": [1]}))
