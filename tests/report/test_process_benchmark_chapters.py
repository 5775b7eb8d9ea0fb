"""The service-process and benchmark chapters: built from a simulated warehouse, protected,
audited, and absent when there is nothing to show."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
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
                                                              "benchmark_model", "benchmark_pilot_areas_half_year"]
    ranking = ch.results[0]
    # the latest complete half-year: six months of counts, its months in the title and the text
    half = ch.results[3]
    start = date.fromisoformat(half.parameters["period"])
    assert half.parameters["months"] == "6" and start.month in (1, 7)
    assert start + timedelta(days=183) <= date.fromisoformat(ranking.parameters["period"]) + timedelta(days=31)
    span = f"{start.month}–{start.month + 5}/{start.year}"
    assert span in half.title("fi") and span in half.text("sv") and len(half.table) == 25
    assert half.disclosure is not None and half.figure is not None
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


def test_process_chapter_for_an_own_area(wh_path: Path) -> None:
    """A report made for an employment area shows the area's own milestones, plan debt and
    routes — its member municipalities' counts, not the country's — with its peers and the whole
    country beside them, and draws the routes as flows that add up to the area's referrals."""
    import matplotlib.pyplot as plt

    from kuva.analysis.own_area import resolve_own_area
    from kuva.process import kpis

    with Warehouse(wh_path, read_only=True) as wh:
        area = resolve_own_area(wh, "kainuu_koillismaan_tyollisyysalue")
        ch = process_chapter(wh, ReportParams(lang="fi", min_cell=5, area=area))
        debt = kpis.plan_debt(wh, level="nation", municipalities=list(area.members))
        nation = kpis.plan_debt(wh, level="nation")
        peers = kpis.plan_debt(wh, level="nation", municipalities=list(area.peers))
        routes = kpis.referral_routes(wh, level="nation", municipalities=list(area.members))
    assert ch is not None
    milestones, plan, flows = ch.results
    assert set(milestones.table["area"]) == {area.code, "peers", "SSS"} == set(plan.table["area"])
    own = plan.table[plan.table["area"] == area.code].set_index("month_end")
    shown = own["open_spells"].dropna()
    assert len(shown) and (shown == debt.set_index("month_end").loc[shown.index, "open_spells"]).all()
    whole = plan.table[plan.table["area"] == "SSS"].set_index("month_end")["open_spells"].dropna()
    assert (whole == nation.set_index("month_end").loc[whole.index, "open_spells"]).all()
    assert (whole.loc[shown.index] > shown).all()
    theirs = plan.table[plan.table["area"] == "peers"].set_index("month_end")["open_spells"].dropna()
    assert len(theirs) and (theirs == peers.set_index("month_end").loc[theirs.index, "open_spells"]).all()
    assert (whole.loc[theirs.index] > theirs).all()
    assert "peer areas" in plan.text("en") and "whole country" in plan.text("en")
    assert flows.table["referrals"].sum() <= routes["referrals"].sum() and (flows.table["area"] == area.code).all()
    for r in ch.results:
        for lang in ("fi", "sv", "en"):
            text = r.text(lang)
            assert area.name(lang) in text or r.key == "process_routes"
            assert "{" not in text and " – %" not in text
        assert r.figure is not None
        plt.close(r.figure("sv"))
    tables = [(r.key, r.disclosure.sidecar, r.table) for r in ch.results if r.disclosure is not None]
    assert audit_tables(tables, min_cell=5).exposures == ()
    # a municipality too small to show says so instead of printing dashes
    with Warehouse(wh_path, read_only=True) as wh:
        tiny = process_chapter(wh, ReportParams(lang="en", min_cell=5, area=resolve_own_area(wh, "Luhanka")))
    assert tiny is not None
    assert all("too small to publish" in r.text("en") for r in tiny.results)


def test_route_flows_add_up_to_the_referrals() -> None:
    """The Sankey-style figure: each origin's band is as wide as its referrals, split into
    realised, unrealised and still open; a hidden cell draws nothing."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from kuva.report.process_chapter import route_flows

    table = pd.DataFrame({"origin_sector": ["social_services", "employment_services", "health"],
                          "destination_sector": ["employment_services"] * 3,
                          "referrals": [60.0, 30.0, None], "realised": [40.0, 20.0, None],
                          "unrealised": [15.0, 5.0, None]})
    fig, ax = plt.subplots()
    route_flows(ax, table, "en")
    bands = ax.collections
    assert len(bands) == 6  # two origins × realised, unrealised, open
    heights = [float(b.get_paths()[0].vertices[:, 1].max() - b.get_paths()[0].vertices[:, 1].min())
               for b in bands]
    # at the left end each band's height is its share; the first origin's three sum to 60/90 of the drawable
    left = [b.get_paths()[0].vertices for b in bands]
    at_start = [float(np.ptp(v[v[:, 0] == v[:, 0].min(), 1])) for v in left]
    assert abs(sum(at_start[:3]) / sum(at_start) - 60 / 90) < 1e-9
    assert abs(at_start[0] / at_start[1] - 40 / 15) < 1e-9 and all(h > 0 for h in heights)
    texts = [t.get_text() for t in ax.texts]
    assert any("67 %" in t for t in texts) and any("hidden" in t for t in texts)
    plt.close(fig)
