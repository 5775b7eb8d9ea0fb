"""Balance and design: standardised differences, entropy balancing, nearest-neighbour
comparison sets and the size of a shock (e.g. the COVID-19 unemployment shock).

These work on a one-row-per-unit frame (e.g. municipalities with their pre-period
characteristics), not on the long panel; :func:`shock_size` builds such a column from a
long frame.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize

from kuva.errors import KuvaInputError
from kuva.evaluate.balance.results import EntropyBalanceResults, MatchResults
from kuva.evaluate.options import MatchDistance, validate_option
from kuva.evaluate.warnings import ConvergenceWarning

FloatArray = npt.NDArray[np.float64]


def _check_frame(frame: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise KuvaInputError("frame must be a pandas DataFrame")
    for c in [treatment, *covariates]:
        if c not in frame.columns:
            raise KuvaInputError(f"column {c!r} is not in the frame")
    for c in covariates:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise KuvaInputError(f"covariate {c!r} must be numeric")
        if frame[c].isna().any():
            raise KuvaInputError(f"covariate {c!r} has missing values")
    vals = set(pd.unique(frame[treatment]))
    if not vals <= {0, 1}:
        raise KuvaInputError(f"treatment column {treatment!r} must be 0/1; got {sorted(vals)}")
    if len(vals) < 2:
        raise KuvaInputError(f"treatment column {treatment!r} needs both treated and controls")


def _wmean_var(x: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    w = w / w.sum()
    m = w @ x
    v = w @ (x - m) ** 2
    return m, v


def standardized_differences(
    frame: pd.DataFrame,
    *,
    treatment: str,
    covariates: Sequence[str],
    weights: FloatArray | pd.Series | None = None,
) -> pd.DataFrame:
    """Standardised mean differences ``(mean_T - mean_C) / sqrt((var_T + var_C) / 2)``.

    ``weights`` (one per row, optional) reweight both groups; the denominator always uses the
    *unweighted* variances so that weighted and unweighted differences are comparable
    (Austin & Stuart 2015). Also reports the (weighted) variance ratio.
    """
    _check_frame(frame, treatment, covariates)
    d = frame[treatment].to_numpy().astype(bool)
    x = frame[list(covariates)].to_numpy(dtype=float)
    w = np.ones(len(frame)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(frame),) or np.any(w < 0):
        raise KuvaInputError("weights must be non-negative, one per row")
    _, v1u = _wmean_var(x[d], np.ones(int(d.sum())))
    _, v0u = _wmean_var(x[~d], np.ones(int((~d).sum())))
    m1, v1 = _wmean_var(x[d], w[d])
    m0, v0 = _wmean_var(x[~d], w[~d])
    pooled = np.sqrt((v1u + v0u) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        smd = np.where(pooled > 0, (m1 - m0) / pooled, 0.0)
        ratio = np.where(v0 > 0, v1 / v0, np.nan)
    return pd.DataFrame(
        {"mean_treated": m1, "mean_control": m0, "std_diff": smd, "variance_ratio": ratio},
        index=pd.Index(list(covariates), name="covariate"),
    )


def entropy_balance_weights(
    x0: FloatArray,
    target: FloatArray,
    base: FloatArray | None = None,
    *,
    tol: float = 1e-8,
    max_iter: int = 500,
) -> tuple[FloatArray, FloatArray, bool]:
    """Entropy-balancing weights (Hainmueller 2012) by the dual.

    Minimises ``log sum_j q_j exp(lambda'(x0_j - target))`` (convex); the solution
    ``w_j ∝ q_j exp(lambda'x0_j)`` has weighted moments equal to ``target`` and minimal
    Kullback–Leibler divergence from the base weights ``q``. Returns
    ``(weights summing to one, lambda, converged)``.
    """
    n, k = x0.shape
    q = np.full(n, 1.0 / n) if base is None else np.asarray(base, float) / np.sum(base)
    scale = x0.std(axis=0)
    scale[scale == 0] = 1.0
    xs = (x0 - target) / scale
    logq = np.log(q)

    def parts(lam: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        s = logq + xs @ lam
        mx = s.max()
        e = np.exp(s - mx)
        tot = e.sum()
        w = e / tot
        g = w @ xs
        cov = (xs * w[:, None]).T @ xs - np.outer(g, g)
        return float(np.log(tot) + mx), g, cov

    res = optimize.minimize(
        lambda lam: parts(lam)[0],
        np.zeros(k),
        jac=lambda lam: parts(lam)[1],
        hess=lambda lam: parts(lam)[2],
        method="trust-exact",
        options={"gtol": tol, "maxiter": max_iter},
    )
    lam = res.x
    s = logq + xs @ lam
    w = np.exp(s - s.max())
    w /= w.sum()
    converged = bool(np.max(np.abs(w @ xs)) < max(tol * 100, 1e-6))
    return w, lam / scale, converged


class EntropyBalance:
    """Reweight control units so their covariate means (and optionally variances) equal
    the treated units' (Hainmueller 2012)."""

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        treatment: str,
        covariates: Sequence[str],
        moments: int = 1,
        base_weights: str | None = None,
    ) -> None:
        _check_frame(frame, treatment, covariates)
        if moments not in (1, 2):
            raise KuvaInputError(f"moments must be 1 (means) or 2 (means and variances); "
                                 f"got {moments!r}")
        if base_weights is not None and base_weights not in frame.columns:
            raise KuvaInputError(f"base_weights column {base_weights!r} is not in the frame")
        self._frame = frame.copy()
        self._treatment = treatment
        self._covariates = tuple(covariates)
        self._moments = moments
        self._base = base_weights

    def fit(self, *, tol: float = 1e-8) -> EntropyBalanceResults:
        f = self._frame
        d = f[self._treatment].to_numpy().astype(bool)
        x = f[list(self._covariates)].to_numpy(dtype=float)
        if self._moments == 2:
            x = np.column_stack([x, (x - x[d].mean(axis=0)) ** 2])
        target = x[d].mean(axis=0)
        base = None if self._base is None else f.loc[~d, self._base].to_numpy(dtype=float)
        w, lam, ok = entropy_balance_weights(x[~d], target, base, tol=tol)
        if not ok:
            warnings.warn(
                "entropy balancing did not reach the targets (are the treated means outside "
                "the controls' convex hull?)",
                ConvergenceWarning,
                stacklevel=2,
            )
        weights = np.zeros(len(f))
        weights[~d] = w * d.sum()  # controls sum to the number of treated
        weights[d] = 1.0
        before = standardized_differences(f, treatment=self._treatment,
                                          covariates=self._covariates)
        after = standardized_differences(f, treatment=self._treatment,
                                         covariates=self._covariates, weights=weights)
        return EntropyBalanceResults(
            weights=pd.Series(weights, index=f.index, name="weight"),
            lambda_=lam,
            converged=ok,
            balance_before=before,
            balance_after=after,
            effective_controls=float(1.0 / np.sum(w**2)),
        )


def nearest_neighbours(
    frame: pd.DataFrame,
    *,
    unit: str,
    treatment: str,
    covariates: Sequence[str],
    k: int = 1,
    distance: MatchDistance = "mahalanobis",
    replace: bool = True,
    caliper: float | None = None,
) -> MatchResults:
    """Nearest-neighbour comparison set: the ``k`` closest controls of each treated unit.

    ``distance`` is Mahalanobis (pooled covariance) or Euclidean on standardised
    covariates. Without replacement, treated units pick greedily in order of their closest
    available control. Pairs farther than ``caliper`` (in distance units) are not made;
    treated units left without a match are listed in ``unmatched``.
    """
    _check_frame(frame, treatment, covariates)
    validate_option("distance", distance, MatchDistance)
    if unit not in frame.columns:
        raise KuvaInputError(f"unit column {unit!r} is not in the frame")
    if k < 1:
        raise KuvaInputError(f"k must be >= 1; got {k}")
    d = frame[treatment].to_numpy().astype(bool)
    x = frame[list(covariates)].to_numpy(dtype=float)
    ids = frame[unit].to_numpy()
    if not replace and k * d.sum() > (~d).sum():
        raise KuvaInputError("not enough controls to match without replacement")
    if distance == "mahalanobis":
        cov = np.atleast_2d(np.cov(x, rowvar=False))
        prec = np.linalg.pinv(cov)
    else:
        sd = x.std(axis=0, ddof=1)
        sd[sd == 0] = 1.0
        prec = np.diag(1.0 / sd**2)
    xt, xc = x[d], x[~d]
    diff = xt[:, None, :] - xc[None, :, :]
    dist = np.sqrt(np.einsum("tck,kl,tcl->tc", diff, prec, diff))
    tid, cid = ids[d], ids[~d]
    pairs = []
    unmatched = []
    if replace:
        for i in range(len(tid)):
            order = np.argsort(dist[i], kind="stable")[:k]
            got = 0
            for r, j in enumerate(order):
                if caliper is not None and dist[i, j] > caliper:
                    break
                pairs.append((tid[i], cid[j], float(dist[i, j]), r + 1))
                got += 1
            if got == 0:
                unmatched.append(tid[i])
    else:
        used = np.zeros(len(cid), dtype=bool)
        counts = np.zeros(len(tid), dtype=int)
        for _ in range(k):
            for i in np.argsort(dist.min(axis=1), kind="stable"):
                avail = np.where(used, np.inf, dist[i])
                j = int(np.argmin(avail))
                if not np.isfinite(avail[j]) or (caliper is not None and avail[j] > caliper):
                    continue
                used[j] = True
                counts[i] += 1
                pairs.append((tid[i], cid[j], float(dist[i, j]), int(counts[i])))
        unmatched = [tid[i] for i in range(len(tid)) if counts[i] == 0]
    table = pd.DataFrame(pairs, columns=["treated", "control", "distance", "rank"])
    # weights: each matched treated unit 1; a control 1/k_t for each treated unit t it serves
    w = pd.Series(0.0, index=frame.index)
    per_t = table.groupby("treated").size()
    pos = {u: i for i, u in zip(frame.index, frame[unit], strict=True)}
    for t_u, c_u in zip(table["treated"], table["control"], strict=True):
        w[pos[c_u]] += 1.0 / per_t[t_u]
        w[pos[t_u]] = 1.0
    after = standardized_differences(frame, treatment=treatment, covariates=covariates,
                                     weights=np.asarray(w.to_numpy(), dtype=np.float64))
    before = standardized_differences(frame, treatment=treatment, covariates=covariates)
    return MatchResults(pairs=table, unmatched=tuple(unmatched), balance_before=before,
                        balance_after=after, weights=w)


def shock_size(
    frame: pd.DataFrame,
    *,
    unit: str,
    time: str,
    value: str,
    base: object,
    end: object,
    relative: bool = True,
) -> pd.Series:
    """Size of a shock per unit: growth from the ``base`` period to the peak in
    ``(base, end]`` — e.g. the COVID-19 shock as the growth of unemployment from February
    2020 to its peak: ``shock_size(df, unit=..., time="month", value="unemployed",
    base="2020-02", end="2020-12")``.

    ``relative=True`` gives ``peak / base - 1``, otherwise ``peak - base``. Periods may be
    monthly periods, datetimes, ``"YYYY-MM"`` strings or integers (compared after the same
    conversion as :class:`~kuva.evaluate.data.PanelData`).
    """
    from kuva.evaluate.data import _to_ordinal

    for c in (unit, time, value):
        if c not in frame.columns:
            raise KuvaInputError(f"column {c!r} is not in the frame")
    t, kind = _to_ordinal(frame[time], time)
    (b,), kb = _to_ordinal(pd.Series([base]), "base")
    (e,), ke = _to_ordinal(pd.Series([end]), "end")
    if kb != kind or ke != kind:
        raise KuvaInputError(f"base and end must be {kind} periods like the {time!r} column")
    if not e > b:
        raise KuvaInputError("end must be after base")
    work = pd.DataFrame({"unit": frame[unit].to_numpy(), "t": t,
                         "v": frame[value].to_numpy(dtype=float)})
    base_v = work.loc[work["t"] == b].groupby("unit")["v"].first()
    peak = work.loc[(work["t"] > b) & (work["t"] <= e)].groupby("unit")["v"].max()
    units = pd.Index(pd.unique(work["unit"]), name=unit)
    base_v, peak = base_v.reindex(units), peak.reindex(units)
    missing = base_v.isna() | peak.isna()
    if missing.any():
        from kuva.errors import MissingValuesWarning

        warnings.warn(
            f"{int(missing.sum())} unit(s) lack the base period or any later value; their "
            "shock is NaN",
            MissingValuesWarning,
            stacklevel=2,
        )
    out: pd.Series = peak / base_v - 1.0 if relative else peak - base_v
    return out.rename("shock")
