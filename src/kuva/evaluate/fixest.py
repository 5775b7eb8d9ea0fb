"""The one place KuVa fits and reads a pyfixest model.

:func:`feols` fits; pyfixest 0.60 calls ``DataFrame.reset_index(inplace=True)``, deprecated in
pandas 3.1 — a warning about pyfixest's internals, not KuVa's use of it, so exactly that message
is silenced around the call (callers with warnings as errors would otherwise fail).

Coefficient names and the number of observations come from pyfixest's public API
(``coef()``, ``resid()``). The coefficient covariance matrix has no public getter in pyfixest
(``Feols.vcov()`` *sets* the covariance type and returns the model), so it is read from the
fitted model's ``_vcov`` here and only here, with pyfixest pinned to one exact version in
``pyproject.toml``; a test fails if the matrix's diagonal stops matching the public ``se()``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt


def feols(formula: str, data: Any, vcov: Any) -> Any:
    """``pyfixest.feols(formula, data=data, vcov=vcov)`` without pyfixest's pandas deprecation
    warning (see the module)."""
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"The inplace keyword in (DataFrame|Series)\.\w+ is deprecated",
                                category=DeprecationWarning)
        return pf.feols(formula, data=data, vcov=vcov)


def coef_names(fit: Any) -> list[str]:
    return [str(n) for n in fit.coef().index]


def n_obs(fit: Any) -> int:
    return len(fit.resid())


def vcov_matrix(fit: Any) -> npt.NDArray[np.float64]:
    """The coefficient covariance in ``coef_names`` order, checked against the public ``se()``."""
    v = np.asarray(fit._vcov, dtype=float)
    se = fit.se().to_numpy(dtype=float)
    if v.shape != (len(se), len(se)) or not np.allclose(np.sqrt(np.diag(v)), se, rtol=1e-10, atol=0):
        raise RuntimeError("pyfixest's covariance matrix does not match its standard errors; "
                           "the pinned pyfixest version changed")
    return v


__all__ = ["coef_names", "feols", "n_obs", "vcov_matrix"]
