"""Immutable results of the synthetic control method."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from kuva.evaluate.reporting import Summary, make_summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes

PlotKind = Literal["paths", "gaps", "placebo"]


@dataclass(frozen=True)
class SyntheticControlResults:
    """Synthetic control fit, diagnostics and placebo inference.

    ``paths`` has the treated and synthetic outcome by period (``gap = treated -
    synthetic``); ``placebos`` one row per donor re-estimated as if treated (pre/post RMSPE
    and their ratio); ``p_value`` is the rank of the treated unit's post/pre MSPE ratio among
    all units, ``(1 + #placebos with ratio >= treated) / (J + 1)`` (Abadie et al. 2010).
    ``leave_one_out`` has the gap path after dropping each donor with positive weight.
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
    def average_gap(self) -> float:
        """Mean post-treatment gap (treated minus synthetic)."""
        return float(self.paths["gap"].iloc[self.n_pre:].mean())

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "term": "average post-treatment gap",
                    "estimate": self.average_gap,
                    "pre_rmspe": self.pre_rmspe,
                    "post_rmspe": self.post_rmspe,
                    "mspe_ratio": self.mspe_ratio,
                    "p_value": self.p_value,
                    "n_placebos": len(self.placebos),
                }
            ]
        )

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

    def plot(self, kind: PlotKind = "paths", ax: Axes | None = None) -> Axes:
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
