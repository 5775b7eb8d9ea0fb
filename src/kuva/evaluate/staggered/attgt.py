"""Pure kernels of the 2×2 DiD estimators used for each Callaway–Sant'Anna ATT(g,t).

Each takes the outcome change ``dy = y_t - y_base`` of the units in the 2×2 sample, the
treatment-group indicator ``d`` and a covariate matrix ``x`` that includes the intercept, and
returns the ATT with its influence function (length ``n`` of the 2×2 sample, scaled so that
``att_hat - att ~= mean(inf)``). The formulas follow R ``DRDID`` (Sant'Anna & Zhao 2020):

* ``reg``: outcome regression (``reg_did_panel``),
* ``ipw``: standardised (Hájek) inverse probability weighting with a logit propensity score
  (``std_ipw_did_panel``),
* ``dr``: the improved, locally efficient doubly robust estimator with the propensity score
  fitted by inverse probability tilting and a weighted outcome regression
  (``drdid_imp_panel``), whose influence function needs no first-step correction,
* ``dr_traditional``: the locally efficient DR with logit propensity score and OLS outcome
  model (``drdid_panel``; what R ``did`` uses for ``est_method="dr"``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kuva.errors import KuvaInputError
from kuva.evaluate.options import CSMethod
from kuva.evaluate.warnings import ConvergenceWarning

FloatArray = npt.NDArray[np.float64]

_TRIM = 0.995


@dataclass(frozen=True)
class TwoByTwo:
    """ATT of one 2×2 comparison and its influence function ``(n,)``."""

    att: float
    inf: FloatArray


def _logit_mle(d: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Logit by Newton–Raphson; returns ``(fitted probabilities, inverse mean Hessian)``."""
    n, k = x.shape
    beta = np.zeros(k)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        grad = x.T @ (d - p)
        hess = (x * (p * (1 - p))[:, None]).T @ x
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        warnings.warn("propensity-score logit did not converge", ConvergenceWarning, stacklevel=3)
    p = 1.0 / (1.0 + np.exp(-(x @ beta)))
    hess = (x * (p * (1 - p))[:, None]).T @ x / n
    return p, np.linalg.inv(hess)


def _ipt(d: FloatArray, x: FloatArray) -> FloatArray:
    """Propensity score by inverse probability tilting (Graham, Pinto & Egel 2012).

    Minimises ``-mean(d * x'g - (1 - d) * exp(x'g))``; at the optimum the control units'
    odds ``exp(x'g)`` reweight their covariate means onto the treated means exactly.
    """
    k = x.shape[1]
    gam: FloatArray = np.zeros(k)
    p_treat = d.mean()
    gam[0] = np.log(p_treat / (1 - p_treat))  # exact when x is only the intercept

    def loss(g: FloatArray) -> float:
        xb = x @ g
        return float(-np.mean(np.where(d > 0, xb, -np.exp(xb))))

    val = loss(gam)
    for _ in range(200):
        xb = x @ gam
        e = np.exp(xb)
        grad = -np.mean(np.where(d > 0, 1.0, -e)[:, None] * x, axis=0)
        hess = (x * np.where(d > 0, 0.0, e)[:, None]).T @ x / len(d)
        try:
            step: FloatArray = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = np.asarray(np.linalg.lstsq(hess, grad, rcond=None)[0], dtype=float)
        s = 1.0
        while s > 1e-8:
            new = gam - s * step
            new_val = loss(new)
            if np.isfinite(new_val) and new_val <= val:
                break
            s /= 2
        gam, old = new, val
        val = new_val
        if abs(old - val) < 1e-14 and np.max(np.abs(grad)) < 1e-9:
            break
    else:
        warnings.warn("inverse probability tilting did not converge", ConvergenceWarning,
                      stacklevel=3)
    p: FloatArray = 1.0 / (1.0 + np.exp(-(x @ gam)))
    return p


def _wls(y: FloatArray, x: FloatArray, w: FloatArray) -> FloatArray:
    xw = x * w[:, None]
    coef = np.asarray(np.linalg.solve(xw.T @ x, xw.T @ y), dtype=np.float64)
    return coef


def reg_did(dy: FloatArray, d: FloatArray, x: FloatArray) -> TwoByTwo:
    n = len(dy)
    ctrl = d == 0
    coef = _wls(dy[ctrl], x[ctrl], np.ones(int(ctrl.sum())))
    out = x @ coef
    w_treat = d
    w_cont = d
    eta_treat = np.mean(w_treat * dy) / np.mean(w_treat)
    eta_cont = np.mean(w_cont * out) / np.mean(w_cont)
    w_ols = 1.0 - d
    xpx_inv = np.linalg.inv((x * w_ols[:, None]).T @ x / n)
    lin_ols = (w_ols * (dy - out))[:, None] * x @ xpx_inv
    inf_treat = (w_treat * dy - w_treat * eta_treat) / np.mean(w_treat)
    inf_cont_1 = w_cont * out - w_cont * eta_cont
    m1 = np.mean(w_cont[:, None] * x, axis=0)
    inf_cont = (inf_cont_1 + lin_ols @ m1) / np.mean(w_cont)
    return TwoByTwo(att=float(eta_treat - eta_cont), inf=inf_treat - inf_cont)


