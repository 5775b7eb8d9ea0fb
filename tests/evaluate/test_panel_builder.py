"""The panel builder (kuva.effects.panel): warehouse → PanelData for the effect designs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuva.effects.panel import POOLED_UNIT, build_panel
from kuva.errors import KuvaInputError
from kuva.indicators import codes
from kuva.simulate import simulate_into
from kuva.warehouse import Warehouse

SEED = 7
SCALE = 0.0001  # the municipal panel does not depend on scale


@pytest.fixture(scope="module")
def sim_path(bundled_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("effects_panel") / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    with Warehouse(path) as wh:
        simulate_into(wh, scale=SCALE, seed=SEED)
    return path


@pytest.fixture
def wh(sim_path: Path) -> Iterator[Warehouse]:
    with Warehouse(sim_path, read_only=True) as w:
        yield w


def test_area_panel_shape_and_flags(wh: Warehouse) -> None:
    ep = build_panel(wh)
    assert len(ep.treated_units) == 25
    assert ep.panel.is_balanced
    assert ep.panel.n_periods == 72  # 2018-01 … 2023-12
    assert ep.synthetic and "synthetic:panel" in ep.sources
    assert str(ep.treat_start) == "2021-03"
    assert set(ep.frame["role"]) == {"treated", "comparison"}
    # comparison units are never pilot members, and no Åland municipality is used
    assert not set(ep.comparison_units) & set(ep.members.loc[ep.members["role"] == "treated", "municipality_code"])
    assert ep.members["role"].eq("treated").sum() == 118


def test_area_rate_is_from_summed_counts(wh: Warehouse) -> None:
    """An area's activation rate equals 100·ΣP/(ΣU+ΣP) over its members, not a mean of rates."""
    ep = build_panel(wh, start="2019-01", end="2021-12")
    area = "kainuun_seutu"
    members = ep.members.loc[ep.members["unit"] == area, "municipality_code"].tolist()
    raw = wh.sql(
        "SELECT area_code, period, measure, value FROM observations WHERE period = DATE '2020-06-01' "
        f"AND measure IN ({', '.join(repr(m) for m in (codes.UNEMPLOYED, *codes.SERVICES))}) "
        f"AND area_code IN ({', '.join(repr(m) for m in members)})")
    w = raw.pivot_table(index="area_code", columns="measure", values="value", aggfunc="last")
    p = w[list(codes.SERVICES)].sum(axis=1).sum()
    u = w[codes.UNEMPLOYED].sum()
    got = ep.frame.loc[(ep.frame["unit"] == area) & (ep.frame["period"] == pd.Period("2020-06", "M")),
                       "activation_rate"].iloc[0]
    assert got == pytest.approx(100 * p / (u + p), rel=1e-12)


def test_municipality_and_pooled_units(wh: Warehouse) -> None:
    m = build_panel(wh, unit="municipality")
    assert len(m.treated_units) == 118
    # clusters are pilot areas for treated municipalities
    t = m.frame[m.frame["role"] == "treated"]
    assert t["cluster"].nunique() == 25
    pooled = build_panel(wh, unit="pooled")
    assert pooled.treated_units == (POOLED_UNIT,)


def test_outcomes_and_covariates(wh: Warehouse) -> None:
    share = build_panel(wh, outcome="unemployment_share", covariates=("covid_shock", "population"))
    vals = share.frame["unemployment_share"]
    assert vals.between(0, 60).all()
    assert share.frame.groupby("unit")["covid_shock"].nunique().max() == 1
    assert share.panel.covariates == ("covid_shock", "population")
    logu = build_panel(wh, outcome="log_unemployed", areas=["Helsinki", "kainuun_seutu"])
    assert logu.treated_units == ("helsinki", "kainuun_seutu")
    assert np.isfinite(logu.frame["log_unemployed"]).all()


def test_comparison_options(wh: Warehouse) -> None:
    sub = build_panel(wh, comparison="sub_region")
    assert all(u.endswith(":rest") for u in sub.comparison_units)
    matched = build_panel(wh, comparison="matched_shock")
    rest = build_panel(wh)
    assert 0 < len(matched.comparison_units) < len(rest.comparison_units)
    assert "nearest" in " ".join(matched.notes)


def test_in_time_start_and_errors(wh: Warehouse, tmp_path: Path) -> None:
    ep = build_panel(wh, treat_start="2020-03")
    assert str(ep.treat_start) == "2020-03"
    with pytest.raises(KuvaInputError, match="outcome must be one of"):
        build_panel(wh, outcome="wellbeing")  # type: ignore[arg-type]
    with pytest.raises(KuvaInputError, match="comparison must be one of"):
        build_panel(wh, comparison="everyone")  # type: ignore[arg-type]
    with pytest.raises(KuvaInputError, match="unknown pilots_2021 area"):
        build_panel(wh, areas=["Atlantis"])
    late = tmp_path / "pilots.csv"  # a 2017-pilot area whose only member joined after the programme began
    late.write_text("programme,pilot_area_fi,municipality_code,confidence,start_date\n"
                    "pilots_2017,Lappi,240,confirmed,2018-06-01\n", encoding="utf-8")
    with pytest.raises(KuvaInputError, match="no member municipalities"):
        build_panel(wh, programme="pilots_2017", start="2016-01", end="2018-12", pilots_csv=late)
    with pytest.raises(KuvaInputError, match="treatment start"):
        build_panel(wh, start="2022-01")


def test_real_only_warehouse_has_no_activation(bundled_wh: Warehouse) -> None:
    with pytest.raises(KuvaInputError, match="no activation_rate values"):
        build_panel(bundled_wh)
    real = build_panel(bundled_wh, outcome="log_unemployed", end="2023-10")
    assert not real.synthetic
