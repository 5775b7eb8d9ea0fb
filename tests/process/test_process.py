"""Service-process monitoring on real warehouse files: the event-log format and its validator,
the working-day rules at their boundaries, the measures against a simulation's planted truth,
corrections and refused loads, and the command line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kuva.cli import app
from kuva.errors import BadRowError, KuvaInputError
from kuva.privacy.pseudonym import hetu_check_char
from kuva.process import kpis, publish
from kuva.process.eventlog import read_event_log, template_frame, validate_event_log
from kuva.process.rules import parse_rulebooks, rulebook, rulebook_in_force, rulebooks
from kuva.registry.calendar import add_working_days, is_working_day, working_days_between
from kuva.simulate.process import ProcessParams, simulate_event_log, stored_frame
from kuva.warehouse import SourceInfo, Warehouse
from kuva.warehouse.persons import latest_process_events, load_process_events
from kuva.warehouse.schema import LATEST_VERSION, MIGRATIONS
from kuva.warehouse.undo import undo_load

KEY = b"process-test-key-0123456789"
MUNIS = ["KU091", "KU049", "KU005", "KU205"]


def _source(sid: str = "test:process") -> SourceInfo:
    return SourceInfo(sid, "user-file", "test log", "tests", "none", False, f"{sid}.csv", datetime(2025, 1, 1),
                      sensitivity="confidential")


@pytest.fixture
def wh(tmp_path: Path) -> Iterator[Warehouse]:
    with Warehouse(tmp_path / "kuva.duckdb") as w:
        yield w


def _hetu() -> str:
    birth, nnn = "131052", "308"
    return f"{birth}-{nnn}{hetu_check_char(birth, nnn)}"


# -- format and validator ------------------------------------------------------------------------
def test_template_validates_and_ids_become_pseudonyms() -> None:
    out = validate_event_log(template_frame(), "template.csv", key=KEY)
    assert len(out) == 7 and out["pseudonym"].str.fullmatch("[0-9a-f]{64}").all()
    assert "A-1001" not in out.to_string()  # the raw id is not kept
    assert list(out["row"]) == list(range(2, 9))


@pytest.mark.parametrize(("column", "value", "field", "problem"), [
    ("event_type", "lunch", "event_type", "must be one of"),
    ("municipality_code", "KU999", "municipality_code", "unknown municipality"),
    ("event_date", "31.2.2025", "event_date", "not a date"),
    ("origin_sector", "church", "origin_sector", "must be one of"),
    ("detail", None, "detail", "personal identity code"),
])
def test_the_validator_names_file_row_and_field(column: str, value: str | None, field: str, problem: str) -> None:
    f = template_frame()
    f.loc[3, column] = _hetu() + " asked" if value is None else value
    with pytest.raises(BadRowError, match=problem) as exc:
        validate_event_log(f, "log.csv", key=KEY)
    assert exc.value.source == "log.csv" and exc.value.row == 5 and exc.value.field == field


def test_referrals_need_their_sectors_and_ids_are_unique() -> None:
    f = template_frame()
    f.loc[3, "destination_sector"] = ""
    with pytest.raises(BadRowError, match="needs destination_sector"):
        validate_event_log(f, "log.csv", key=KEY)
    f = template_frame()
    f.loc[2, "event_id"] = "e1"
    with pytest.raises(BadRowError, match="appears twice"):
        validate_event_log(f, "log.csv", key=KEY)


def test_files_in_every_format(tmp_path: Path) -> None:
    f = template_frame()
    f.to_csv(tmp_path / "a.csv", index=False, sep=";")
    f.to_excel(tmp_path / "a.xlsx", index=False)
    f.to_parquet(tmp_path / "a.parquet")
    outs = [read_event_log(tmp_path / n, key=KEY) for n in ("a.csv", "a.xlsx", "a.parquet")]
    for o in outs[1:]:
        pd.testing.assert_frame_equal(o.drop(columns="row"), outs[0].drop(columns="row"))
    (tmp_path / "a.json").write_text("{}")
    with pytest.raises(KuvaInputError, match=r"\.csv, \.xlsx or \.parquet"):
        read_event_log(tmp_path / "a.json", key=KEY)


# -- working days and rules ----------------------------------------------------------------------
def test_working_days_follow_the_finnish_calendar() -> None:
    assert not is_working_day(date(2025, 12, 24))  # Christmas Eve is a day off by law
    assert not is_working_day(date(2025, 6, 20))  # Midsummer Eve
    assert not is_working_day(date(2025, 4, 21))  # Easter Monday
    # Thursday 18.12.2025: Fri 19, Mon 22, Tue 23, (24-26 off), Mon 29, Tue 30 = the 5th working day
    assert add_working_days(date(2025, 12, 18), 5) == date(2025, 12, 30)
    assert working_days_between(date(2025, 12, 18), date(2025, 12, 31)) == 6


def _client(pid: str, reg: date, interview: date, muni: str = "KU091") -> list[dict[str, object]]:
    return [{"event_id": f"{pid}-r", "client_id": pid, "event_date": reg.isoformat(), "event_type": "registration",
             "municipality_code": muni},
            {"event_id": f"{pid}-i", "client_id": pid, "event_date": interview.isoformat(),
             "event_type": "initial_interview", "municipality_code": muni}]


def test_initial_interview_rule_at_its_boundary_across_a_holiday_week(wh: Warehouse) -> None:
    """Registered Thursday 18.12.2025: an interview on Tuesday 30.12 (5th working day) meets the
    5-working-day rule, one on Wednesday 31.12 (6th) does not; a calendar-day count would fail
    both."""
    rows = (_client("on-time", date(2025, 12, 18), date(2025, 12, 30))
            + _client("late", date(2025, 12, 18), date(2025, 12, 31)))
    load_process_events(wh, validate_event_log(pd.DataFrame(rows), "x", key=KEY), _source())
    rule = rulebook("service_model_2025").rule("initial_interview")
    o = kpis.rule_outcomes(wh, rule, as_of=date(2026, 3, 1)).to_pandas().sort_values("delay")
    assert list(o["delay"]) == [5, 6] and list(o["met"]) == [True, False] and o["due"].all()
    # not yet due on the 5th working day itself only if the deadline has not passed
    early = kpis.rule_outcomes(wh, rule, as_of=date(2025, 12, 29)).to_pandas()
    assert not early["due"].any()


def test_rulebooks_as_data(tmp_path: Path) -> None:
    books = {b.label for b in rulebooks()}
    assert {"nordic_2022 v1", "service_model_2025 v1", "seminar_2018 v1"} <= books
    assert rulebook_in_force(date(2023, 6, 1)).id == "nordic_2022"
    assert rulebook_in_force(date(2025, 6, 1)).id == "service_model_2025"
    user = tmp_path / "rules.toml"
    user.write_text('[[rulebook]]\nid = "own"\nversion = "2"\nvalid_from = "2025-01-01"\nname_en = "Own"\n'
                    '[[rulebook.rule]]\nid = "fast"\nkind = "deadline"\nafter = "registration"\n'
                    'event = "initial_interview"\nwithin = 3\nunit = "working_days"\nen = "Fast"\n')
    assert rulebook("own", path=user).rule("fast").within == 3
    with pytest.raises(KuvaInputError, match=r"rules.toml: rulebook 'own' rule 'fast': 'lunch' is not an event"):
        parse_rulebooks(user.read_text().replace('event = "initial_interview"', 'event = "lunch"'), str(user))


# -- the measures against the planted truth ------------------------------------------------------
@pytest.fixture(scope="module", params=[11, 12])
def simulated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[Warehouse, pd.DataFrame, date]]:
    sim = simulate_event_log(MUNIS, clients=1500, start=date(2023, 1, 2), months=12, seed=request.param,
                             params=ProcessParams())
    path = tmp_path_factory.mktemp("proc") / "kuva.duckdb"
    with Warehouse(path) as w:
        load_process_events(w, stored_frame(sim), _source("synthetic:process"))
        yield w, sim.truth, kpis.data_end(w)  # type: ignore[misc]


def test_interview_compliance_equals_the_planted_truth(simulated: tuple[Warehouse, pd.DataFrame, date]) -> None:
    wh, truth, as_of = simulated
    book = rulebook("nordic_2022")
    got = kpis.rule_compliance(wh, book, level="municipality", as_of=as_of)
    got = got[got["rule"] == "initial_interview"].groupby("area_code")[["n_due", "n_met"]].sum()
    deadline = [add_working_days(r, 5) for r in truth["registration"]]
    interview = [None if pd.isna(d) else (r if d == 0 else add_working_days(r, int(d)))
                 for r, d in zip(truth["registration"], truth["interview_delay"], strict=True)]
    # a client who left before the deadline without an interview is not judged
    left = [pd.notna(x) and x < dl and (i is None or i > x)
            for x, dl, i in zip(truth["exit"], deadline, interview, strict=True)]
    due = truth[[dl <= as_of and not lf for dl, lf in zip(deadline, left, strict=True)]]
    assert sum(left) > 0  # the simulator's early exits are there to be left out
    met = due[due["interview_delay"].notna() & (due["interview_delay"] <= 5)]
    assert got["n_due"].to_dict() == due.groupby("municipality_code").size().to_dict()
    assert got["n_met"].to_dict() == met.groupby("municipality_code").size().to_dict()


def test_supplementary_talks_rule_equals_the_planted_truth(simulated: tuple[Warehouse, pd.DataFrame, date]) -> None:
    """Two supplementary talks 20 and 45 days after an interview at most 25 working days after
    registration fall inside the three-month window, so the rule is met exactly by the clients
    planted with two talks; clients who left before the window closed without them are not
    judged."""
    wh, truth, as_of = simulated
    rule = rulebook("nordic_2022").rule("supplementary_talks")
    o = kpis.rule_outcomes(wh, rule, as_of=as_of).to_pandas()
    o = o[o["due"]]
    end = [(pd.Timestamp(r) + pd.DateOffset(months=3)).date() for r in truth["registration"]]
    # a client who left before the window closed without two talks is not judged (the rule lapsed);
    # talks drawn after the exit were never held
    two = truth["supplementary_recorded"] == 2
    lapsed = [e <= as_of and not t and pd.notna(x) and x < e
              for e, t, x in zip(end, two, truth["exit"], strict=True)]
    due = truth[[e <= as_of and not lp for e, lp in zip(end, lapsed, strict=True)]]
    assert len(o) == len(due) and sum(lapsed) > 0
    assert int(o["met"].sum()) == int((due["supplementary_recorded"] == 2).sum())
    assert (truth["supplementary_recorded"] < 1 + truth["supplementary_two"]).any()  # exits cut some short
    assert int(kpis.rule_outcomes(wh, rule, as_of=as_of).to_pandas()["lapsed"].sum()) == sum(lapsed)


def test_referral_routes_equal_the_planted_truth(simulated: tuple[Warehouse, pd.DataFrame, date]) -> None:
    wh, truth, as_of = simulated
    got = kpis.referral_routes(wh, level="nation", as_of=as_of)
    assert (got["destination_sector"] == "employment_services").all()
    by = got.groupby("origin_sector")[["referrals", "realised", "unrealised"]].sum()
    ref = truth[truth["referral_recorded"]]  # a referral drawn after the client's exit was never sent
    assert len(ref) < int(truth["referred"].sum())
    assert by["referrals"].to_dict() == ref.groupby("origin").size().to_dict()
    started = ref["service_day"].notna()  # a service drawn after the exit never started
    assert int(by["realised"].sum()) == int(started.sum()) < int((~ref["unrealised"]).sum())
    closed = ref[[d + timedelta(days=kpis.UNREALISED_AFTER_DAYS) <= as_of for d in ref["referral_date"]]]
    late = closed["wait_days"].notna() & (closed["wait_days"] > kpis.UNREALISED_AFTER_DAYS)
    assert int(by["unrealised"].sum()) == int((closed["service_day"].isna() | late).sum())
    # the planted 78/22 origin mix, within sampling error (binomial, 4 standard errors)
    share = by.loc["social_services", "referrals"] / by["referrals"].sum()
    n = by["referrals"].sum()
    assert abs(share - 0.78) < 4 * (0.78 * 0.22 / n) ** 0.5


def test_plan_debt_equals_the_planted_truth(simulated: tuple[Warehouse, pd.DataFrame, date]) -> None:
    wh, truth, _ = simulated
    got = kpis.plan_debt(wh, level="nation").set_index("month_end")
    for day in (date(2023, 3, 31), date(2023, 8, 31), date(2023, 12, 31)):
        open_ = truth[(truth["registration"] <= day) & (truth["exit"].isna() | (truth["exit"] > day))]
        plan_day = [add_working_days(r, int(d)) if p and d and d > 0 else (r if p else None)
                    for r, d, p in zip(open_["registration"], open_["interview_delay"].fillna(0), open_["plan"],
                                       strict=True)]
        debt = sum(1 for p in plan_day if p is None or p > day)
        assert got.loc[day, "open_spells"] == len(open_)
        assert got.loc[day, "plan_debt"] == debt


def test_plan_debt_person_days_equal_the_planted_truth(simulated: tuple[Warehouse, pd.DataFrame, date]) -> None:
    """Each client's days in a month from registration to exit (the exit day not counted, nor days
    after the log's last date), and of them the days before the plan drawn up at the interview."""
    wh, truth, as_of = simulated
    got = kpis.plan_debt(wh, level="municipality").set_index(["area_code", "month_end"])
    stop_all = as_of + timedelta(days=1)
    for m_start in (date(2023, 3, 1), date(2023, 11, 1), date(2024, 6, 1)):
        m_end = (pd.Timestamp(m_start) + pd.offsets.MonthEnd(0)).date()
        m_stop = min(m_end, as_of) + timedelta(days=1)
        for muni in MUNIS:
            t = truth[truth["municipality_code"] == muni]
            open_days = debt_days = 0
            for r in t.itertuples(index=False):
                stop = r.exit if isinstance(r.exit, date) else stop_all
                plan = r.interview if r.plan and isinstance(r.interview, date) else None
                open_days += max(0, (min(stop, m_stop) - max(r.registration, m_start)).days)
                debt_stop = min(stop, plan) if plan is not None else stop
                debt_days += max(0, (min(debt_stop, m_stop) - max(r.registration, m_start)).days)
            assert got.loc[(muni, m_end), "open_days"] == open_days
            assert got.loc[(muni, m_end), "plan_debt_days"] == debt_days
    assert (got["plan_debt_days_share"] > 0).all()


