"""Causal estimators for the municipal employment pilots (layer ``evaluate``).

Every estimator takes a :class:`PanelData` (a validated long panel), is configured in its
constructor, and returns an immutable results object from ``fit()`` that follows the one
results contract (:mod:`kuva.evaluate.contract`: ``estimate``, ``std_error``, ``conf_int``,
``p_value``, ``inference``, ``tidy()`` with the same columns, ``summary()``, ``plot(ax)``;
:func:`etable` side by side). See ``docs/evaluate.md``.
"""

from kuva.evaluate.balance import (
    EntropyBalance,
    nearest_neighbours,
    shock_size,
    standardized_differences,
)
from kuva.evaluate.contract import TIDY_COLUMNS, EffectResult, etable
from kuva.evaluate.data import PanelData
from kuva.evaluate.did import EventStudy, TwoWayFixedEffects
from kuva.evaluate.sensitivity import RelativeMagnitudes
from kuva.evaluate.staggered import CallawaySantAnna, SunAbraham
from kuva.evaluate.synth import Predictor, SyntheticControl
from kuva.evaluate.synthdid import SyntheticDiD

__all__ = [
    "TIDY_COLUMNS",
    "CallawaySantAnna",
    "EffectResult",
    "EntropyBalance",
    "EventStudy",
    "PanelData",
    "Predictor",
    "RelativeMagnitudes",
    "SunAbraham",
    "SyntheticControl",
    "SyntheticDiD",
    "TwoWayFixedEffects",
    "etable",
    "nearest_neighbours",
    "shock_size",
    "standardized_differences",
]
