"""The one explicit registry of chapters and analyses, and a domain error failing the build with
the chapter named (not turned into "omitted")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kuva.report
import kuva.report.builtin as builtin
from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaInputError
from kuva.report import Chapter, ReportChapterError, build_report, chapter_keys, register_chapter, unregister_chapter
from kuva.report.chapters import ReportParams, resolve_chapters
from kuva.warehouse import Warehouse


def test_the_registry_is_the_explicit_list() -> None:
    assert chapter_keys() == ["own_area", "situation", "comparisons", "indicators", "effects", "wellbeing", "process",
                              "person", "benchmark"]
    assert [e.key for e in builtin.CHAPTERS] == chapter_keys()
    import kuva.analysis

    assert {a.key for a in builtin.ANALYSES} == set(kuva.analysis.ANALYSES)


def test_no_module_scanning_no_introspection() -> None:
    folder = Path(kuva.report.__file__).parent
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        probing = {m for m in imported if m.split(".")[0] in ("inspect", "pkgutil", "importlib")}
        assert probing <= {"importlib.resources"}, (path.name, probing)  # templates are package data
        calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not calls & {"getattr", "hasattr"}, (path.name, calls & {"getattr", "hasattr"})
        assert "entry_points" not in path.read_text(encoding="utf-8"), path.name


def test_a_domain_error_in_a_chapter_fails_the_build_naming_it(bundled_wh: Warehouse, tmp_path: Path) -> None:
    def broken(wh: Warehouse, params: ReportParams) -> Chapter:
        raise KuvaInputError("the input is wrong")

    register_chapter("broken_test", broken, order=15)
    try:
        with pytest.raises(ReportChapterError, match=r"report chapter 'broken_test' failed: the input is wrong"):
            build_report(bundled_wh, lang="en", out_dir=tmp_path, chapters=["broken_test"], pdf=False)
    finally:
        unregister_chapter("broken_test")
    assert not (tmp_path / "report.html").exists()


def test_a_domain_error_in_a_builtin_analysis_names_chapter_and_analysis(
    bundled_wh: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(wh: Warehouse, **kwargs: object) -> AnalysisResult:
        raise KuvaInputError("service mix cannot run")

    monkeypatch.setattr(builtin, "service_mix", failing)
    with pytest.raises(ReportChapterError, match=r"chapter 'comparisons', analysis 'service_mix' failed: service mix"):
        resolve_chapters(bundled_wh, ReportParams(lang="fi"), ["comparisons"])


def test_what_the_warehouse_lacks_is_omitted_with_the_reason_without_running(
    bundled_wh: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_run(wh: Warehouse, **kwargs: object) -> AnalysisResult:
        raise AssertionError("ran although its requirement is not met")

    monkeypatch.setattr(builtin, "counterfactual_activation", must_not_run)
    (situation,) = resolve_chapters(bundled_wh, ReportParams(lang="sv"), ["situation"])
    assert [r.key for r in situation.results] == ["pilot_vs_comparison", "monthly_paths"]
    ((key, reason),) = situation.omitted
    assert key == "counterfactual_activation" and "kommunvisa" in reason


def test_a_registered_key_cannot_shadow_a_builtin() -> None:
    with pytest.raises(KuvaInputError, match="already registered"):
        register_chapter("effects", lambda wh, p: None)
