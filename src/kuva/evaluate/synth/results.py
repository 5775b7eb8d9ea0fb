"""Immutable results of the synthetic control method."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from kuva.evaluate.contract import Immutable, check_alpha, tidy_frame
from kuva.evaluate.reporting import Summary, make_summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

PlotKind = Literal["paths", "gaps", "placebo"]


@dataclass(frozen=True)
class SyntheticControlResults(Immutable):
    """Synthetic control fit, diagnostics and placebo inference.

    ``paths`` has the treated and synthetic outcome by period (``gap = treated -
    synthetic``); ``placebos`` one row per donor re-estimated as if treated (pre/post RMSPE
    and their ratio); ``p_value`` is the rank of the treated unit's post/pre MSPE ratio among
    all units, ``(1 + #placebos with ratio >= treated) / (J + 1)`` (Abadie et al. 2010).
    ``leave_one_out`` has the gap path after dropping each donor with positive weight.

    The headline ``estimate`` is the mean post-treatment gap. Its inference is the placebo
    permutation: ``p_value`` as above, no standard error, and ``conf_int`` is NaN (an interval
    by test inversion is not offered).
    """

    treated_unit: object
    weights: pd.Series
    v: pd.Series
    balance: pd.DataFrame
    paths: pd.DataFrame
    n_pre: int
    pre_rmspe: float
    post_rmspe: float
    p_value: float
    placebos: pd.DataFrame = field(repr=False)
    leave_one_out: pd.DataFrame = field(repr=False)
    placebo_gaps: pd.DataFrame = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("weights", "v", "balance", "paths", "placebos", "leave_one_out",
                     "placebo_gaps"):
            object.__setattr__(self, name, getattr(self, name).copy())

    @property
    def mspe_ratio(self) -> float:
        return (self.post_rmspe / self.pre_rmspe) ** 2

    @property
    def estimate(self) -> float:
        """Mean post-treatment gap (treated minus synthetic)."""
        return float(self.paths["gap"].iloc[self.n_pre:].mean())

    @property
    def std_error(self) -> float:
        return float("nan")

    @property
    def statistic(self) -> float:
        """The treated unit's post/pre MSPE ratio (the permutation test's statistic)."""
        return self.mspe_ratio

    @property
    def inference(self) -> str:
        return f"placebo permutation over {len(self.placebos)} donors (MSPE ratio rank)"

    @property
    def n_units(self) -> int:
        return len(self.weights) + 1

    @property
    def n_obs(self) -> int:
        return self.n_units * len(self.paths)

    def conf_int(self, alpha: float | None = None) -> tuple[float, float]:
        if alpha is not None:
            check_alpha(alpha)
        return float("nan"), float("nan")

    def fit_statistics(self) -> pd.DataFrame:
        """``pre_rmspe, post_rmspe, mspe_ratio, p_value, n_placebos`` in one row."""
        return pd.DataFrame([{"pre_rmspe": self.pre_rmspe, "post_rmspe": self.post_rmspe,
                              "mspe_ratio": self.mspe_ratio, "p_value": self.p_value,
                              "n_placebos": len(self.placebos)}])

    def tidy(self) -> pd.DataFrame:
        return tidy_frame([{"term": "average post-treatment gap", "estimate": self.estimate,
                            "statistic": self.statistic, "p_value": self.p_value, "inference": self.inference}])

    def summary(self) -> Summary:
        w = self.weights[self.weights > 0.001].sort_values(ascending=False)
        return make_summary(
            f"Synthetic control for {self.treated_unit}",
            [
                ("Donor weights", ", ".join(f"{k} {v:.3f}" for k, v in w.items())),
                ("Pre-period RMSPE", self.pre_rmspe),
                ("Post-period RMSPE", self.post_rmspe),
                ("Placebo p-value", f"{self.p_value:.3f} ({len(self.placebos)} placebos)"),
            ],
            self.balance,
            notes=("Balance table: predictor means of treated, synthetic and all donors.",),
        )

    def plot(self, ax: Axes | None = None, kind: PlotKind = "paths") -> Axes:
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(8, 4))
        x = np.arange(len(self.paths))
        if kind == "paths":
            ax.plot(x, self.paths["treated"], label=str(self.treated_unit))
            ax.plot(x, self.paths["synthetic"], ls="--", label="synthetic")
            ax.legend()
        elif kind == "gaps":
            ax.plot(x, self.paths["gap"])
            for col in self.leave_one_out.columns:
                ax.plot(x, self.leave_one_out[col], color="grey", lw=0.6, alpha=0.6)
            ax.axhline(0.0, color="grey", lw=0.8)
        else:
            for col in self.placebo_gaps.columns:
                ax.plot(x, self.placebo_gaps[col], color="grey", lw=0.6, alpha=0.5)
            ax.plot(x, self.paths["gap"], color="black", lw=1.5)
            ax.axhline(0.0, color="grey", lw=0.8)
        ax.axvline(self.n_pre - 0.5, color="grey", lw=0.8, ls=":")
        step = max(1, len(x) // 10)
        ax.set_xticks(x[::step], list(self.paths["period"])[::step])
        return ax
