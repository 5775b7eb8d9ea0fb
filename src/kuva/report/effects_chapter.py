"""The report's "Effects" chapter (Vaikutukset / Effekter / Effects).

Listed as chapter ``effects`` (order 40) in :data:`kuva.report.builtin.CHAPTERS`. The chapter runs
:func:`kuva.effects.battery.run_designs` on the activation rate (pilot areas against the
non-pilot mainland municipalities, 2018-01 … 2023-12) and shows the specification curve, the
event study with its pre-trend test, the synthetic DiD and synthetic-control summaries and
plain-language caveats per design. When the warehouse has no municipal service counts (e.g.
only the bundled national tables) the registry keeps the chapter with the reason in ``omitted``
without running it; any other domain error fails the report build, naming the chapter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva.analysis.result import AnalysisResult
from kuva.effects.battery import Battery, planted_gap, run_designs
from kuva.effects.panel import Outcome
from kuva.errors import KuvaError, KuvaInputError
from kuva.i18n import fmt_number, label
from kuva.report.chapters import Chapter, ReportParams

if TYPE_CHECKING:
    from pathlib import Path

    from matplotlib.figure import Figure

    from kuva.analysis.own_area import OwnArea
    from kuva.warehouse import Warehouse

KEY = "effects"
ORDER = 40
CHAPTER_OUTCOME: Outcome = "activation_rate"
_DESIGN_ORDER = ("did", "event", "cs", "sa", "synth", "sdid")
#: a pilot area's synthetic control (:func:`pilot_area_synth`) starts no earlier than this and
#: needs this many months before the pilots' start to fit its comparison
SYNTH_FIRST_MONTH = date(2018, 1, 1)
MIN_PRE_MONTHS = 12


def _n(value: float, lang: str, decimals: int = 2) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return fmt_number(float(value), lang, decimals)


def _titled(key: str) -> Callable[[str], str]:
    return lambda lang: label(key, lang)


def _spec_result(b: Battery, reference: float | None, params: dict[str, str]) -> AnalysisResult:
    t = b.table
    table = t[["design", "estimate", "std_error", "ci_low", "ci_high", "p_value", "n_units", "n_treated"]].copy()
    unit_key = f"unit.{b.outcome}"
    main = t[t["design"] != "did_placebo"]
    did = t[t["design"] == "did"]
    numbers: dict[str, float | str] = {
        "low": float(main["estimate"].min()), "high": float(main["estimate"].max()),
    }
    for d, est in zip(t["design"], t["estimate"].to_numpy(dtype=float), strict=True):
        numbers[f"{d}_estimate"] = float(est)
    if reference is not None:
        numbers["planted"] = reference

    # the headline interval is the robust one: the wild cluster bootstrap (few treated clusters
    # make CRV1 intervals too narrow), CRV1 only when no bootstrap was run
    did_fit = b.results.get("did")  # a DidResults when the DiD design ran
    boot = did_fit.bootstrap if did_fit is not None else None
    d = did.iloc[0] if len(did) else None
    did_low = boot.ci_low if boot is not None else (d["ci_low"] if d is not None else np.nan)
    did_high = boot.ci_high if boot is not None else (d["ci_high"] if d is not None else np.nan)
    numbers.update(did_ci_low=float(did_low), did_ci_high=float(did_high),
                   did_interval="wild_cluster_bootstrap" if boot is not None else "crv1")

    def text(lang: str) -> str:
        key = "effects.spec_curve.text" if boot is not None else "effects.spec_curve.text_crv1"
        return label(key, lang).format(
            low=_n(float(numbers["low"]), lang), high=_n(float(numbers["high"]), lang),
            unit=label(unit_key, lang),
            did=_n(d["estimate"] if d is not None else np.nan, lang),
            did_low=_n(float(did_low), lang), did_high=_n(float(did_high), lang))

    def figure(lang: str) -> Figure:
        return b.spec_curve_figure(lang, reference=reference)

    # n_units / n_treated count municipalities or areas, not persons: no person-count column
    return AnalysisResult(key="effects_specification_curve", title=_titled("effects.spec_curve"), table=table,
                          figure=figure, text=text, numbers=numbers, sources=b.sources, synthetic=b.synthetic,
                          parameters=params, count_columns=())


def _event_result(b: Battery, params: dict[str, str]) -> AnalysisResult | None:
    ev = b.event
    if ev is None:
        return None
    table = ev.coefficients_frame()[["event_time", "estimate", "std_error", "ci_low", "ci_high", "p_value"]]
    p = ev.pretrend
    numbers: dict[str, float | str] = {"pretrend_f": p.f_statistic, "pretrend_p": p.p_value_f,
                                       "pretrend_df": float(p.df)}

    def text(lang: str) -> str:
        verdict = label("effects.pretrend_ok" if p.p_value_f >= 0.05 else "effects.pretrend_bad", lang)
        return label("effects.event_study.text", lang).format(
            f=_n(p.f_statistic, lang), p=_n(p.p_value_f, lang, 3), verdict=verdict)

    def figure(lang: str) -> Figure:
        fig = b.event_study_figure(lang)
        if fig is None:  # pragma: no cover - ev is not None, checked above
            raise KuvaError("no event study to plot")
        return fig

    # estimates per event time: no person-count column
    return AnalysisResult(key="effects_event_study", title=_titled("effects.event_study"), table=table,
                          figure=figure, text=text, numbers=numbers, sources=b.sources, synthetic=b.synthetic,
                          parameters=params, count_columns=())


def _synth_result(b: Battery, params: dict[str, str]) -> AnalysisResult | None:
    if b.synth_pooled is None and "sdid" not in set(b.table["design"]):
        return None
    by_area = b.synth_by_area
    table = by_area[["area_name", "confidence", "estimate", "pre_rmspe", "p_value"]].rename(
        columns={"area_name": "area"}) if len(by_area) else pd.DataFrame(columns=["area", "estimate"])
    def row(design: str, cols: tuple[str, ...]) -> dict[str, float] | None:
        rows = b.table[b.table["design"] == design]
        return {c: float(rows[c].to_numpy(dtype=float)[0]) for c in cols} if len(rows) else None

    sd = row("sdid", ("estimate", "ci_low", "ci_high"))
    sc = row("synth", ("estimate", "p_value"))
    n_sig = int((by_area["p_value"] < 0.10).sum()) if len(by_area) else 0
    numbers: dict[str, float | str] = {"n_areas": float(len(by_area)), "n_sig": float(n_sig)}
    if sd is not None:
        numbers.update(sdid=sd["estimate"], sdid_low=sd["ci_low"], sdid_high=sd["ci_high"])
    if sc is not None:
        numbers.update(sc=sc["estimate"], sc_p=sc["p_value"])
    unit_key = f"unit.{b.outcome}"

    def text(lang: str) -> str:
        def g(k: str, dec: int = 2) -> str:
            v = numbers.get(k)
            return _n(float(v), lang, dec) if isinstance(v, float) else "–"

        return label("effects.sdid.text", lang).format(
            sdid=g("sdid"), sdid_low=g("sdid_low"), sdid_high=g("sdid_high"), sc=g("sc"), sc_p=g("sc_p", 3),
            n_sig=n_sig, n_areas=len(by_area), unit=label(unit_key, lang))

    figure = (lambda lang: b.synth_figure(lang)) if b.synth_pooled is not None else None
    # estimates per area: no person-count column
    return AnalysisResult(key="effects_synthetic", title=_titled("effects.sdid"), table=table,
                          figure=figure,  # type: ignore[arg-type]
                          text=text, numbers=numbers, sources=b.sources, synthetic=b.synthetic, parameters=params,
                          count_columns=())


def _caveat_result(b: Battery, reference: float | None, params: dict[str, str]) -> AnalysisResult:
    conf = b.data.confidence()
    counts = pd.Series(list(conf.values()), dtype=object).value_counts()
    table = pd.DataFrame({"confidence": counts.index.astype(str), "n_areas": counts.to_numpy(dtype=int)})
    n_uncertain = sum(1 for c in conf.values() if c != "confirmed")
    designs = [d for d in _DESIGN_ORDER if d in set(b.table["design"])]
    unit_key = f"unit.{b.outcome}"

    def text(lang: str) -> str:
        parts = [f"{label('design.' + d, lang)}: {label('effects.caveat.' + d, lang)}"
                 for d in designs]
        parts.append(label("effects.caveat.membership", lang).format(n_uncertain=n_uncertain,
                                                                             n_areas=len(conf)))
        if b.synthetic:
            if reference is not None:
                parts.append(label("effects.caveat.synthetic", lang).format(
                    planted=_n(reference, lang), unit=label(unit_key, lang)))
            else:
                parts.append(label("effects.caveat.synthetic_nounit", lang))
        return "\n\n".join(parts)

    numbers: dict[str, float | str] = {"n_uncertain_areas": float(n_uncertain)}
    # n_areas counts areas by membership confidence, not persons
    return AnalysisResult(key="effects_caveats", title=_titled("effects.caveats"), table=table, figure=None,
                          text=text, numbers=numbers, sources=b.sources, synthetic=b.synthetic, parameters=params,
                          count_columns=())


def pilot_area_synth(wh: Warehouse, area: OwnArea, *, pilots_csv: Path | None = None,
                     end: date | None = None) -> AnalysisResult:
    """One pilot area's synthetic control on the activation rate (the chapter's design for that
    area alone, with in-space placebos over the comparison municipalities): the area against its
    synthetic comparison from the pilots' start, the average gap, the placebo p-value and the
    pre-period fit. Area aggregates of public or synthetic panels: no person counts. From the
    first month with municipal service counts (2018-01 at the earliest); refused with fewer than
    :data:`MIN_PRE_MONTHS` months before the pilots' start."""
    from kuva.indicators.codes import SERVICES
    from kuva.indicators.groups import PILOT_START
    from kuva.warehouse.query import latest_observations

    t = latest_observations(wh)
    first = t.filter(t.measure.isin(list(SERVICES)) & t.area_code.startswith("KU") & t.value.notnull()).period.min()
    start = max(pd.Timestamp(first.to_pandas()).date().replace(day=1), SYNTH_FIRST_MONTH)
    pre = (PILOT_START.year - start.year) * 12 + PILOT_START.month - start.month
    if pre < MIN_PRE_MONTHS:
        raise KuvaInputError(f"{pre} months of municipal service counts before the pilots' start: a synthetic "
                             f"control needs at least {MIN_PRE_MONTHS}")
    b = run_designs(wh, outcome=CHAPTER_OUTCOME, designs=("synth",), areas=[area.code], synth_by_area=False,
                    placebo=True, pilots_csv=pilots_csv, start=start, end=end)
    r = b.synth_pooled
    if r is None:
        raise KuvaError(f"no synthetic control for {area.code}")
    table = pd.DataFrame({"area": [area.code], "estimate": [r.estimate], "pre_rmspe": [r.pre_rmspe],
                          "post_rmspe": [r.post_rmspe], "p_value": [r.p_value]})
    numbers: dict[str, float | str] = {"estimate": float(r.estimate), "p_value": float(r.p_value),
                                       "pre_rmspe": float(r.pre_rmspe)}

    def text(lang: str) -> str:
        return label("effects.area_synth.text", lang, area=area.name(lang), sc=_n(r.estimate, lang),
                     p=_n(r.p_value, lang, 3), rmspe=_n(r.pre_rmspe, lang), unit=label(f"unit.{b.outcome}", lang))

    return AnalysisResult(key="effects_area_synthetic", title=_titled("effects.area_synth"), table=table,
                          figure=lambda lang: b.synth_figure(lang),  # type: ignore[arg-type, return-value]
                          text=text, numbers=numbers, sources=b.sources, synthetic=b.synthetic,
                          parameters={**b.parameters, "area": area.code}, count_columns=())


def effects_results(b: Battery, reference: float | None = None) -> tuple[AnalysisResult, ...]:
    """The chapter's analyses from a battery (``reference``: the planted effect, if synthetic)."""
    params = dict(b.parameters)
    out: list[AnalysisResult] = [_spec_result(b, reference, params)]
    for r in (_event_result(b, params), _synth_result(b, params)):
        if r is not None:
            out.append(r)
    out.append(_caveat_result(b, reference, params))
    return tuple(out)


def effects_chapter(wh: Warehouse, params: ReportParams) -> Chapter | None:
    """Build the "Effects" chapter (the report's chapter builder)."""
    def title(lang: str) -> str:
        return label("report.chapter.effects", lang)

    def intro(lang: str) -> str:
        return label("report.chapter.effects.intro", lang)

    battery = run_designs(wh, outcome=CHAPTER_OUTCOME, pilots_csv=params.pilots_csv, end=params.end)
    reference = planted_gap(wh, start=battery.data.treat_start, end=battery.data.end) if battery.synthetic else None
    return Chapter(key=KEY, title=title, intro=intro, results=effects_results(battery, reference))

