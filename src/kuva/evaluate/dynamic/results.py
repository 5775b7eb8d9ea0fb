"""Results of dynamic matching (the results contract of :mod:`kuva.evaluate.contract`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError
from kuva.evaluate.contract import Immutable, NormalWald, tidy_frame, wald
from kuva.evaluate.reporting import Summary, make_summary
from kuva.evaluate.reporting import new_axes as _axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class DynamicMatchingResults(Immutable, NormalWald):
    """``estimate``: the effect of starting a service now rather than not yet on the probability
    of ``event`` within ``horizon`` days (a difference of cumulative incidences, in shares).
    ``balance``: standardised mean differences before and after weighting; ``overlap``: per
    (start day, stratum) cell the treated, the controls, the propensity and whether kept."""

    estimate: float
    std_error: float
    alpha: float
    n_units: int  #: persons
    n_obs: int  #: treated and comparison rows (a control counts once per start day it is compared at)
    n_treated: int  #: treated spells kept
    n_trimmed: int  #: treated spells without overlap
    horizon: int
    event: str
    reps: int
    cif_treated: float
    cif_comparison: float
    cif_treated_se: float
    cif_comparison_se: float
    balance: pd.DataFrame
    overlap: pd.DataFrame
    support: pd.DataFrame  #: per stratum × start-day band: treated, comparison rows, those at risk at the horizon
    days_effect: float  #: treated − comparison expected days still unemployed within the horizon
    days_effect_se: float
    boot_effect: np.ndarray  #: the bootstrap replicates of ``estimate``
    boot_days: np.ndarray  #: … and of ``days_effect``
    #: ``not_yet`` (controls censored at their own later start) or ``not_now`` (followed whatever they do later)
    comparison: str = "not_yet"
    #: the service-start model's coefficients (covariate, coef, std_error); empty without ``propensity_on``
    propensity: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["covariate", "coef", "std_error"]))

    @property
    def inference(self) -> str:
        return f"Bayesian bootstrap over persons ({self.reps} replicates), normal"

    def tidy(self) -> pd.DataFrame:
        rows = []
        for term, est, se in ((f"ATT: P({self.event} ≤ {self.horizon} d)", self.estimate, self.std_error),
                              ("treated", self.cif_treated, self.cif_treated_se),
                              (f"comparison ({self._arm})", self.cif_comparison, self.cif_comparison_se),
                              (f"days unemployed within {self.horizon} d (treated − comparison)", self.days_effect,
                               self.days_effect_se)):
            rows.append({"term": term, "estimate": est, "std_error": se, **wald(est, se, self.alpha),
                         "inference": self.inference})
        return tidy_frame(rows)

    @property
    def _arm(self) -> str:
        return "not yet treated" if self.comparison == "not_yet" else "not treated now, maybe later"

    @property
    def max_abs_smd(self) -> float:
        """The largest absolute standardised mean difference after weighting (NaN without
        balance covariates); below 0.1 is the usual reading of "balanced"."""
        v = self.balance["smd_after"].abs()
        return float(v.max()) if len(v) and v.notna().any() else float("nan")

    def below_min_cell(self, min_cell: int) -> bool:
        """Whether the estimate rests on fewer treated clients than the minimum cell (then it is
        not published: the CLI and the API hide it)."""
        return self.n_treated < min_cell

    @property
    def min_controls_at_horizon(self) -> int:
        """The fewest comparison rows still at risk at the horizon in any cell with treated (the
        support of the weakest comparison incidence)."""
        cells = self.support[self.support["treated"] > 0]
        return int(cells["controls_at_horizon"].min()) if len(cells) else 0

    def cost_per_additional_exit(self, cost_per_treated: float, daily_benefit: float = 0.0,
                                 alpha: float | None = None) -> tuple[float, float, float]:
        """(estimate, low, high): the net cost of one more ``event`` (exit to work) within the
        horizon — ``(cost_per_treated + daily_benefit × days_effect) / estimate`` (fewer days on
        benefit are a saving) — with a bootstrap percentile interval. The bounds are NaN when the
        effect's interval reaches zero or below: the cost of an exit the service may not cause
        has no upper bound."""
        if cost_per_treated < 0 or daily_benefit < 0:
            raise KuvaInputError("costs and the daily benefit are euros ≥ 0")
        a = self.alpha if alpha is None else alpha
        net = cost_per_treated + daily_benefit * self.days_effect
        point = net / self.estimate if self.estimate > 0 else float("nan")
        lo_e = float(np.quantile(self.boot_effect, a / 2))
        if lo_e <= 0:
            return point, float("nan"), float("nan")
        ratios = (cost_per_treated + daily_benefit * self.boot_days) / self.boot_effect
        return point, float(np.quantile(ratios, a / 2)), float(np.quantile(ratios, 1 - a / 2))

    def summary(self) -> Summary:
        lo, hi = self.conf_int()
        kept = self.overlap[self.overlap["kept"]]
        return make_summary(
            f"Dynamic matching of service starts: {self.event} within {self.horizon} days",
            [("Effect (percentage points)", f"{100 * self.estimate:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"),
             ("Treated / comparison", f"{100 * self.cif_treated:.1f} % / {100 * self.cif_comparison:.1f} %"),
             ("Persons / treated / trimmed", f"{self.n_units} / {self.n_treated} / {self.n_trimmed}"),
             ("Largest propensity kept", f"{kept['propensity'].max():.3f}" if len(kept) else "–"),
             ("Largest |SMD| after weighting", f"{self.max_abs_smd:.3f}"),
             ("Fewest comparison rows at risk at the horizon (a cell)", f"{self.min_controls_at_horizon}")],
            self.tidy().set_index("term"),
            notes=("Compared with clients of the same stratum still unemployed and without a service on the same "
                   "elapsed day (Sianesi 2004); " + ("censored at their own later service start"
                                                     if self.comparison == "not_yet" else
                                                     "followed to their exit, later services included")
                   + "; selection on unobservables is not handled.",))

    def plot(self, ax: Axes | None = None) -> Axes:
        ax = _axes(ax)
        t = self.tidy()
        y = np.arange(len(t))
        ax.errorbar(t["estimate"], y, xerr=[t["estimate"] - t["ci_low"], t["ci_high"] - t["estimate"]], fmt="o",
                    capsize=3)
        ax.axvline(0.0, color="grey", lw=0.8)
        ax.set_yticks(y, list(t["term"]))
        ax.set_xlabel(f"share with {self.event} within {self.horizon} days")
        return ax


__all__ = ["DynamicMatchingResults"]
