"""The design battery: every effect design on one warehouse panel, side by side.

:func:`run_designs` builds the panel (:func:`kuva.effects.panel.build_panel`), fits the chosen
designs and returns an immutable :class:`Battery`: one tidy table with each design's main
estimate (the specification curve), the per-design results for plots, the synthetic control
of all pilot areas together and of each pilot area with placebo p-values, and the warnings
raised on the way (typed data warnings are collected in ``Battery.warnings`` and shown by
``summary()``, not re-raised). ``Battery.write(out_dir)`` writes the tables as CSV and the
figures as PNG (for the CLI).

Main estimate per design (``table``):

* ``did`` — TWFE ``y ~ treated | unit + month``, CRV1 by cluster (pilot area), t-interval; the
  notes give the wild cluster bootstrap (WCR, Webb) p-value and interval;
* ``did_placebo`` (with ``placebo=True``) — the same on the pre-period only with a fake start
  12 months before the real one (should be ≈ 0);
* ``event`` — the equally weighted mean of the post-period event-study coefficients
  (``0 … ≥ lags``), its SE from the coefficient covariance; notes give the pre-trend Wald test;
* ``cs`` — Callaway–Sant'Anna (never-treated comparison, improved DR), ``simple`` aggregation,
  analytic cluster SE;
* ``sa`` — Sun–Abraham ATT over post cells;
* ``synth`` — synthetic control of all chosen pilot areas summed into one unit (rate from the
  summed counts), mean post-period gap, in-space placebo p-value (no SE/CI);
* ``sdid`` — synthetic DiD, placebo SE (``sdid_reps`` draws).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from kuva.effects.panel import (
    Comparison,
    EffectsPanel,
    Outcome,
    build_panel,
)
from kuva.errors import KuvaDataWarning, KuvaInputError
from kuva.evaluate.contract import EffectResult
from kuva.evaluate.data import PanelData
from kuva.evaluate.options import validate_option
from kuva.evaluate.reporting import Summary, make_summary
from kuva.i18n import label
from kuva.registry.pilots import DEFAULT_PROGRAMME
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kuva.evaluate.did.results import DidResults, EventStudyResults
    from kuva.evaluate.synth.results import SyntheticControlResults

Design = Literal["did", "event", "cs", "sa", "synth", "sdid"]
DESIGNS: tuple[Design, ...] = get_args(Design)
BatteryUnit = Literal["area", "municipality"]

#: Months the in-time placebo start is moved back.
PLACEBO_SHIFT = 12
TABLE_COLUMNS = ("design", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_units", "n_treated",
                 "inference", "notes")

_COLOURS = {"main": "#0072B2", "placebo": "#999999", "truth": "#D55E00", "synthetic": "#E69F00"}


@dataclass(frozen=True)
class Battery:
    """Results of :func:`run_designs` (immutable).

    ``table``: the specification curve, one row per design (columns :data:`TABLE_COLUMNS`).
    ``results``: design → the estimator's results object. ``synth_by_area``: per pilot area,
    the synthetic-control mean post gap, pre-period RMSPE, placebo p-value and membership
    confidence. ``data``: the :class:`~kuva.effects.panel.EffectsPanel` used (the ``unit`` panel;
    the pooled one when only the pooled synthetic control ran, which needs no other).
    """

    table: pd.DataFrame
    results: Mapping[str, Any]
    synth_by_area: pd.DataFrame
    data: EffectsPanel
    parameters: Mapping[str, str]
    warnings: tuple[str, ...] = ()
    seconds: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", self.table.copy())
        object.__setattr__(self, "synth_by_area", self.synth_by_area.copy())
        object.__setattr__(self, "results", dict(self.results))
        object.__setattr__(self, "parameters", dict(self.parameters))
        object.__setattr__(self, "seconds", dict(self.seconds))

    # ------------------------------------------------------------------ access
    @property
    def synthetic(self) -> bool:
        """True if any value in the panel came from a synthetic source."""
        return self.data.synthetic

    @property
    def sources(self) -> tuple[str, ...]:
        return self.data.sources

    @property
    def outcome(self) -> str:
        return self.data.outcome

    @property
    def event(self) -> EventStudyResults | None:
        r: EventStudyResults | None = self.results.get("event")
        return r

    @property
    def synth_pooled(self) -> SyntheticControlResults | None:
        r: SyntheticControlResults | None = self.results.get("synth")
        return r

    def estimate(self, design: str) -> float:
        """The main estimate of a design (NaN if it was not run)."""
        rows = self.table[self.table["design"] == design]
        return float(rows["estimate"].iloc[0]) if len(rows) else float("nan")

    def tidy(self) -> pd.DataFrame:
        """The specification-curve table (a copy)."""
        return self.table.copy()

    def summary(self) -> Summary:
        d = self.data
        facts: list[tuple[str, object]] = [
            ("Outcome", d.outcome),
            ("Units", f"{d.unit_level}: {len(d.treated_units)} treated, {len(d.comparison_units)} comparison "
                      f"({d.comparison})"),
            ("Window", f"{d.start} … {d.end}, start {d.treat_start} ({d.programme})"),
            ("Data", "SYNTHETIC (" + ", ".join(d.sources) + ")" if d.synthetic else ", ".join(d.sources)),
        ]
        ev = self.event
        if ev is not None:
            p = ev.pretrend
            facts.append(("Pre-trend Wald", f"F({p.df}, {ev.dof}) = {p.f_statistic:.3f}, p = {p.p_value_f:.4f}"))
        if len(self.synth_by_area):
            sig = int((self.synth_by_area["p_value"] < 0.10).sum())
            facts.append(("Synthetic control by area", f"{sig} of {len(self.synth_by_area)} areas p < 0.10"))
        table = self.table.set_index("design")[["estimate", "std_error", "ci_low", "ci_high", "p_value",
                                                "n_units", "n_treated"]]
        notes = [f"{d}: {n}" for d, n in zip(self.table["design"], self.table["notes"], strict=True) if n]
        notes += list(d.notes) + [f"warning: {w}" for w in self.warnings]
        return make_summary("Effect estimates: specification curve", facts, table, notes)

    def __str__(self) -> str:
        return str(self.summary())

    # ---------------------------------------------------------------- figures
    def spec_curve_figure(self, lang: str = "en", *, reference: float | None = None) -> Figure:
        """Estimates with 95 % intervals, sorted (synthetic control without an interval).

        ``reference`` draws a line (e.g. the planted effect on synthetic data)."""
        from matplotlib.figure import Figure

        t = self.table.sort_values("estimate").reset_index(drop=True)
        fig = Figure(figsize=(8.0, 0.45 * len(t) + 1.6), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(t))
        for i, r in enumerate(t.itertuples()):
            col = _COLOURS["placebo"] if r.design == "did_placebo" else _COLOURS["main"]
            lo, hi, est = float(r.ci_low), float(r.ci_high), float(r.estimate)  # type: ignore[arg-type]
            if np.isfinite(lo) and np.isfinite(hi):
                ax.hlines(y[i], lo, hi, color=col, lw=2)
            ax.plot([est], [y[i]], "o", color=col, ms=6)
        ax.set_yticks(y, [label(f"design.{d}", lang) for d in t["design"]])
        ax.axvline(0.0, color="#777777", lw=0.8)
        if reference is not None and np.isfinite(reference):
            ax.axvline(reference, color=_COLOURS["truth"], lw=1.2, ls="--", label=label("planted", lang))
            ax.legend(loc="best", fontsize=8)
        ax.set_xlabel(f"{label('effect', lang)}, {label('unit.' + self.outcome, lang)}")
        return self._finish(fig, label("effects.spec_curve", lang), lang)

    def event_study_figure(self, lang: str = "en") -> Figure | None:
        """Event-study coefficients with 95 % intervals and the pre-trend test in the title."""
        ev = self.event
        if ev is None:
            return None
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8.0, 4.0), layout="constrained")
        ax = fig.subplots()
        ev.plot(ax=ax)
        ax.set_xlabel(label("event_time", lang))
        ax.set_ylabel(f"{label('effect', lang)}, {label('unit.' + self.outcome, lang)}")
        p = ev.pretrend
        title = f"{label('effects.event_study', lang)} (F = {p.f_statistic:.2f}, p = {p.p_value_f:.3f})"
        return self._finish(fig, title, lang)

    def synth_figure(self, lang: str = "en") -> Figure | None:
        """All pilot areas together against their synthetic comparison."""
        sc = self.synth_pooled
        if sc is None:
            return None
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8.0, 4.0), layout="constrained")
        ax = fig.subplots()
        x = np.arange(len(sc.paths))
        ax.plot(x, sc.paths["treated"], color="#D55E00", label=label("pilot_areas", lang))
        ax.plot(x, sc.paths["synthetic"], color="#0072B2", ls="--", label=label("synthetic_unit", lang))
        ax.axvline(sc.n_pre - 0.5, color="#777777", lw=0.8, ls=":")
        step = max(1, len(x) // 8)
        ax.set_xticks(x[::step], [str(p) for p in list(sc.paths["period"])[::step]])
        ax.set_ylabel(label("outcome." + self.outcome, lang))
        ax.legend(loc="best", fontsize=8)
        return self._finish(fig, label("effects.synth_paths", lang), lang)

    def _finish(self, fig: Figure, title: str, lang: str) -> Figure:
        """Title, source line and the SYNTHETIC label in the project's one figure style."""
        from kuva.analysis.style import finish

        return finish(fig, title, lang, synthetic=self.synthetic, source=", ".join(self.data.sources))

    # ------------------------------------------------------------------ output
    def write(self, out_dir: Path | str, *, lang: str = "en") -> tuple[Path, ...]:
        """Write the tables (CSV), figures (PNG) and the summary (text) to ``out_dir``.

        Files: ``specification_curve.csv``, ``synth_by_area.csv``, ``event_study.csv``,
        ``<design>.csv`` (each design's ``tidy()``), ``specification_curve.png``,
        ``event_study.png``, ``synthetic_control.png``, ``summary.txt``. File names carry a
        ``SYNTHETIC_`` prefix when the data are synthetic.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        pre = "SYNTHETIC_" if self.synthetic else ""
        written: list[Path] = []

        def csv(name: str, frame: pd.DataFrame) -> None:
            p = out / f"{pre}{name}.csv"
            frame.to_csv(p, index=False)
            written.append(p)

        csv("specification_curve", self.table)
        if len(self.synth_by_area):
            csv("synth_by_area", self.synth_by_area)
        for name, res in self.results.items():
            tidy = getattr(res, "tidy", None)
            if callable(tidy):
                csv(name, tidy())
        figs: list[tuple[str, Figure | None]] = [
            ("specification_curve", self.spec_curve_figure(lang)),
            ("event_study", self.event_study_figure(lang)),
            ("synthetic_control", self.synth_figure(lang)),
        ]
        for name, fig in figs:
            if fig is None:
                continue
            p = out / f"{pre}{name}.png"
            fig.savefig(p, dpi=150)
            written.append(p)
        p = out / f"{pre}summary.txt"
        p.write_text(str(self.summary()) + "\n", encoding="utf-8")
        written.append(p)
        return tuple(written)


# ------------------------------------------------------------------------ designs
def _row(design: str, r: EffectResult, n_treated: int, notes: str = "", *, alpha: float = 0.05,
         n_units: int | None = None) -> dict[str, object]:
    """One row of the specification curve, read through the results contract."""
    lo, hi = r.conf_int(alpha)
    units = r.n_units if n_units is None else n_units
    return {"design": design, "estimate": float(r.estimate), "std_error": float(r.std_error), "ci_low": float(lo),
            "ci_high": float(hi), "p_value": float(r.p_value), "n_units": int(units), "n_treated": int(n_treated),
            "inference": r.inference, "notes": notes}


def _n_treated(panel: PanelData) -> int:
    ut = panel.unit_table()
    return int(np.isfinite(ut["g"].to_numpy(dtype=float)).sum())


def _fit_did(panel: PanelData, *, bootstrap_reps: int, seed: np.random.Generator, name: str = "did"
             ) -> tuple[DidResults, dict[str, object]]:
    from kuva.evaluate.did import TwoWayFixedEffects

    r = TwoWayFixedEffects(panel).fit(bootstrap_reps=bootstrap_reps, bootstrap_weights="webb", seed=seed)
    note = f"CRV1, {r.n_clusters} clusters ({r.n_treated_clusters} treated)"
    if r.bootstrap is not None:
        b = r.bootstrap
        note += f"; WCR (Webb, B={bootstrap_reps}) p = {b.p_value:.3f}, CI [{b.ci_low:.3f}, {b.ci_high:.3f}]"
    return r, _row(name, r, _n_treated(panel), note)


def _fit_event(panel: PanelData, *, leads: int, lags: int) -> tuple[EventStudyResults, dict[str, object]]:
    from kuva.evaluate.did import EventStudy

    r = EventStudy(panel, leads=leads, lags=lags).fit()
    k = int((np.asarray(r.event_times) >= 0).sum())
    pt = r.pretrend
    note = (f"mean of {k} post coefficients (0 … ≥{lags}); pre-trend F({pt.df}, {r.dof}) = {pt.f_statistic:.2f}, "
            f"p = {pt.p_value_f:.3f}")
    return r, _row("event", r, _n_treated(panel), note, n_units=panel.n_units)


def _fit_cs(panel: PanelData) -> tuple[Any, dict[str, object]]:
    from kuva.evaluate.staggered import CallawaySantAnna

    res = CallawaySantAnna(panel, control_group="never_treated").fit(bootstrap_reps=0)
    return res, _row("cs", res, _n_treated(panel), "never-treated comparison, improved DR, simple aggregation")


def _fit_sa(panel: PanelData) -> tuple[Any, dict[str, object]]:
    from kuva.evaluate.staggered import SunAbraham

    r = SunAbraham(panel).fit()
    return r, _row("sa", r, _n_treated(panel), f"control cohort: {r.control}", n_units=panel.n_units)


def _fit_sdid(panel: PanelData, *, reps: int, seed: np.random.Generator) -> tuple[Any, dict[str, object]]:
    from kuva.evaluate.synthdid import SyntheticDiD

    r = SyntheticDiD(panel).fit(variance="placebo", reps=reps, seed=seed)
    return r, _row("sdid", r, len(r.treated_units), f"{int((np.asarray(r.omega) > 0).sum())} comparison units "
                   "with weight", n_units=panel.n_units)


def _synth_panel(frame: pd.DataFrame, outcome: str, treated: str, controls: Sequence[str]) -> PanelData:
    sub = frame[frame["unit"].isin([treated, *controls])]
    return PanelData(sub, unit="unit", time="period", outcome=outcome, treat_start="treat_start")


def _fit_synth(pooled: EffectsPanel, *, placebo: bool) -> tuple[SyntheticControlResults, dict[str, object]]:
    from kuva.evaluate.synth import SyntheticControl

    r = SyntheticControl(pooled.panel).fit(placebo=placebo, leave_one_out=False)
    row = _row("synth", r, 1, f"pre RMSPE {r.pre_rmspe:.3f}; {len(r.placebos)} placebos", n_units=pooled.panel.n_units)
    if not placebo:
        row.update(p_value=math.nan, inference="none")
    return r, row


def _synth_by_area(area_data: EffectsPanel, *, placebo: bool) -> pd.DataFrame:
    from kuva.evaluate.synth import SyntheticControl

    names = area_data.unit_names()
    conf = area_data.confidence()
    rows = []
    for u in area_data.treated_units:
        p = _synth_panel(area_data.frame, area_data.outcome, u, area_data.comparison_units)
        r = SyntheticControl(p).fit(placebo=placebo, leave_one_out=False)
        top = r.weights.sort_values(ascending=False).head(3)
        rows.append({"area": u, "area_name": names.get(u, u), "confidence": conf.get(u, ""),
                     "estimate": r.estimate, "pre_rmspe": r.pre_rmspe, "post_rmspe": r.post_rmspe,
                     "p_value": r.p_value if placebo else math.nan, "n_donors": len(r.weights),
                     "top_donors": ", ".join(f"{k} {v:.2f}" for k, v in top.items() if v > 0.005)})
    return pd.DataFrame(rows)


def _placebo_panel(data: EffectsPanel, shift: int) -> PanelData | None:
    """The pre-period only, with a fake start ``shift`` months before the real one."""
    g = data.treat_start
    fake = g - shift
    frame = data.frame[data.frame["period"] < g].copy()
    if (frame["period"] < fake).sum() == 0 or fake <= data.start:
        return None
    frame["treat_start"] = pd.PeriodIndex([fake if r == "treated" else pd.NaT for r in frame["role"]], freq="M")
    return PanelData(frame, unit="unit", time="period", outcome=data.outcome, treat_start="treat_start",
                     cluster="cluster")


def run_designs(
    wh: Warehouse,
    *,
    outcome: Outcome = "activation_rate",
    designs: Sequence[Design] = DESIGNS,
    unit: BatteryUnit = "area",
    areas: Sequence[str] | None = None,
    comparison: Comparison = "rest",
    start: date | str | None = None,
    end: date | str | None = None,
    seed: int = 2021,
    placebo: bool = True,
    programme: str = DEFAULT_PROGRAMME,
    treat_start: date | str | None = None,
    leads: int = 12,
    lags: int = 24,
    bootstrap_reps: int = 999,
    sdid_reps: int = 200,
    synth_by_area: bool = True,
    pilots_csv: Path | None = None,
    as_of: datetime | date | None = None,
) -> Battery:
    """Fit the chosen designs on the warehouse panel; see the module docstring.

    ``unit="area"`` (default) uses the pilot areas as aggregate units (25 for the 2021 pilots;
    ``areas`` picks some); ``"municipality"`` the member municipalities clustered by area. The
    synthetic controls always use area aggregates (and the pooled aggregate of all chosen
    areas). ``placebo=True`` adds the in-time placebo DiD and the synthetic controls' in-space
    placebo p-values. ``seed`` drives every random draw (bootstrap, SDID placebo).
    """
    chosen: list[Design] = []
    for d in designs:
        chosen.append(validate_option("design", d, Design))
    if not chosen:
        raise KuvaInputError(f"designs is empty; choose from {list(DESIGNS)}")
    validate_option("unit", unit, BatteryUnit)
    rng = np.random.default_rng(seed)
    seconds: dict[str, float] = {}
    rows: list[dict[str, object]] = []
    results: dict[str, Any] = {}
    common = {"outcome": outcome, "areas": areas, "comparison": comparison, "start": start, "end": end,
              "programme": programme, "treat_start": treat_start, "pilots_csv": pilots_csv, "as_of": as_of}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KuvaDataWarning)
        # pyfixest 0.60 calls DataFrame methods with inplace=True, deprecated in pandas 3.1; the
        # warning is about pyfixest's internals, so it is ignored here (only this message)
        warnings.filterwarnings("ignore", message=r"The inplace keyword in DataFrame\.\w+ is deprecated",
                                category=DeprecationWarning)
        t0 = time.perf_counter()
        # only the pooled synthetic control: its panel is the one built (the portal's pilot-area
        # page; building the unit panel too doubled its cost)
        synth_only = set(chosen) == {"synth"} and not synth_by_area
        data = build_panel(wh, unit="pooled" if synth_only else unit, **common)  # type: ignore[arg-type]
        seconds["panel"] = time.perf_counter() - t0
        panel = data.panel

        def timed(name: str, fn: Any) -> None:
            t = time.perf_counter()
            res, row = fn()
            results[name] = res
            rows.append(row)
            seconds[name] = time.perf_counter() - t

        if "did" in chosen:
            timed("did", lambda: _fit_did(panel, bootstrap_reps=bootstrap_reps, seed=rng))
            pp = _placebo_panel(data, PLACEBO_SHIFT) if placebo else None
            if pp is not None:
                timed("did_placebo", lambda: _fit_did(pp, bootstrap_reps=0, seed=rng, name="did_placebo"))
        if "event" in chosen:
            timed("event", lambda: _fit_event(panel, leads=leads, lags=lags))
        if "cs" in chosen:
            timed("cs", lambda: _fit_cs(panel))
        if "sa" in chosen:
            timed("sa", lambda: _fit_sa(panel))
        if "sdid" in chosen:
            timed("sdid", lambda: _fit_sdid(panel, reps=sdid_reps, seed=rng))
        by_area = pd.DataFrame(columns=["area", "area_name", "confidence", "estimate", "pre_rmspe", "post_rmspe",
                                        "p_value", "n_donors", "top_donors"])
        if "synth" in chosen:
            t = time.perf_counter()
            pooled = data if synth_only else build_panel(wh, unit="pooled", **common)  # type: ignore[arg-type]
            res, row = _fit_synth(pooled, placebo=placebo)
            results["synth"] = res
            rows.append(row)
            seconds["synth"] = time.perf_counter() - t
            if synth_by_area:
                t = time.perf_counter()
                area_data = data if unit == "area" else build_panel(wh, unit="area", **common)  # type: ignore[arg-type]
                by_area = _synth_by_area(area_data, placebo=placebo)
                seconds["synth_by_area"] = time.perf_counter() - t
    kept: list[str] = []
    for w in caught:
        if issubclass(w.category, KuvaDataWarning):
            msg = f"{w.category.__name__}: {w.message}"
            if msg not in kept:
                kept.append(msg)
        else:  # not ours: pass it on unchanged
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    order = {d: i for i, d in enumerate(("did", "did_placebo", "event", "cs", "sa", "synth", "sdid"))}
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    table = table.sort_values("design", key=lambda s: s.map(order)).reset_index(drop=True)
    params = {"outcome": outcome, "designs": ",".join(chosen), "unit": unit,
              "areas": "all" if areas is None else ",".join(areas), "comparison": comparison,
              "start": str(data.start), "end": str(data.end), "treat_start": str(data.treat_start),
              "programme": programme, "seed": str(seed), "placebo": str(placebo), "leads": str(leads),
              "lags": str(lags), "bootstrap_reps": str(bootstrap_reps), "sdid_reps": str(sdid_reps)}
    return Battery(table=table, results=results, synth_by_area=by_area, data=data, parameters=params,
                   warnings=tuple(kept), seconds=seconds)


#: The source whose loads carry the simulator's planted truth (kuva.simulate.SOURCE_IDS["panel"]).
SYNTHETIC_PANEL_SOURCE = "synthetic:panel"


def planted_gap(wh: Warehouse, *, start: date | str | pd.Period, end: date | str | pd.Period) -> float | None:
    """The simulator's planted pilot-minus-non-pilot activation gap (pp), averaged over the
    months ``start … end`` (the DiD estimand on synthetic data); None without a simulation."""
    from kuva.warehouse.truth import read_truth

    truth = read_truth(wh, SYNTHETIC_PANEL_SOURCE)
    if truth.empty:
        return None
    g = truth[truth["name"] == "activation_rate_gap_pp"].copy()
    per = pd.PeriodIndex(pd.to_datetime(g["period"]), freq="M")
    lo, hi = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    keep = (per >= lo) & (per <= hi)
    if not keep.any():
        return None
    return float(g.loc[keep, "value"].mean())


def evaluate_cli(
    wh: Warehouse,
    *,
    outcome: Outcome = "activation_rate",
    design: str = "all",
    areas: Sequence[str] | None = None,
    comparison: Comparison = "rest",
    unit: BatteryUnit = "area",
    start: date | str | None = None,
    end: date | str | None = None,
    seed: int = 2021,
    out_dir: Path | str | None = None,
    lang: str = "en",
    pilots_csv: Path | None = None,
) -> Battery:
    """What ``kuva evaluate`` calls: ``design`` is one of :data:`DESIGNS` or ``"all"`` (or a
    comma-separated list); with ``out_dir`` the battery is written there (:meth:`Battery.write`)."""
    names = list(DESIGNS) if design == "all" else [d.strip() for d in design.split(",") if d.strip()]
    allowed = [*DESIGNS, "all"]
    for d in names:
        if d not in DESIGNS:
            raise KuvaInputError(f"design must be one of {allowed} (or a comma-separated list); got {d!r}")
    battery = run_designs(wh, outcome=outcome, designs=names, unit=unit, areas=areas,  # type: ignore[arg-type]
                          comparison=comparison, start=start, end=end, seed=seed, pilots_csv=pilots_csv)
    if out_dir is not None:
        battery.write(out_dir, lang=lang)
    return battery