def test_plan_debt_days_count_an_expired_plan_until_the_next(wh: Warehouse) -> None:
    """Registered 3.3., plan 10.3., expired 20.3., new plan 5.4., exit 15.4.: March has 29 open
    days of which 7 + 12 without a plan; April 14 open days (the exit day not counted), 4 without."""
    rows = [{"event_id": f"a{i}", "client_id": "a", "event_date": d, "event_type": kind, "municipality_code": "KU091",
             "plan_id": "p" if kind.startswith("plan_") else None}
            for i, (d, kind) in enumerate((("2025-03-03", "registration"), ("2025-03-10", "plan_created"),
                                           ("2025-03-20", "plan_expired"), ("2025-04-05", "plan_created"),
                                           ("2025-04-15", "exit_work")))]
    load_process_events(wh, validate_event_log(pd.DataFrame(rows), "x", key=KEY), _source())
    got = kpis.plan_debt(wh, level="municipality").set_index("month_end")
    assert got.loc[date(2025, 3, 31), ["open_days", "plan_debt_days"]].tolist() == [29, 7 + 12]
    assert got.loc[date(2025, 4, 30), ["open_spells", "open_days", "plan_debt_days"]].tolist() == [0, 14, 4]


def test_job_offer_debt_equals_the_planted_truth(simulated: tuple[Warehouse, pd.DataFrame, date]) -> None:
    """Offers every 45 or 120 days after the interview (or none): with the 90-day window a client
    on the 120-day cadence is in debt between offers, one on the 45-day cadence only before the
    first offer."""
    wh, truth, _ = simulated
    window = kpis.JOB_OFFER_WINDOW_DAYS
    got = kpis.job_offer_debt(wh, level="municipality").set_index(["area_code", "month_end"])
    for day in (date(2023, 4, 30), date(2023, 9, 30), date(2024, 1, 31)):
        open_ = truth[(truth["registration"] <= day) & (truth["exit"].isna() | (truth["exit"] > day))]
        eligible = open_[[r + timedelta(days=window) <= day for r in open_["registration"]]]

        def offered_in_window(row: pd.Series, day: date = day) -> bool:
            if pd.isna(row["offer_gap"]):
                return False
            gap, first = int(row["offer_gap"]), row["interview"]
            k = (day - first).days // gap  # the latest offer on or before the day is the k-th
            return k >= 1 and (day - (first + timedelta(days=k * gap))).days < window

        debt = eligible[[not offered_in_window(r) for _, r in eligible.iterrows()]]
        for muni in MUNIS:
            assert got.loc[(muni, day), "eligible"] == int((eligible["municipality_code"] == muni).sum())
            assert got.loc[(muni, day), "job_offer_debt"] == int((debt["municipality_code"] == muni).sum())
    assert 0 < got["job_offer_debt"].sum() < got["eligible"].sum()  # both kinds of client are there
    with pytest.raises(KuvaInputError, match="window"):
        kpis.job_offer_debt(wh, window_days=0)


