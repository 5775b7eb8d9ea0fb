"""The built-in chapters: the descriptive analyses of :mod:`kuva.analysis`.

Registered on import (see :data:`kuva.report.chapters.CHAPTER_MODULES`). Every module of
``kuva.analysis`` that defines ``KEY`` (or ``KEY_<X>`` constants) and a function of the same name,
``f(wh, *, start=..., end=..., min_cell=..., [areas=...]) -> AnalysisResult``, is an analysis.
:data:`CHAPTER_ANALYSES` places the known keys in chapters; an analysis not listed there goes to
the last built-in chapter, so a new analysis shows up without editing this file.

An analysis that cannot run on the warehouse at hand (a :class:`~kuva.errors.KuvaError`, e.g.
no municipal service counts in a warehouse with only the bundled national tables) is left out
and named in its chapter's ``omitted`` list with the reason; the report says so.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaError
from kuva.report.chapters import Chapter, ReportParams, register_chapter

if TYPE_CHECKING:
    from kuva.warehouse import Warehouse

#: chapter key -> analysis keys in order
CHAPTER_ANALYSES: dict[str, tuple[str, ...]] = {
    "situation": ("pilot_vs_comparison", "monthly_paths", "counterfactual_activation"),
    "comparisons": ("largest_municipalities", "change_vs_nation", "service_mix"),
    "indicators": ("services_yoy", "outcomes_after_services", "municipal_share_tmt", "seminar_indicators"),
}
CHAPTER_ORDER: dict[str, int] = {"situation": 10, "comparisons": 20, "indicators": 30}

AnalysisFn = Callable[..., AnalysisResult]


def discover_analyses() -> dict[str, AnalysisFn]:
    """Every analysis function in :mod:`kuva.analysis`, by key."""
    import kuva.analysis as pkg

    found: dict[str, AnalysisFn] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in ("result", "style", "inputs"):
            continue
        mod = importlib.import_module(f"kuva.analysis.{info.name}")
        for attr in dir(mod):
            key = getattr(mod, attr) if attr == "KEY" or attr.startswith("KEY_") else None
            fn = getattr(mod, key, None) if isinstance(key, str) else None
            if isinstance(key, str) and callable(fn):
                found[key] = fn
    return found


def chapter_of(key: str) -> str:
    for chapter, keys in CHAPTER_ANALYSES.items():
        if key in keys:
            return chapter
    return list(CHAPTER_ANALYSES)[-1]


def call_analysis(fn: AnalysisFn, wh: Warehouse, params: ReportParams) -> AnalysisResult:
    """Call ``fn`` with the report parameters it accepts."""
    accepted = inspect.signature(fn).parameters
    kwargs: dict[str, Any] = {}
    if params.start is not None and "start" in accepted:
        kwargs["start"] = params.start
    if params.end is not None and "end" in accepted:
        kwargs["end"] = params.end
    if "min_cell" in accepted:
        kwargs["min_cell"] = params.min_cell
    if params.areas is not None and "areas" in accepted:
        kwargs["areas"] = list(params.areas)
    return fn(wh, **kwargs)


def _builder(chapter: str) -> Callable[[Warehouse, ReportParams], Chapter | None]:
    def build(wh: Warehouse, params: ReportParams) -> Chapter | None:
        analyses = discover_analyses()
        listed = [k for k in CHAPTER_ANALYSES[chapter] if k in analyses]
        extra = sorted(k for k in analyses if chapter_of(k) == chapter and k not in listed)
        keys = listed + extra
        if not keys:
            return None
        results: list[AnalysisResult] = []
        omitted: list[tuple[str, str]] = []
        for key in keys:
            try:
                results.append(call_analysis(analyses[key], wh, params))
            except KuvaError as exc:
                omitted.append((key, str(exc)))
        base = Chapter.from_labels(chapter, results)
        return Chapter(key=base.key, title=base.title, intro=base.intro, results=base.results,
                       omitted=tuple(omitted))

    build.__qualname__ = f"builtin_chapter_{chapter}"
    return build


for _chapter in CHAPTER_ANALYSES:
    register_chapter(_chapter, _builder(_chapter), order=CHAPTER_ORDER[_chapter])
