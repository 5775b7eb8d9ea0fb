"""Immutable results of synthetic difference-in-differences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from kuva.evaluate.contract import Immutable, tidy_frame, wald
from kuva.evaluate.numerics import normal_ci
from kuva.evaluate.numerics import readonly as _readonly
from kuva.evaluate.reporting import Summary, make_summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FloatArray = npt.NDArray[np.float64]



@dataclass(frozen=True)
class SyntheticDiDResults(Immutable):
    """A synthetic DiD (or SC / DID special-case) estimate with its weights.

    ``omega`` are the unit weights on the controls (``control_units`` order), ``lambda_`` the
    time weights on the pre-treatment periods (``pre_periods`` order). The interval is
    ``estimate ± z * std_error`` as in R ``synthdid``.
    """

    method: str
    estimate: float
    std_error: float
    variance_method: str
    alpha: float
    omega: FloatArray
    lambda_: FloatArray
    control_units: tuple[object, ...]
    treated_units: tuple[object, ...]
    pre_periods: tuple[str, ...]
    post_periods: tuple[str, ...]
    noise_level: float
    zeta_omega: float
    draws: FloatArray = field(repr=False)
    y: FloatArray = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("omega", "lambda_", "draws", "y"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))

    @property
    def ci_low(self) -> float:
        return normal_ci(self.estimate, self.std_error, self.alpha)[0]

    @property
    def ci_high(self) -> float:
        return normal_ci(self.estimate, self.std_error, self.alpha)[1]

    @property
    def inference(self) -> str:
        return f"{self.variance_method} standard error, normal interval"

    @property
    def statistic(self) -> float:
        return wald(self.estimate, self.std_error, self.alpha)["statistic"]

    @property
    def p_value(self) -> float:
        return wald(self.estimate, self.std_error, self.alpha)["p_value"]

    @property
    def n_units(self) -> int:
        return len(self.control_units) + len(self.treated_units)

    @property
    def n_obs(self) -> int:
        return int(self.y.size)

    def conf_int(self, alpha: float | None = None) -> tuple[float, float]:
        w = wald(self.estimate, self.std_error, self.alpha if alpha is None else alpha)
        return w["ci_low"], w["ci_high"]

    def unit_weights(self) -> pd.DataFrame:
        """Control units with their weights, largest first."""
        return (
            pd.DataFrame({"unit": list(self.control_units), "weight": self.omega})
            .sort_values("weight", ascending=False, kind="stable")
            .reset_index(drop=True)
        )

    def time_weights(self) -> pd.DataFrame:
        return pd.DataFrame({"period": list(self.pre_periods), "weight": self.lambda_})

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([{"term": self.method, "estimate": self.estimate, "std_error": self.std_error,
                            **wald(self.estimate, self.std_error, self.alpha), "inference": self.inference}])

    def summary(self) -> Summary:
        top = self.unit_weights().head(5)
        tops = ", ".join(f"{u} {w:.3f}" for u, w in zip(top["unit"], top["weight"], strict=True))
        return make_summary(
            {"sdid": "Synthetic difference-in-differences", "sc": "Synthetic control (synthdid)",
             "did": "Difference-in-differences (synthdid)"}[self.method],
            [
                ("Controls / treated", f"{len(self.control_units)} / {len(self.treated_units)}"),
                ("Pre / post periods", f"{len(self.pre_periods)} / {len(self.post_periods)}"),
                ("Largest unit weights", tops),
                ("Noise level", self.noise_level),
            ],
            self.tidy().set_index("term"),
            notes=(f"Standard error: {self.variance_method}.",),
        )

    def trajectories(self) -> pd.DataFrame:
        """Treated mean and its synthetic counterpart by period (intercept-shifted for SDID)."""
        n0 = len(self.control_units)
        t0 = len(self.pre_periods)
        treated = self.y[n0:].mean(axis=0)
        synth = self.omega @ self.y[:n0]
        lam = self.lambda_
        shift = float(lam @ (treated[:t0] - synth[:t0])) if lam.sum() > 0 else 0.0
        return pd.DataFrame(
            {
                "period": list(self.pre_periods) + list(self.post_periods),
                "treated": treated,
                "synthetic": synth + shift,
            }
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(8, 4))
        tr = self.trajectories()
        x = np.arange(len(tr))
        ax.plot(x, tr["treated"], label="treated")
        ax.plot(x, tr["synthetic"], ls="--", label=f"synthetic ({self.method})")
        t0 = len(self.pre_periods)
        ax.axvline(t0 - 0.5, color="grey", lw=0.8)
        if self.lambda_.sum() > 0:
            ax.bar(x[:t0], self.lambda_ * (ax.get_ylim()[1] - ax.get_ylim()[0]) * 0.2,
                   bottom=ax.get_ylim()[0], alpha=0.3, label="time weights")
        step = max(1, len(x) // 10)
        ax.set_xticks(x[::step], list(tr["period"])[::step])
        ax.legend()
        return ax
