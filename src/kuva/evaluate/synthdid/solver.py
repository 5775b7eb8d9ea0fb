"""Synthetic difference-in-differences numerics, ported from R ``synthdid`` (v0.0.9).

Arkhangelsky, Athey, Hirshberg, Imbens & Wager (2021), "Synthetic Difference-in-Differences",
AER 111(12). The Frank–Wolfe solver (``fw.step``/``sc.weight.fw``), the collapsed form, the
regularisation defaults and the sparsification step follow the R package line by line. The
solver is *batched*: ``B`` independent problems of the same shape are solved together (used
by placebo inference), each stopping by R's own criterion.

Matrix convention: ``Y`` is units × periods, controls first (rows ``0..N0-1``), treated last;
pre-treatment periods first (columns ``0..T0-1``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kuva.errors import KuvaInputError

FloatArray = npt.NDArray[np.float64]


def sparsify(v: FloatArray) -> FloatArray:
    """R ``sparsify_function``: zero weights ``<= max/4`` and renormalise (row-wise)."""
    v2 = np.atleast_2d(v).copy()
    v2[v2 <= v2.max(axis=1, keepdims=True) / 4] = 0.0
    out: FloatArray = v2 / v2.sum(axis=1, keepdims=True)
    return out.reshape(v.shape)


def sum_normalize(x: FloatArray) -> FloatArray:
    """R ``sum_normalize``: ``x / sum(x)``, or uniform weights if the sum is zero."""
    s = x.sum()
    if s != 0:
        out: FloatArray = x / s
        return out
    return np.full(x.shape, 1.0 / x.size)


def fw_weights(
    y: FloatArray,
    zeta: float,
    *,
    intercept: bool,
    init: FloatArray | None,
    min_decrease: float,
    max_iter: int,
) -> tuple[FloatArray, FloatArray]:
    """Batched R ``sc.weight.fw``.

    Parameters
    ----------
    y : (B, n, k + 1)
        For each problem, regress the last column on the first ``k`` with weights on the
        simplex and ridge penalty ``zeta^2 * ||x||^2`` (times ``n`` in the objective scale).
    init : (B, k) or None
        Starting weights (default uniform).

    Returns
    -------
    weights : (B, k)
    iterations : (B,) number of Frank–Wolfe steps taken.
    """
    y = np.asarray(y, dtype=float)
    bsz, n, kp1 = y.shape
    k = kp1 - 1
    x = np.full((bsz, k), 1.0 / k) if init is None else np.array(init, dtype=float, copy=True)
    if intercept:
        y = y - y.mean(axis=1, keepdims=True)
    a = y[:, :, :k]
    b = y[:, :, k]
    # Work in the k-dimensional Gram form. With H = A'A + eta*I, c = A'b and h = Hx - c
    # (R's half.grad), every quantity of R's fw.step is a function of h, q = x'Hx and
    # c'x, and all three have exact rank-one updates after a step x <- (1-s)x + s*e_i.
    # The objective R monitors is vals = zeta^2 |x|^2 + |Ax - b|^2 / n = (q - 2c'x + b'b)/n.
    eta = n * zeta**2
    hmat = np.einsum("bnk,bnj->bkj", a, a) + eta * np.eye(k)[None]
    c = np.einsum("bnk,bn->bk", a, b)
    bb = np.einsum("bn,bn->b", b, b)
    hc = hmat - c[:, :, None]  # column i: H[:, i] - c
    tol = min_decrease**2
    if bsz == 1:
        xw, it = _fw_single(hmat[0], hc[0], c[0], float(bb[0]), x[0], n, tol, max_iter)
        return xw[None, :], np.array([float(it)])
    diag = np.einsum("bkk->bk", hmat).ravel()
    hc_rows = np.ascontiguousarray(np.transpose(hc, (0, 2, 1))).reshape(bsz * k, k)
    c_flat = c.ravel()
    offset = np.arange(bsz) * k

    def exact(xv: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        hx = np.einsum("bkj,bj->bk", hmat, xv)
        return hx - c, np.einsum("bk,bk->b", xv, hx), np.einsum("bk,bk->b", c, xv)

    x = np.ascontiguousarray(x)
    h, q, cx = exact(x)
    active = np.ones(bsz, dtype=bool)
    prev = np.full(bsz, np.inf)
    iters = np.zeros(bsz)
    for it in range(1, max_iter + 1):
        flat = offset + np.argmin(h, axis=1)
        h_i = h.ravel().take(flat)
        c_i = c_flat.take(flat)
        d_i = diag.take(flat)
        hx_i = h_i + c_i
        denom = d_i - 2 * hx_i + q
        num = q - cx - h_i
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(denom > 0, num / denom, 0.0)
        np.clip(step, 0.0, 1.0, out=step)
        step *= active
        keep = 1.0 - step
        q = keep * keep * q + 2 * step * keep * hx_i + step * step * d_i
        cx = keep * cx + step * c_i
        x *= keep[:, None]
        x.ravel()[flat] += step
        h *= keep[:, None]
        h += step[:, None] * hc_rows.take(flat, axis=0)
        if it % 100 == 0:
            h, q, cx = exact(x)
        vals = (q - 2 * cx + bb) / n
        iters[active] = it
        if it >= 2:
            active &= (prev - vals) > tol
            if not active.any():
                break
        prev = np.where(active, vals, prev)
    return x, iters


def _fw_single(
    hmat: FloatArray,
    hc: FloatArray,
    c: FloatArray,
    bb: float,
    x0: FloatArray,
    n: int,
    tol: float,
    max_iter: int,
) -> tuple[FloatArray, int]:
    """Unbatched Frank–Wolfe loop of :func:`fw_weights` (scalars kept as Python floats)."""
    x = x0.copy()
    hx = hmat @ x
    h = hx - c
    q = float(x @ hx)
    cx = float(c @ x)
    prev = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        i = int(np.argmin(h))
        h_i = float(h[i])
        c_i = float(c[i])
        hx_i = h_i + c_i
        h_ii = float(hmat[i, i])
        denom = h_ii - 2 * hx_i + q
        step = (q - cx - h_i) / denom if denom > 0 else 0.0
        step = min(1.0, max(0.0, step))
        keep = 1.0 - step
        q = keep * keep * q + 2 * step * keep * hx_i + step * step * h_ii
        cx = keep * cx + step * c_i
        x *= keep
        x[i] += step
        h *= keep
        h += step * hc[:, i]
        if it % 100 == 0:
            hx = hmat @ x
            h = hx - c
            q = float(x @ hx)
            cx = float(c @ x)
        vals = (q - 2 * cx + bb) / n
        if it >= 2 and prev - vals <= tol:
            break
        prev = vals
    return x, it


def collapsed_form(y: FloatArray, n0: int, t0: int) -> FloatArray:
    """R ``collapsed.form``: controls × pre + post mean; treated mean row. ``(N0+1, T0+1)``."""
    top = np.column_stack([y[:n0, :t0], y[:n0, t0:].mean(axis=1)])
    bottom = np.append(y[n0:, :t0].mean(axis=0), y[n0:, t0:].mean())
    out: FloatArray = np.vstack([top, bottom])
    return out


@dataclass(frozen=True)
class SdidSettings:
    """Regularisation and solver settings of one fit (R ``opts``); reused by placebo runs."""

    zeta_omega: float
    zeta_lambda: float
    omega_intercept: bool
    lambda_intercept: bool
    update_omega: bool
    update_lambda: bool
    min_decrease: float
    max_iter: int = 10_000
    max_iter_pre_sparsify: int = 100
    sparsify: bool = True


@dataclass(frozen=True)
class SdidFit:
    """One synthetic DiD estimate.

    ``omega`` (N0,) are unit weights on the controls, ``lambda_`` (T0,) time weights on the
    pre-periods; ``noise_level`` is the sd of first differences of control pre-period
    outcomes.
    """

    estimate: float
    omega: FloatArray
    lambda_: FloatArray
    noise_level: float
    settings: SdidSettings
    n0: int
    t0: int


def _noise_level(y: FloatArray, n0: int, t0: int) -> float:
    if t0 < 2:
        raise KuvaInputError("synthetic DiD needs at least two pre-treatment periods")
    return float(np.std(np.diff(y[:n0, :t0], axis=1), ddof=1))


def _solve_batch(
    ys: FloatArray,
    n0: int,
    t0: int,
    s: SdidSettings,
    omega0: FloatArray,
    lambda0: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Weights for a batch ``ys`` of shape (B, N, T), from starting weights (B, N0), (B, T0)."""
    bsz = ys.shape[0]
    yc = np.stack([collapsed_form(ys[i], n0, t0) for i in range(bsz)])
    lam = lambda0
    if s.update_lambda:
        prob = yc[:, :n0, :]
        lam, _ = fw_weights(prob, s.zeta_lambda, intercept=s.lambda_intercept, init=lam,
                            min_decrease=s.min_decrease, max_iter=s.max_iter_pre_sparsify)
        if s.sparsify:
            lam, _ = fw_weights(prob, s.zeta_lambda, intercept=s.lambda_intercept,
                                init=sparsify(lam), min_decrease=s.min_decrease,
                                max_iter=s.max_iter)
    om = omega0
    if s.update_omega:
        prob = np.transpose(yc[:, :, :t0], (0, 2, 1))
        om, _ = fw_weights(prob, s.zeta_omega, intercept=s.omega_intercept, init=om,
                           min_decrease=s.min_decrease, max_iter=s.max_iter_pre_sparsify)
        if s.sparsify:
            om, _ = fw_weights(prob, s.zeta_omega, intercept=s.omega_intercept,
                               init=sparsify(om), min_decrease=s.min_decrease,
                               max_iter=s.max_iter)
    return om, lam


