"""Conformance of each client's path to the rulebook (issue 13): registrations by the
combination of registration rules they broke, on a hand-made log whose answer is known, rules
that lapsed when a client left early, registrations not yet judged, and the published table."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from kuva.cli import app
from kuva.privacy.audit import audit_tables
from kuva.process import kpis, publish
from kuva.process.rules import rulebook, rulebooks
from kuva.simulate.process import SimulatedLog, simulate_event_log, stored_frame
from kuva.warehouse import SourceInfo, Warehouse
from kuva.warehouse.persons import load_process_events

COLS = ["event_id", "client_id", "event_date", "event_type", "municipality_code", "origin_sector",
        "destination_sector", "service_type", "provider", "case_id", "plan_id", "referral_id", "age_group",
        "language", "detail"]
AS_OF = date(2024, 6, 30)


def _log(paths: dict[str, tuple[str, list[tuple[str, str]]]]) -> pd.DataFrame:
    rows = []
    for cid, (muni, events) in paths.items():
        for k, (day, kind) in enumerate(events):
            rows.append((f"{cid}-{k}", cid, day, kind, muni, "employment_services", None, None, None, f"{cid}-c",
                         f"{cid}-p" if kind == "plan_created" else None, None, "30-54" if k == 0 else None,
                         "fi" if k == 0 else None, None))
    return stored_frame(SimulatedLog(pd.DataFrame(rows, columns=COLS), pd.DataFrame(), b"conformance-test-key"))


def _store(path: Path, log: pd.DataFrame) -> None:
    with Warehouse(path) as wh:
        load_process_events(wh, log, SourceInfo("test:conformance", "user-file", "test", "tests", "none", False,
                                                "t.csv", datetime(2025, 1, 1), sensitivity="confidential"))


ON_TIME = [("2023-02-01", "registration"), ("2023-02-03", "initial_interview"), ("2023-02-03", "plan_created")]


def test_each_path_against_the_rules_of_its_registration(tmp_path: Path) -> None:
    """Registered Wed 1.2.2023 (5th working day 8.2., 10th 15.2.) under the Nordic model:
    A meets every rule; B was interviewed and got a plan late; C had one supplementary talk and no
    intensive period; D left in March, so the talks and the intensive period lapsed (not broken);
    E registered in June 2024 and is not judged until its seven months have passed."""
    talks = [("2023-03-01", "supplementary_job_search_talk"), ("2023-04-01", "supplementary_job_search_talk")]
    late = [("2023-02-01", "registration"), ("2023-02-20", "initial_interview"), ("2023-02-20", "plan_created")]
    paths = {
        "A": ("KU091", [*ON_TIME, *talks, ("2023-07-01", "intensive_period_start")]),
        "B": ("KU091", [*late, *talks, ("2023-07-01", "intensive_period_start")]),
        "C": ("KU091", [*ON_TIME, talks[0]]),
        "D": ("KU091", [*ON_TIME, ("2023-03-10", "exit_work")]),
        "E": ("KU091", [("2024-06-03", "registration"), ("2024-06-04", "initial_interview")]),
        "F": ("KU049", [*late, *talks, ("2023-07-01", "intensive_period_start")]),
    }
    _store(tmp_path / "k.duckdb", _log(paths))
    with Warehouse(tmp_path / "k.duckdb", read_only=True) as wh:
        got = kpis.conformance(wh, rulebooks(), as_of=AS_OF)
        nation = kpis.conformance(wh, rulebook("nordic_2022"), level="nation", as_of=AS_OF)
    table = {(r.area_code, r.broken): (r.n_broken, r.clients) for r in got.itertuples()}
    assert table == {("KU091", "none"): (0, 2), ("KU091", "initial_interview + employment_plan"): (2, 1),
                     ("KU091", "supplementary_talks + intensive_period"): (2, 1),
                     ("KU049", "initial_interview + employment_plan"): (2, 1)}
    assert set(got["rulebook"]) == {rulebook("nordic_2022").label}
    assert nation.set_index("broken")["clients"].to_dict() == {
        "initial_interview + employment_plan": 2, "none": 2, "supplementary_talks + intensive_period": 1}
    assert list(nation["clients"]) == sorted(nation["clients"], reverse=True)  # most common first


def test_conformance_agrees_with_rule_compliance_and_is_protected(tmp_path: Path) -> None:
    """On a simulated log: for every rule, the judged registrations that broke it (summed over
    the combinations naming it) equal the rule's own not-met clocks among the same registrations;
    the published table hides small combinations and the attacker recovers none."""
    sim = simulate_event_log(["KU091", "KU049", "KU205"], clients=1500, start=date(2023, 1, 2), months=12, seed=31)
    _store(tmp_path / "s.duckdb", stored_frame(sim))
    book = rulebook("nordic_2022")
    with Warehouse(tmp_path / "s.duckdb", read_only=True) as wh:
        as_of = kpis.data_end(wh)
        got = kpis.conformance(wh, book, level="nation", as_of=as_of)
        outcomes = {r.id: kpis.rule_outcomes(wh, r, as_of=as_of).to_pandas().set_index("start_id")
                    for r in book.rules if r.after == "registration"}
        p = publish.conformance(wh, book, level="municipality", as_of=as_of, min_cell=5)
    judged = None
    for o in outcomes.values():
        ok = set(o.index[o["due"] | o["lapsed"]])
        judged = ok if judged is None else judged & ok
    assert judged and int(got["clients"].sum()) == len(judged)
    for rule_id, o in outcomes.items():
        broken = o.loc[sorted(judged)].pipe(lambda d: d["due"] & ~d["met"]).sum()
        named = got[[rule_id in b.split(" + ") for b in got["broken"]]]
        assert int(named["clients"].sum()) == int(broken), rule_id
    shown = p.frame["clients"].dropna()
    assert ((shown == 0) | (shown >= 5)).all() and p.frame["clients"].isna().any()
    assert audit_tables([(p.name, p.sidecar, p.frame)], min_cell=5).exposures == ()
    r = CliRunner().invoke(app, ["-w", str(tmp_path / "s.duckdb"), "process", "conformance", "--level", "nation",
                                 "--rulebook", "nordic_2022", "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "Rulebook: nordic_2022 v1"  # which rulebook, on standard error
    assert lines[1].startswith("level,rulebook,area_code,broken,n_broken,clients")
