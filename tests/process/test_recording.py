"""A municipality whose recording suddenly changes (data-quality monitor): a planted loss of
one municipality's initial interviews is found in the month it starts, on every seed, while the
season, the log's first months and the end of the simulated inflow (which move every
municipality alike) raise no flag."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from kuva.cli import app
from kuva.process import kpis, publish
from kuva.simulate.process import ProcessParams, simulate_event_log, stored_frame
from kuva.warehouse import SourceInfo, Warehouse
from kuva.warehouse.persons import load_process_events

MUNIS = ["KU091", "KU049", "KU205", "KU005"]
BROKEN, TYPE, FROM = "KU049", "initial_interview", date(2023, 10, 1)
SEEDS = (1, 2, 3, 4)
SOURCE = SourceInfo("synthetic:process", "synthetic", "sim", "tests", "none", True, "sim", datetime(2025, 1, 1))


def _log(seed: int, loss: float) -> pd.DataFrame:
    sim = simulate_event_log(MUNIS, clients=3000, start=date(2023, 1, 2), months=18, seed=seed,
                             params=ProcessParams())
    log = stored_frame(sim)
    rng = np.random.default_rng(seed)
    lost = ((log["municipality_code"] == BROKEN) & (log["event_type"] == TYPE) & (log["event_date"] >= FROM)
            & (rng.random(len(log)) < loss))
    return log[~lost].reset_index(drop=True)


def _warehouse(folder: Path, log: pd.DataFrame) -> Path:
    path = folder / "kuva.duckdb"
    with Warehouse(path) as wh:
        load_process_events(wh, log, SOURCE)
    return path


@pytest.mark.slow
def test_a_planted_recording_loss_is_found_and_nothing_else(tmp_path: Path) -> None:
    false_flags = 0
    for seed in SEEDS:
        (tmp_path / str(seed)).mkdir()
        path = _warehouse(tmp_path / str(seed), _log(seed, loss=0.8))
        with Warehouse(path, read_only=True) as wh:
            found = kpis.recording_changes(wh)
        planted = found[(found["municipality_code"] == BROKEN) & (found["event_type"] == TYPE)]
        assert FROM in set(planted["month"]), (seed, found)
        assert (planted["check"] == "recording_drop").all()
        row = planted[planted["month"] == FROM].iloc[0]
        assert row["ratio"] <= 0.5 and row["expected"] >= kpis.RECORDING_MIN_EXPECTED
        false_flags += len(found) - len(planted)
    # about 4 municipalities × 17 event types × 11 judged months × 4 seeds ≈ 3,000 tests at 1e-4
    assert false_flags <= 2


def test_no_change_no_flag_and_the_published_table(tmp_path: Path) -> None:
    path = _warehouse(tmp_path, _log(9, loss=0.0))
    with Warehouse(path, read_only=True) as wh:
        assert len(kpis.recording_changes(wh, as_of=date(2024, 6, 30))) <= 1
        two = kpis.recording_changes(wh, municipalities=["KU091", "KU049"])
        assert two.empty  # fewer than three municipalities: nothing to compare against
        p = publish.recording(wh)
    assert list(p.frame.columns)[:7] == ["check", "municipality_code", "event_type", "month", "n", "expected",
                                         "ratio"]
    r = CliRunner().invoke(app, ["--warehouse", str(path), "process", "quality", "--recording", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0].startswith("check,municipality_code,event_type,month,n,expected,ratio")
