"""Immutable results of the staggered-adoption estimators."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from kuva.errors import KuvaInputError
from kuva.evaluate.contract import Immutable, NormalWald, critical_value, tidy_frame, wald, wald_rows
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
class AggregatedEffects(Immutable, NormalWald):
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
    n_units: int = 0
    n_obs: int = 0

    def __post_init__(self) -> None:
        for name in ("component_keys", "component_estimates", "component_std_errors"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))

    @property
    def ci_low(self) -> float:
        return normal_ci(self.estimate, self.std_error, self.alpha)[0]

    @property
    def ci_high(self) -> float:
        return normal_ci(self.estimate, self.std_error, self.alpha)[1]

    def components(self) -> pd.DataFrame:
        """The components with their keys (event time, cohort or period) and intervals."""
        return pd.DataFrame({"term": list(self.component_labels), "key": self.component_keys,
                             "estimate": self.component_estimates, "std_error": self.component_std_errors,
                             "ci_low": self.component_estimates - self.critical_value * self.component_std_errors,
                             "ci_high": self.component_estimates + self.critical_value * self.component_std_errors})

    def tidy(self) -> pd.DataFrame:
        head = {"term": "overall", "estimate": self.estimate, "std_error": self.std_error,
                **wald(self.estimate, self.std_error, self.alpha), "inference": self.inference}
        return tidy_frame([head, *wald_rows(self.component_labels, self.component_estimates,
                                            self.component_std_errors, self.alpha, self.inference,
                                            crit=self.critical_value)])

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
        t = self.components()
        if t.empty:
            t = self.tidy()
        x = np.arange(len(t)) if self.kind != "dynamic" or "key" not in t else t["key"].to_numpy()
        est = t["estimate"].to_numpy()
        ax.errorbar(
            x,
            est,
            yerr=[est - t["ci_low"].to_numpy(), t["ci_high"].to_numpy() - est],
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
class CallawaySantAnnaResults(Immutable):
    """Group-time average treatment effects ATT(g,t) with their influence functions.

    The headline ``estimate`` is the simple aggregation (R ``aggte(type = "simple")``) with the
    fit's own inference: the multiplier bootstrap with the fit's repetitions and seed when the
    fit used it, the analytic influence-function standard error otherwise; ``aggregate()``
    inherits the same unless told otherwise.
    """

    groups: IntArray
    times: IntArray
    att_gt: FloatArray
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
    n_obs: int = 0
    bootstrap_reps: int = 0  #: the fit's multiplier-bootstrap repetitions (0: analytic)
    seed: int | None = None  #: the fit's seed, reused by the aggregations

    def __post_init__(self) -> None:
        for name in ("groups", "times", "att_gt", "std_errors", "influence", "unit_group",
                     "unit_cluster", "cell_pg"):
            object.__setattr__(self, name, _readonly(getattr(self, name)))
        object.__setattr__(self, "labels", dict(self.labels))

    @cached_property
    def overall(self) -> AggregatedEffects:
        """The simple aggregation with the fit's inference (computed once)."""
        return self.aggregate("simple")

    @property
    def estimate(self) -> float:
        return self.overall.estimate

    @property
    def std_error(self) -> float:
        return self.overall.std_error

    @property
    def statistic(self) -> float:
        return self.overall.statistic

    @property
    def p_value(self) -> float:
        return self.overall.p_value

    def conf_int(self, alpha: float | None = None) -> tuple[float, float]:
        return self.overall.conf_int(alpha)

    def att_frame(self) -> pd.DataFrame:
        """One row per (cohort, period): ``group, time, event_time, att, std_error, ci_low,
        ci_high, post`` (intervals: the fit's pointwise or uniform critical value)."""
        crit = self.critical_value
        return pd.DataFrame(
            {
                "group": [self.labels[int(g)] for g in self.groups],
                "time": [self.labels[int(t)] for t in self.times],
                "event_time": self.times - self.groups,
                "att": self.att_gt,
                "std_error": self.std_errors,
                "ci_low": self.att_gt - crit * self.std_errors,
                "ci_high": self.att_gt + crit * self.std_errors,
                "post": self.times >= self.groups - self.anticipation,
            }
        )

    def tidy(self) -> pd.DataFrame:
        """The simple aggregation first (term ``overall``), then ATT(g,t) as ``ATT(g,t)`` terms."""
        ov = self.overall
        head = {"term": "overall", "estimate": ov.estimate, "std_error": ov.std_error,
                **wald(ov.estimate, ov.std_error, self.alpha), "inference": ov.inference}
        f = self.att_frame()
        terms = [f"ATT({g},{t})" for g, t in zip(f["group"], f["time"], strict=True)]
        return tidy_frame([head, *wald_rows(terms, f["att"].to_numpy(), f["std_error"].to_numpy(), self.alpha,
                                            self.inference, crit=self.critical_value)])

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
            self.att_frame().set_index(["group", "time"]),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """ATT(g,t) by event time, one series per cohort."""
        ax = _axes(ax)
        t = self.att_frame()
        for g, sub in t.groupby("group", sort=False):
            est = sub["att"].to_numpy()
            ax.errorbar(
                sub["event_time"].to_numpy(),
                est,
                yerr=[est - sub["ci_low"].to_numpy(), sub["ci_high"].to_numpy() - est],
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
        bootstrap_reps: int | None = None,
        seed: int | np.random.Generator | None = None,
    ) -> AggregatedEffects:
        """Aggregate ATT(g,t) as R ``did::aggte`` (same weights and weight influence).

        The inference is the fit's unless given: ``bootstrap_reps`` (default the fit's; 0 gives
        analytic standard errors and pointwise intervals) and ``seed`` (default the fit's).
        """
        validate_option("kind", kind, Aggregation)
        if bootstrap_reps is None:
            bootstrap_reps = self.bootstrap_reps
        if seed is None:
            seed = self.seed
        g, t, att, inf = self.groups, self.times, self.att_gt, self.influence
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
            n_units=self.n_units,
            n_obs=self.n_obs,
        )