def tau_hat(y: FloatArray, n0: int, t0: int, omega: FloatArray, lam: FloatArray) -> float:
    """``[-omega, 1/N1] ' Y [-lambda, 1/T1]``."""
    n1 = y.shape[0] - n0
    t1 = y.shape[1] - t0
    u = np.concatenate([-omega, np.full(n1, 1.0 / n1)])
    v = np.concatenate([-lam, np.full(t1, 1.0 / t1)])
    return float(u @ y @ v)


def _check(y: FloatArray, n0: int, t0: int) -> None:
    if y.ndim != 2 or not np.all(np.isfinite(y)):
        raise KuvaInputError("Y must be a finite 2-D units × periods matrix (balanced panel)")
    if not 0 < n0 < y.shape[0] or not 0 < t0 < y.shape[1]:
        raise KuvaInputError("need 0 < N0 < N and 0 < T0 < T")


def synthdid_estimate(
    y: FloatArray,
    n0: int,
    t0: int,
    *,
    omega: FloatArray | None = None,
    lambda_: FloatArray | None = None,
    eta_omega: float | None = None,
    eta_lambda: float = 1e-6,
    omega_intercept: bool = True,
    lambda_intercept: bool = True,
    max_iter: int = 10_000,
) -> SdidFit:
    """R ``synthdid_estimate`` without covariates. Given weights are kept fixed."""
    y = np.asarray(y, dtype=float)
    _check(y, n0, t0)
    n1, t1 = y.shape[0] - n0, y.shape[1] - t0
    noise = _noise_level(y, n0, t0)
    if eta_omega is None:
        eta_omega = (n1 * t1) ** 0.25
    s = SdidSettings(
        zeta_omega=eta_omega * noise,
        zeta_lambda=eta_lambda * noise,
        omega_intercept=omega_intercept,
        lambda_intercept=lambda_intercept,
        update_omega=omega is None,
        update_lambda=lambda_ is None,
        min_decrease=1e-5 * noise,
        max_iter=max_iter,
    )
    return fit_with_settings(y, n0, t0, s, omega, lambda_, noise)


