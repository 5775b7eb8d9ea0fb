"""Immutable results of the TWFE DiD and the event study."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from kuva.evaluate.contract import Immutable, critical_value, tidy_frame, wald, wald_rows
from kuva.evaluate.did.inference import WildBootstrapResult
from kuva.evaluate.numerics import readonly as _readonly
from kuva.evaluate.reporting import Summary, make_summary
from kuva.evaluate.reporting import new_axes as _axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DidResults(Immutable):
    """Static TWFE DiD estimate with CRV1 and (optionally) wild-cluster-bootstrap inference.

    The contract's interval and p-value are CRV1 with t(G-1) (as fixest and Stata); the wild
    cluster bootstrap's is the second row of ``tidy()`` and ``bootstrap``.
    """

    estimate: float
    std_error: float
    statistic: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float
    n_obs: int
    n_units: int
    n_clusters: int
    n_treated_clusters: int
    covariates: tuple[str, ...]
    bootstrap: WildBootstrapResult | None

    @property
    def dof(self) -> int:
        return self.n_clusters - 1

    @property
    def inference(self) -> str:
        return f"CRV1, t({self.dof})"

    def conf_int(self, alpha: float | None = None) -> tuple[float, float]:
        w = wald(self.estimate, self.std_error, self.alpha if alpha is None else alpha, self.dof)
        return w["ci_low"], w["ci_high"]

    def tidy(self) -> pd.DataFrame:
        rows: list[dict[str, object]] = [
            {
                "term": "treat",
                "estimate": self.estimate,
                "std_error": self.std_error,
                "statistic": self.statistic,
                "p_value": self.p_value,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "inference": self.inference,
            }
        ]
        if self.bootstrap is not None:
            b = self.bootstrap
            rows.append(
                {
                    "term": "treat",
                    "estimate": self.estimate,
                    "std_error": np.nan,
                    "statistic": b.statistic,
                    "p_value": b.p_value,
                    "ci_low": b.ci_low,
                    "ci_high": b.ci_high,
                    "inference": f"WCR bootstrap ({b.weights}, B={b.reps})",
                }
            )
        return tidy_frame(rows)

    def summary(self) -> Summary:
        facts: list[tuple[str, object]] = [
            ("Observations", self.n_obs),
            ("Units", self.n_units),
            ("Clusters", f"{self.n_clusters} ({self.n_treated_clusters} treated)"),
            ("Covariates", ", ".join(self.covariates) or "none"),
        ]
        return make_summary(
            "Two-way fixed-effects DiD",
            facts,
            self.tidy().set_index(["term", "inference"]),
            notes=(f"{100 * (1 - self.alpha):.0f}% intervals.",),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Point estimate with the CRV1 and bootstrap intervals."""
        ax = _axes(ax)
        tidy = self.tidy()
        for i, row in tidy.iterrows():
            ax.errorbar(
                [int(str(i))],
                [row["estimate"]],
                yerr=[[row["estimate"] - row["ci_low"]], [row["ci_high"] - row["estimate"]]],
                fmt="o",
                capsize=4,
            )
        ax.set_xticks(range(len(tidy)), list(tidy["inference"]))
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_ylabel("effect")
        return ax


@dataclass(frozen=True)
class PreTrendTest:
    """Joint Wald test that all lead coefficients are zero (CRV1 covariance)."""

    statistic: float
    df: int
    p_value_chi2: float
    f_statistic: float
    p_value_f: float


