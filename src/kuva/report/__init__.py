"""Reports: one command renders a complete, self-contained HTML report and a PDF (Typst), in
Finnish, Swedish or English, with figures, tables (also as CSV and Excel), definitions and data
provenance.

The chapters and their analyses are listed in :mod:`kuva.report.builtin` (the one registry, see
:mod:`kuva.report.chapters`); ``register_chapter`` adds one at run time.
"""

from kuva.report.build import ReportOutput, build_report
from kuva.report.chapters import (
    Chapter,
    ChapterBuilder,
    ReportChapterError,
    ReportParams,
    chapter_keys,
    register_chapter,
    registered_chapters,
    unregister_chapter,
)
from kuva.report.tables import ReportDisclosureError

__all__ = [
    "Chapter",
    "ChapterBuilder",
    "ReportChapterError",
    "ReportDisclosureError",
    "ReportOutput",
    "ReportParams",
    "build_report",
    "chapter_keys",
    "register_chapter",
    "registered_chapters",
    "unregister_chapter",
]
