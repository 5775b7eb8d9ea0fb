"""Report chapters and the registry through which any package contributes one.

A chapter is a title, a short introduction and a list of :class:`AnalysisResult`. A package
contributes a chapter by registering a *builder*, a function ``builder(wh, params) -> Chapter``
(or ``None`` to leave the chapter out, e.g. when the warehouse lacks its data)::

    from kuva.report.chapters import Chapter, register_chapter

    def effects_chapter(wh, params):
        return Chapter(key="effects", title=..., intro=..., results=(...))

    register_chapter("effects", effects_chapter, order=40)

Chapters appear in ascending ``order`` (ties by key). Registration happens when the
contributing module is imported; :func:`registered_chapters` also imports every module named
in the ``kuva.report_chapters`` entry-point group and the modules listed in
:data:`CHAPTER_MODULES` (the session owner's explicit list of in-tree contributors), so no code
here needs editing when a chapter is added.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.i18n import Lang, has_label, label

if TYPE_CHECKING:
    from kuva.warehouse import Warehouse

#: In-tree modules that register chapters when imported (extend this list to add one; a module
#: that does not exist yet is skipped, so the list may name chapters still being written).
CHAPTER_MODULES: list[str] = [
    "kuva.report.builtin",
    "kuva.report.effects_chapter",  # the Effects chapter (kuva.evaluate)
    "kuva.report.wellbeing_chapter",  # the Kykyviisari chapter (kuva.wellbeing)
]

ENTRY_POINT_GROUP = "kuva.report_chapters"


@dataclass(frozen=True)
class ReportParams:
    """What the reader asked for; every chapter builder receives it."""

    lang: Lang
    start: date | None = None
    end: date | None = None
    areas: tuple[str, ...] | None = None
    min_cell: int = 5


@dataclass(frozen=True)
class Chapter:
    """One chapter: a title and an introduction per language, and its analyses in order."""

    key: str
    title: Callable[[str], str]
    intro: Callable[[str], str] = field(default=lambda lang: "")
    results: tuple[AnalysisResult, ...] = ()
    omitted: tuple[tuple[str, str], ...] = ()  #: analyses left out: (key, reason)

    @staticmethod
    def from_labels(key: str, results: Sequence[AnalysisResult], label_key: str | None = None) -> Chapter:
        """A chapter whose title and intro are the labels ``<label_key>`` and ``<label_key>.intro``."""
        lk = label_key or f"report.chapter.{key}"
        intro_key = f"{lk}.intro"

        def intro(lang: str) -> str:
            return label(intro_key, lang) if has_label(intro_key) else ""

        return Chapter(key=key, title=lambda lang: label(lk, lang), intro=intro, results=tuple(results))


ChapterBuilder = Callable[["Warehouse", ReportParams], Chapter | None]


@dataclass(frozen=True)
class _Entry:
    key: str
    builder: ChapterBuilder
    order: int


_REGISTRY: dict[str, _Entry] = {}
_discovered = False


def register_chapter(key: str, builder: ChapterBuilder, *, order: int = 100, replace: bool = False) -> None:
    """Add a chapter builder under ``key``; ``order`` places it (built-ins use 10-30).

    Registering a key twice is an error unless ``replace=True`` (re-importing the same module
    with the same function is allowed).
    """
    if not key or not key.replace("_", "").replace("-", "").isalnum():
        raise KuvaInputError(f"chapter key must be letters, digits, '_' or '-', got {key!r}")
    old = _REGISTRY.get(key)
    same = old is not None and getattr(old.builder, "__qualname__", None) == getattr(builder, "__qualname__", None) \
        and getattr(old.builder, "__module__", None) == getattr(builder, "__module__", None)
    if old is not None and not replace and not same:
        raise KuvaInputError(f"chapter {key!r} is already registered by {old.builder!r}; pass replace=True")
    _REGISTRY[key] = _Entry(key, builder, order)


def unregister_chapter(key: str) -> None:
    """Remove a registered chapter (tests, or a deployment that hides one)."""
    if key not in _REGISTRY:
        raise KuvaLookupError(f"no chapter {key!r}; registered: {sorted(_REGISTRY)}")
    del _REGISTRY[key]


def discover_chapters() -> None:
    """Import the in-tree chapter modules and the entry-point plugins (once)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for name in CHAPTER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
                continue  # the contributing package is not written yet
            raise
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        loaded = ep.load()
        if callable(loaded):
            register_chapter(ep.name, loaded)


def registered_chapters() -> list[tuple[str, ChapterBuilder]]:
    """Every registered chapter as ``(key, builder)``, in report order."""
    discover_chapters()
    return [(e.key, e.builder) for e in sorted(_REGISTRY.values(), key=lambda e: (e.order, e.key))]


def chapter_keys() -> list[str]:
    """The keys of the registered chapters, in report order."""
    return [k for k, _ in registered_chapters()]


def resolve_chapters(
    wh: Warehouse, params: ReportParams, chapters: Sequence[Chapter | str] | None
) -> list[Chapter]:
    """The chapters to render: every registered one (``None``) or the given keys/objects."""
    if chapters is None:
        wanted: Sequence[Chapter | str] = chapter_keys()
    else:
        wanted = chapters
        discover_chapters()
    out: list[Chapter] = []
    for item in wanted:
        if isinstance(item, Chapter):
            out.append(item)
            continue
        entry = _REGISTRY.get(item)
        if entry is None:
            raise KuvaLookupError(f"no report chapter {item!r}; registered: {chapter_keys()}")
        built = entry.builder(wh, params)
        if built is not None:
            out.append(built)
    return out
