"""Monthly paths and the counterfactual activation rate on hand-computed cases and real data."""

from __future__ import annotations

import gzip
import io
from datetime import date
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from kuva.analysis import counterfactual_activation, monthly_paths
from kuva.analysis.paths import growth_to_peak
from kuva.errors import KuvaInputError
from kuva.warehouse import Warehouse
from tests.analysis import tiny

EXACT = 1e-9


def test_growth_to_peak_by_hand() -> None:
    s = {date(2020, 2, 1): 100.0, date(2020, 3, 1): 130.0, date(2020, 4, 1): 170.0, date(2020, 5, 1): 90.0}
    growth, peak = growth_to_peak(s, date(2020, 2, 1), (date(2020, 3, 1), date(2020, 12, 1)))
    assert growth == pytest.approx(70.0, abs=EXACT)
    assert peak == date(2020, 4, 1)
    nan, none = growth_to_peak(s, date(2019, 2, 1), (date(2020, 3, 1), date(2020, 12, 1)))
    assert none is None and nan != nan


def test_monthly_paths_tiny(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r = monthly_paths(tiny_wh, start=date(2020, 2, 1), pilots_csv=pilots_csv, min_cell=5)
    assert r.key == "monthly_paths"
    # pilot: Feb 150, Mar 240, Apr 240 (first maximum = March); comparison: 50 → 100 in April
    assert r.numbers["growth_pilot"] == pytest.approx(60.0, abs=EXACT)
    assert r.numbers["peak_pilot"] == "2020-03-01"
    assert r.numbers["growth_comparison"] == pytest.approx(100.0, abs=EXACT)
    # nation = every municipality incl. Åland (no published SSS rows here): 1200 → 5340
    assert r.numbers["growth_nation"] == pytest.approx((5340 / 1200 - 1) * 100, abs=EXACT)
    t = r.table.set_index(["group", "period"])
    assert t.loc[("pilot", date(2021, 3, 1)), "activation_rate"] == pytest.approx(25.0, abs=EXACT)
    assert t.loc[("comparison", date(2021, 3, 1)), "activation_rate"] == pytest.approx(40.0, abs=EXACT)
    assert t.loc[("nation", date(2021, 3, 1)), "activation_rate"] == pytest.approx(600 / 1840 * 100, abs=EXACT)
    # Åland (KU035) is not in the comparison group
    assert t.loc[("comparison", date(2020, 2, 1)), "unemployed"] == 50
    assert r.synthetic  # services come from a synthetic source
    assert "municipal_sum" in r.parameters["national"]


def test_monthly_paths_flags_real_only(tmp_path: Path) -> None:
    tiny.write_pilots(tmp_path)
    tiny.build(tmp_path / "real.duckdb", with_services=False)
    with Warehouse(tmp_path / "real.duckdb", read_only=True) as wh:
        r = monthly_paths(wh, start=date(2020, 2, 1), pilots_csv=tmp_path / "pilots.csv")
    assert not r.synthetic
    assert r.sources == ("test:unemployed",)
    assert r.table["activation_rate"].isna().all()


def test_counterfactual_tiny(tiny_wh: Warehouse, pilots_csv: Path) -> None:
    r = counterfactual_activation(tiny_wh, pilots_csv=pilots_csv, min_cell=5)
    assert r.numbers["month"] == "2021-03-01"
    assert r.numbers["rate_pilot"] == pytest.approx(25.0, abs=EXACT)
    assert r.numbers["rate_pilot_cf"] == pytest.approx(60 / 210 * 100, abs=EXACT)
    assert r.numbers["rate_comparison_cf"] == pytest.approx(40 / 90 * 100, abs=EXACT)
    assert r.numbers["gap_now"] == pytest.approx(15.0, abs=EXACT)
    assert r.numbers["gap_remaining"] == pytest.approx(40 - 60 / 210 * 100, abs=EXACT)
    with pytest.raises(KuvaInputError, match="2020-03"):
        counterfactual_activation(tiny_wh, month=date(2020, 3, 1), pilots_csv=pilots_csv)


def test_counterfactual_needs_services(bundled_wh: Warehouse) -> None:
    with pytest.raises(KuvaInputError, match="persons in services"):
        counterfactual_activation(bundled_wh)


def _real_12r5_sss() -> dict[date, float]:
    raw = resources.files("kuva.sources").joinpath("data", "statfin", "tyonv_12r5_monthly_2006-01_2023-10.csv.gz")
    df = pd.read_csv(io.BytesIO(gzip.decompress(raw.read_bytes())))
    sss = df[df["alue"] == "SSS"]
    return {date.fromisoformat(t): float(v) for t, v in zip(sss["time"], sss["TYOTTOMATLOPUSSA"], strict=True)}


def test_national_growth_matches_real_12r5(bundled_wh: Warehouse) -> None:
    """National growth Feb 2020 → COVID peak equals the hand computation from the real file."""
    s = _real_12r5_sss()
    window = [date(2020, m, 1) for m in range(3, 13)]
    peak = max(window, key=lambda d: s[d])
    expected = s[peak] / s[date(2020, 2, 1)] * 100 - 100
    r = monthly_paths(bundled_wh, start=date(2019, 1, 1), end=date(2021, 12, 1))
    assert r.numbers["growth_nation"] == pytest.approx(expected, abs=EXACT)
    assert r.numbers["peak_nation"] == peak.isoformat()
    assert s[date(2020, 2, 1)] == 248147  # the published value
    assert not r.synthetic
    # the national activation rate is the published 12u4 one where it exists (2020-01: 31.5 %)
    nat = r.table[(r.table["group"] == "nation") & (r.table["period"] == date(2020, 1, 1))]
    assert float(nat["activation_rate"].iloc[0]) == pytest.approx(115863 / (251682 + 115863) * 100, abs=EXACT)


def test_group_growth_matches_real_12r5_by_hand(bundled_wh: Warehouse) -> None:
    """Pilot group growth Feb 2020 → peak equals the sum of the real municipal 12r5 values."""
    from kuva.indicators.groups import pilot_codes

    raw = resources.files("kuva.sources").joinpath("data", "statfin", "tyonv_12r5_monthly_2006-01_2023-10.csv.gz")
    df = pd.read_csv(io.BytesIO(gzip.decompress(raw.read_bytes())))
    pilots = df[df["alue"].isin(pilot_codes())]
    by_month = pilots.groupby("time")["TYOTTOMATLOPUSSA"].sum()
    window = [f"2020-{m:02d}-01" for m in range(3, 13)]
    peak = max(window, key=lambda t: by_month[t])
    expected = by_month[peak] / by_month["2020-02-01"] * 100 - 100
    r = monthly_paths(bundled_wh, start=date(2020, 1, 1), end=date(2020, 12, 1))
    assert r.numbers["growth_pilot"] == pytest.approx(expected, abs=EXACT)
    assert r.numbers["peak_pilot"] == peak