def test_job_offer_debt_window_boundary_and_spells(wh: Warehouse) -> None:
    """At the month end 30.4.2025 with the 90-day window an offer on 31.1. (89 days before) still
    counts and one on 30.1. (90 days before) no longer does; an offer in the client's earlier
    spell does not count for the new one; clients registered 1.2. (88 days before) and 30.4. are
    not yet eligible. Read from the log and from the stored intervals alike."""
    from kuva.process.refresh import refresh

    def client(cid: str, *events: tuple[str, str]) -> list[dict[str, object]]:
        return [{"event_id": f"{cid}{i}", "client_id": cid, "event_date": d, "event_type": kind,
                 "municipality_code": "KU091"} for i, (d, kind) in enumerate(events)]

    rows = [*client("in", ("2025-01-02", "registration"), ("2025-01-31", "job_offer")),
            *client("out", ("2025-01-02", "registration"), ("2025-01-30", "job_offer")),
            *client("old", ("2024-12-01", "registration"), ("2024-12-20", "job_offer"), ("2024-12-30", "exit_work"),
                    ("2025-01-02", "registration")),
            *client("new", ("2025-02-01", "registration")),
            *client("last", ("2025-04-30", "registration"))]  # the log runs to 30.4.
    load_process_events(wh, validate_event_log(pd.DataFrame(rows), "x", key=KEY), _source())
    for stored in (False, True):
        if stored:
            refresh(wh)
        got = kpis.job_offer_debt(wh, level="municipality").set_index("month_end")
        assert got.loc[date(2025, 4, 30), ["eligible", "job_offer_debt"]].tolist() == [3, 2], stored
        assert date(2025, 3, 31) not in got.index  # nobody 90 days registered by then: no row
        one_day = kpis.job_offer_debt(wh, level="nation", window_days=1).set_index("month_end")
        # a one-day window on 31.1.: only "in", offered that day, is out of debt
        assert one_day.loc[date(2025, 1, 31), ["eligible", "job_offer_debt"]].tolist() == [3, 2]


