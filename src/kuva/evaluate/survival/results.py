"""Results of the duration designs (the results contract of :mod:`kuva.evaluate.contract`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva.evaluate.contract import Immutable, NormalWald, tidy_frame, wald
from kuva.evaluate.reporting import Summary, make_summary
from kuva.evaluate.reporting import new_axes as _axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@dataclass(frozen=True)
class HazardRatioResults(Immutable, NormalWald):
    """A Cox model with a time-varying treatment: ``estimate`` is the log hazard ratio of the
    event after the treatment starts (``hazard_ratio`` = exp), with its model-based standard
    error (model-based; one event per person, so no clustering is needed)."""

    estimate: float
    std_error: float
    alpha: float
    n_units: int  #: persons
    n_obs: int  #: start–stop intervals
    n_events: int
    event: str  #: what the hazard is of, e.g. "exit_work"
    covariates: pd.DataFrame  #: coefficients of the other terms (log hazard ratios)

    @property
    def hazard_ratio(self) -> float:
        return math.exp(self.estimate)

    @property
    def inference(self) -> str:
        return "Cox partial likelihood (Efron ties), model-based SE, normal"

    def tidy(self) -> pd.DataFrame:
        head = {"term": "treated (log HR)", "estimate": self.estimate, "std_error": self.std_error,
                **wald(self.estimate, self.std_error, self.alpha), "inference": self.inference}
        rows = [{"term": str(t), "estimate": float(e), "std_error": float(s),
                 **wald(float(e), float(s), self.alpha), "inference": self.inference}
                for t, e, s in zip(self.covariates.index, self.covariates["estimate"], self.covariates["std_error"],
                                   strict=True)]
        return tidy_frame([head, *rows])

    def summary(self) -> Summary:
        lo, hi = self.conf_int()
        return make_summary(
            f"Cox model with a time-varying treatment: hazard of {self.event}",
            [("Hazard ratio", f"{self.hazard_ratio:.3f} [{math.exp(lo):.3f}, {math.exp(hi):.3f}]"),
             ("Persons / intervals / events", f"{self.n_units} / {self.n_obs} / {self.n_events}")],
            self.tidy().set_index("term"),
            notes=("A hazard ratio above 1: the event comes sooner after the treatment starts. Selection into "
                   "treatment on unobservables is not handled.",))

    def plot(self, ax: Axes | None = None) -> Axes:
        ax = _axes(ax)
        t = self.tidy()
        y = np.arange(len(t))
        hr, lo, hi = np.exp(t["estimate"]), np.exp(t["ci_low"]), np.exp(t["ci_high"])
        ax.errorbar(hr, y, xerr=[hr - lo, hi - hr], fmt="o", capsize=3)
        ax.axvline(1.0, color="grey", lw=0.8)
        ax.set_yticks(y, list(t["term"]))
        ax.set_xscale("log")
        ax.set_xlabel("hazard ratio")
        return ax


@dataclass(frozen=True)
class DiscreteHazardResults(HazardRatioResults):
    """A grouped-time proportional-hazards model (Prentice & Gloeckler 1978): the complementary
    log-log regression of the event in each period of ``width`` days on a free baseline per
    period and the time-varying treatment. ``estimate`` is the log hazard ratio of the
    underlying continuous-time model; ``n_obs`` counts person-periods; ``baseline`` is each
    period's estimated hazard without the treatment."""

    width: int = 1
    baseline: pd.DataFrame = field(default_factory=pd.DataFrame)  #: period, at_risk, events, hazard

    @property
    def inference(self) -> str:
        return f"grouped-time PH (cloglog, {self.width}-day periods), model-based SE, normal"

    def summary(self) -> Summary:
        lo, hi = self.conf_int()
        return make_summary(
            f"Discrete-time hazard model ({self.width}-day periods) with a time-varying treatment: {self.event}",
            [("Hazard ratio", f"{self.hazard_ratio:.3f} [{math.exp(lo):.3f}, {math.exp(hi):.3f}]"),
             ("Persons / person-periods / events", f"{self.n_units} / {self.n_obs} / {self.n_events}"),
             ("Periods with events", str(len(self.baseline)))],
            self.tidy().set_index("term"),
            notes=("The treatment counts from the first period that starts after it does; a period in which it "
                   "starts counts as untreated.",))


