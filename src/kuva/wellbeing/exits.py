"""Kykyviisari change linked to later exits (issue 16's wellbeing design): did the clients whose
work ability rose between their first and second answer leave for work more often afterwards?

The panel (:func:`change_exit_panel`) has one row per respondent with a first and a second
answer to the work-ability item (0–10): the change between them, the first answer's value
(``baseline``) and whether the client's first exit on or after the second answer was to work
within ``horizon_days``. Exits come from both person-level layers, whichever holds the client's
pseudonym: the service paths (``service_events``, event ``exit``, detail the open labour market
or subsidised work) and the service-process event log an area loads (``process_events``, event
``exit_work`` against the other exits; :data:`PROCESS_WORK_EXITS`) — so an area's own Kykyviisari
answers and event log, pseudonymised with the same key, are linked. Respondents whose second
answer is less than ``horizon_days`` before the data's last date (with both layers, the earlier
of their last dates) are left out, so everyone is followed equally long.

The model (:func:`change_exit_model`) is a linear probability model, exit to work (percentage
points) on the change and the baseline, with HC1 standard errors: ``estimate`` is the
difference in the exit rate per point of change at the same starting level. It is an
association, not an effect: the change and the exit may share causes (a job in sight raises
both), and the text says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.evaluate.contract import Immutable, NormalWald, tidy_frame, wald
from kuva.evaluate.reporting import Summary, make_summary
from kuva.evaluate.reporting import new_axes as _axes
from kuva.warehouse import Warehouse
from kuva.wellbeing.data import WellbeingData, wellbeing_data

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from kuva.analysis.result import AnalysisResult

#: the exit kinds (``detail`` of an ``exit`` event) that are exits to work
WORK_EXITS: tuple[str, ...] = ("open_labour_market", "subsidised_work")
#: the service-process event log's exits to work (its other exits: kuva.process.eventlog)
PROCESS_WORK_EXITS: tuple[str, ...] = ("exit_work",)
HORIZON_DAYS = 180
PANEL_COLUMNS = ("pseudonym", "area", "first_at", "second_at", "baseline", "change", "exited")


def change_exit_panel(wh: Warehouse, *, horizon_days: int = HORIZON_DAYS, data: WellbeingData | None = None
                      ) -> pd.DataFrame:
    """One row per respondent with two work-ability answers followed ``horizon_days`` after the
    second (see the module docstring): ``pseudonym, area, first_at, second_at, baseline, change,
    exited`` (1: the first exit on or after the second answer was to work within the horizon)."""
    if horizon_days < 1:
        raise KuvaInputError(f"the horizon must be at least one day, got {horizon_days}")
    d = data if data is not None else wellbeing_data(wh)
    a = d.answers.dropna(subset=["work_ability"])
    pairs = a.groupby("pseudonym", sort=True).head(2)
    first = pairs.groupby("pseudonym").nth(0).set_index("pseudonym")
    second = pairs.groupby("pseudonym").nth(1).set_index("pseudonym")
    both = first.index.intersection(second.index)
    exits, last = _exits(wh)
    f, sec = first.loc[both], second.loc[both]
    baseline = f["work_ability"].to_numpy(dtype=float)
    panel = pd.DataFrame({"pseudonym": list(both), "area": f["area"].to_numpy(),
                          "first_at": f["answered_at"].to_numpy(), "second_at": sec["answered_at"].to_numpy(),
                          "baseline": baseline, "change": sec["work_ability"].to_numpy(dtype=float) - baseline})
    followed = np.array([a + timedelta(days=horizon_days) <= last for a in panel["second_at"]], dtype=bool)
    panel = panel[followed].reset_index(drop=True)  # a boolean mask even when empty (a list would pick columns)
    if panel.empty:  # no respondent followed long enough (or none at all): the usual columns, no rows
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in PANEL_COLUMNS})
    # each respondent's first exit on or after the second answer
    j = panel[["pseudonym", "second_at"]].merge(exits, on="pseudonym")
    j = j[j["event_date"] >= j["second_at"]].sort_values(["pseudonym", "event_date"], kind="stable")
    j = j.drop_duplicates("pseudonym")
    hit = {p: int(bool(work) and (day - at).days <= horizon_days)
           for p, at, day, work in zip(j["pseudonym"], j["second_at"], j["event_date"], j["to_work"], strict=True)}
    panel["exited"] = [hit.get(p, 0) for p in panel["pseudonym"]]
    out: pd.DataFrame = panel[list(PANEL_COLUMNS)]
    return out


def _exits(wh: Warehouse) -> tuple[pd.DataFrame, date]:
    """Every exit of both person-level layers (``pseudonym, event_date, to_work``) and the earlier
    of their last dates (of those holding data: nobody counts as "not exited" beyond a layer's end)."""
    from kuva.warehouse.persons import latest_process_events

    paths = wh.table("service_events")
    process = latest_process_events(wh)
    ends = [t.event_date.max().to_pandas() for t in (paths, process)]
    ends = [pd.Timestamp(e).date() for e in ends if e is not None and not pd.isna(e)]
    if not ends:
        raise KuvaLookupError("no person-level service paths (service_events) or service-process event log "
                              "(process_events) to follow the respondents in")
    a = paths.filter(paths.event_type == "exit").select("pseudonym", "event_date", "detail").to_pandas()
    b = process.filter(process.event_type.startswith("exit_")).select("pseudonym", "event_date",
                                                                        "event_type").to_pandas()
    exits = pd.concat([pd.DataFrame({"pseudonym": a["pseudonym"].astype(str), "event_date": a["event_date"],
                                     "to_work": a["detail"].isin(WORK_EXITS)}),
                       pd.DataFrame({"pseudonym": b["pseudonym"].astype(str), "event_date": b["event_date"],
                                     "to_work": b["event_type"].isin(PROCESS_WORK_EXITS)})], ignore_index=True)
    exits["event_date"] = pd.to_datetime(exits["event_date"]).dt.date
    return exits, min(ends)


@dataclass(frozen=True)
class ChangeExitResults(Immutable, NormalWald):
    """The linear probability model of exit to work on the work-ability change (see the module
    docstring): ``estimate`` percentage points per point of change, HC1 standard error."""

    estimate: float
    std_error: float
    alpha: float
    n_units: int  #: respondents
    n_obs: int
    baseline_coef: float  #: percentage points per point of the first answer
    baseline_se: float
    exit_rate: float  #: the respondents' exit rate to work within the horizon, %
    horizon_days: int

    @property
    def inference(self) -> str:
        return "OLS linear probability model, HC1 SE, normal"

    def tidy(self) -> pd.DataFrame:
        rows = [{"term": "work-ability change (pp per point)", "estimate": self.estimate, "std_error": self.std_error,
                 **wald(self.estimate, self.std_error, self.alpha), "inference": self.inference},
                {"term": "first answer (pp per point)", "estimate": self.baseline_coef, "std_error": self.baseline_se,
                 **wald(self.baseline_coef, self.baseline_se, self.alpha), "inference": self.inference}]
        return tidy_frame(rows)

    def summary(self) -> Summary:
        lo, hi = self.conf_int()
        return make_summary(
            f"Kykyviisari work-ability change and exit to work within {self.horizon_days} days",
            [("Per point of change", f"{self.estimate:+.2f} pp [{lo:+.2f}, {hi:+.2f}]"),
             ("Respondents / exit rate", f"{self.n_units} / {self.exit_rate:.1f} %")],
            self.tidy().set_index("term"),
            notes=("An association at the same starting level, not an effect: the change and the exit may share "
                   "causes.",))

    def plot(self, ax: Axes | None = None) -> Axes:
        ax = _axes(ax)
        lo, hi = self.conf_int()
        ax.errorbar([self.estimate], [0], xerr=[[self.estimate - lo], [hi - self.estimate]], fmt="o", capsize=3)
        ax.axvline(0.0, color="grey", lw=0.8)
        ax.set_yticks([0], ["work-ability change"])
        ax.set_xlabel("exit to work, percentage points per point")
        return ax


def change_exit_model(panel: pd.DataFrame, *, alpha: float = 0.05, horizon_days: int = HORIZON_DAYS
                      ) -> ChangeExitResults:
    """OLS of ``100 × exited`` on ``change`` and ``baseline`` (intercept added), HC1."""
    import statsmodels.api as sm

    missing = [c for c in ("change", "baseline", "exited") if c not in panel.columns]
    if missing:
        raise KuvaInputError(f"the panel lacks column(s) {missing}")
    if len(panel) < 10 or panel["change"].nunique() < 2:
        raise KuvaInputError(f"{len(panel)} respondents with two answers followed {horizon_days} days, or no "
                             "variation in the change: too few to model")
    x = sm.add_constant(panel[["change", "baseline"]].to_numpy(dtype=float))
    y = 100.0 * panel["exited"].to_numpy(dtype=float)
    fit = sm.OLS(y, x).fit(cov_type="HC1")
    params, se = np.asarray(fit.params, dtype=float), np.asarray(fit.bse, dtype=float)
    return ChangeExitResults(float(params[1]), float(se[1]), alpha, len(panel), len(panel), float(params[2]),
                             float(se[2]), float(y.mean()), horizon_days)


def _direction(change: float) -> str:
    return "declined" if change < 0 else ("improved" if change > 0 else "unchanged")


def change_exit_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Respondents and exits to work by the direction of the change (declined, unchanged,
    improved) and in total: ``direction, respondents, exited, exit_rate``."""
    g = panel.assign(direction=[_direction(c) for c in panel["change"]])
    rows = []
    for key in ("declined", "unchanged", "improved"):
        part = g[g["direction"] == key]
        rows.append({"direction": key, "respondents": len(part), "exited": int(part["exited"].sum())})
    rows.append({"direction": "total", "respondents": len(g), "exited": int(g["exited"].sum())})
    out = pd.DataFrame(rows)
    out["exit_rate"] = [100.0 * e / n if n else math.nan for e, n in zip(out["exited"], out["respondents"],
                                                                       strict=True)]
    return out




def change_exit_result(wh: Warehouse, *, min_cell: int | None = None, horizon_days: int = HORIZON_DAYS,
                       data: WellbeingData | None = None) -> AnalysisResult:
    """The report's analysis: respondents and exits to work by the direction of their
    work-ability change (a table through the disclosure engine: counts, their total, the rates
    derived from them) and the model's slope in the text, shown only when the respondents in
    total are at least the minimum cell."""
    from kuva.analysis.inputs import resolve_policy
    from kuva.analysis.result import AnalysisResult
    from kuva.i18n import fmt_number, label
    from kuva.privacy.engine import protect_table
    from kuva.privacy.spec import Count, Ratio, SumOver, TableSpec

    d = data if data is not None else wellbeing_data(wh)
    panel = change_exit_panel(wh, horizon_days=horizon_days, data=d)
    raw = change_exit_table(panel)
    spec = TableSpec(counts=(Count("respondents", ("direction",), quantity="kykyviisari_change_exit_respondents"),
                             Count("exited", ("direction",), quantity="kykyviisari_change_exit_exited")),
                     relations=(SumOver("respondents", "respondents", "direction"),
                                SumOver("exited", "exited", "direction")),
                     derived=(Ratio("exit_rate", "exited", ("respondents",)),))
    p = protect_table(raw, spec, resolve_policy(min_cell), name="kykyviisari_change_exits")
    table = p.frame
    total = table[table["direction"] == "total"]["respondents"]
    shown = bool(len(total)) and pd.notna(total.iloc[0])
    model = None
    if shown:
        try:
            model = change_exit_model(panel, horizon_days=horizon_days)
        except KuvaInputError:
            model = None

    def text(lang: str) -> str:
        if model is None:
            return label("wellbeing.exits.too_few", lang, horizon=str(horizon_days))
        lo, hi = model.conf_int()
        return label("wellbeing.exits.text", lang, horizon=str(horizon_days), n=fmt_number(model.n_units, lang, 0),
                     rate=fmt_number(model.exit_rate, lang, 1), pp=fmt_number(model.estimate, lang, 1),
                     low=fmt_number(lo, lang, 1), high=fmt_number(hi, lang, 1))

    numbers: dict[str, float | str] = {}
    if model is not None:
        numbers = {"exit_pp_per_point": model.estimate, "exit_pp_per_point_se": model.std_error}
    return AnalysisResult("kykyviisari_change_exits", lambda lang: label("title.kykyviisari_change_exits", lang),
                          table, None, text, numbers, d.sources, d.synthetic,
                          {"horizon_days": str(horizon_days), "item": "work_ability"},
                          count_columns=("respondents", "exited"), disclosure=p)


__all__ = ["HORIZON_DAYS", "PROCESS_WORK_EXITS", "WORK_EXITS", "ChangeExitResults", "change_exit_model",
           "change_exit_panel",
           "change_exit_result", "change_exit_table"]