def test_quality_finds_the_missing_interviews(simulated: tuple[Warehouse, pd.DataFrame, date]) -> None:
    wh, truth, as_of = simulated
    q = kpis.data_quality(wh, as_of=as_of)
    got = int(q.loc[q["check"] == "registration_without_interview", "n"].sum())
    # due 30 days after registration, unless the client left before that (no interview was owed)
    after = [r + timedelta(days=kpis.NO_INTERVIEW_AFTER_DAYS) for r in truth["registration"]]
    due = pd.Series([a <= as_of and not (pd.notna(x) and x < a) for a, x in zip(after, truth["exit"], strict=True)],
                    index=truth.index)
    assert got == int((truth["interview"].isna() & due).sum())  # drawn after the exit: never held
    assert set(q["check"]) <= set(kpis.QUALITY_CHECKS)


def test_quality_counts_client_work_recorded_after_the_exit(wh: Warehouse) -> None:
    """Client work dated after the exit and before the next registration is counted; work on the
    exit day, a service end or a three-month status after it, and work after a new registration
    are not."""
    def e(n: str, day: date, kind: str, **kw: object) -> dict[str, object]:
        return {"event_id": f"a-{n}", "client_id": "a", "event_date": day.isoformat(), "event_type": kind,
                "municipality_code": "KU091", **kw}

    rows = [e("1", date(2025, 3, 3), "registration"), e("2", date(2025, 3, 4), "initial_interview"),
            e("3", date(2025, 3, 10), "service_start", service_type="VALMENNUS"),
            e("4", date(2025, 4, 1), "exit_work"),
            e("5", date(2025, 4, 1), "job_search_talk"),  # the exit day itself: not after
            e("6", date(2025, 4, 2), "job_search_talk"),  # after: counted
            e("7", date(2025, 4, 20), "service_end", service_type="VALMENNUS"),  # may follow: not counted
            e("8", date(2025, 5, 2), "plan_created", plan_id="p1"),  # after: counted
            e("9", date(2025, 6, 2), "registration"), e("10", date(2025, 6, 3), "initial_interview")]
    load_process_events(wh, validate_event_log(pd.DataFrame(rows), "x", key=KEY), _source())
    q = kpis.data_quality(wh)
    got = q[q["check"] == "events_after_exit"]
    assert got[["month", "n"]].to_records(index=False).tolist() == [(date(2025, 4, 1), 1), (date(2025, 5, 1), 1)]