def ipw_did(dy: FloatArray, d: FloatArray, x: FloatArray) -> TwoByTwo:
    ps, hess_inv = _logit_mle(d, x)
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.where(d == 0, ps < _TRIM, True).astype(float)
    w_treat = trim * d
    w_cont = trim * ps * (1 - d) / (1 - ps)
    eta_treat = np.mean(w_treat * dy) / np.mean(w_treat)
    eta_cont = np.mean(w_cont * dy) / np.mean(w_cont)
    lin_ps = ((d - ps)[:, None] * x) @ hess_inv
    inf_treat = (w_treat * dy - w_treat * eta_treat) / np.mean(w_treat)
    inf_cont_1 = w_cont * dy - w_cont * eta_cont
    m2 = np.mean((w_cont * (dy - eta_cont))[:, None] * x, axis=0)
    inf_cont = (inf_cont_1 + lin_ps @ m2) / np.mean(w_cont)
    return TwoByTwo(att=float(eta_treat - eta_cont), inf=inf_treat - inf_cont)


def dr_did(dy: FloatArray, d: FloatArray, x: FloatArray) -> TwoByTwo:
    ps = np.minimum(_ipt(d, x), 1 - 1e-6)
    trim = np.where(d == 0, ps < _TRIM, True).astype(float)
    odds = ps / (1 - ps)
    ctrl = d == 0
    coef = _wls(dy[ctrl], x[ctrl], odds[ctrl])
    out = x @ coef
    w_treat = trim * d
    w_cont = trim * odds * (1 - d)
    att_treat = w_treat * (dy - out)
    att_cont = w_cont * (dy - out)
    eta_treat = np.mean(att_treat) / np.mean(w_treat)
    eta_cont = np.mean(att_cont) / np.mean(w_cont)
    inf_treat = (att_treat - w_treat * eta_treat) / np.mean(w_treat)
    inf_cont = (att_cont - w_cont * eta_cont) / np.mean(w_cont)
    return TwoByTwo(att=float(eta_treat - eta_cont), inf=inf_treat - inf_cont)


def dr_did_traditional(dy: FloatArray, d: FloatArray, x: FloatArray) -> TwoByTwo:
    """Locally efficient DR with a logit propensity score and unweighted OLS outcome model
    (R ``DRDID::drdid_panel``, the ``dr`` of R ``did``), with its first-step corrections."""
    n = len(dy)
    ps, hess_inv = _logit_mle(d, x)
    ps = np.minimum(ps, 1 - 1e-6)
    trim = np.where(d == 0, ps < _TRIM, True).astype(float)
    ctrl = d == 0
    coef = _wls(dy[ctrl], x[ctrl], np.ones(int(ctrl.sum())))
    out = x @ coef
    w_treat = trim * d
    w_cont = trim * ps * (1 - d) / (1 - ps)
    att_treat = w_treat * (dy - out)
    att_cont = w_cont * (dy - out)
    eta_treat = np.mean(att_treat) / np.mean(w_treat)
    eta_cont = np.mean(att_cont) / np.mean(w_cont)
    w_ols = 1.0 - d
    xpx_inv = np.linalg.inv((x * w_ols[:, None]).T @ x / n)
    lin_ols = (w_ols * (dy - out))[:, None] * x @ xpx_inv
    lin_ps = ((d - ps)[:, None] * x) @ hess_inv
    m1 = np.mean(w_treat[:, None] * x, axis=0)
    inf_treat = (att_treat - w_treat * eta_treat - lin_ols @ m1) / np.mean(w_treat)
    m2 = np.mean((w_cont * (dy - out - eta_cont))[:, None] * x, axis=0)
    m3 = np.mean(w_cont[:, None] * x, axis=0)
    inf_cont = (att_cont - w_cont * eta_cont + lin_ps @ m2 - lin_ols @ m3) / np.mean(w_cont)
    return TwoByTwo(att=float(eta_treat - eta_cont), inf=inf_treat - inf_cont)


def two_by_two(dy: FloatArray, d: FloatArray, x: FloatArray, method: CSMethod) -> TwoByTwo:
    """Dispatch to the 2×2 estimator ``method``."""
    if d.sum() == 0 or (1 - d).sum() == 0:
        raise KuvaInputError("a 2×2 comparison needs both treated and comparison units")
    if method == "reg":
        return reg_did(dy, d, x)
    if method == "ipw":
        return ipw_did(dy, d, x)
    if method == "dr_traditional":
        return dr_did_traditional(dy, d, x)
    return dr_did(dy, d, x)
