"""The report's chapters and analyses, listed explicitly and in order.

:data:`ANALYSES` names every descriptive analysis of :mod:`kuva.analysis` the report shows, with
the call that passes it the report's parameters and what it needs from the warehouse.
:data:`CHAPTERS` is the one registry of chapters (:mod:`kuva.report.chapters`): the three
descriptive chapters, the Effects chapter (:mod:`kuva.report.effects_chapter`) and the Kykyviisari
chapter (:mod:`kuva.report.wellbeing_chapter`), the service-process and benchmark chapters
(:mod:`kuva.report.process_chapter`) and the person-level chapter
(:mod:`kuva.report.person_chapter`). To add an analysis or a chapter, add it here.

An analysis whose requirement is not met (e.g. municipal service counts, public in StatFin 12u4
but not bundled, in a warehouse with only the bundled StatFin tables) is named in its chapter's ``omitted`` list
with the reason, without being run. Any domain error of an analysis that runs fails the build
(:class:`~kuva.report.chapters.ReportChapterError` naming the chapter and the analysis).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kuva.analysis import (
    change_vs_nation,
    counterfactual_activation,
    largest_municipalities,
    monthly_paths,
    municipal_share_tmt,
    municipal_share_tmt_monthly,
    outcomes_after_services,
    pilot_vs_comparison,
    service_mix,
    services_yoy,
)
from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaError, KuvaInputError
from kuva.report.chapters import Chapter, ChapterBuilder, ChapterEntry, ReportChapterError, ReportParams, Requirement
from kuva.report.effects_chapter import effects_chapter
from kuva.report.person_chapter import person_chapter
from kuva.report.process_chapter import benchmark_chapter, process_chapter
from kuva.report.wellbeing_chapter import wellbeing_chapter

if TYPE_CHECKING:
    from kuva.warehouse import Warehouse


def _has_municipal_service_counts(wh: Warehouse) -> bool:
    """Whether any municipality has a count of persons in an activating service (StatFin 12u4
    fetched, a municipality's own file, or simulated)."""
    from kuva.indicators.codes import SERVICES
    from kuva.warehouse.query import latest_observations

    t = latest_observations(wh)
    hits = t.filter(t.measure.isin(list(SERVICES)) & t.area_code.startswith("KU") & t.value.notnull()).limit(1)
    return int(hits.count().execute()) > 0


SERVICE_COUNTS = Requirement("service_counts", _has_municipal_service_counts)


def _reference(p: ReportParams, i: int) -> date | None:
    """The first (0) or second (1) reference month of the report, if the reader set them."""
    return p.reference_months[i] if p.reference_months else None


def _given(**values: object) -> dict[str, Any]:
    """The report parameters the reader set (``None`` ones left out: the analysis' defaults apply)."""
    return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class Analysis:
    """An analysis of the report: its key, the call with the report's parameters, its needs."""

    key: str
    run: Callable[[Warehouse, ReportParams], AnalysisResult]
    needs: tuple[Requirement, ...] = ()


ANALYSES: tuple[Analysis, ...] = (
    Analysis("pilot_vs_comparison", lambda wh, p: pilot_vs_comparison(wh, pilots_csv=p.pilots_csv)),
    Analysis("monthly_paths", lambda wh, p: monthly_paths(
        wh, **_given(start=p.start, end=p.end), pilots_csv=p.pilots_csv, min_cell=p.min_cell)),
    Analysis("counterfactual_activation", lambda wh, p: counterfactual_activation(
        wh, **_given(month=_reference(p, 1)), pilots_csv=p.pilots_csv, min_cell=p.min_cell), needs=(SERVICE_COUNTS,)),
    Analysis("largest_municipalities", lambda wh, p: largest_municipalities(
        wh, **_given(month=_reference(p, 1)), pilots_csv=p.pilots_csv, min_cell=p.min_cell), needs=(SERVICE_COUNTS,)),
    Analysis("change_vs_nation", lambda wh, p: change_vs_nation(
        wh, **_given(start=_reference(p, 0) or p.start, end=_reference(p, 1) or p.end), pilots_csv=p.pilots_csv,
        min_cell=p.min_cell)),
    Analysis("service_mix", lambda wh, p: service_mix(
        wh, **_given(areas=p.areas, start=p.start, end=p.end), pilots_csv=p.pilots_csv, min_cell=p.min_cell)),
    Analysis("services_yoy", lambda wh, p: services_yoy(
        wh, **_given(start=p.start, end=p.end), pilots_csv=p.pilots_csv, min_cell=p.min_cell)),
    Analysis("outcomes_after_services", lambda wh, p: outcomes_after_services(
        wh, pilots_csv=p.pilots_csv, min_cell=p.min_cell)),
    Analysis("municipal_share_tmt", lambda wh, p: municipal_share_tmt(
        wh, **_given(end=p.end), pilots_csv=p.pilots_csv)),
    Analysis("municipal_share_tmt_monthly", lambda wh, p: municipal_share_tmt_monthly(
        wh, **_given(end=p.end), pilots_csv=p.pilots_csv)),
)
_BY_KEY = {a.key: a for a in ANALYSES}


def own_area_chapter(wh: Warehouse, params: ReportParams) -> Chapter | None:
    """``--area``: the area against its peers and the nation (unemployed and activation rate, and
    the service mix where service counts are stored), and the list of peers."""
    from kuva.analysis.own_area import own_area_paths, own_area_service_mix, peer_list
    from kuva.i18n import label

    area = params.area
    if area is None:
        return None
    try:
        results: tuple[AnalysisResult, ...] = (
            own_area_paths(wh, area, start=params.start, end=params.end, min_cell=params.min_cell), peer_list(area))
    except KuvaError as exc:
        raise ReportChapterError(f"report chapter 'own_area' failed: {exc}") from exc
    omitted: tuple[tuple[str, str], ...] = ()
    if not SERVICE_COUNTS.met(wh):
        omitted = (("own_area_service_mix", SERVICE_COUNTS.reason(params.lang)),)
    else:
        try:
            results = (results[0], own_area_service_mix(wh, area, end=params.end, min_cell=params.min_cell),
                       results[1])
        except KuvaInputError as exc:  # the area's members have no service counts
            omitted = (("own_area_service_mix", str(exc)),)
    return Chapter("own_area", lambda lang: f"{label('report.chapter.own_area', lang)}: {area.name(lang)}",
                   lambda lang: label("report.chapter.own_area.intro", lang), results, omitted)


def analyses_chapter(key: str, analyses: tuple[str, ...]) -> ChapterBuilder:
    """A chapter builder running the listed analyses in order."""
    chosen = tuple(_BY_KEY[k] for k in analyses)

    def build(wh: Warehouse, params: ReportParams) -> Chapter:
        results: list[AnalysisResult] = []
        omitted: list[tuple[str, str]] = []
        for a in chosen:
            missing = [r for r in a.needs if not r.met(wh)]
            if missing:
                omitted.append((a.key, "; ".join(r.reason(params.lang) for r in missing)))
                continue
            try:
                results.append(a.run(wh, params))
            except KuvaError as exc:
                raise ReportChapterError(f"report chapter {key!r}, analysis {a.key!r} failed: {exc}") from exc
        return Chapter.from_labels(key, results, omitted=omitted)

    return build


#: The chapters of the report, in order (the one registry).
CHAPTERS: tuple[ChapterEntry, ...] = (
    ChapterEntry("own_area", 5, own_area_chapter),
    ChapterEntry("situation", 10, analyses_chapter(
        "situation", ("pilot_vs_comparison", "monthly_paths", "counterfactual_activation"))),
    ChapterEntry("comparisons", 20, analyses_chapter(
        "comparisons", ("largest_municipalities", "change_vs_nation", "service_mix"))),
    ChapterEntry("indicators", 30, analyses_chapter(
        "indicators", ("services_yoy", "outcomes_after_services", "municipal_share_tmt",
                       "municipal_share_tmt_monthly"))),
    ChapterEntry("effects", 40, effects_chapter, needs=(SERVICE_COUNTS,)),
    ChapterEntry("wellbeing", 50, wellbeing_chapter, label_key="chapter"),
    ChapterEntry("process", 60, process_chapter),
    ChapterEntry("person", 65, person_chapter),
    ChapterEntry("benchmark", 70, benchmark_chapter, needs=(SERVICE_COUNTS,)),
)
