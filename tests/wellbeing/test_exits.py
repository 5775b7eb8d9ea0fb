"""Kykyviisari change linked to later exits: the panel by hand, the model against a planted
slope, the report's protected table and its refusal when there are no service paths."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.privacy.audit import audit_tables
from kuva.warehouse import Warehouse, load_service_events
from kuva.wellbeing.exits import change_exit_model, change_exit_panel, change_exit_result, change_exit_table

from .conftest import EVENT_SOURCE, pid, store_answers

#: the recovery tolerance in standard errors
Z_TOL = 4.0


def _events(wh: Warehouse, rows: list[tuple[str, str, str, str | None]]) -> None:
    frame = pd.DataFrame({"pseudonym": [pid(p) for p, *_ in rows], "event_date": [d for _, d, _, _ in rows],
                          "event_type": [t for _, _, t, _ in rows], "detail": [x for *_, x in rows],
                          "sector": "employment_services"})
    load_service_events(wh, frame, EVENT_SOURCE)


def test_the_panel_by_hand(wh: Warehouse) -> None:
    """A: 4 → 7, exits to the open labour market 30 days after the second answer (counts).
    B: 5 → 5, exits to education first, then to work (the first exit counts: not to work).
    C: 6 → 5, exits to work 200 days after (beyond the 180-day horizon). D: one answer only.
    E: two answers, the second too late to be followed 180 days before the paths end."""
    store_answers(wh, [("A", "2022-01-10", "KU205", None, 4, None, ()),
                       ("A", "2022-06-01", "KU205", None, 7, None, ()),
                       ("B", "2022-02-01", "KU205", None, 5, None, ()), ("B", "2022-05-01", "KU205", None, 5, None, ()),
                       ("C", "2022-02-01", "KU091", None, 6, None, ()),
                       ("C", "2022-04-01", "KU091", None, 5, None, ()),
                       ("D", "2022-02-01", "KU091", None, 6, None, ()),
                       ("E", "2022-02-01", "KU091", None, 3, None, ()),
                       ("E", "2023-05-01", "KU091", None, 9, None, ())])
    _events(wh, [("A", "2022-07-01", "exit", "open_labour_market"), ("B", "2022-05-20", "exit", "education"),
                 ("B", "2022-07-01", "exit", "open_labour_market"),
                 ("C", (date(2022, 4, 1) + timedelta(days=200)).isoformat(), "exit", "subsidised_work"),
                 ("E", "2023-06-01", "exit", "open_labour_market"), ("D", "2023-08-31", "registration", None)])
    panel = change_exit_panel(wh).set_index("pseudonym")
    assert set(panel.index) == {pid("A"), pid("B"), pid("C")}
    assert panel.loc[pid("A"), ["baseline", "change", "exited"]].tolist() == [4.0, 3.0, 1]
    assert panel.loc[pid("B"), ["change", "exited"]].tolist() == [0.0, 0]
    assert panel.loc[pid("C"), ["change", "exited"]].tolist() == [-1.0, 0]
    assert set(change_exit_panel(wh, horizon_days=210)[lambda f: f["exited"] == 1]["pseudonym"]) == {pid("A"), pid("C")}
    table = change_exit_table(panel.reset_index()).set_index("direction")
    assert table.loc["total", ["respondents", "exited"]].tolist() == [3, 1]
    assert table.loc["improved", "exit_rate"] == 100.0 and table.loc["declined", "exit_rate"] == 0.0
    with pytest.raises(KuvaInputError, match="too few"):
        change_exit_model(panel.reset_index())


def test_exits_from_the_service_process_event_log(wh: Warehouse) -> None:
    """An area's own Kykyviisari answers and event log, pseudonymised with the same key, are
    linked: F leaves for work (``exit_work``) 40 days after the second answer, G leaves for
    education first; H has answers only in the paths world and exits there."""
    from kuva.process.eventlog import STORED_COLUMNS
    from kuva.warehouse.persons import load_process_events

    store_answers(wh, [(p, day, muni, None, score, None, ()) for p, day, muni, score in (
        ("F", "2024-01-10", "KU205", 3), ("F", "2024-04-01", "KU205", 6), ("G", "2024-01-10", "KU205", 5),
        ("G", "2024-03-01", "KU205", 4), ("H", "2024-01-10", "KU091", 7), ("H", "2024-02-01", "KU091", 8))])
    rows = [("e1", "F", "2024-01-02", "registration"), ("e2", "F", "2024-05-11", "exit_work"),
            ("e3", "G", "2024-01-02", "registration"), ("e4", "G", "2024-03-20", "exit_education"),
            ("e5", "X", "2025-03-01", "registration")]  # the log runs long enough to follow everyone
    log = pd.DataFrame({c: None for c in STORED_COLUMNS}, index=range(len(rows)))
    log["event_id"], log["pseudonym"] = [r[0] for r in rows], [pid(r[1]) for r in rows]
    log["event_date"] = [date.fromisoformat(r[2]) for r in rows]
    log["event_type"], log["municipality_code"] = [r[3] for r in rows], "KU205"
    load_process_events(wh, log[list(STORED_COLUMNS)], EVENT_SOURCE)
    _events(wh, [("H", "2024-03-01", "exit", "subsidised_work"), ("Y", "2025-02-01", "registration", None)])
    panel = change_exit_panel(wh).set_index("pseudonym")
    assert panel.loc[pid("F"), ["baseline", "change", "exited"]].tolist() == [3.0, 3.0, 1]
    assert panel.loc[pid("G"), ["change", "exited"]].tolist() == [-1.0, 0]
    assert panel.loc[pid("H"), "exited"] == 1


def test_no_respondents_with_an_event_log_is_an_empty_panel(wh: Warehouse) -> None:
    """An event log without Kykyviisari answers (the demo's service-process world): an empty
    panel with the usual columns, not an error (``kuva evaluate --level person`` crashed here)."""
    from kuva.process.eventlog import STORED_COLUMNS
    from kuva.warehouse.persons import load_process_events

    log = pd.DataFrame({c: None for c in STORED_COLUMNS}, index=[0])
    log["event_id"], log["pseudonym"], log["event_date"] = "e1", pid("Z"), date(2024, 1, 2)
    log["event_type"], log["municipality_code"] = "registration", "KU205"
    load_process_events(wh, log[list(STORED_COLUMNS)], EVENT_SOURCE)
    panel = change_exit_panel(wh)
    assert panel.empty and list(panel.columns) == ["pseudonym", "area", "first_at", "second_at", "baseline",
                                                   "change", "exited"]


def test_no_service_paths_is_a_clear_refusal(wh: Warehouse) -> None:
    store_answers(wh, [("A", "2022-01-10", "KU205", None, 4, None, ()),
                       ("A", "2022-06-01", "KU205", None, 7, None, ())])
    with pytest.raises(KuvaLookupError, match="service paths"):
        change_exit_panel(wh)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_model_recovers_a_planted_slope(seed: int) -> None:
    """4,000 respondents whose probability of exit to work is 20 % + 3 points per point of change
    − 1 point per point of the first answer above 5: the slope within four SE of 3."""
    rng = np.random.default_rng(seed)
    baseline = rng.integers(0, 11, 4000).astype(float)
    change = np.clip(rng.integers(-3, 4, 4000) + baseline, 0, 10) - baseline
    p = 0.20 + 0.03 * change - 0.01 * (baseline - 5)
    panel = pd.DataFrame({"change": change, "baseline": baseline, "exited": (rng.random(4000) < p).astype(int)})
    r = change_exit_model(panel)
    assert abs(r.estimate - 3.0) <= Z_TOL * r.std_error
    assert abs(r.baseline_coef + 1.0) <= Z_TOL * r.baseline_se
    lo, hi = r.conf_int()
    assert lo < r.estimate < hi and math.isclose(r.exit_rate, 100 * panel["exited"].mean())
    assert r.tidy().shape[0] == 2 and str(r.summary())


def test_the_report_result_is_protected(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's table hides a direction with fewer respondents than the minimum cell (and
    what would give it away by subtraction); the audit finds nothing exposed; too few
    respondents for the model is said in the text."""
    rows, events = [], []
    rng = np.random.default_rng(4)
    for i in range(40):
        first = int(rng.integers(2, 8))
        second = first + (1 if i < 30 else (-1 if i < 37 else 0))  # 3 unchanged: below the minimum cell
        rows += [(f"p{i}", "2022-01-10", "KU205", None, first, None, ()),
                 (f"p{i}", "2022-03-01", "KU205", None, second, None, ())]
        if i % 3 == 0:
            events.append((f"p{i}", "2022-05-01", "exit", "open_labour_market"))
    events.append(("p0", "2023-06-30", "registration", None))
    store_answers(wh, rows)
    _events(wh, events)
    r = change_exit_result(wh, min_cell=5)
    t = r.table.set_index("direction")
    assert pd.isna(t.loc["unchanged", "respondents"]) and pd.notna(t.loc["total", "respondents"])
    assert r.disclosure is not None
    assert audit_tables([(r.key, r.disclosure.sidecar, r.table)], min_cell=5).exposures == ()
    for lang in ("fi", "sv", "en"):
        assert r.text(lang) and "{" not in r.text(lang)
