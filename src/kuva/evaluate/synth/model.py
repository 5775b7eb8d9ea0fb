"""Synthetic control (Abadie, Diamond & Hainmueller 2010) on a PanelData."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from kuva.errors import KuvaInputError
from kuva.evaluate.data import PanelData
from kuva.evaluate.options import SCVMethod, SynthOptimiser, SynthStart, validate_option
from kuva.evaluate.synth.results import SyntheticControlResults
from kuva.evaluate.synth.weights import (
    optimise_v,
    regression_v,
    simplex_weights,
    synth_v,
)
from kuva.evaluate.synthdid.model import block_matrix
from kuva.evaluate.warnings import PoorPreFitWarning

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Predictor:
    """A predictor: the mean of ``column`` over periods ``start..end`` (inclusive, in the
    caller's period terms; ``end=None`` means the single period ``start``). ``start=None``
    averages over the estimator's ``predictors_window`` (R ``Synth``'s ``predictors`` with
    ``time.predictors.prior``; with a ``start`` it is one of R's ``special.predictors``).
    ``column`` is the panel's outcome or one of its declared covariates."""

    column: str
    start: object | None = None
    end: object | None = None

    @property
    def label(self) -> str:
        if self.start is None:
            return self.column
        return f"{self.column} {self.start}" + ("" if self.end is None else f"-{self.end}")


class SyntheticControl:
    """ADH synthetic control for one treated unit.

    Without ``predictors`` every pre-treatment outcome is a predictor with equal importance
    (no ``V`` optimisation). With predictors, predictors are standardised by their sd across
    units (as R ``Synth``) and the predictor importances ``V`` are chosen by:

    - ``v_method="nested"`` (default): KuVa's search for the ``V`` with the lowest pre-period
      outcome MSPE (Nelder–Mead on a softmax parametrisation from equal and regression-based
      starts, the better kept);
    - ``v_method="synth"``: R ``Synth``'s ``synth()`` search — every optimiser in
      ``v_optimisers`` (default ``("Nelder-Mead", "BFGS")``, R's ``optimxmethod``) from every
      start in ``v_starts`` (default ``("equal", "regression")``), the lowest MSPE kept;
    - ``v``: a fixed ``V``, no search — one importance per predictor (a sequence in predictor
      order, or a mapping from ``Predictor.label``), ``"equal"``, or ``"regression"`` (Synth's
      regression-based ``V``, Stata ``synth``'s default without ``nested``; computed per fit).

    ``predictors_window=(first, last)``: the periods over which predictors without their own
    window are averaged (R's ``time.predictors.prior``; default every pre-treatment period).
    ``optimize_window=(first, last)``: the periods whose outcome MSPE judges ``V`` (R's
    ``time.optimize.ssr``; default every pre-treatment period); the regression-based ``V``
    uses the same periods.
    """

    def __init__(self, panel: PanelData, *, predictors: Sequence[Predictor] | None = None,
                 v_method: SCVMethod = "nested",
                 v: Sequence[float] | Mapping[str, float] | Literal["equal", "regression"] | None = None,
                 v_starts: Sequence[SynthStart] = ("equal", "regression"),
                 v_optimisers: Sequence[SynthOptimiser] = ("Nelder-Mead", "BFGS"),
                 predictors_window: tuple[object, object] | None = None,
                 optimize_window: tuple[object, object] | None = None) -> None:
        if not isinstance(panel, PanelData):
            raise KuvaInputError("panel must be a kuva.evaluate.PanelData")
        y, n0, t0, controls, treated = block_matrix(panel)
        if len(treated) != 1:
            raise KuvaInputError(
                f"synthetic control needs exactly one treated unit; got {len(treated)}"
            )
        self._panel = panel
        self._y, self._n0, self._t0 = y, n0, t0
        self._controls, self._treated = controls, treated[0]
        self._predictors = tuple(predictors) if predictors is not None else None
        self._pred_window = (self._window_rows(predictors_window, "predictors_window")
                             if predictors_window is not None else np.arange(t0))
        self._x = self._predictor_matrix()
        validate_option("v_method", v_method, SCVMethod)
        self._v_method = v_method
        starts, optimisers = tuple(v_starts), tuple(v_optimisers)
        if not starts or any(s not in ("equal", "regression") for s in starts):
            raise KuvaInputError(f"v_starts must be a non-empty sequence of 'equal'/'regression', got {v_starts!r}")
        if not optimisers or any(o not in ("Nelder-Mead", "BFGS") for o in optimisers):
            raise KuvaInputError(
                f"v_optimisers must be a non-empty sequence of 'Nelder-Mead'/'BFGS', got {v_optimisers!r}"
            )
        self._v_starts: tuple[SynthStart, ...] = starts
        self._v_optimisers: tuple[SynthOptimiser, ...] = optimisers
        self._v_fixed: FloatArray | None = None
        self._v_regression = False
        if v is not None:
            self._set_fixed_v(v)
        self._window = (self._window_rows(optimize_window, "optimize_window")
                        if optimize_window is not None else np.arange(t0))

    def _set_fixed_v(self, v: Sequence[float] | Mapping[str, float] | str) -> None:
        if self._predictors is None:
            raise KuvaInputError("a fixed v needs predictors (without them every pre-period outcome "
                                 "counts equally)")
        k = len(self._predictors)
        if isinstance(v, str):
            if v == "regression":
                self._v_regression = True
                return
            if v != "equal":
                raise KuvaInputError(f"v must be 'equal', 'regression' or importances, got {v!r}")
            arr = np.full(k, 1.0 / k)
        elif isinstance(v, Mapping):
            labels = [p.label for p in self._predictors]
            if len(set(labels)) != k:
                raise KuvaInputError("v as a mapping needs distinct predictor labels; pass a sequence")
            unknown = sorted(set(v) - set(labels))
            missing = [lab for lab in labels if lab not in v]
            if unknown or missing:
                raise KuvaInputError(f"v mapping must name every predictor once: unknown {unknown}, "
                                     f"missing {missing}")
            arr = np.array([float(v[lab]) for lab in labels])
        else:
            arr = np.asarray(v, dtype=float)
        if arr.shape != (k,) or not np.all(np.isfinite(arr)) or (arr < 0).any() or arr.sum() <= 0:
            raise KuvaInputError(f"v must have {k} non-negative importances (one per predictor), got {v!r}")
        self._v_fixed = arr / arr.sum()

    def _predictor_matrix(self) -> FloatArray | None:
        if self._predictors is None:
            return None
        panel = self._panel
        long = panel.long
        outcome = panel.names["outcome"]
        order = [*self._controls, self._treated]
        cols = []
        for p in self._predictors:
            col = "y" if p.column == outcome else p.column
            if col != "y" and col not in panel.covariates:
                raise KuvaInputError(
                    f"predictor column {p.column!r} is neither the outcome nor a declared "
                    "covariate"
                )
            if p.start is None:
                if p.end is not None:
                    raise KuvaInputError(f"predictor {p.column}: an end needs a start")
                lo = int(self._pred_window[0]) + int(panel.times[0])
                hi = int(self._pred_window[-1]) + int(panel.times[0])
            else:
                lo = panel.to_index(p.start)
                hi = lo if p.end is None else panel.to_index(p.end)
            if hi < lo:
                raise KuvaInputError(f"predictor {p.label}: end before start")
            if hi >= self._t0 + int(panel.times[0]):
                raise KuvaInputError(f"predictor {p.label} reaches into the treated period")
            sub = long.loc[(long["t"] >= lo) & (long["t"] <= hi)]
            means = sub.groupby("unit")[col].mean().reindex(order)
            if means.isna().any():
                raise KuvaInputError(f"predictor {p.label} is missing for some units")
            cols.append(means.to_numpy(dtype=float))
        return np.column_stack(cols).T  # (K, J + 1), treated last

    def _window_rows(self, window: tuple[object, object], name: str) -> npt.NDArray[np.int64]:
        if not isinstance(window, tuple) or len(window) != 2:
            raise KuvaInputError(f"{name} must be a (first, last) pair, got {window!r}")
        first = self._panel.to_index(window[0]) - int(self._panel.times[0])
        last = self._panel.to_index(window[1]) - int(self._panel.times[0])
        if not 0 <= first <= last < self._t0:
            raise KuvaInputError(f"{name} {window} must lie within the pre-treatment periods")
        return np.arange(first, last + 1)

    def _fit_one(
        self, treated_row: int, donor_rows: list[int], x_all: FloatArray | None,
        v_fixed: FloatArray | None,
    ) -> tuple[FloatArray, FloatArray]:
        """Weights on ``donor_rows`` for unit ``treated_row`` (rows of Y); returns (w, v)."""
        y, t0 = self._y, self._t0
        z1 = y[treated_row, :t0]
        z0 = y[donor_rows, :t0].T
        if x_all is None:
            v = np.ones(t0) / t0
            return simplex_weights(z1, z0, v), v
        rows = [*donor_rows, treated_row]
        x = x_all[:, rows]
        sd = x.std(axis=1, ddof=1)
        sd[sd == 0] = 1.0
        x = x / sd[:, None]
        x1, x0 = x[:, -1], x[:, :-1]
        zw1, zw0 = z1[self._window], z0[self._window]
        if v_fixed is None:
            v_fixed = regression_v(x1, x0, zw1, zw0) if self._v_regression else self._v_fixed
        if v_fixed is not None:
            return simplex_weights(x1, x0, v_fixed), v_fixed
        if self._v_method == "synth":
            sol = synth_v(x1, x0, zw1, zw0, starts=self._v_starts, optimisers=self._v_optimisers)
        else:
            sol = optimise_v(x1, x0, zw1, zw0)
        return sol.w, sol.v

    def fit(self, *, placebo: bool = True, leave_one_out: bool = True,
            reoptimise_v: bool = True) -> SyntheticControlResults:
        """Fit, then run in-space placebos and leave-one-out re-fits.

        ``reoptimise_v=False`` reuses the treated unit's ``V`` in placebo and leave-one-out
        runs (much faster with predictors; the usual practice re-optimises).
        """
        y, n0, t0 = self._y, self._n0, self._t0
        # x columns: controls then treated, aligned with y rows
        x_all = self._x
        treated_row = n0
        donors = list(range(n0))
        w, v = self._fit_one(treated_row, donors, x_all, None)

        def gap_path(row: int, rows: list[int], weights: FloatArray) -> FloatArray:
            out: FloatArray = y[row] - weights @ y[rows]
            return out

        def rmspe(g: FloatArray) -> tuple[float, float]:
            return float(np.sqrt(np.mean(g[:t0] ** 2))), float(np.sqrt(np.mean(g[t0:] ** 2)))

        gap = gap_path(treated_row, donors, w)
        pre, post = rmspe(gap)
        scale = float(np.std(y[treated_row, :t0]))
        if scale > 0 and pre > 0.5 * scale:
            warnings.warn(
                f"pre-period RMSPE {pre:.3g} is large relative to the treated unit's own "
                f"variation (sd {scale:.3g}); the synthetic control may not be credible",
                PoorPreFitWarning,
                stacklevel=2,
            )
        labels = [self._panel.period_label(t) for t in self._panel.times]
        placebo_rows = []
        placebo_gaps = {}
        if placebo:
            v_fix = None if reoptimise_v else v
            for j in range(n0):
                others = [k for k in donors if k != j]
                wj, _ = self._fit_one(j, others, x_all, v_fix)
                gj = gap_path(j, others, wj)
                pj, qj = rmspe(gj)
                placebo_rows.append({"unit": self._controls[j], "pre_rmspe": pj,
                                     "post_rmspe": qj, "mspe_ratio": (qj / pj) ** 2})
                placebo_gaps[self._controls[j]] = gj
        placebos = pd.DataFrame(placebo_rows, columns=["unit", "pre_rmspe", "post_rmspe",
                                                       "mspe_ratio"])
        ratio = (post / pre) ** 2
        p_value = (
            float((1 + np.sum(placebos["mspe_ratio"].to_numpy() >= ratio)) / (len(placebos) + 1))
            if placebo else float("nan")
        )
        loo = {}
        if leave_one_out:
            v_fix = None if reoptimise_v else v
            for j in (int(i) for i in np.flatnonzero(w > 1e-3)):
                others = [k for k in donors if k != j]
                wj, _ = self._fit_one(treated_row, others, x_all, v_fix)
                loo[self._controls[j]] = gap_path(treated_row, others, wj)
        synth = w @ y[:n0]
        paths = pd.DataFrame({"period": labels, "treated": y[treated_row], "synthetic": synth,
                              "gap": gap})
        if self._predictors is not None and x_all is not None:
            names = [p.label for p in self._predictors]
            balance = pd.DataFrame(
                {
                    "treated": x_all[:, -1],
                    "synthetic": x_all[:, :-1] @ w,
                    "donor_mean": x_all[:, :-1].mean(axis=1),
                },
                index=pd.Index(names, name="predictor"),
            )
            v_series = pd.Series(v, index=names, name="v")
        else:
            balance = pd.DataFrame(
                {"treated": y[treated_row, :t0], "synthetic": synth[:t0],
                 "donor_mean": y[:n0, :t0].mean(axis=0)},
                index=pd.Index(labels[:t0], name="predictor"),
            )
            v_series = pd.Series(v, index=labels[:t0], name="v")
        return SyntheticControlResults(
            treated_unit=self._treated,
            weights=pd.Series(w, index=pd.Index(self._controls, name="unit"), name="weight"),
            v=v_series,
            balance=balance,
            paths=paths,
            n_pre=t0,
            pre_rmspe=pre,
            post_rmspe=post,
            p_value=p_value,
            placebos=placebos,
            leave_one_out=pd.DataFrame(loo, index=labels),
            placebo_gaps=pd.DataFrame(placebo_gaps, index=labels),
        )
