"""Immutable results of the Rambachan–Roth relative-magnitudes sensitivity analysis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from kuva.evaluate.contract import Immutable, NormalWald, tidy_frame, wald
from kuva.evaluate.reporting import Summary, make_summary

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class RelativeMagnitudesResults(Immutable, NormalWald):
    """Identified sets and conservative CIs over an ``Mbar`` grid.

    ``breakdown_mbar`` is the smallest ``Mbar`` at which the conservative CI contains zero
    (0 if it already does at ``Mbar = 0``). The headline is the event-study coefficient at
    ``target`` (parallel trends, ``Mbar = 0``); ``tidy()`` adds one row per ``Mbar`` whose
    interval is the conservative CI (``grid()`` has the identified sets as well).
    """

    target: int
    estimate: float
    std_error: float
    alpha: float
    table: pd.DataFrame
    breakdown_mbar: float
    n_units: int = 0
    n_obs: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self.table.copy())

    @property
    def inference(self) -> str:
        return "normal at Mbar = 0; conservative Bonferroni interval over the relative-magnitudes set"

    def grid(self) -> pd.DataFrame:
        """The ``Mbar`` grid: identified set and conservative CI at each."""
        return self.table

    def tidy(self) -> pd.DataFrame:
        head = {"term": f"e={self.target}", "estimate": self.estimate, "std_error": self.std_error,
                **wald(self.estimate, self.std_error, self.alpha), "inference": "normal, parallel trends"}
        rows = [{"term": f"Mbar={m:g}", "estimate": self.estimate, "ci_low": lo, "ci_high": hi,
                 "inference": "conservative CI under relative magnitudes"}
                for m, lo, hi in zip(self.table["mbar"], self.table["ci_low"], self.table["ci_high"], strict=True)]
        return tidy_frame([head, *rows])

    def summary(self) -> Summary:
        return make_summary(
            f"Relative-magnitudes sensitivity (event time {self.target})",
            [("Estimate", f"{self.estimate:.4f} (SE {self.std_error:.4f})"),
             ("Breakdown Mbar", self.breakdown_mbar)],
            self.table.set_index("mbar"),
            notes=("CIs are conservative Bonferroni intervals, not Rambachan-Roth's "
                   "conditional/FLCI intervals.",),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(6, 4))
        t = self.table
        ax.fill_between(t["mbar"], t["id_low"], t["id_high"], alpha=0.4, label="identified set")
        ax.plot(t["mbar"], t["ci_low"], "k--", lw=0.8, label="conservative CI")
        ax.plot(t["mbar"], t["ci_high"], "k--", lw=0.8)
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_xlabel("Mbar")
        ax.set_ylabel(f"effect at event time {self.target}")
        ax.legend()
        return ax
