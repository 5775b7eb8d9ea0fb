"""Immutable results of the balance and design tools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from kuva.evaluate.contract import Immutable
from kuva.evaluate.reporting import Summary, make_summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _love_plot(before: pd.DataFrame, after: pd.DataFrame, ax: Axes | None) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 0.5 + 0.4 * len(before)))
    y = np.arange(len(before))
    ax.scatter(before["std_diff"].abs(), y, label="before", marker="o")
    ax.scatter(after["std_diff"].abs(), y, label="after", marker="x")
    ax.set_yticks(y, list(before.index))
    ax.axvline(0.1, color="grey", ls="--", lw=0.8)
    ax.set_xlabel("absolute standardised difference")
    ax.legend()
    return ax


@dataclass(frozen=True)
class EntropyBalanceResults(Immutable):
    """Entropy-balancing weights (treated 1; controls sum to the number of treated)."""

    weights: pd.Series
    lambda_: npt.NDArray[np.float64]
    converged: bool
    balance_before: pd.DataFrame
    balance_after: pd.DataFrame
    effective_controls: float

    def __post_init__(self) -> None:
        for name in ("weights", "balance_before", "balance_after"):
            object.__setattr__(self, name, getattr(self, name).copy())
        lam = np.array(self.lambda_, copy=True)
        lam.flags.writeable = False
        object.__setattr__(self, "lambda_", lam)

    def tidy(self) -> pd.DataFrame:
        return self.balance_before[["std_diff"]].join(
            self.balance_after[["std_diff", "mean_control"]].add_suffix("_after")
        )

    def summary(self) -> Summary:
        return make_summary(
            "Entropy balancing",
            [("Converged", self.converged),
             ("Effective number of controls", self.effective_controls)],
            self.tidy(),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        return _love_plot(self.balance_before, self.balance_after, ax)


@dataclass(frozen=True)
class MatchResults(Immutable):
    """Nearest-neighbour comparison set: pairs, unmatched treated units, balance and the
    implied weights (treated 1; a control gets 1/k per treated unit it serves)."""

    pairs: pd.DataFrame
    unmatched: tuple[object, ...]
    balance_before: pd.DataFrame
    balance_after: pd.DataFrame
    weights: pd.Series

    def __post_init__(self) -> None:
        for name in ("pairs", "balance_before", "balance_after", "weights"):
            object.__setattr__(self, name, getattr(self, name).copy())

    @property
    def comparison_units(self) -> tuple[object, ...]:
        return tuple(pd.unique(self.pairs["control"]))

    def tidy(self) -> pd.DataFrame:
        return self.pairs.copy()

    def summary(self) -> Summary:
        return make_summary(
            "Nearest-neighbour comparison set",
            [("Pairs", len(self.pairs)), ("Distinct controls", len(self.comparison_units)),
             ("Unmatched treated", len(self.unmatched))],
            self.balance_before[["std_diff"]].join(
                self.balance_after[["std_diff"]].add_suffix("_after")
            ),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        return _love_plot(self.balance_before, self.balance_after, ax)