@dataclass(frozen=True)
class EventStudyResults(Immutable):
    """Event-study coefficients (reference ``e = -1``) with their CRV1 covariance.

    The headline ``estimate`` is the mean of the post-treatment coefficients (``e >= 0``, the
    binned endpoint included), its standard error from the covariance; ``tidy()`` gives it
    first (term ``post_mean``), then one row per event time.
    """

    event_times: npt.NDArray[np.int64]
    coefficients: FloatArray
    vcov: FloatArray
    alpha: float
    dof: int
    n_obs: int
    n_clusters: int
    leads: int
    lags: int
    pretrend: PreTrendTest

    def __post_init__(self) -> None:
        for name in ("event_times", "coefficients", "vcov"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))

    @property
    def std_errors(self) -> FloatArray:
        return np.sqrt(np.diag(self.vcov))

    @property
    def n_units(self) -> int:
        return self.n_clusters

    @property
    def inference(self) -> str:
        return f"CRV1, t({self.dof})"

    def _post_weights(self) -> FloatArray:
        post = (self.event_times >= 0).astype(float)
        return post / post.sum() if post.sum() else post

    @property
    def estimate(self) -> float:
        return float(self._post_weights() @ self.coefficients)

    @property
    def std_error(self) -> float:
        w = self._post_weights()
        return float(np.sqrt(w @ self.vcov @ w))

    @property
    def statistic(self) -> float:
        return wald(self.estimate, self.std_error, self.alpha, self.dof)["statistic"]

    @property
    def p_value(self) -> float:
        return wald(self.estimate, self.std_error, self.alpha, self.dof)["p_value"]

    def conf_int(self, alpha: float | None = None) -> tuple[float, float]:
        w = wald(self.estimate, self.std_error, self.alpha if alpha is None else alpha, self.dof)
        return w["ci_low"], w["ci_high"]

    def coefficients_frame(self) -> pd.DataFrame:
        """One row per event time: ``event_time, label, estimate, std_error, p_value, ci_low, ci_high``."""
        se = self.std_errors
        crit = critical_value(self.alpha, self.dof)
        labels = []
        for e in self.event_times:
            if e == -self.leads:
                labels.append(f"<= {e}")
            elif e == self.lags:
                labels.append(f">= {e}")
            else:
                labels.append(str(e))
        return pd.DataFrame(
            {
                "event_time": self.event_times,
                "label": labels,
                "estimate": self.coefficients,
                "std_error": se,
                "p_value": 2 * stats.t.sf(np.abs(self.coefficients / se), self.dof),
                "ci_low": self.coefficients - crit * se,
                "ci_high": self.coefficients + crit * se,
            }
        )

    def tidy(self) -> pd.DataFrame:
        c = self.coefficients_frame()
        head = {"term": "post_mean", "estimate": self.estimate, "std_error": self.std_error,
                **wald(self.estimate, self.std_error, self.alpha, self.dof), "inference": self.inference}
        return tidy_frame([head, *wald_rows([f"e={lab}" for lab in c["label"]], c["estimate"].to_numpy(),
                                            c["std_error"].to_numpy(), self.alpha, self.inference, dof=self.dof)])

    def summary(self) -> Summary:
        p = self.pretrend
        return make_summary(
            "Event study (TWFE, reference period -1)",
            [
                ("Observations", self.n_obs),
                ("Clusters", self.n_clusters),
                ("Pre-trend Wald", f"F({p.df}, {self.dof}) = {p.f_statistic:.3f}, "
                 f"p = {p.p_value_f:.4f} (chi2 p = {p.p_value_chi2:.4f})"),
            ],
            self.tidy().set_index("term"),
            notes=("Endpoints are binned; CRV1 standard errors; post_mean is the mean of the e >= 0 "
                   "coefficients.",),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Coefficients with pointwise intervals; the reference period is drawn at zero."""
        ax = _axes(ax)
        t = self.coefficients_frame()
        x = np.append(t["event_time"].to_numpy(), -1)
        order = np.argsort(x)
        est = np.append(t["estimate"].to_numpy(), 0.0)[order]
        lo = np.append(t["ci_low"].to_numpy(), 0.0)[order]
        hi = np.append(t["ci_high"].to_numpy(), 0.0)[order]
        ax.errorbar(x[order], est, yerr=[est - lo, hi - est], fmt="o", capsize=3)
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
        ax.set_xlabel("event time (periods since first treated)")
        ax.set_ylabel("effect relative to e = -1")
        return ax
