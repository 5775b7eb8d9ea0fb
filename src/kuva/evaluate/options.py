"""Every option of the estimators as a ``Literal`` alias, and the one validator.

Keeping all option values in one module means the documentation, the validator message and
the type checker agree on what is allowed.
"""

from __future__ import annotations

from typing import Literal, TypeVar, get_args

from kuva.errors import KuvaInputError

BootstrapWeights = Literal["rademacher", "webb"]
"""Wild cluster bootstrap weight distribution (Rademacher ±1; Webb's six-point)."""

ControlGroup = Literal["never_treated", "not_yet_treated"]
"""Comparison units in Callaway–Sant'Anna: never treated, or not yet treated at t."""

CSMethod = Literal["dr", "ipw", "reg", "dr_traditional"]
"""Callaway–Sant'Anna 2×2 estimator: doubly robust (Sant'Anna–Zhao improved), IPW, outcome
regression, or the traditional locally efficient DR (R ``did``'s ``dr``)."""

BasePeriod = Literal["varying", "universal"]
"""Base period of pre-treatment ATT(g,t): the previous period, or always g-1."""

Aggregation = Literal["simple", "group", "dynamic", "calendar"]
"""How ATT(g,t) are aggregated (as in R ``did::aggte``)."""

SdidMethod = Literal["sdid", "sc", "did"]
"""Synthetic DiD, or its synthetic-control / difference-in-differences special cases."""

SdidVariance = Literal["placebo", "jackknife", "bootstrap", "none"]
"""Standard error of the synthetic DiD estimate (as in R ``synthdid::vcov``)."""

MatchDistance = Literal["mahalanobis", "standardized"]
"""Distance used for nearest-neighbour matching."""

SCVMethod = Literal["nested", "synth"]
"""How the synthetic control's predictor importances V are searched: KuVa's nested search (the
lowest pre-period MSPE found from two starts) or R ``synth()``'s search (Nelder–Mead and BFGS
from the equal and the regression-based starts, R ``optim`` defaults, the best kept); see
docs/synth.md."""

SynthStart = Literal["equal", "regression"]
"""Starting V of R ``synth()``'s search: equal importances, or the regression-based V."""

SynthOptimiser = Literal["Nelder-Mead", "BFGS"]
"""Optimisers of R ``synth()``'s search (R ``optim`` defaults)."""

SCPredictorAggregate = Literal["mean"]
"""How a predictor is aggregated over its pre-period window."""

_T = TypeVar("_T", bound=str)


def validate_option(name: str, value: object, allowed: type[_T] | object) -> _T:
    """Return ``value`` if it is one of the values of the ``Literal`` alias ``allowed``.

    Raises
    ------
    KuvaInputError
        Naming the option, the allowed values and the value received.
    """
    choices = get_args(allowed)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise KuvaInputError(f"{name} must be one of {listed}; got {value!r}")
    return value  # type: ignore[return-value]
