"""The one results contract of every effect estimate.

Every design — TWFE, event study, Callaway–Sant'Anna and its aggregations, Sun–Abraham,
synthetic control, synthetic DiD, relative magnitudes (and the person-level designs to come) —
returns an immutable results object that satisfies :class:`EffectResult`:

- ``estimate`` — the headline effect (for a design with many terms, the one its ``summary``
  leads with: the average post-treatment effect);
- ``std_error`` (NaN when the design's inference is not a standard error, e.g. placebo
  permutation), ``statistic``, ``p_value``;
- ``conf_int(alpha=None)`` — the ``1 - alpha`` interval computed on demand from the design's
  reference distribution (the fit's ``alpha`` by default);
- ``inference`` — what the interval and p-value rest on, in words (``"CRV1, t(G-1)"``,
  ``"placebo permutation over 38 donors"`` …);
- ``n_units``, ``n_obs``;
- ``tidy()`` — a frame with exactly :data:`TIDY_COLUMNS` (``term, estimate, std_error,
  statistic, p_value, ci_low, ci_high, inference``): the headline first, then any components
  (event times, cohorts, grid points);
- ``summary()`` — text/HTML; ``plot(ax=None)`` — draws on ``ax`` or a new figure's axes.

Results are immutable in fact: arrays are read-only, frames and series are returned as copies,
mappings as read-only views (:class:`Immutable`). :func:`etable` puts designs side by side (the
``etable`` habit of fixest/pyfixest) from the contract alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from scipy import stats

from kuva.errors import KuvaInputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from kuva.evaluate.reporting import Summary

TIDY_COLUMNS: tuple[str, ...] = ("term", "estimate", "std_error", "statistic", "p_value", "ci_low", "ci_high",
                                 "inference")


@runtime_checkable
class EffectResult(Protocol):
    """What every effect estimate offers (see the module docstring)."""

    @property
    def estimate(self) -> float: ...

    @property
    def std_error(self) -> float: ...

    @property
    def statistic(self) -> float: ...

    @property
    def p_value(self) -> float: ...

    @property
    def inference(self) -> str: ...

    @property
    def n_units(self) -> int: ...

    @property
    def n_obs(self) -> int: ...

    def conf_int(self, alpha: float | None = None) -> tuple[float, float]: ...

    def tidy(self) -> pd.DataFrame: ...

    def summary(self) -> Summary: ...

    def plot(self, ax: Axes | None = None) -> Axes: ...


class Immutable:
    """Mixin of the results classes: frames and series are handed out as copies and mappings as
    read-only views, so nothing a caller does to a returned object changes the result."""

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if name.startswith("_"):
            return value
        if isinstance(value, pd.DataFrame | pd.Series):
            return value.copy()
        if isinstance(value, dict):
            return MappingProxyType(value)
        return value


class NormalWald:
    """Mixin of the results whose interval and p-value are a normal Wald on ``estimate``,
    ``std_error`` and the fit's ``alpha``: ``statistic``, ``p_value`` and ``conf_int``."""

    estimate: float
    std_error: float
    alpha: float

    @property
    def statistic(self) -> float:
        return wald(self.estimate, self.std_error, self.alpha)["statistic"]

    @property
    def p_value(self) -> float:
        return wald(self.estimate, self.std_error, self.alpha)["p_value"]

    def conf_int(self, alpha: float | None = None) -> tuple[float, float]:
        w = wald(self.estimate, self.std_error, self.alpha if alpha is None else alpha)
        return w["ci_low"], w["ci_high"]


def check_alpha(alpha: float) -> float:
    if not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise KuvaInputError(f"alpha must be between 0 and 1, got {alpha!r}")
    return float(alpha)


def critical_value(alpha: float, dof: float | None = None) -> float:
    """The two-sided critical value: Student's t with ``dof`` degrees of freedom, normal if None."""
    a = check_alpha(alpha)
    if dof is None or not math.isfinite(dof):
        return float(stats.norm.ppf(1 - a / 2))
    return float(stats.t.ppf(1 - a / 2, dof))


def wald(estimate: float, std_error: float, alpha: float, dof: float | None = None) -> dict[str, float]:
    """``statistic, p_value, ci_low, ci_high`` of a Wald interval (t with ``dof``, or normal)."""
    check_alpha(alpha)
    if not (std_error > 0 and math.isfinite(std_error)):
        return {"statistic": math.nan, "p_value": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    t = estimate / std_error
    crit = critical_value(alpha, dof)
    p = float(2 * (stats.norm.sf(abs(t)) if dof is None else stats.t.sf(abs(t), dof)))
    return {"statistic": t, "p_value": p, "ci_low": estimate - crit * std_error, "ci_high": estimate + crit * std_error}


def tidy_frame(rows: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """A tidy frame with exactly :data:`TIDY_COLUMNS` (missing numbers NaN, a column not in the
    contract refused)."""
    out = []
    for r in rows:
        extra = set(r) - set(TIDY_COLUMNS)
        if extra:
            raise KuvaInputError(f"tidy(): columns {sorted(extra)} are not in the results contract")
        out.append({c: r.get(c, "" if c in ("term", "inference") else math.nan) for c in TIDY_COLUMNS})
    frame = pd.DataFrame(out, columns=list(TIDY_COLUMNS))
    for c in TIDY_COLUMNS[1:-1]:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    frame["term"] = frame["term"].astype(str)
    frame["inference"] = frame["inference"].astype(str)
    return frame


def wald_rows(terms: Sequence[str], estimates: Sequence[float] | np.ndarray, std_errors: Sequence[float] | np.ndarray,
              alpha: float, inference: str, *, dof: float | None = None,
              crit: float | None = None) -> list[dict[str, object]]:
    """Tidy rows of several Wald terms (``crit`` overrides the critical value, e.g. a uniform
    band's)."""
    rows: list[dict[str, object]] = []
    for term, est, se in zip(terms, estimates, std_errors, strict=True):
        w = wald(float(est), float(se), alpha, dof)
        if crit is not None and math.isfinite(float(se)):
            w["ci_low"], w["ci_high"] = float(est) - crit * float(se), float(est) + crit * float(se)
        rows.append({"term": term, "estimate": float(est), "std_error": float(se), **w, "inference": inference})
    return rows


ETABLE_ROWS: tuple[str, ...] = ("estimate", "std_error", "ci_low", "ci_high", "p_value", "inference", "n_units",
                                "n_obs")


def etable(results: Mapping[str, EffectResult], *, alpha: float = 0.05) -> pd.DataFrame:
    """Designs side by side: one column per design (in the given order), the rows of
    :data:`ETABLE_ROWS`, everything read through the contract."""
    check_alpha(alpha)
    cols: dict[str, list[object]] = {}
    for name, r in results.items():
        if not isinstance(r, EffectResult):
            raise KuvaInputError(f"etable: {name!r} ({type(r).__name__}) does not follow the results contract")
        low, high = r.conf_int(alpha)
        cols[name] = [r.estimate, r.std_error, low, high, r.p_value, r.inference, r.n_units, r.n_obs]
    return pd.DataFrame(cols, index=list(ETABLE_ROWS), dtype=object)


__all__ = [
    "ETABLE_ROWS",
    "TIDY_COLUMNS",
    "EffectResult",
    "Immutable",
    "check_alpha",
    "critical_value",
    "etable",
    "tidy_frame",
    "wald",
    "wald_rows",
]
