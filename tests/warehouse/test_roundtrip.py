"""Property: whatever valid observations go in come back out unchanged (and NaN stays NaN)."""

from __future__ import annotations

import math
import tempfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuva.registry import area_registry
from kuva.warehouse import SourceInfo, Warehouse, load_observations, query_observations

AREAS = [a.code for a in area_registry().areas()]
MONTHS = [date(2015 + i // 12, 1 + i % 12, 1) for i in range(120)]

observation = st.tuples(
    st.sampled_from(AREAS),
    st.sampled_from(MONTHS),
    st.sampled_from(["TYOTTOMATLOPUSSA", "AVPAIKATLOPUSSA", "AKTASTE"]),
    st.one_of(st.none(), st.floats(min_value=-1e9, max_value=1e9, allow_nan=False)),
)


@given(st.lists(observation, min_size=1, max_size=60, unique_by=lambda o: (o[0], o[1], o[2])))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_load_then_query_round_trip(obs: list[tuple[str, date, str, float | None]]) -> None:
    frame = pd.DataFrame(obs, columns=["area_code", "period", "measure", "value"])
    with tempfile.TemporaryDirectory() as tmp, Warehouse(Path(tmp) / "w.duckdb") as wh:
        report = load_observations(
            wh, frame, SourceInfo("test:rt", "test", "t", "t", "CC0", False, "rt.csv", datetime(2024, 1, 1)))
        assert report.inserted == len(obs)
        back = query_observations(wh, sorted({o[2] for o in obs}))
    got = {(r.area_code, r.period, r.measure): r.value for r in back.itertuples()}
    assert len(got) == len(obs)
    for a, p, m, v in obs:
        stored = got[(a, p, m)]
        assert (v is None and math.isnan(stored)) or stored == v
