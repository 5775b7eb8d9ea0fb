"""Calibrated synthetic Finland with planted effects (everything here is SYNTHETIC).

Real municipal activation data, person-level service events and Kykyviisari answers are not
public; this package produces them in exactly the shapes the real adapters produce, calibrated
to the real bundled national totals, with known planted effects for scoring estimators.

* :func:`simulate` — pure: every frame and the planted truth, no warehouse.
* :func:`simulate_into` — store it (sources ``synthetic:*``) and the truth (``synthetic_truth``).
* :func:`planted_truth` — read the truth back.

See ``docs/simulate.md``.
"""

from kuva.simulate.core import SyntheticData, simulate, simulate_panel_frames
from kuva.simulate.effects import DEMO_EFFECTS, NO_EFFECTS, EffectSpec, parse_effects
from kuva.simulate.persons import synthetic_key
from kuva.simulate.store import SOURCE_IDS, SimulationReport, planted_truth, simulate_into, write_parquet

__all__ = [
    "DEMO_EFFECTS",
    "NO_EFFECTS",
    "SOURCE_IDS",
    "EffectSpec",
    "SimulationReport",
    "SyntheticData",
    "parse_effects",
    "planted_truth",
    "simulate",
    "simulate_into",
    "simulate_panel_frames",
    "synthetic_key",
    "write_parquet",
]
