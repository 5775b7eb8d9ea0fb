"""Tests of kuva.simulate at a tiny scale (every synthetic output, calibration and truth)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuva.errors import KuvaInputError
from kuva.registry import measures
from kuva.simulate import (
    DEMO_EFFECTS,
    NO_EFFECTS,
    SOURCE_IDS,
    SyntheticData,
    parse_effects,
    planted_truth,
    simulate,
    simulate_into,
)
from kuva.simulate.calibration import SERVICE_MEASURES, real_data
from kuva.simulate.spells import stock_at_month_end
from kuva.warehouse import Warehouse
from kuva.warehouse.validate import validate_observations

SCALE = 0.002
SEED = 11
#: AKTASTE identity: stored unrounded, so equal to float precision.
AKTASTE_TOL = 1e-9


@pytest.fixture(scope="module")
def data() -> SyntheticData:
    return simulate(scale=SCALE, seed=SEED)


def _wide(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    return frame[frame["measure"] == measure].pivot(index="area_code", columns="period", values="value")


def test_reproducible_by_seed(data: SyntheticData) -> None:
    again = simulate(scale=SCALE, seed=SEED)
    pd.testing.assert_frame_equal(data.panel, again.panel)
    pd.testing.assert_frame_equal(data.background, again.background)
    pd.testing.assert_frame_equal(data.events, again.events)
    pd.testing.assert_frame_equal(data.answers, again.answers)
    other = simulate(scale=SCALE, seed=SEED + 1)
    assert not data.panel["value"].equals(other.panel["value"])


def test_national_sums_equal_real_12u4_exactly(data: SyntheticData) -> None:
    nat = real_data().national
    for meas in (*SERVICE_MEASURES, "PALVELUISSAYHTEENSA"):
        sums = data.panel[data.panel["measure"] == meas].groupby("period")["value"].sum()
        real = nat.loc[nat.index.isin(sums.index), meas]
        assert len(real) == 62  # 2017-01 … 2022-02
        np.testing.assert_array_equal(sums.loc[real.index].to_numpy(), real.to_numpy())


def test_foreign_nationals_equal_real_12u5_exactly(data: SyntheticData) -> None:
    real = real_data().foreign_national
    sums = data.panel[data.panel["measure"] == "TYOTTOMATULK"].groupby("period")["value"].sum()
    idx = real.index[real.index.isin(sums.index)]
    np.testing.assert_array_equal(sums.loc[idx].to_numpy(), real.loc[idx].to_numpy())


def test_follow_up_national_sums_equal_real(data: SyntheticData) -> None:
    fu = real_data().follow_up["TVKOULUTUSLOP"]
    sums = data.panel[data.panel["measure"] == "TVKPAATTYNYT_TAJO"].groupby("period")["value"].sum()
    for year in (2017, 2021):
        assert sums.loc[pd.Timestamp(year, 1, 1)] == fu.loc[year, "ended"]


def test_aktaste_identity_from_stored_counts(data: SyntheticData) -> None:
    real = real_data()
    u_real = pd.DataFrame(real.unemployed, index=list(real.codes), columns=real.months)
    u_syn = _wide(data.panel, "TYOTTOMATLOPUSSA")
    u = u_real.combine_first(u_syn).reindex(columns=_wide(data.panel, "AKTASTE").columns)
    p = _wide(data.panel, "PALVELUISSAYHTEENSA")
    akt = _wide(data.panel, "AKTASTE")
    expected = 100 * p / (u + p)
    np.testing.assert_allclose(akt.to_numpy(), expected.to_numpy(), rtol=0, atol=AKTASTE_TOL)
    assert akt.to_numpy()[u.isna().to_numpy()].size > 0  # suppressed U → missing rate (checked above)


def test_no_synthetic_row_shadows_real_data(data: SyntheticData) -> None:
    assert set(data.panel["area_code"].str[:2]) == {"KU"}
    u = data.panel[data.panel["measure"] == "TYOTTOMATLOPUSSA"]
    assert u["period"].min() > real_data().months[-1]
    assert "TYOVOIMATK" not in set(data.panel["measure"])


def test_person_level_stocks_match_panel(data: SyntheticData) -> None:
    """Person-level month-end stocks equal the scaled targets exactly, and every target is
    within one person of scale × panel (so each cell is within 1 of scale × panel)."""
    ps, pn = data.persons_state, data.panel_state
    n_m = pn.services.shape[0]
    assert np.all(np.abs(ps.service_targets - SCALE * pn.services) < 1)
    assert np.all(np.abs(ps.unemployed_targets - SCALE * pn.unemployed) < 1)
    ev = data.events
    starts = ev[ev["event_type"] == "service_start"]
    assert len(starts) > 0
    # national persons in service by type at month end, from the events (starts inside the window)
    codes = {c: i for i, c in enumerate(pn.codes)}
    assert set(starts["municipality_code"].astype(str)) <= set(codes)
    # inverse check through the kernel output: month-end stocks of the events' spells
    from kuva.simulate.spells import Spells, stock_flow

    rng = np.random.default_rng(0)
    targets = np.array([[3, 4, 2, 6, 6, 0, 1]])
    sp: Spells = stock_flow(targets, rng, np.array([2.0]))
    np.testing.assert_array_equal(stock_at_month_end(sp, 1, 7), targets)
    # national tolerance: |persons − scale × panel| ≤ cells/2 + 4·sqrt(cells) per type-month
    tol = n_m / 2 + 4 * np.sqrt(n_m)
    diff = ps.service_targets.sum(axis=0) - SCALE * pn.services.sum(axis=0)
    assert np.abs(diff).max() <= tol


def test_events_reproduce_service_stock(data: SyntheticData) -> None:
    """Month-end stocks rebuilt from service_start/service_end events agree with the targets
    for months after the first (spells open at the start have no start event)."""
    ev = data.events
    ps, pn = data.persons_state, data.panel_state
    months = pn.months
    s = ev[ev["event_type"].isin(["service_start", "service_end"])].copy()
    s["m"] = s["event_date"].dt.to_period("M").dt.to_timestamp()
    s["sign"] = np.where(s["event_type"] == "service_start", 1, -1)
    flow = s.groupby("m")["sign"].sum().reindex(months, fill_value=0).cumsum()
    target = ps.service_targets.sum(axis=(0, 1))
    # stock(t) - stock(0) == cumulative net flow after month 0 (spells open at start end later)
    net = flow.to_numpy() - flow.to_numpy()[0]
    np.testing.assert_array_equal(target - target[0], net)


def test_frames_pass_the_warehouse_validator(data: SyntheticData) -> None:
    validate_observations(data.panel, "synthetic:panel")
    validate_observations(data.background, "synthetic:background")
    assert set(data.panel["measure"]) | set(data.background["measure"]) <= set(measures())


def test_background_consistency(data: SyntheticData) -> None:
    b = data.background
    pop = _wide(b, "VAKILUKU")
    from kuva.registry import area_registry

    reg = {m.code: m.population for m in area_registry().municipalities()}
    np.testing.assert_array_equal(pop[pd.Timestamp(2020, 1, 1)].to_numpy(),
                                  np.array([reg[c] for c in pop.index], dtype=float))
    flows = _wide(b, "NETTOMUUTTO") + _wide(b, "LUONNOLLINEN_VAESTONLISAYS")
    np.testing.assert_array_equal(pop.diff(axis=1).iloc[:, 1:].to_numpy(), flows.iloc[:, 1:].to_numpy())
    shares = _wide(b, "TP_ALKUTUOTANTO_OSUUS") + _wide(b, "TP_JALOSTUS_OSUUS") + _wide(b, "TP_PALVELUT_OSUUS")
    np.testing.assert_allclose(shares.to_numpy(), 100.0)
    ur = _wide(b, "TYOTTOMIEN_OSUUS")
    assert 1 < float(np.median(ur.to_numpy())) < 25


def test_planted_activation_gap(data: SyntheticData) -> None:
    t = data.truth
    gap = t[t["name"] == "activation_rate_gap_pp"].set_index("period")["value"]
    planted = t[t["name"] == "activation_rate_planted_pp"].set_index("period")["value"]
    assert float(gap.loc[pd.Timestamp(2021, 6, 1).date()]) < -2
    np.testing.assert_allclose(gap.to_numpy(), planted.to_numpy(), atol=0.05)
    none = simulate(scale=SCALE, seed=SEED, effects=NO_EFFECTS)
    assert (none.truth["name"] == "activation_rate_gap_pp").sum() == 0


def test_startup_backlog_in_pilots(data: SyntheticData) -> None:
    ev = data.events
    pilot_codes = set(np.array(data.panel_state.codes)[data.panel_state.pilot.any(axis=1)])
    # a returning person registers again: pair each registration with the person's next interview
    reg = ev[ev["event_type"] == "registration"][["pseudonym", "event_date", "municipality_code"]]
    iv = ev[ev["event_type"] == "initial_interview"][["pseudonym", "event_date"]]
    reg = reg.assign(pseudonym=reg["pseudonym"].astype(str), event_date_r=reg["event_date"]).sort_values("event_date")
    iv = iv.assign(pseudonym=iv["pseudonym"].astype(str), event_date_i=iv["event_date"]).sort_values("event_date")
    j = pd.merge_asof(reg, iv, on="event_date", by="pseudonym", direction="forward").dropna(subset=["event_date_i"])
    j["delay"] = (j["event_date_i"] - j["event_date_r"]).dt.days
    j["pilot"] = j["municipality_code"].astype(str).isin(pilot_codes)
    in21 = j["event_date_r"].dt.year == 2021
    slow = j[in21 & j["pilot"]]["delay"].median()
    normal = j[(j["event_date_r"].dt.year == 2019) & j["pilot"]]["delay"].median()
    assert slow > 2 * normal


def test_kykyviisari_shape(data: SyntheticData) -> None:
    a = data.answers
    assert set(a["instrument"]) == {"kykyviisari"}
    wa = a[a["item"] == "work_ability"]["value"]
    assert wa.between(0, 10).all()
    assert a["item"].str.startswith("situation_").any()
    assert (a[a["item"].str.startswith("situation_")]["value"] == 1).all()


def test_store_and_planted_truth(tmp_path: Path, data: SyntheticData) -> None:
    with Warehouse(tmp_path / "kuva.duckdb") as wh:
        report = simulate_into(wh, scale=SCALE, seed=SEED, parquet_dir=tmp_path / "pq")
        assert report.loads["panel"].inserted == len(data.panel)
        truth = planted_truth(wh)
        assert len(truth) == len(data.truth) == report.truth_rows
        assert set(truth["load_id"]) == {report.loads["panel"].load_id}
        src = wh.con.execute("SELECT source_id, kind, synthetic, title FROM sources").df()
        assert set(src["source_id"]) == set(SOURCE_IDS.values())
        assert src["synthetic"].all() and (src["kind"] == "synthetic").all()
        assert src["title"].str.startswith("SYNTHETIC").all()
        n_ev = wh.con.execute("SELECT count(*) FROM service_events").fetchone()
        assert n_ev is not None and n_ev[0] == len(data.events)
        again = simulate_into(wh, scale=SCALE, seed=SEED)
        assert not any(r.changed for r in again.loads.values())
        assert len(planted_truth(wh)) == len(truth)
    assert all(p.is_file() for p in report.parquet_files)


def test_parse_effects() -> None:
    spec = parse_effects(["activation_pp=-2.5", "area:helsinki=0", "startup_backlog=no"])
    assert spec.activation_pp == -2.5 and spec.by_area["helsinki"] == 0 and not spec.startup_backlog
    assert parse_effects(["none"]) == NO_EFFECTS
    with pytest.raises(KuvaInputError, match="allowed"):
        parse_effects(["bogus=1"])
    with pytest.raises(KuvaInputError, match="scale"):
        simulate(scale=2.0, seed=1)
    assert DEMO_EFFECTS.activation_gap(0) < DEMO_EFFECTS.activation_gap(20) < 0
