"""Pure kernels of the Abadie–Diamond–Hainmueller synthetic control.

* :func:`simplex_weights` solves the inner problem ``min_w (x1 - X0 w)' V (x1 - X0 w)`` with
  ``w >= 0, sum(w) = 1`` exactly, as a non-negative least-squares problem with the adding-up
  constraint appended as a heavily weighted row (Lawson–Hanson active set, ``scipy.optimize
  .nnls``), then polished onto the simplex.
* :func:`optimise_v` chooses the diagonal predictor-importance matrix ``V`` (normalised to sum
  one) that minimises the pre-treatment outcome MSPE of the implied synthetic control
  (the "nested" ADH criterion), by Nelder–Mead on a softmax parametrisation started from
  equal weights and from the regression-based weights of ``Synth``, keeping the better.
* :func:`regression_v` is Synth's regression-based ``V`` (R ``Synth``'s second start; Stata
  ``synth``'s ``V`` without ``nested``).
* :func:`synth_v` is R ``Synth``'s own search: ``V = |x| / sum|x|``, Nelder–Mead and BFGS from
  equal and from regression-based starts, the lowest pre-period MSPE kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize

from kuva.evaluate.options import SynthOptimiser, SynthStart

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


def regression_v(x1: FloatArray, x0: FloatArray, z1: FloatArray, z0: FloatArray) -> FloatArray:
    """Synth's regression-based ``V``: regress every unit's pre-period outcomes (``z``) on the
    standardised predictors with an intercept, ``V_k`` proportional to the sum over periods of the
    squared coefficients of predictor ``k`` (R ``Synth``'s second starting value ``SV2``; Stata
    ``synth`` uses a regression-based ``V`` unless ``nested`` is given). Equal weights when the
    regression is singular."""
    xx = np.column_stack([np.ones(x0.shape[1] + 1), np.column_stack([x0, x1]).T])
    zz = np.column_stack([z0, z1]).T
    coef, _, rank, _ = np.linalg.lstsq(xx, zz, rcond=None)
    b2: FloatArray = np.sum(coef[1:] ** 2, axis=1)
    if rank < xx.shape[1] or not np.all(np.isfinite(b2)) or b2.sum() <= 0:
        return np.full(x1.shape[0], 1 / x1.shape[0])
    out: FloatArray = b2 / b2.sum()
    return out


R_NDEPS = 1e-3
"""Step of R ``optim``'s central finite-difference gradient (its ``ndeps`` default)."""


def _central_gradient(f: Callable[[FloatArray], float], h: float) -> Callable[[FloatArray], FloatArray]:
    def grad(x: FloatArray) -> FloatArray:
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            e = np.zeros_like(x)
            e[i] = h
            out[i] = (f(x + e) - f(x - e)) / (2 * h)
        return out

    return grad


def synth_v(
    x1: FloatArray,
    x0: FloatArray,
    z1: FloatArray,
    z0: FloatArray,
    *,
    starts: Sequence[SynthStart] = ("equal", "regression"),
    optimisers: Sequence[SynthOptimiser] = ("Nelder-Mead", "BFGS"),
) -> VSolution:
    """R ``Synth``'s ``synth()`` search for ``V`` (its ``optimxmethod`` default).

    ``V = |x| / sum|x|``; every optimiser is run from every start (equal weights, then the
    regression-based :func:`regression_v`) and the lowest pre-period MSPE is kept (ties keep
    the earlier run, as ``synth()`` does). The optimisers follow R ``optim``'s defaults:
    Nelder–Mead with an initial simplex step of 10 % of the largest start value, relative
    tolerance 1e-8 and at most 500 iterations; BFGS with a central-difference gradient of step
    ``1e-3`` (R's ``ndeps``) and at most 100 iterations. The inner ``W`` problem is KuVa's exact
    :func:`simplex_weights` (R: ``ipop``'s interior-point QP), so paths can differ from R's.
    """
    k = x1.shape[0]
    if not starts or not optimisers:
        raise ValueError("synth_v needs at least one start and one optimiser")

    def v_of(x: FloatArray) -> FloatArray:
        a = np.abs(x)
        out: FloatArray = a / a.sum() if a.sum() > 0 else np.full(k, 1 / k)
        return out

    def loss(x: FloatArray) -> float:
        w = simplex_weights(x1, x0, v_of(x))
        return float(np.mean((z1 - z0 @ w) ** 2))

    best: VSolution | None = None
    for start in starts:
        x_start = np.full(k, 1 / k) if start == "equal" else regression_v(x1, x0, z1, z0)
        f0 = loss(x_start)
        for method in optimisers:
            if method == "BFGS":
                res = optimize.minimize(loss, x_start, method="BFGS", jac=_central_gradient(loss, R_NDEPS),
                                        options={"maxiter": 100, "gtol": 1e-12})
            else:
                step = 0.1 * float(np.max(np.abs(x_start)))
                simplex = np.vstack([x_start, x_start + step * np.eye(k)])
                res = optimize.minimize(loss, x_start, method="Nelder-Mead",
                                        options={"maxiter": 500, "initial_simplex": simplex,
                                                 "xatol": np.inf, "fatol": 1e-8 * max(f0, 1e-300)})
            v = v_of(res.x)
            w = simplex_weights(x1, x0, v)
            sol = VSolution(v=v, w=w, loss=float(np.mean((z1 - z0 @ w) ** 2)))
            if best is None or sol.loss < best.loss:
                best = sol
    if best is None:  # pragma: no cover - guarded above
        raise RuntimeError("no V run")
    return best