def test_simulated_clients_have_nothing_recorded_after_their_exit(
        simulated: tuple[Warehouse, pd.DataFrame, date]) -> None:
    """The simulator draws an interview, plan, talks, referral and service start for every client
    but records none that would fall after the exit, so the quality check finds nothing on its log
    (the check's own boundaries are tested on a hand-made log)."""
    wh, truth, _ = simulated
    q = kpis.data_quality(wh)
    assert int(q.loc[q["check"] == "events_after_exit", "n"].sum()) == 0
    # the draws did put some of them after the exit: the rule is what removed them
    assert (truth["interview_delay"].notna() & truth["interview"].isna()).sum() > 0
    assert (truth["referred"] & ~truth["referral_recorded"]).sum() > 0


def test_published_tables_hide_small_counts(simulated: tuple[Warehouse, pd.DataFrame, date]) -> None:
    wh, _, as_of = simulated
    p = publish.compliance(wh, rulebook("nordic_2022"), level="municipality", as_of=as_of, min_cell=5)
    t = p.frame
    shown = pd.concat([t["n_due"], t["n_met"]]).dropna()
    assert ((shown == 0) | (shown >= 5)).all()
    assert t.loc[t["n_met"].isna() | t["n_due"].isna(), "share_met"].isna().all()
    assert p.note.hidden_cells > 0  # four municipalities × twelve months: some months are small


