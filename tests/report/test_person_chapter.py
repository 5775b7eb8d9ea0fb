"""The person-level chapter: built from a simulated event log reaching back before the pilots,
protected and audited, reproducible, hidden below the minimum cell, and honest about what the
log cannot give."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuva.analysis.own_area import resolve_own_area
from kuva.privacy.audit import audit_tables
from kuva.report.chapters import ReportParams
from kuva.report.person_chapter import HORIZON_DAYS, person_chapter
from kuva.warehouse import Warehouse

LANGS = ("fi", "sv", "en")


@pytest.fixture(scope="module")
def wh_path(bundled_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """16,000 clients registering 1/2019–12/2022; the services' planted hazard ratio 1.5, the
    pilots' 1.5 from 3/2021."""
    from kuva.simulate.process import simulate_process_into

    path = tmp_path_factory.mktemp("person") / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    with Warehouse(path) as wh:
        simulate_process_into(wh, scale=0.01, seed=5, start=date(2019, 1, 7), months=48, pilot_exit_hr=1.5)
    return path


def _audited(ch: object, min_cell: int) -> None:
    results = ch.results  # type: ignore[attr-defined]
    tables = [(r.key, r.disclosure.sidecar, r.table) for r in results if r.disclosure is not None]
    assert len(tables) == len(results)
    assert audit_tables(tables, min_cell=min_cell).exposures == ()


def test_national_chapter_estimates_the_planted_effects(wh_path: Path) -> None:
    from kuva.process.outcomes import client_spells, pilot_effect, service_effect_matched

    with Warehouse(wh_path, read_only=True) as wh:
        ch = person_chapter(wh, ReportParams(lang="fi", min_cell=5))
        spells = client_spells(wh)
        matched = service_effect_matched(wh, horizon=HORIZON_DAYS)
        pilots = pilot_effect(wh, horizon_days=HORIZON_DAYS)
    assert ch is not None and ch.omitted == ()
    assert [r.key for r in ch.results] == ["person_exit_curves", "person_service_effect", "person_pilot_cohorts"]
    _audited(ch, 5)
    curves, effect, pilot = ch.results
    # every spell is in one of the two groups, the service group those with a service start
    assert int(curves.table["spells"].sum()) == len(spells)
    assert int(curves.table.set_index("group").at["service", "spells"]) == spells["service_start"].notna().sum()
    # the services' planted hazard ratio 1.5: the matched effect is positive and its interval
    # excludes zero; the table shows the library's estimate in percentage points
    row = effect.table.set_index("design")
    assert row.at["dynamic_matching", "estimate"] == pytest.approx(100 * matched.estimate, abs=1e-9)
    assert row.at["dynamic_matching", "ci_low"] > 0
    assert row.at["cox_time_varying", "ci_low"] > 1.0
    # Fine–Gray at the 90-day landmark: the library's ratio, a service by then counted
    from kuva.process.outcomes import LANDMARK_DAYS, landmark_frame, service_effect_fine_gray

    with Warehouse(wh_path, read_only=True) as wh:
        fine_gray = service_effect_fine_gray(wh, spells=spells)
    assert row.at["fine_gray_landmark", "estimate"] == pytest.approx(fine_gray.hazard_ratio, abs=1e-3)
    assert row.at["fine_gray_landmark", "n_treated"] == landmark_frame(spells, LANDMARK_DAYS)["treated"].sum()
    # the pilots' planted effect: the DiD row is the library's, positive, and the event study's
    # quarters are listed
    assert pilots.did is not None
    did = pilot.table[pilot.table["term"] == "did"].iloc[0]
    assert did["estimate"] == pytest.approx(100 * pilots.did.estimate, abs=1e-9)
    assert did["estimate"] > 0 and int(did["n_treated"]) == pilots.n_treated
    assert (pilot.table["term"] == "quarter").sum() == len(pilots.event_study.event_times)  # type: ignore[union-attr]
    for r in ch.results:
        assert r.synthetic and r.sources == ("synthetic:process",)
        for lang in LANGS:
            text = r.text(lang)
            assert text and "{" not in text and " – " not in text
            if r.figure is not None:
                r.figure(lang)


def test_the_chapter_is_the_same_every_run(wh_path: Path) -> None:
    with Warehouse(wh_path, read_only=True) as wh:
        a = person_chapter(wh, ReportParams(lang="en", min_cell=5))
        b = person_chapter(wh, ReportParams(lang="en", min_cell=5))
    assert a is not None and b is not None
    for x, y in zip(a.results, b.results, strict=True):
        pd.testing.assert_frame_equal(x.table, y.table)


def test_everything_hidden_below_the_minimum_cell(wh_path: Path) -> None:
    """With a minimum cell above every count, no estimate, interval or median is shown, the text
    says so, and the audit finds nothing exposed."""
    with Warehouse(wh_path, read_only=True) as wh:
        ch = person_chapter(wh, ReportParams(lang="sv", min_cell=100_000))
    assert ch is not None
    _audited(ch, 100_000)
    for r in ch.results:
        derived = [c for c in ("estimate", "ci_low", "ci_high", "median_days", "work_within_year") if c in r.table]
        assert r.table[derived].isna().all().all(), r.key
    assert all("dolda" in r.text("sv") for r in ch.results)
    for r in ch.results:
        if r.figure is not None:
            r.figure("sv")  # draws nothing hidden, and says so


def test_a_pilot_area_against_the_non_pilot_municipalities(wh_path: Path) -> None:
    from kuva.process.outcomes import client_spells, pilot_cohorts

    with Warehouse(wh_path, read_only=True) as wh:
        area = resolve_own_area(wh, "kainuun_seutu")
        ch = person_chapter(wh, ReportParams(lang="en", min_cell=5, area=area))
        cohorts = pilot_cohorts(wh, horizon_days=HORIZON_DAYS)
        spells = client_spells(wh)
        municipality = person_chapter(wh, ReportParams(lang="en", min_cell=5, area=resolve_own_area(wh, "KU205")))
    assert ch is not None and [r.key for r in ch.results][-1] == "person_pilot_cohorts"
    _audited(ch, 5)
    members = set(area.members)
    mine = cohorts[cohorts["municipality_code"].isin(members) & (cohorts["cohort"] >= date(2021, 3, 1))]
    pilot = ch.results[-1].table
    assert int(pilot["n_treated"].iloc[0]) == len(mine)
    # the area's own spells only
    curves = ch.results[0].table
    assert np.nansum(curves["spells"]) == spells["municipality_code"].isin(members).sum()
    # a municipality is not a pilot area: the pilots' effect is left out with the reason
    assert municipality is not None
    assert [k for k, _ in municipality.omitted] == ["person_pilot_cohorts"]


def test_a_log_without_cohorts_before_the_pilots(bundled_warehouse_path: Path, tmp_path: Path) -> None:
    from kuva.simulate.process import simulate_process_into

    path = tmp_path / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    with Warehouse(path) as wh:
        simulate_process_into(wh, scale=0.002, seed=6)  # 2023–2024
        ch = person_chapter(wh, ReportParams(lang="en", min_cell=5))
    assert ch is not None
    assert [r.key for r in ch.results] == ["person_exit_curves", "person_service_effect"]
    (key, reason), = ch.omitted
    assert key == "person_pilot_cohorts" and "no cohorts before the start" in reason


def test_no_event_log_no_chapter(empty_wh: Warehouse) -> None:
    assert person_chapter(empty_wh, ReportParams(lang="en")) is None
