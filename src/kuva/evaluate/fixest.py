"""The one place KuVa reads a pyfixest fit.

Coefficient names and the number of observations come from pyfixest's public API
(``coef()``, ``resid()``). The coefficient covariance matrix has no public getter in pyfixest
(``Feols.vcov()`` *sets* the covariance type and returns the model), so it is read from the
fitted model's ``_vcov`` here and only here, with pyfixest pinned to one exact version in
``pyproject.toml``; a test fails if the matrix's diagonal stops matching the public ``se()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


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


__all__ = ["coef_names", "n_obs", "vcov_matrix"]
