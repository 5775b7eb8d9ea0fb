"""The service-process and benchmark chapters: built from a simulated warehouse, protected,
audited, and absent when there is nothing to show."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kuva.privacy.audit import audit_tables
from kuva.report.chapters import ReportParams
from kuva.report.process_chapter import benchmark_chapter, process_chapter
from kuva.warehouse import Warehouse


@pytest.fixture(scope="module")
def wh_path(bundled_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kuva.simulate import simulate_into
    from kuva.simulate.process import simulate_process_into

    path = tmp_path_factory.mktemp("chapters") / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    with Warehouse(path) as wh:
        simulate_into(wh, scale=0.001, seed=4, years=(2021, 2023))
        simulate_process_into(wh, scale=0.005, seed=4)
    return path


def test_process_chapter_in_three_languages_passes_the_audit(wh_path: Path) -> None:
    with Warehouse(wh_path, read_only=True) as wh:
        ch = process_chapter(wh, ReportParams(lang="fi", min_cell=5))
    assert ch is not None
    assert [r.key for r in ch.results] == ["process_milestones", "process_plan_debt", "process_routes"]
    for r in ch.results:
        assert r.synthetic and r.disclosure is not None
        for lang in ("fi", "sv", "en"):
            text = r.text(lang)
            assert text and " – %" not in text and "{" not in text
    tables = [(r.key, r.disclosure.sidecar, r.table) for r in ch.results if r.disclosure is not None]
    assert audit_tables(tables, min_cell=5).exposures == ()
    routes = ch.results[2].numbers["share_social_services"]
    assert 60 < float(routes) < 95  # the simulator's planted 78 %, a few hundred referrals


def test_benchmark_chapter(wh_path: Path) -> None:
    with Warehouse(wh_path, read_only=True) as wh:
        ch = benchmark_chapter(wh, ReportParams(lang="sv", min_cell=5))
    assert ch is not None and [r.key for r in ch.results] == ["benchmark_pilot_areas", "benchmark_ranks",
                                                              "benchmark_model"]
    ranking = ch.results[0]
    assert len(ranking.table) == 25 and (ranking.table["rank_low"] <= ranking.table["rank_high"]).all()
    assert "v1" in ranking.parameters["spec_version"]
    assert ranking.figure is not None
    ranking.figure("sv")
    # the rank-interval plot and the peer list: every pilot area once, under its comparison type
    ranks = ch.results[1]
    listed = [a for cell in ranks.table["areas"] for a in cell.split(", ")]
    assert sorted(listed) == sorted(ranking.table["area"])
    widths = ranking.table["rank_high"] - ranking.table["rank_low"]
    assert ranks.numbers["median_rank_set_width"] == float(widths.median())
    assert ranks.figure is not None and "{" not in ranks.text("fi")
    ranks.figure("fi")


def test_no_event_log_no_chapter(empty_wh: Warehouse) -> None:
    assert process_chapter(empty_wh, ReportParams(lang="en")) is None
