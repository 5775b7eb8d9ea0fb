"""Causal estimators for the municipal employment pilots (layer ``evaluate``).

Every estimator takes a :class:`PanelData` (a validated long panel), is configured in its
constructor, and returns an immutable results object from ``fit()`` with ``summary()``,
``tidy()`` and ``plot()``. See ``docs/evaluate.md``.
"""

from kuva.evaluate.data import PanelData
from kuva.evaluate.did import EventStudy, TwoWayFixedEffects

__all__ = ["EventStudy", "PanelData", "TwoWayFixedEffects"]