@dataclass(frozen=True)
class SunAbrahamResults(Immutable):
    """Sun–Abraham interaction-weighted event-study estimates.

    ``cohort_effects`` holds the saturated regression's CATT(g, e); ``event_times`` with
    ``estimates``/``std_errors`` the interaction-weighted averages over cohorts (weights =
    cohort shares among units observed at that event time), and ``att`` the average over
    all post-treatment cohort × period cells weighted by their number of observations (the
    headline ``estimate``, standard error ``std_error``).
    """

    event_times: IntArray
    estimates: FloatArray
    std_errors: FloatArray
    estimate: float
    std_error: float
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

    @property
    def n_units(self) -> int:
        return self.n_clusters

    @property
    def inference(self) -> str:
        return f"CRV1, t({self.dof}), cohort weights fixed"

    @property
    def statistic(self) -> float:
        return wald(self.estimate, self.std_error, self.alpha, self.dof)["statistic"]

    @property
    def p_value(self) -> float:
        return wald(self.estimate, self.std_error, self.alpha, self.dof)["p_value"]

    def conf_int(self, alpha: float | None = None) -> tuple[float, float]:
        w = wald(self.estimate, self.std_error, self.alpha if alpha is None else alpha, self.dof)
        return w["ci_low"], w["ci_high"]

    def event_frame(self) -> pd.DataFrame:
        """One row per event time: ``event_time, estimate, std_error, ci_low, ci_high``."""
        crit = critical_value(self.alpha, self.dof)
        return pd.DataFrame({"event_time": self.event_times, "estimate": self.estimates,
                             "std_error": self.std_errors, "ci_low": self.estimates - crit * self.std_errors,
                             "ci_high": self.estimates + crit * self.std_errors})

    def tidy(self) -> pd.DataFrame:
        head = {"term": "att", "estimate": self.estimate, "std_error": self.std_error,
                **wald(self.estimate, self.std_error, self.alpha, self.dof), "inference": self.inference}
        return tidy_frame([head, *wald_rows([f"e={e}" for e in self.event_times], self.estimates, self.std_errors,
                                            self.alpha, self.inference, dof=self.dof)])

    def summary(self) -> Summary:
        return make_summary(
            "Sun–Abraham interaction-weighted event study",
            [
                ("Observations", self.n_obs),
                ("Clusters", self.n_clusters),
                ("Control cohort", self.control),
                ("ATT (post cells)", f"{self.estimate:.4f} (SE {self.std_error:.4f})"),
            ],
            self.event_frame().set_index("event_time"),
            notes=("Reference period -1; CRV1 covariance, cohort weights treated as fixed.",),
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        ax = _axes(ax)
        t = self.event_frame()
        est = t["estimate"].to_numpy()
        ax.errorbar(
            t["event_time"],
            est,
            yerr=[est - t["ci_low"].to_numpy(), t["ci_high"].to_numpy() - est],
            fmt="o",
            capsize=3,
        )
        ax.axhline(0.0, color="grey", lw=0.8)
        ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
        ax.set_xlabel("event time")
        ax.set_ylabel("effect relative to e = -1")
        return ax