# -- loads: corrections, repeats, refusals -------------------------------------------------------
def test_corrections_repeats_and_refused_loads(wh: Warehouse) -> None:
    first = validate_event_log(pd.DataFrame(_client("c", date(2025, 3, 3), date(2025, 3, 17))), "m1", key=KEY)
    load_process_events(wh, first, _source())
    again = load_process_events(wh, first, _source())
    assert again.load_id is None  # the same content twice is stored once
    rule = rulebook("service_model_2025").rule("initial_interview")
    assert kpis.rule_outcomes(wh, rule, as_of=date(2025, 6, 1)).to_pandas()["met"].tolist() == [False]
    fixed = first[first["event_type"] == "initial_interview"].assign(event_date=date(2025, 3, 5))
    load_process_events(wh, fixed, _source())  # a correction: same event id, a new vintage
    assert kpis.rule_outcomes(wh, rule, as_of=date(2025, 6, 1)).to_pandas()["met"].tolist() == [True]
    before = wh.table("process_events").count().to_pandas()
    bad = fixed.assign(pseudonym="not-a-pseudonym")
    with pytest.raises(BadRowError, match="pseudonym"):
        load_process_events(wh, bad, _source())
    assert wh.table("process_events").count().to_pandas() == before
    # undoing the correction makes the first vintage the current one again
    undo_load(wh, int(wh.con.execute("SELECT max(load_id) FROM process_events").fetchone()[0]))  # type: ignore[index]
    assert kpis.rule_outcomes(wh, rule, as_of=date(2025, 6, 1)).to_pandas()["met"].tolist() == [False]
    assert wh.con.execute("SELECT count(*) FILTER (WHERE is_latest), count(*) FROM process_events").fetchone() == (2, 2)


def test_a_warehouse_from_before_the_latest_flag_gets_it_right(tmp_path: Path) -> None:
    """Migration 6 adds ``is_latest`` to a log stored with corrections: only each event's latest
    load is flagged, so reads see the corrected events."""
    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)")
    for m in MIGRATIONS[:5]:
        for stmt in m.statements:
            con.execute(stmt)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [m.version, m.description])
    p = "a" * 64
    for event_id, day, kind, load in (("e1", "2025-03-03", "registration", 1),
                                      ("e2", "2025-03-20", "initial_interview", 1),
                                      ("e2", "2025-03-05", "initial_interview", 2),
                                      ("e3", "2025-04-01", "exit_work", 2)):
        con.execute("INSERT INTO process_events (event_id, pseudonym, event_date, event_type, municipality_code, "
                    "load_id, source_id) VALUES (?, ?, ?, ?, 'KU091', ?, 'old:log')", [event_id, p, day, kind, load])
    con.close()
    with Warehouse(path) as w:
        assert w.schema_version() == LATEST_VERSION
        got = latest_process_events(w).order_by("event_id").to_pandas()
        assert got["event_id"].tolist() == ["e1", "e2", "e3"]
        assert got["event_date"].astype(str).tolist() == ["2025-03-03", "2025-03-05", "2025-04-01"]


