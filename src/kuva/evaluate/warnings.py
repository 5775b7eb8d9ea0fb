"""Typed warnings of the estimators (all subclass :class:`kuva.errors.KuvaDataWarning`)."""

from __future__ import annotations

from kuva.errors import KuvaDataWarning


class UnbalancedPanelWarning(KuvaDataWarning):
    """Some units are not observed in every period of the panel."""


class PanelGapWarning(KuvaDataWarning):
    """A unit has a hole (a missing period) between its first and last observation."""


class SingletonUnitWarning(KuvaDataWarning):
    """A unit is observed in only one period; it carries no within-unit information."""


class DroppedUnitsWarning(KuvaDataWarning):
    """Units were left out of an estimate; the message says which and why."""


class FewClustersWarning(KuvaDataWarning):
    """Too few clusters (or treated clusters) for reliable cluster-robust inference."""


class AbsorbedCovariateWarning(KuvaDataWarning):
    """A covariate is constant within units and is absorbed by the unit fixed effects."""


class ConvergenceWarning(KuvaDataWarning):
    """A numerical optimiser stopped before meeting its convergence criterion."""


class PoorPreFitWarning(KuvaDataWarning):
    """A synthetic control fits the treated unit's pre-period poorly."""
