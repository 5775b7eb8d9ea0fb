"""Effect estimates from the warehouse (layer ``effects``): the panel builder turns warehouse
observations into :class:`~kuva.evaluate.data.PanelData`, the design battery runs the
estimators of :mod:`kuva.evaluate` on it and collects their results through the one results
contract. The "Effects" report chapter lives in :mod:`kuva.report.effects_chapter`.
"""

from kuva.effects.battery import Battery, evaluate_cli, planted_gap, run_designs
from kuva.effects.panel import EffectsPanel, build_panel

__all__ = ["Battery", "EffectsPanel", "build_panel", "evaluate_cli", "planted_gap", "run_designs"]
