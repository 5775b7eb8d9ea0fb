"""Immutable results of the staggered-adoption estimators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from kuva.errors import KuvaInputError
from kuva.evaluate.numerics import normal_ci
from kuva.evaluate.numerics import readonly as _readonly
from kuva.evaluate.numerics import rng as _rng
from kuva.evaluate.options import Aggregation, validate_option
from kuva.evaluate.reporting import Summary, make_summary
from kuva.evaluate.reporting import new_axes as _axes
from kuva.evaluate.staggered.inference import (
    aggregate,
    analytic_se,
    multiplier_bootstrap,
    weight_influence,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]





@dataclass(frozen=True)
class AggregatedEffects:
    """An aggregation of ATT(g,t) (R ``did::aggte``): an overall effect and its components.

    ``components`` are indexed by event time (``dynamic``), cohort (``group``) or calendar
    period (``calendar``); ``simple`` has none. Intervals for components are uniform bands
    when the multiplier bootstrap was used, pointwise normal intervals otherwise.
    """

    kind: Aggregation
    estimate: float
    std_error: float
    alpha: float
    component_labels: tuple[str, ...]
    component_keys: npt.NDArray[np.int64]
    component_estimates: FloatArray
    component_std_errors: FloatArray
    critical_value: float
    inference: str

    def __post_init__(self) -> None:
        for name in ("component_keys", "component_estimates", "component_std_errors"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))

    @property
    def ci_low(self) -> float:
        return normal_ci(self.estimate, self.std_error, self.alpha)[0]

    @property
    def ci_high(self) -> float:
        return normal_ci(self.estimate, self.std_error, self.alpha)[1]

    def tidy(self) -> pd.DataFrame:
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        rows = [
            {
                "term": "overall",
                "key": np.nan,
                "estimate": self.estimate,
                "std_error": self.std_error,
                "conf_low": self.estimate - z * self.std_error,
                "conf_high": self.estimate + z * self.std_error,
            }
        ]
        for lab, key, est, se in zip(
            self.component_labels,
            self.component_keys,
            self.component_estimates,
            self.component_std_errors,
            strict=True,
        ):
            rows.append(
                {
                    "term": lab,
                    "key": float(key),
                    "estimate": float(est),
                    "std_error": float(se),
                    "conf_low": float(est - self.critical_value * se),
                    "conf_high": float(est + self.critical_value * se),
                }
            )
        return pd.DataFrame(rows)

    def summary(self) -> Summary:
        return make_summary(
            f"Callaway–Sant'Anna aggregation: {self.kind}",
            [("Overall ATT", f"{self.estimate:.4f} (SE {self.std_error:.4f})"),
             ("Inference", self.inference)],
            self.tidy().set_index("term"),
            notes=("Component intervals are uniform bands when bootstrapped.",),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        ax = _axes(ax)
        t = self.tidy().iloc[1:]
        if t.empty:
            t = self.tidy()
        x = np.arange(len(t)) if self.kind != "dynamic" else t["key"].to_numpy()
        est = t["estimate"].to_numpy()
        ax.errorbar(
            x,
            est,
            yerr=[est - t["conf_low"].to_numpy(), t["conf_high"].to_numpy() - est],
            fmt="o",
            capsize=3,
        )
        if self.kind != "dynamic":
            ax.set_xticks(list(x), list(t["term"]))
        else:
            ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
            ax.set_xlabel("event time")
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_ylabel("ATT")
        return ax


@dataclass(frozen=True)
class CallawaySantAnnaResults:
    """Group-time average treatment effects ATT(g,t) with their influence functions."""

    groups: IntArray
    times: IntArray
    att: FloatArray
    std_errors: FloatArray
    critical_value: float
    alpha: float
    method: str
    control_group: str
    base_period: str
    anticipation: int
    inference: str
    n_units: int
    influence: FloatArray = field(repr=False)
    unit_group: FloatArray = field(repr=False)
    unit_cluster: IntArray = field(repr=False)
    cell_pg: FloatArray = field(repr=False)
    labels: dict[int, str] = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("groups", "times", "att", "std_errors", "influence", "unit_group",
                     "unit_cluster", "cell_pg"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))

    def tidy(self) -> pd.DataFrame:
        crit = self.critical_value
        return pd.DataFrame(
            {
                "group": [self.labels[int(g)] for g in self.groups],
                "time": [self.labels[int(t)] for t in self.times],
                "event_time": self.times - self.groups,
                "att": self.att,
                "std_error": self.std_errors,
                "conf_low": self.att - crit * self.std_errors,
                "conf_high": self.att + crit * self.std_errors,
                "post": self.times >= self.groups - self.anticipation,
            }
        )

    def summary(self) -> Summary:
        return make_summary(
            "Callaway–Sant'Anna group-time ATT",
            [
                ("Units", self.n_units),
                ("Estimation method", self.method),
                ("Control group", self.control_group.replace("_", " ")),
                ("Base period", self.base_period),
                ("Inference", self.inference),
            ],
            self.tidy().set_index(["group", "time"]),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """ATT(g,t) by event time, one series per cohort."""
        ax = _axes(ax)
        t = self.tidy()
        for g, sub in t.groupby("group", sort=False):
            est = sub["att"].to_numpy()
            ax.errorbar(
                sub["event_time"].to_numpy(),
                est,
                yerr=[est - sub["conf_low"].to_numpy(), sub["conf_high"].to_numpy() - est],
                fmt="o-",
                capsize=2,
                label=str(g),
            )
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.set_xlabel("event time")
        ax.set_ylabel("ATT(g,t)")
        ax.legend(title="cohort")
        return ax

    def aggregate(
        self,
        kind: Aggregation = "group",
        *,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        balance_e: int | None = None,
        bootstrap_reps: int = 999,
        seed: int | np.random.Generator | None = None,
    ) -> AggregatedEffects:
        """Aggregate ATT(g,t) as R ``did::aggte`` (same weights and weight influence).

        ``bootstrap_reps=0`` gives analytic standard errors and pointwise intervals.
        """
        validate_option("kind", kind, Aggregation)
        g, t, att, inf = self.groups, self.times, self.att, self.influence
        pg = self.cell_pg
        e = t - g
        post = (g - self.anticipation <= t) & (t <= g + max_e)
        labels: list[str] = []
        keys: list[int] = []
        comp_inf: list[FloatArray] = []
        comp_est: list[float] = []
        if kind == "simple":
            keep = np.flatnonzero(post)
            w = pg[keep] / pg[keep].sum()
            est, agg_inf = aggregate(
                att, inf, keep, w, weight_influence(keep, pg, self.unit_group, g.astype(float))
            )
        elif kind == "dynamic":
            include = (e >= min_e) & (e <= max_e)
            if balance_e is not None:
                last_t = np.max(t)
                ok_group = g + balance_e <= last_t
                include &= ok_group & (e <= balance_e)
            for k in np.unique(e[include]):
                keep = np.flatnonzero(include & (e == k))
                w = pg[keep] / pg[keep].sum()
                est_k, inf_k = aggregate(
                    att, inf, keep, w, weight_influence(keep, pg, self.unit_group, g.astype(float))
                )
                labels.append(f"e={int(k)}")
                keys.append(int(k))
                comp_est.append(est_k)
                comp_inf.append(inf_k)
            sel = [i for i, k in enumerate(keys) if k >= 0]
            if not sel:
                raise KuvaInputError("no post-treatment event times to aggregate")
            est = float(np.mean([comp_est[i] for i in sel]))
            agg_inf = np.mean([comp_inf[i] for i in sel], axis=0)
        elif kind == "group":
            glist = np.unique(g)
            pgg = np.array([pg[g == gg][0] for gg in glist])
            for gg in glist:
                keep = np.flatnonzero((g == gg) & post)
                if keep.size == 0:
                    continue
                w = np.full(keep.size, 1.0 / keep.size)
                est_g, inf_g = aggregate(att, inf, keep, w, None)
                labels.append(self.labels[int(gg)])
                keys.append(int(gg))
                comp_est.append(est_g)
                comp_inf.append(inf_g)
            sel_g = np.array([np.flatnonzero(glist == k)[0] for k in keys])
            p = pgg[sel_g]
            ce = np.array(comp_est)
            ci = np.column_stack(comp_inf)
            wif = weight_influence(
                np.arange(len(keys)), p, self.unit_group, np.array(keys, dtype=float)
            )
            est, agg_inf = aggregate(ce, ci, np.arange(len(keys)), p / p.sum(), wif)
        else:  # calendar
            for tt in np.unique(t[t >= np.min(g)]):
                keep = np.flatnonzero((t == tt) & post)
                if keep.size == 0:
                    continue
                w = pg[keep] / pg[keep].sum()
                est_t, inf_t = aggregate(
                    att, inf, keep, w, weight_influence(keep, pg, self.unit_group, g.astype(float))
                )
                labels.append(self.labels[int(tt)])
                keys.append(int(tt))
                comp_est.append(est_t)
                comp_inf.append(inf_t)
            est = float(np.mean(comp_est))
            agg_inf = np.mean(comp_inf, axis=0)
        mat = np.column_stack([agg_inf, *comp_inf]) if comp_inf else agg_inf[:, None]
        if bootstrap_reps > 0:
            mb = multiplier_bootstrap(
                mat, self.unit_cluster, reps=bootstrap_reps, alpha=self.alpha, rng=_rng(seed)
            )
            se = mb.std_errors
            comp_se = se[1:]
            # the band covers the components only (as in R did)
            if comp_inf:
                mb_c = multiplier_bootstrap(
                    mat[:, 1:], self.unit_cluster, reps=bootstrap_reps, alpha=self.alpha,
                    rng=_rng(seed),
                )
                crit = mb_c.critical_value
            else:
                crit = float(stats.norm.ppf(1 - self.alpha / 2))
            inference = f"multiplier bootstrap (B={bootstrap_reps}), uniform bands"
        else:
            se = analytic_se(mat, self.unit_cluster)
            comp_se = se[1:]
            crit = float(stats.norm.ppf(1 - self.alpha / 2))
            inference = "analytic influence function, pointwise intervals"
        return AggregatedEffects(
            kind=kind,
            estimate=float(est),
            std_error=float(se[0]),
            alpha=self.alpha,
            component_labels=tuple(labels),
            component_keys=np.array(keys, dtype=np.int64),
            component_estimates=np.array(comp_est, dtype=float),
            component_std_errors=np.asarray(comp_se, dtype=float),
            critical_value=crit,
            inference=inference,
        )


@dataclass(frozen=True)
class SunAbrahamResults:
    """Sun–Abraham interaction-weighted event-study estimates.

    ``cohort_effects`` holds the saturated regression's CATT(g, e); ``event_times`` with
    ``estimates``/``std_errors`` the interaction-weighted averages over cohorts (weights =
    cohort shares among units observed at that event time), and ``att`` the average over
    all post-treatment cohort × period cells weighted by their number of observations.
    """

    event_times: IntArray
    estimates: FloatArray
    std_errors: FloatArray
    att: float
    att_std_error: float
    alpha: float
    dof: int
    n_obs: int
    n_clusters: int
    control: str
    cohort_effects: pd.DataFrame = field(repr=False)

    def __post_init__(self) -> None:
        for name in ("event_times", "estimates", "std_errors"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))
        object.__setattr__(self, "cohort_effects", self.cohort_effects.copy())

    def tidy(self) -> pd.DataFrame:
        crit = float(stats.t.ppf(1 - self.alpha / 2, self.dof))
        return pd.DataFrame(
            {
                "event_time": self.event_times,
                "estimate": self.estimates,
                "std_error": self.std_errors,
                "conf_low": self.estimates - crit * self.std_errors,
                "conf_high": self.estimates + crit * self.std_errors,
            }
        )

    def summary(self) -> Summary:
        return make_summary(
            "Sun–Abraham interaction-weighted event study",
            [
                ("Observations", self.n_obs),
                ("Clusters", self.n_clusters),
                ("Control cohort", self.control),
                ("ATT (post cells)", f"{self.att:.4f} (SE {self.att_std_error:.4f})"),
            ],
            self.tidy().set_index("event_time"),
            notes=("Reference period -1; CRV1 covariance, cohort weights treated as fixed.",),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        ax = _axes(ax)
        t = self.tidy()
        est = t["estimate"].to_numpy()
        ax.errorbar(
            t["event_time"],
            est,
            yerr=[est - t["conf_low"].to_numpy(), t["conf_high"].to_numpy() - est],
            fmt="o",
            capsize=3,
        )
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
        ax.set_xlabel("event time")
        ax.set_ylabel("effect relative to e = -1")
        return ax
