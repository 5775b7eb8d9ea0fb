"""Synthetic difference-in-differences on a :class:`~kuva.evaluate.data.PanelData`."""

from __future__ import annotations

import numpy as np

from kuva.errors import KuvaInputError
from kuva.evaluate.data import PanelData
from kuva.evaluate.options import SdidMethod, SdidVariance, validate_option
from kuva.evaluate.synthdid.results import SyntheticDiDResults
from kuva.evaluate.synthdid.solver import (
    bootstrap_draws,
    did_estimate,
    jackknife_se,
    placebo_draws,
    sc_estimate,
    synthdid_estimate,
)


def block_matrix(panel: PanelData) -> tuple[np.ndarray, int, int, list[object], list[object]]:
    """Units × periods outcome matrix with controls first and a common adoption time.

    Returns ``(Y, N0, T0, control_units, treated_units)``.
    """
    if not panel.is_balanced:
        raise KuvaInputError("synthetic DiD / synthetic control need a balanced panel")
    table = panel.unit_table()
    g = table["g"].to_numpy(dtype=float)
    starts = np.unique(g[np.isfinite(g)])
    if starts.size == 0:
        raise KuvaInputError("no treated units in the panel")
    if starts.size > 1:
        labels = [panel.period_label(s) for s in starts]
        raise KuvaInputError(
            f"synthetic DiD needs one common adoption period; found {labels} "
            "(estimate each cohort separately or use CallawaySantAnna)"
        )
    y_all = panel.outcome_matrix()
    units = list(panel.units)
    treated = np.isfinite(g)
    order = np.concatenate([np.flatnonzero(~treated), np.flatnonzero(treated)])
    times = panel.times
    t0 = int(np.sum(times < starts[0]))
    if t0 < 2:
        raise KuvaInputError("need at least two pre-treatment periods")
    controls = [units[i] for i in np.flatnonzero(~treated)]
    treats = [units[i] for i in np.flatnonzero(treated)]
    return y_all[order], len(controls), t0, controls, treats


class SyntheticDiD:
    """Synthetic DiD (Arkhangelsky et al. 2021) as in R ``synthdid``; ``method="sc"`` and
    ``method="did"`` give ``sc_estimate`` and ``did_estimate``.

    Needs a balanced panel with one common adoption period (block design).
    """

    def __init__(self, panel: PanelData, *, method: SdidMethod = "sdid") -> None:
        if not isinstance(panel, PanelData):
            raise KuvaInputError("panel must be a kuva.evaluate.PanelData")
        self._method: SdidMethod = validate_option("method", method, SdidMethod)
        self._panel = panel
        self._y, self._n0, self._t0, self._controls, self._treated = block_matrix(panel)

    def fit(
        self,
        *,
        variance: SdidVariance = "placebo",
        reps: int = 200,
        alpha: float = 0.05,
        seed: int | np.random.Generator | None = None,
    ) -> SyntheticDiDResults:
        """Estimate and (unless ``variance="none"``) compute a standard error.

        ``placebo`` (the only option with one treated unit) re-estimates on ``reps``
        permutations of the controls; ``jackknife`` leaves one unit out with weights held
        fixed; ``bootstrap`` resamples units. SE formulas are R ``synthdid``'s.
        """
        validate_option("variance", variance, SdidVariance)
        if not 0 < alpha < 1:
            raise KuvaInputError(f"alpha must be in (0, 1); got {alpha!r}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        y, n0, t0 = self._y, self._n0, self._t0
        if self._method == "sdid":
            fit = synthdid_estimate(y, n0, t0)
        elif self._method == "sc":
            fit = sc_estimate(y, n0, t0)
        else:
            fit = did_estimate(y, n0, t0)
        draws = np.empty(0)
        if variance == "placebo":
            draws = placebo_draws(y, fit, reps, rng)
            se = float(np.sqrt((reps - 1) / reps) * np.std(draws, ddof=1))
        elif variance == "bootstrap":
            if len(self._treated) < 2:
                raise KuvaInputError("bootstrap standard errors need at least two treated units")
            draws = bootstrap_draws(y, fit, reps, rng)
            se = float(np.sqrt((reps - 1) / reps) * np.std(draws, ddof=1))
        elif variance == "jackknife":
            se = jackknife_se(y, fit)
            if not np.isfinite(se):
                raise KuvaInputError(
                    "jackknife standard error is undefined with one treated unit or one "
                    "control with positive weight; use variance='placebo'"
                )
        else:
            se = float("nan")
        times = self._panel.times
        labels = [self._panel.period_label(t) for t in times]
        return SyntheticDiDResults(
            method=self._method,
            estimate=fit.estimate,
            std_error=se,
            variance_method=variance if variance == "none" else f"{variance} (B={reps})"
            if variance != "jackknife" else "jackknife",
            alpha=alpha,
            omega=fit.omega,
            lambda_=fit.lambda_,
            control_units=tuple(self._controls),
            treated_units=tuple(self._treated),
            pre_periods=tuple(labels[:t0]),
            post_periods=tuple(labels[t0:]),
            noise_level=fit.noise_level,
            zeta_omega=fit.settings.zeta_omega,
            draws=draws,
            y=y,
        )
