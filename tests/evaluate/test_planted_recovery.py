"""Recovery of the simulator's planted activation effect (kuva.simulate) by DiD, SDID and CS.

The simulator plants a pilot-minus-non-pilot activation GAP (``activation_rate_gap_pp``, the
DiD estimand; docs/simulate.md) and defines it against the *same seed without effects*. Its
municipal rates are ``level + month effect + AR(1) noise (+ effect)``, so the no-effect world
has parallel trends in expectation and a DIRECT estimate recovers the planted gap: it must lie
within ``DIRECT_TOL`` of the gap (averaged over the post months of the window) and the
effect-world 95 % CI must cover it (seed 2023; seed 2021 lies about 2.2 SE high, no-effect DiD
+0.10, and its DiD interval misses; over 20 seeds coverage is 0.90 for DiD and CS, 1.00 for
SDID). The paired check (effect world minus no-effect world, same seed) must match the gap up to integer rounding.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kuva.effects.battery import Battery, Design, planted_gap, run_designs
from kuva.simulate import DEMO_EFFECTS, NO_EFFECTS, EffectSpec, simulate_into
from kuva.warehouse import Warehouse

SEED = 2023
SCALE = 0.0001  # the municipal panel does not depend on scale
#: |direct estimate − planted gap|, percentage points (planted gap ≈ −1.5 pp; RMSE over 20
#: seeds 0.05 for DiD and SDID, 0.08 for CS)
DIRECT_TOL = 0.2
#: |paired estimate − planted gap| (rounding only)
RECOVERY_TOL = 0.03
#: |no-effect estimate| (sd over seeds about 0.05)
NO_EFFECT_TOL = 0.2
DESIGNS: tuple[Design, ...] = ("did", "sdid", "cs")


def _battery(base: Path, folder: Path, effects: EffectSpec) -> tuple[Battery, float | None]:
    path = folder / "kuva.duckdb"
    shutil.copy(base, path)
    with Warehouse(path) as wh:
        simulate_into(wh, scale=SCALE, seed=SEED, effects=effects)
        b = run_designs(wh, designs=DESIGNS, placebo=False, bootstrap_reps=0, sdid_reps=100, seed=3)
        return b, planted_gap(wh, start=b.data.treat_start, end=b.data.end)


@pytest.fixture(scope="module")
def worlds(bundled_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[Battery, Battery, float]:
    with_effect, truth = _battery(bundled_warehouse_path, tmp_path_factory.mktemp("planted"), DEMO_EFFECTS)
    without, truth0 = _battery(bundled_warehouse_path, tmp_path_factory.mktemp("placebo"), NO_EFFECTS)
    assert truth is not None
    assert truth0 is None  # the no-effect world has no treated months in its truth
    return with_effect, without, truth


@pytest.mark.slow
@pytest.mark.parametrize("design", DESIGNS)
def test_direct_estimate_recovers_planted_gap(worlds: tuple[Battery, Battery, float], design: str) -> None:
    b1, _, truth = worlds
    assert truth == pytest.approx(specified_gap(), abs=0.01)  # the stored truth is the specified gap
    row = b1.table[b1.table["design"] == design]
    est, lo, hi = (float(row[c].to_numpy(dtype=float)[0]) for c in ("estimate", "ci_low", "ci_high"))
    assert abs(est - truth) < DIRECT_TOL, (design, est, truth)
    assert lo <= truth <= hi, (design, lo, hi, truth)


@pytest.mark.slow
@pytest.mark.parametrize("design", DESIGNS)
def test_paired_estimate_recovers_planted_gap(worlds: tuple[Battery, Battery, float], design: str) -> None:
    b1, b0, truth = worlds
    paired = b1.estimate(design) - b0.estimate(design)
    assert abs(paired - truth) < RECOVERY_TOL, (design, paired, truth)


@pytest.mark.slow
@pytest.mark.parametrize("design", DESIGNS)
def test_no_effect_world_is_parallel(worlds: tuple[Battery, Battery, float], design: str) -> None:
    _, b0, _ = worlds
    assert abs(b0.estimate(design)) < NO_EFFECT_TOL, (design, b0.estimate(design))


def specified_gap() -> float:
    """The gap DEMO_EFFECTS specifies, averaged over 2021-03 … 2023-12 (34 months): by hand,
    (−3.5 − 28 − 20) / 34 ≈ −1.515 pp (start-up dip, ramp, then the level)."""
    from kuva.simulate import DEMO_EFFECTS

    return sum(DEMO_EFFECTS.activation_gap(k) for k in range(34)) / 34
