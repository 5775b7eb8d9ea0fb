"""Report chapters and the ONE explicit registry of them.

A chapter is a title, a short introduction and a list of :class:`AnalysisResult`. The built-in
chapters and the analyses in them are listed, in report order, in
:data:`kuva.report.builtin.CHAPTERS`: no module scanning, no signature introspection, no
probing of names. Each entry names its builder, ``builder(wh, params) -> Chapter | None``
(``None``: the chapter does not apply, e.g. no Kykyviisari answers), and what it needs from the
warehouse (:class:`Requirement`); when that is missing the chapter is shown as omitted with the
reason, without running it.

A :class:`~kuva.errors.KuvaError` raised while a chapter is built is a failure, not an omission:
the build stops with :class:`ReportChapterError` naming the chapter (and the analysis).

Chapters added at run time (tests, a deployment's own chapter) go through
:func:`register_chapter` and are placed by ``order`` among the built-ins (10, 20, 30, 40, 50).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaError, KuvaInputError, KuvaLookupError
from kuva.i18n import Lang, has_label, label

if TYPE_CHECKING:
    from kuva.analysis.own_area import OwnArea
    from kuva.warehouse import Warehouse


class ReportChapterError(KuvaError, RuntimeError):
    """A chapter (or an analysis in it) failed; the message names the chapter and the cause."""


@dataclass(frozen=True)
class ReportParams:
    """What the reader asked for; every chapter builder receives it."""

    lang: Lang
    start: date | None = None
    end: date | None = None
    areas: tuple[str, ...] | None = None
    min_cell: int = 5
    pilots_csv: Path | None = None  #: the pilot list of the settings (``KUVA_PILOTS_CSV``)
    area: OwnArea | None = None  #: ``--area``: the report is made for this area (its chapter comes first)
    #: ``--reference-month`` twice: the months compared (the seed's 10/2019 and 10/2021)
    reference_months: tuple[date, date] | None = None
    #: ``--engine``: where the service-process measures and the benchmark read — the warehouse's
    #: tables on Spark or PostgreSQL (:class:`kuva.warehouse.engines.EngineWarehouse`); None: the file
    measures: Any = field(default=None, compare=False, repr=False)

    def measures_from(self, wh: Warehouse) -> Any:
        """The warehouse the process and benchmark chapters read their measures from."""
        return wh if self.measures is None else self.measures


@dataclass(frozen=True)
class Chapter:
    """One chapter: a title and an introduction per language, and its analyses in order."""

    key: str
    title: Callable[[str], str]
    intro: Callable[[str], str] = field(default=lambda lang: "")
    results: tuple[AnalysisResult, ...] = ()
    omitted: tuple[tuple[str, str], ...] = ()  #: analyses left out: (key, reason)

    @staticmethod
    def from_labels(key: str, results: Sequence[AnalysisResult], label_key: str | None = None,
                    omitted: Sequence[tuple[str, str]] = ()) -> Chapter:
        """A chapter whose title and intro are the labels ``<label_key>`` and ``<label_key>.intro``."""
        lk = label_key or f"report.chapter.{key}"
        intro_key = f"{lk}.intro"

        def intro(lang: str) -> str:
            return label(intro_key, lang) if has_label(intro_key) else ""

        return Chapter(key=key, title=lambda lang: label(lk, lang), intro=intro, results=tuple(results),
                       omitted=tuple(omitted))


ChapterBuilder = Callable[["Warehouse", ReportParams], Chapter | None]


@dataclass(frozen=True)
class Requirement:
    """Something a chapter or an analysis needs from the warehouse, checked before it runs."""

    key: str  #: label ``report.requires.<key>`` says, in the report's language, what is missing
    met: Callable[[Warehouse], bool]

    def reason(self, lang: str) -> str:
        return label(f"report.requires.{self.key}", lang)


@dataclass(frozen=True)
class ChapterEntry:
    """A chapter of the registry: key, place, builder and what it needs."""

    key: str
    order: int
    builder: ChapterBuilder
    needs: tuple[Requirement, ...] = ()
    label_key: str | None = None  #: title label when omitted (default ``report.chapter.<key>``)


_REGISTERED: dict[str, ChapterEntry] = {}


def _builtin() -> tuple[ChapterEntry, ...]:
    from kuva.report.builtin import CHAPTERS

    return CHAPTERS


def register_chapter(key: str, builder: ChapterBuilder, *, order: int = 100, replace: bool = False) -> None:
    """Add a chapter at run time under ``key``; ``order`` places it among the built-ins.

    A key already in use (built-in or registered) is an error unless ``replace=True``.
    """
    if not key or not key.replace("_", "").replace("-", "").isalnum():
        raise KuvaInputError(f"chapter key must be letters, digits, '_' or '-', got {key!r}")
    if not replace and (key in _REGISTERED or any(e.key == key for e in _builtin())):
        raise KuvaInputError(f"chapter {key!r} is already registered; pass replace=True")
    _REGISTERED[key] = ChapterEntry(key, order, builder)


def unregister_chapter(key: str) -> None:
    """Remove a chapter added with :func:`register_chapter`."""
    if key not in _REGISTERED:
        raise KuvaLookupError(f"no registered chapter {key!r}; registered: {sorted(_REGISTERED)}")
    del _REGISTERED[key]


def registered_chapters() -> list[ChapterEntry]:
    """Every chapter, built-in and registered (a registered one replaces a built-in of its key), in
    report order."""
    entries = {e.key: e for e in _builtin()} | _REGISTERED
    return sorted(entries.values(), key=lambda e: (e.order, e.key))


def chapter_keys() -> list[str]:
    """The keys of every chapter, in report order."""
    return [e.key for e in registered_chapters()]


def build_chapter(entry: ChapterEntry, wh: Warehouse, params: ReportParams) -> Chapter | None:
    """Build one chapter: omitted with the reason when a requirement is not met; a domain error
    while building becomes :class:`ReportChapterError` naming the chapter."""
    missing = [r for r in entry.needs if not r.met(wh)]
    if missing:
        reason = "; ".join(r.reason(params.lang) for r in missing)
        return Chapter.from_labels(entry.key, (), entry.label_key, omitted=((entry.key, reason),))
    try:
        return entry.builder(wh, params)
    except ReportChapterError:
        raise
    except KuvaError as exc:
        raise ReportChapterError(f"report chapter {entry.key!r} failed: {exc}") from exc


def resolve_chapters(
    wh: Warehouse, params: ReportParams, chapters: Sequence[Chapter | str] | None,
    on_stage: Callable[[str], None] | None = None,
) -> list[Chapter]:
    """The chapters to render: every chapter (``None``) or the given keys/objects; ``on_stage``
    hears the key of each chapter before it is built."""
    entries = {e.key: e for e in registered_chapters()}
    wanted: Sequence[Chapter | str] = list(entries) if chapters is None else chapters
    out: list[Chapter] = []
    for item in wanted:
        if isinstance(item, Chapter):
            out.append(item)
            continue
        entry = entries.get(item)
        if entry is None:
            raise KuvaLookupError(f"no report chapter {item!r}; chapters: {list(entries)}")
        if on_stage is not None:
            on_stage(f"chapter {item}")
        built = build_chapter(entry, wh, params)
        if built is not None:
            out.append(built)
    return out
