"""The Kykyviisari chapter of the report (from :mod:`kuva.wellbeing`), listed in
:data:`kuva.report.builtin.CHAPTERS`."""

from __future__ import annotations

from collections.abc import Sequence

from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaLookupError
from kuva.i18n import label
from kuva.report.chapters import Chapter, ReportParams
from kuva.warehouse import Warehouse
from kuva.wellbeing.analyses import wellbeing_summary
from kuva.wellbeing.data import wellbeing_data
from kuva.wellbeing.exits import change_exit_result

CHAPTER_KEY = "wellbeing"
CHAPTER_ORDER = 50


def wellbeing_results(
    wh: Warehouse, areas: Sequence[str] | None = None, min_cell: int | None = None
) -> list[AnalysisResult]:
    """The chapter's analyses; an empty list when the warehouse has no Kykyviisari answers."""
    if len(wellbeing_data(wh).answers) == 0:
        return []
    return wellbeing_summary(wh, areas=areas, min_cell=min_cell)


def wellbeing_chapter(wh: Warehouse, params: ReportParams) -> Chapter | None:
    """Report chapter builder (``builder(wh, params) -> Chapter | None``)."""
    if len(wellbeing_data(wh).answers) == 0:
        return None
    results = wellbeing_summary(wh, areas=params.areas, min_cell=params.min_cell, start=params.start,
                                end=params.end)
    omitted: tuple[tuple[str, str], ...] = ()
    try:  # the answers linked to the respondents' later exits in their service paths
        results.append(change_exit_result(wh, min_cell=params.min_cell))
    except KuvaLookupError as exc:
        omitted = (("kykyviisari_change_exits", str(exc)),)
    return Chapter(key=CHAPTER_KEY, title=lambda lang: label("chapter", lang),
                   intro=lambda lang: label("chapter.intro", lang), results=tuple(results), omitted=omitted)

