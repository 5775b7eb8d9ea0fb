"""Client-group breakdowns of the process measures (age group, language, duration of the spell):
the groups add up to the area's total, the total equals the measure without a breakdown, a
group's plan debt equals a direct computation from the log, and the published breakdown
withstands the attacker (no group recovered from the total minus the others)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kuva.cli import app
from kuva.errors import KuvaInputError
from kuva.privacy.audit import audit_tables
from kuva.process import kpis, publish
from kuva.process.rules import rulebooks
from kuva.simulate.process import ProcessParams, simulate_event_log, stored_frame
from kuva.warehouse import SourceInfo, Warehouse
from kuva.warehouse.persons import load_process_events

MUNIS = ["KU091", "KU049", "KU205"]
KEYS = ["level", "area_code", "month_end"]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    sim = simulate_event_log(MUNIS, clients=900, start=date(2023, 1, 2), months=12, seed=44, params=ProcessParams())
    log = stored_frame(sim)
    path = tmp_path_factory.mktemp("groups") / "kuva.duckdb"
    with Warehouse(path) as wh:
        load_process_events(wh, log, SourceInfo("synthetic:process", "synthetic", "sim", "tests", "none", True,
                                                "sim", datetime(2025, 1, 1)))
    return path, log


@pytest.mark.parametrize("by", kpis.CLIENT_GROUPS)
def test_plan_debt_groups_add_up_to_the_measure_without_them(simulated: tuple[Path, pd.DataFrame], by: str) -> None:
    path, _ = simulated
    with Warehouse(path, read_only=True) as wh:
        whole = kpis.plan_debt(wh, level="municipality")
        grouped = kpis.plan_debt(wh, level="municipality", by=by)  # type: ignore[arg-type]
    total = grouped[grouped["client_group"] == kpis.TOTAL_GROUP].drop(columns="client_group").reset_index(drop=True)
    pd.testing.assert_frame_equal(total, whole)
    parts = grouped[grouped["client_group"] != kpis.TOTAL_GROUP].groupby(KEYS)[["open_spells", "plan_debt"]].sum()
    pd.testing.assert_frame_equal(parts, whole.set_index(KEYS)[["open_spells", "plan_debt"]], check_dtype=False)
    assert grouped["client_group"].nunique() >= 4  # total and at least three groups
    if by == "duration":
        assert set(grouped["client_group"]) - {kpis.TOTAL_GROUP} <= {label for _, label in kpis.DURATION_BANDS}


def test_plan_debt_by_language_equals_a_direct_count(simulated: tuple[Path, pd.DataFrame]) -> None:
    """Open spells on a month end by the language recorded at registration, counted in pandas."""
    path, log = simulated
    day = date(2023, 9, 30)
    with Warehouse(path, read_only=True) as wh:
        got = kpis.plan_debt(wh, level="nation", start=day, end=day, by="language")
    log = log.sort_values(["pseudonym", "event_date", "event_id"], kind="stable")
    exits = {"exit_work", "exit_education", "exit_other", "exit_moved"}
    expected: dict[str, int] = {}
    for _, ev in log.groupby("pseudonym"):
        regs = ev[ev["event_type"] == "registration"]
        for i, (when, lang) in enumerate(zip(regs["event_date"], regs["language"], strict=True)):
            nxt = regs["event_date"].iloc[i + 1] if i + 1 < len(regs) else None
            ex = ev[ev["event_type"].isin(exits) & (ev["event_date"] >= when)]["event_date"]
            first_exit = ex.min() if len(ex) else None
            if when <= day and (first_exit is None or first_exit > day) and (nxt is None or nxt > day):
                key = lang if isinstance(lang, str) else "unknown"
                expected[key] = expected.get(key, 0) + 1
    parts = got[got["client_group"] != kpis.TOTAL_GROUP].set_index("client_group")["open_spells"].to_dict()
    assert parts == expected
    assert sum(expected.values()) > 100


def test_compliance_by_age_group(simulated: tuple[Path, pd.DataFrame]) -> None:
    path, _ = simulated
    with Warehouse(path, read_only=True) as wh:
        whole = kpis.compliance_in_force(wh, rulebooks(), level="nation")
        grouped = kpis.compliance_in_force(wh, rulebooks(), level="nation", by="age_group")
        with pytest.raises(KuvaInputError, match="client group must be one of"):
            kpis.compliance_in_force(wh, rulebooks(), by="duration")  # type: ignore[arg-type]
    keys = ["rulebook", "rule", "area_code", "month"]
    total = grouped[grouped["client_group"] == kpis.TOTAL_GROUP].drop(columns="client_group")
    pd.testing.assert_frame_equal(total.set_index(keys).sort_index(), whole.set_index(keys).sort_index())
    parts = grouped[grouped["client_group"] != kpis.TOTAL_GROUP].groupby(keys)[["n_due", "n_met"]].sum()
    pd.testing.assert_frame_equal(parts.sort_index(), whole.set_index(keys)[["n_due", "n_met"]].sort_index(),
                                  check_dtype=False)
    assert set(grouped["client_group"]) == {kpis.TOTAL_GROUP, "15-24", "25-29", "30-54", "55-"}


def test_conformance_by_language(simulated: tuple[Path, pd.DataFrame]) -> None:
    """Each group's paths by the rules they broke: the total group is the measure without a
    breakdown, the groups add up to it, and the published table withstands the attacker."""
    path, _ = simulated
    keys = ["rulebook", "area_code", "broken"]
    with Warehouse(path, read_only=True) as wh:
        whole = kpis.conformance(wh, rulebooks(), level="municipality")
        grouped = kpis.conformance(wh, rulebooks(), level="municipality", by="language")
        p = publish.conformance(wh, rulebooks(), level="municipality", by="language", min_cell=5)
    total = grouped[grouped["client_group"] == kpis.TOTAL_GROUP].drop(columns="client_group")
    pd.testing.assert_frame_equal(total.set_index(keys).sort_index(), whole.set_index(keys).sort_index())
    parts = grouped[grouped["client_group"] != kpis.TOTAL_GROUP].groupby(keys)["clients"].sum()
    pd.testing.assert_series_equal(parts.sort_index(), whole.set_index(keys)["clients"].sort_index(),
                                   check_dtype=False)
    assert set(grouped["client_group"]) == {kpis.TOTAL_GROUP, "fi", "sv", "other"}
    assert p.note.hidden_cells > 0
    assert audit_tables([(p.name, p.sidecar, p.frame)], min_cell=5).exposures == ()


@pytest.mark.parametrize("measure", ["map", "variants"])
def test_map_and_variants_by_age_group(simulated: tuple[Path, pd.DataFrame], measure: str) -> None:
    """The process map's edges and the path variants per client group: the total group is the
    measure without a breakdown and the groups add up to it; published, the same top variants are
    shown for every group (the rest one (other) row each) and the attacker recovers nothing."""
    path, _ = simulated
    fn = kpis.directly_follows if measure == "map" else kpis.path_variants
    keys = ["area_code", "from_event", "to_event"] if measure == "map" else ["area_code", "variant"]
    with Warehouse(path, read_only=True) as wh:
        whole = fn(wh, level="municipality")
        grouped = fn(wh, level="municipality", by="age_group")
        p = (publish.process_map if measure == "map" else publish.variants)(wh, level="municipality",
                                                                             by="age_group", min_cell=5)
    total = grouped[grouped["client_group"] == kpis.TOTAL_GROUP].drop(columns="client_group")
    pd.testing.assert_frame_equal(total.set_index(keys).sort_index(), whole.set_index(keys).sort_index())
    parts = grouped[grouped["client_group"] != kpis.TOTAL_GROUP].groupby(keys)["n"].sum()
    pd.testing.assert_series_equal(parts.sort_index(), whole.set_index(keys)["n"].sort_index(), check_dtype=False)
    assert audit_tables([(p.name, p.sidecar, p.frame)], min_cell=5).exposures == ()
    if measure == "variants":
        shown = p.frame.groupby("area_code")["variant"].apply(frozenset)
        per_group = p.frame.groupby(["area_code", "client_group"])["variant"].apply(frozenset)
        assert all(per_group[(a, g)] <= shown[a] for a, g in per_group.index)


def test_the_published_breakdown_withstands_the_attacker(simulated: tuple[Path, pd.DataFrame]) -> None:
    path, _ = simulated
    with Warehouse(path, read_only=True) as wh:
        p = publish.plan_debt(wh, level="municipality", by="language", min_cell=5)
    assert p.note.hidden_cells > 0  # Swedish speakers in Kajaani are few: something is hidden
    assert audit_tables([(p.name, p.sidecar, p.frame)], min_cell=5).exposures == ()


def test_cli_by_option(simulated: tuple[Path, pd.DataFrame]) -> None:
    path, _ = simulated
    r = CliRunner().invoke(app, ["--warehouse", str(path), "process", "plan-debt", "--level", "nation", "--by",
                                 "age_group", "--from", "2023-06", "--to", "2023-06", "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.output.splitlines() if ln.startswith("nation,")]
    assert [ln.split(",")[3] for ln in lines] == ["total", "15-24", "25-29", "30-54", "55-"]
    bad = CliRunner().invoke(app, ["--warehouse", str(path), "process", "plan-debt", "--by", "shoe_size"])
    assert bad.exit_code != 0 and "shoe_size" in bad.output


@pytest.mark.parametrize("by", ["age_group", "language"])
def test_referral_routes_by_client_group(simulated: tuple[Path, pd.DataFrame], by: str) -> None:
    """The groups add up to the area's referrals, the total equals the routes without a
    breakdown, and each group's referrals equal a direct count of the log (the client's group at
    the latest registration before the referral: one registration per simulated client)."""
    path, log = simulated
    keys = ["level", "area_code", "month", "origin_sector", "destination_sector"]
    with Warehouse(path, read_only=True) as wh:
        whole = kpis.referral_routes(wh, level="municipality")
        grouped = kpis.referral_routes(wh, level="municipality", by=by)  # type: ignore[arg-type]
        p = publish.routes(wh, level="municipality", by=by, min_cell=5)
    total = grouped[grouped["client_group"] == kpis.TOTAL_GROUP].drop(columns="client_group")
    pd.testing.assert_frame_equal(total.set_index(keys).sort_index(), whole.set_index(keys).sort_index())
    counts = ["referrals", "realised", "unrealised"]
    parts = grouped[grouped["client_group"] != kpis.TOTAL_GROUP].groupby(keys)[counts].sum()
    pd.testing.assert_frame_equal(parts.sort_index(), whole.set_index(keys)[counts].sort_index(), check_dtype=False)
    group_of = log[log["event_type"] == "registration"].set_index("pseudonym")[by]
    sent = log[log["event_type"] == "referral_sent"]
    direct = sent.assign(g=sent["pseudonym"].map(group_of)).groupby(["municipality_code", "g"]).size()
    got = grouped[grouped["client_group"] != kpis.TOTAL_GROUP].groupby(["area_code", "client_group"])[
        "referrals"].sum()
    assert got.to_dict() == {k: int(v) for k, v in direct.items()}
    assert audit_tables([(p.name, p.sidecar, p.frame)], min_cell=5).exposures == ()
    with pytest.raises(KuvaInputError, match="client group"), Warehouse(path, read_only=True) as wh:
        kpis.referral_routes(wh, by="duration")  # type: ignore[arg-type]