def fit_with_settings(
    y: FloatArray,
    n0: int,
    t0: int,
    s: SdidSettings,
    omega: FloatArray | None,
    lambda_: FloatArray | None,
    noise: float,
) -> SdidFit:
    om0 = np.full((1, n0), 1.0 / n0) if omega is None else np.asarray(omega, float)[None, :]
    la0 = np.full((1, t0), 1.0 / t0) if lambda_ is None else np.asarray(lambda_, float)[None, :]
    om, la = _solve_batch(y[None], n0, t0, s, om0, la0)
    return SdidFit(
        estimate=tau_hat(y, n0, t0, om[0], la[0]),
        omega=om[0],
        lambda_=la[0],
        noise_level=noise,
        settings=s,
        n0=n0,
        t0=t0,
    )


def sc_estimate(y: FloatArray, n0: int, t0: int, *, eta_omega: float = 1e-6) -> SdidFit:
    """R ``sc_estimate``: no time weights, no unit intercept, (almost) no ridge."""
    return synthdid_estimate(
        y, n0, t0, lambda_=np.zeros(t0), eta_omega=eta_omega, omega_intercept=False
    )


def did_estimate(y: FloatArray, n0: int, t0: int) -> SdidFit:
    """R ``did_estimate``: uniform unit and time weights."""
    return synthdid_estimate(
        y, n0, t0, omega=np.full(n0, 1.0 / n0), lambda_=np.full(t0, 1.0 / t0)
    )


