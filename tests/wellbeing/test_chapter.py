"""The Kykyviisari chapter is registered with the report through its public hook."""

from __future__ import annotations

import pytest

from kuva.report.chapters import ReportParams, chapter_keys
from kuva.report.wellbeing_chapter import CHAPTER_KEY, wellbeing_chapter, wellbeing_results
from kuva.warehouse import Warehouse

from .conftest import store_answers


def test_chapter_registered_and_built(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    import kuva.wellbeing  # noqa: F401 - registers on import

    monkeypatch.setenv("KUVA_MIN_CELL_OVERRIDE", "yes")  # min_cell=1 below

    assert CHAPTER_KEY in chapter_keys()
    params = ReportParams(lang="fi", min_cell=1)
    assert wellbeing_chapter(wh, params) is None  # no answers: no chapter
    assert wellbeing_results(wh) == []
    store_answers(wh, [("a", "2022-03-01", "KU205", None, 5, 5, ("paid_work",))])
    chapter = wellbeing_chapter(wh, params)
    assert chapter is not None and len(chapter.results) == 5
    assert chapter.title("sv") and chapter.intro("en")