# -- command line --------------------------------------------------------------------------------
def test_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUVA_PSEUDONYM_KEY", KEY.decode())
    runner = CliRunner()
    w = ["--warehouse", str(tmp_path / "k.duckdb")]
    r = runner.invoke(app, [*w, "process", "template", str(tmp_path / "t.csv")])
    assert r.exit_code == 0, r.stderr
    r = runner.invoke(app, [*w, "process", "load", str(tmp_path / "t.csv")])
    assert r.exit_code == 0 and "7 events of 1 clients" in r.stdout, r.stderr
    r = runner.invoke(app, [*w, "process", "kpis", "--level", "nation", "--format", "csv"])
    assert r.exit_code == 0 and "initial_interview" in r.stdout and "service_model_2025 v1" in r.stdout, r.stderr
    for cmd in ("plan-debt", "routes", "quality"):
        r = runner.invoke(app, [*w, "process", cmd, "--format", "json"])
        assert r.exit_code == 0, (cmd, r.stderr)
    r = runner.invoke(app, [*w, "process", "export", str(tmp_path / "log.jsonocel")])
    assert r.exit_code == 0 and "7 events of 1 clients" in r.stdout, r.stderr
    r = runner.invoke(app, ["--warehouse", str(tmp_path / "other.duckdb"), "process", "load",
                            str(tmp_path / "log.jsonocel")])
    assert r.exit_code == 0 and "7 events of 1 clients — stored" in r.stdout, r.stderr
    (tmp_path / "bad.csv").write_text((tmp_path / "t.csv").read_text().replace("KU091", "KU999", 1))
    r = runner.invoke(app, [*w, "process", "load", str(tmp_path / "bad.csv")])
    assert r.exit_code != 0 and "bad.csv" in r.stderr and "row 2" in r.stderr and "municipality_code" in r.stderr


def test_weighted_municipalities_follow_the_weights_and_leave_the_other_draws_alone() -> None:
    """``weights`` draws each client's municipality in proportion to them (here 80 / 15 / 5 %:
    within four binomial SEs on 20,000 clients) from a stream of its own — every other draw of
    the seed (registration days, exits, services) is the same as in the uniform log."""
    import numpy as np

    munis = ["KU091", "KU049", "KU435"]
    plain = simulate_event_log(munis, clients=20_000, seed=9, months=3)
    weighted = simulate_event_log(munis, clients=20_000, seed=9, months=3, weights=[80, 15, 5])
    share = weighted.truth["municipality_code"].value_counts(normalize=True)
    for code, want in zip(munis, (0.80, 0.15, 0.05), strict=True):
        assert abs(share[code] - want) < 4 * np.sqrt(want * (1 - want) / 20_000), (code, share[code])
    cols = ["client_id", "registration", "interview_delay", "plan", "exit", "exit_to_work", "referred", "origin",
            "service_day"]
    pd.testing.assert_frame_equal(plain.truth[cols], weighted.truth[cols])
    assert (plain.truth["municipality_code"] != weighted.truth["municipality_code"]).mean() > 0.3
    for bad in ([1, 2], [1, -1, 1], [0, 0, 0], [1, float("nan"), 1]):
        with pytest.raises(KuvaInputError, match="weights"):
            simulate_event_log(munis, clients=10, seed=1, weights=bad)


def test_plan_debt_of_municipalities_without_clients_is_empty(simulated: tuple[Warehouse, pd.DataFrame, date]
                                                               ) -> None:
    """A municipality with no client in the log (Luhanka, when clients follow the population) has
    no month end to count: an empty table with the usual columns, not an error."""
    wh, _, _ = simulated
    assert "KU435" not in MUNIS
    for by in (None, "age_group"):
        empty = kpis.plan_debt(wh, level="nation", municipalities=["KU435"], by=by)  # type: ignore[arg-type]
        full = kpis.plan_debt(wh, level="nation", municipalities=MUNIS[:1], by=by)  # type: ignore[arg-type]
        assert empty.empty and list(empty.columns) == list(full.columns) and len(full) > 0
        assert str(empty["open_spells"].dtype) == "int64"
