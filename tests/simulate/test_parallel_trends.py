"""Parallel trends of the simulated municipal activation rate, and direct recovery of the
planted effect by the estimator package's DiD (kuva.effects.run_designs, pilot areas as units).

The simulator's rate is ``a_m + b_t + AR(1) noise + planted effect`` (docs/simulate.md), so
without an effect a DiD of the pilot areas against the other mainland municipalities
(2018-01 … 2021-02 vs 2021-03 … 2023-12) estimates 0 in expectation, and with the demo effects
it estimates the planted gap directly. Measured over 30 seeds (1000–1029, the same two-group
DiD on the arrays): no-effect mean +0.021 pp (SE 0.009), sd 0.047 pp; of that, +0.005 is the
drift of the member weights (U + P) inside multi-municipality pilot areas; with municipalities
as units the mean is +0.003 (sd 0.034).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuva.effects.battery import Battery, planted_gap, run_designs
from kuva.simulate import DEMO_EFFECTS, NO_EFFECTS, EffectSpec, simulate_panel_frames
from kuva.simulate.rates import controlled_round, municipal_persons, persons_from_rate, rake
from kuva.simulate.store import SOURCE_IDS, source_info
from kuva.warehouse import Warehouse, load_observations
from kuva.warehouse.truth import write_truth

SEEDS = (2021, 1000, 1001, 1002)
#: |no-effect DiD| per seed (pp); the seed-to-seed sd is about 0.05 pp
NO_EFFECT_TOL = 0.15
#: |mean no-effect DiD over SEEDS| (pp)
NO_EFFECT_MEAN_TOL = 0.08
#: |direct DiD − planted gap| per seed (pp); planted gap ≈ −1.515 pp
DIRECT_TOL = 0.15
#: |(effect-world DiD − no-effect-world DiD) − planted gap| (pp)
PAIRED_TOL = 0.03


def _did(base: Path, folder: Path, seed: int, effects: EffectSpec) -> tuple[Battery, float | None]:
    path = folder / f"wh_{seed}.duckdb"
    shutil.copy(base, path)
    panel, _ = simulate_panel_frames(seed=seed, effects=effects)
    with Warehouse(path) as wh:
        info = source_info("panel", seed=seed, scale=0.0, effects=effects, years=(2017, 2024))

        def truth() -> None:
            write_truth(wh, SOURCE_IDS["panel"], panel.truth)

        load_observations(wh, panel.frame, info, before_commit=truth)
        b = run_designs(wh, designs=("did",), unit="area", placebo=False, bootstrap_reps=0, seed=seed)
        return b, planted_gap(wh, start=b.data.treat_start, end=b.data.end)


Worlds = dict[int, tuple[Battery, Battery, float]]


@pytest.fixture(scope="module")
def worlds(bundled_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Worlds:
    """seed -> (effect-world DiD, no-effect-world DiD, planted gap over the post months)."""
    out: Worlds = {}
    for seed in SEEDS:
        b1, truth = _did(bundled_warehouse_path, tmp_path_factory.mktemp(f"eff{seed}"), seed, DEMO_EFFECTS)
        b0, truth0 = _did(bundled_warehouse_path, tmp_path_factory.mktemp(f"none{seed}"), seed, NO_EFFECTS)
        assert truth is not None and truth0 is None
        out[seed] = (b1, b0, truth)
    return out


@pytest.mark.slow
def test_no_effect_world_is_parallel(worlds: Worlds) -> None:
    ests = [b0.estimate("did") for _, b0, _ in worlds.values()]
    assert all(abs(e) < NO_EFFECT_TOL for e in ests), ests
    assert abs(float(np.mean(ests))) < NO_EFFECT_MEAN_TOL, ests


@pytest.mark.slow
def test_direct_did_recovers_planted_gap(worlds: Worlds) -> None:
    covered = 0
    for seed, (b1, b0, truth) in worlds.items():
        assert truth == pytest.approx(specified_gap(), abs=0.01)  # the stored truth is the specified gap
        row = b1.table[b1.table["design"] == "did"]
        est, lo, hi = (float(row[c].to_numpy(dtype=float)[0]) for c in ("estimate", "ci_low", "ci_high"))
        assert abs(est - truth) < DIRECT_TOL, (seed, est, truth)
        covered += lo <= truth <= hi
        # the truth is what the same DiD moves by between the two worlds (rounding only)
        assert abs(est - b0.estimate("did") - truth) < PAIRED_TOL, (seed, est, b0.estimate("did"), truth)
    # measured coverage over 20 seeds is about 0.9 (docs/evaluate.md); P(fewer than 2 of 4
    # covered | 0.9) < 0.004. Seeds 2021 and 1000 happen to lie about 2.2 SE above the truth
    # (no-effect DiD +0.10), so they do not cover; 1001 and 1002 do.
    assert covered >= len(SEEDS) // 2, covered


def test_gap_truth_equals_planted_and_rates_shift_in_parallel() -> None:
    """Effect world minus no-effect world (same seed): pilots move by the planted gap more than
    the others, and every non-pilot by the same common shift (up to integer rounding)."""
    p1, _ = simulate_panel_frames(seed=7, effects=DEMO_EFFECTS)
    p0, _ = simulate_panel_frames(seed=7, effects=NO_EFFECTS)
    np.testing.assert_array_equal(p1.unemployed, p0.unemployed)
    t = p1.truth
    gap = t[t["name"] == "activation_rate_gap_pp"]["value"].to_numpy()
    planted = t[t["name"] == "activation_rate_planted_pp"]["value"].to_numpy()
    np.testing.assert_allclose(gap, planted, atol=0.02)
    u = p1.unemployed.astype(float)
    big = u.min(axis=1) > 2000  # rounding moves small municipalities' rates more
    with np.errstate(invalid="ignore", divide="ignore"):
        r1 = 100 * p1.services.sum(axis=1) / (u + p1.services.sum(axis=1))
        r0 = 100 * p0.services.sum(axis=1) / (u + p0.services.sum(axis=1))
    d = r1 - r0
    j = int(np.flatnonzero(p1.months == pd.Timestamp("2022-06-01"))[0])
    others = big & ~p1.pilot[:, j]
    pilots = big & p1.pilot[:, j]
    shift = float(np.median(d[others, j]))
    np.testing.assert_allclose(d[others, j], shift, atol=0.05)
    np.testing.assert_allclose(d[pilots, j], shift + DEMO_EFFECTS.activation_gap(15), atol=0.05)


def test_month_effect_and_controlled_rounding() -> None:
    rng = np.random.default_rng(3)
    u = rng.integers(0, 5000, (40, 6)).astype(float)
    base = rng.normal(0, 4, (40, 6))
    totals = np.rint(persons_from_rate(u, base + 30).sum(axis=0) * 0.8)
    p, b = municipal_persons(u, base, totals)
    np.testing.assert_array_equal(p.sum(axis=0), totals)
    assert np.all(np.abs(p - persons_from_rate(u, base + b[None, :])) < 1)
    cols = np.stack([np.floor(totals * 0.3), np.floor(totals * 0.5)])
    cols = np.vstack([cols, totals - cols.sum(axis=0)])
    mix = rng.dirichlet(np.ones(3), (40, 6)).transpose(0, 2, 1)
    x = rake(p[:, None, :] * mix, p.astype(float), cols)
    n = controlled_round(x, p.astype(float), cols)
    np.testing.assert_array_equal(n.sum(axis=1), p)
    np.testing.assert_array_equal(n.sum(axis=0), cols)
    assert np.all(np.abs(n - x) < 1 + 1e-6)


def specified_gap() -> float:
    """The gap DEMO_EFFECTS specifies, averaged over 2021-03 … 2023-12 (34 months): by hand,
    (−3.5 − 28 − 20) / 34 ≈ −1.515 pp (start-up dip, ramp, then the level)."""
    from kuva.simulate import DEMO_EFFECTS

    return sum(DEMO_EFFECTS.activation_gap(k) for k in range(34)) / 34
