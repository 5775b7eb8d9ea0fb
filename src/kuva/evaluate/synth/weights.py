"""Pure kernels of the Abadie–Diamond–Hainmueller synthetic control.

* :func:`simplex_weights` solves the inner problem ``min_w (x1 - X0 w)' V (x1 - X0 w)`` with
  ``w >= 0, sum(w) = 1`` exactly, as a non-negative least-squares problem with the adding-up
  constraint appended as a heavily weighted row (Lawson–Hanson active set, ``scipy.optimize
  .nnls``), then polished onto the simplex.
* :func:`optimise_v` chooses the diagonal predictor-importance matrix ``V`` (normalised to sum
  one) that minimises the pre-treatment outcome MSPE of the implied synthetic control
  (the "nested" ADH criterion), by Nelder–Mead on a softmax parametrisation started from
  equal weights and from the regression-based weights of ``Synth``, keeping the better.
* :func:`synth_v` is R ``Synth``'s own search as pysyncon reproduces it: ``V = |x| / sum|x|``,
  one quasi-Newton (BFGS) run from the regression-based start. It stops in the local optimum
  the published examples report, which is not always the lowest MSPE ``optimise_v`` finds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize

FloatArray = npt.NDArray[np.float64]


def simplex_weights(x1: FloatArray, x0: FloatArray, v: FloatArray) -> FloatArray:
    """Weights ``(J,)`` on the simplex minimising ``sum_k v_k (x1_k - (X0 w)_k)^2``.

    ``x1`` is ``(K,)``, ``x0`` is ``(K, J)`` and ``v`` is ``(K,)`` non-negative.
    """
    sv = np.sqrt(np.maximum(v, 0.0))
    a = x0 * sv[:, None]
    b = x1 * sv
    big = 1e4 * (1.0 + float(np.max(np.abs(a))) if a.size else 1.0)
    a_aug = np.vstack([a, np.full((1, x0.shape[1]), big)])
    b_aug = np.append(b, big)
    w, _ = optimize.nnls(a_aug, b_aug, maxiter=50 * x0.shape[1])
    s = w.sum()
    out: FloatArray = w / s if s > 0 else np.full(x0.shape[1], 1.0 / x0.shape[1])
    return out


def _softmax(z: FloatArray) -> FloatArray:
    e = np.exp(z - np.max(z))
    out: FloatArray = e / e.sum()
    return out


@dataclass(frozen=True)
class VSolution:
    """Chosen predictor weights ``v`` (K,), unit weights ``w`` (J,) and the pre-period MSPE
    of the outcome that ``v`` minimises."""

    v: FloatArray
    w: FloatArray
    loss: float


def optimise_v(
    x1: FloatArray,
    x0: FloatArray,
    z1: FloatArray,
    z0: FloatArray,
    *,
    max_iter: int = 2000,
) -> VSolution:
    """Nested ADH optimisation of the diagonal ``V``.

    ``x1 (K,)``/``x0 (K, J)`` are (standardised) predictors; ``z1 (T0,)``/``z0 (T0, J)`` the
    pre-period outcomes whose fit judges ``V``.
    """
    k = x1.shape[0]

    def loss_of(v: FloatArray) -> tuple[float, FloatArray]:
        w = simplex_weights(x1, x0, v)
        r = z1 - z0 @ w
        return float(np.mean(r**2)), w

    if k == 1:
        loss, w = loss_of(np.ones(1))
        return VSolution(v=np.ones(1), w=w, loss=loss)

    starts = [np.zeros(k)]
    # regression-based start (Synth): squared coefficients of z on the predictors
    xx = np.column_stack([np.ones(x0.shape[1] + 1), np.column_stack([x0, x1]).T])
    zz = np.column_stack([z0, z1]).T  # (J + 1, T0)
    coef, *_ = np.linalg.lstsq(xx, zz, rcond=None)
    beta2 = np.sum(coef[1:] ** 2, axis=1)
    if np.all(np.isfinite(beta2)) and beta2.sum() > 0:
        starts.append(np.log(beta2 / beta2.sum() + 1e-8))

    best: VSolution | None = None
    for z_start in starts:
        res = optimize.minimize(
            lambda z: loss_of(_softmax(z))[0],
            z_start,
            method="Nelder-Mead",
            options={"maxiter": max_iter, "xatol": 1e-6, "fatol": 1e-10},
        )
        v = _softmax(res.x)
        loss, w = loss_of(v)
        if best is None or loss < best.loss:
            best = VSolution(v=v, w=w, loss=loss)
    if best is None:  # pragma: no cover - starts is never empty
        raise RuntimeError("no V start")
    return best


def _ols_start(x1: FloatArray, x0: FloatArray, z1: FloatArray, z0: FloatArray) -> FloatArray:
    """Synth's regression-based start: squared coefficients of the outcomes on the predictors."""
    xx = np.column_stack([np.ones(x0.shape[1] + 1), np.column_stack([x0, x1]).T])
    zz = np.column_stack([z0, z1]).T
    coef, *_ = np.linalg.lstsq(xx, zz, rcond=None)
    b2: FloatArray = np.sum(coef[1:] ** 2, axis=1)
    return b2 / b2.sum() if np.all(np.isfinite(b2)) and b2.sum() > 0 else np.full(x1.shape[0], 1 / x1.shape[0])


def synth_v(x1: FloatArray, x0: FloatArray, z1: FloatArray, z0: FloatArray, *, max_iter: int = 1000) -> VSolution:
    """R ``Synth``'s V search (as pysyncon's ``optim_method="BFGS", optim_initial="ols"``)."""
    k = x1.shape[0]

    def v_of(x: FloatArray) -> FloatArray:
        a = np.abs(x)
        out: FloatArray = a / a.sum() if a.sum() > 0 else np.full(k, 1 / k)
        return out

    def loss(x: FloatArray) -> float:
        w = simplex_weights(x1, x0, v_of(x))
        return float(np.mean((z1 - z0 @ w) ** 2))

    res = optimize.minimize(loss, _ols_start(x1, x0, z1, z0), method="BFGS", options={"maxiter": max_iter})
    v = v_of(res.x)
    w = simplex_weights(x1, x0, v)
    return VSolution(v=v, w=w, loss=float(np.mean((z1 - z0 @ w) ** 2)))