def placebo_draws(
    y: FloatArray, fit: SdidFit, reps: int, rng: np.random.Generator
) -> FloatArray:
    """Placebo estimates (R ``placebo_se``): controls permuted, the last ``N1`` of them play
    treated; weights re-estimated from the fitted ones with the fit's settings. ``(reps,)``.
    """
    n0, t0 = fit.n0, fit.t0
    n1 = y.shape[0] - n0
    if n0 <= n1:
        raise KuvaInputError("placebo standard errors need more controls than treated units")
    perms = np.stack([rng.permutation(n0) for _ in range(reps)])
    ys = y[:n0][perms]  # (B, N0, T)
    n0p = n0 - n1
    om0 = np.stack([sum_normalize(fit.omega[p[:n0p]]) for p in perms])
    la0 = np.repeat(fit.lambda_[None, :], reps, axis=0)
    om, la = _solve_batch(ys, n0p, t0, fit.settings, om0, la0)
    return np.array([tau_hat(ys[i], n0p, t0, om[i], la[i]) for i in range(reps)])


def jackknife_se(y: FloatArray, fit: SdidFit) -> float:
    """R ``jackknife_se`` with the fitted weights held fixed; NaN if undefined (one treated
    unit, or one control with positive weight)."""
    n0, t0 = fit.n0, fit.t0
    n = y.shape[0]
    if n0 == n - 1 or np.sum(fit.omega != 0) == 1:
        return float("nan")
    u = np.empty(n)
    for i in range(n):
        keep = np.delete(np.arange(n), i)
        n0i = int(np.sum(keep < n0))
        om = sum_normalize(fit.omega[keep[keep < n0]])
        u[i] = tau_hat(y[keep], n0i, t0, om, fit.lambda_)
    return float(np.sqrt(((n - 1) / n) * (n - 1) * np.var(u, ddof=1)))


def bootstrap_draws(
    y: FloatArray, fit: SdidFit, reps: int, rng: np.random.Generator
) -> FloatArray:
    """R ``bootstrap_se`` draws: units resampled with replacement (draws without both
    treated and control units are redrawn); weights re-estimated from the fitted ones."""
    n0, t0 = fit.n0, fit.t0
    n = y.shape[0]
    out = np.empty(reps)
    done = 0
    while done < reps:
        ind = np.sort(rng.integers(0, n, n))
        n0b = int(np.sum(ind < n0))
        if n0b == 0 or n0b == n:
            continue
        om = sum_normalize(fit.omega[ind[ind < n0]])
        b = fit_with_settings(y[ind], n0b, t0, fit.settings, om, fit.lambda_, fit.noise_level)
        out[done] = b.estimate
        done += 1
    return out