@dataclass(frozen=True)
class SubdistributionHazardResults(HazardRatioResults):
    """A Fine–Gray model (:class:`~kuva.evaluate.survival.FineGray`): ``estimate`` is the log
    subdistribution hazard ratio of cause ``event`` for covariate ``term``, with the robust
    (sandwich, by person) standard error; ``n_events`` ends by the cause, ``n_competing`` by
    another, ``n_censored`` spells censored."""

    term: str = "treated"
    n_competing: int = 0
    n_censored: int = 0

    @property
    def inference(self) -> str:
        return "Fine–Gray weighted partial likelihood (Breslow ties), robust SE by person, normal"

    def tidy(self) -> pd.DataFrame:
        return super().tidy().replace({"term": {"treated (log HR)": f"{self.term} (log sHR)"}})

    def summary(self) -> Summary:
        lo, hi = self.conf_int()
        return make_summary(
            f"Fine–Gray model: subdistribution hazard of {self.event}",
            [("Subdistribution hazard ratio", f"{self.hazard_ratio:.3f} [{math.exp(lo):.3f}, {math.exp(hi):.3f}]"),
             ("Persons / intervals", f"{self.n_units} / {self.n_obs}"),
             ("Ends by the cause / by another / censored",
              f"{self.n_events} / {self.n_competing} / {self.n_censored}")],
            self.tidy().set_index("term"),
            notes=("A ratio above 1: more spells have ended by this cause by any day (with a covariate fixed at the "
                   "start). Those ended by another cause stay at risk, weighted by the censoring distribution.",))


@dataclass(frozen=True)
class SurvivalCurves(Immutable):
    """Kaplan–Meier curves by group: ``curves`` (group, time, survival, ci_low, ci_high) and the
    median time to the event per group (NaN when the curve never reaches one half)."""

    curves: pd.DataFrame
    medians: pd.Series
    n: pd.Series

    def plot(self, ax: Axes | None = None) -> Axes:
        ax = _axes(ax)
        for g, sub in self.curves.groupby("group", sort=True):
            ax.step(sub["time"], sub["survival"], where="post", label=str(g))
        ax.set_ylim(0, 1)
        ax.set_xlabel("time")
        ax.set_ylabel("share without the event")
        ax.legend()
        return ax


@dataclass(frozen=True)
class CumulativeIncidence(Immutable):
    """Competing risks by group: ``curves`` (group, cause, time, cif, std_error, ci_low, ci_high)
    — the Aalen–Johansen cumulative incidence of each cause at each event time, its delta-method
    standard error (Collett, *Modelling Survival Data*, 3rd ed., §12) and a log(−log) interval —
    and the number of spells per group."""

    curves: pd.DataFrame
    n: pd.Series
    alpha: float

    def at(self, time: float) -> pd.DataFrame:
        """Each group's and cause's cumulative incidence at ``time`` (the step function's value:
        0 before the first event)."""
        rows = []
        for (g, cause), sub in self.curves.groupby(["group", "cause"], sort=True):
            before = sub[sub["time"] <= time]
            last = before.iloc[-1] if len(before) else None
            rows.append({"group": g, "cause": cause, "time": time,
                         "cif": float(last["cif"]) if last is not None else 0.0,
                         "std_error": float(last["std_error"]) if last is not None else 0.0,
                         "ci_low": float(last["ci_low"]) if last is not None else 0.0,
                         "ci_high": float(last["ci_high"]) if last is not None else 0.0})
        return pd.DataFrame(rows)

    def plot(self, ax: Axes | None = None) -> Axes:
        ax = _axes(ax)
        for (g, cause), sub in self.curves.groupby(["group", "cause"], sort=True):
            ax.step(sub["time"], sub["cif"], where="post", label=f"{g}: {cause}")
        ax.set_ylim(0, 1)
        ax.set_xlabel("time")
        ax.set_ylabel("cumulative incidence")
        ax.legend()
        return ax


__all__ = ["CumulativeIncidence", "DiscreteHazardResults", "HazardRatioResults", "SubdistributionHazardResults",
           "SurvivalCurves"]
