"""``kuva simulate`` is one transaction: killed mid-way, the previous synthetic world stays whole
(not a mix of two seeds)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from kuva.cli import app
from kuva.warehouse import Warehouse

HERE = Path(__file__).resolve().parent


def world(path: Path) -> dict[str, object]:
    """What the synthetic world holds: rows and a value checksum per table, the loads, the truth."""
    with Warehouse(path, read_only=True) as wh:
        out: dict[str, object] = {}
        for table in ("observations", "service_events", "survey_answers", "process_events", "synthetic_truth"):
            f = wh.sql(f"SELECT * FROM {table}")
            out[table] = (len(f), int(pd.util.hash_pandas_object(f.astype(str), index=False).sum()))
        out["loads"] = wh.sql("SELECT load_id, source_id, checksum FROM loads ORDER BY load_id").values.tolist()
    return out


def test_a_killed_simulate_leaves_the_previous_world_whole(tmp_path: Path) -> None:
    path = tmp_path / "kuva.duckdb"
    r = CliRunner().invoke(app, ["--warehouse", str(path), "simulate", "--scale", "0.0005", "--seed", "7",
                                 "--years", "2019-2022"])
    assert r.exit_code == 0, r.stderr
    before = world(path)
    assert before["process_events"] != (0, 0) and before["survey_answers"] != (0, 0)
    proc = subprocess.Popen([sys.executable, str(HERE / "kill_during_simulate.py"), str(path), "8"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the progress bar may print first
            if line.strip().endswith("IN-TRANSACTION"):
                break
        else:
            raise AssertionError(proc.stderr.read() if proc.stderr else "no output")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    assert world(path) == before
