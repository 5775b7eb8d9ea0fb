"""Loads: validation with file/row/field, idempotence, vintages and as-of, atomicity."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from kuva.errors import BadRowError, KuvaInputError, KuvaWarehouseError
from kuva.warehouse import SourceInfo, Warehouse, load_observations, query_observations
from kuva.warehouse.schema import LATEST_VERSION, MIGRATIONS

from .snapshot import fingerprint

HERE = Path(__file__).parent


def source(vintage: datetime = datetime(2023, 1, 1), sid: str = "test:a") -> SourceInfo:
    return SourceInfo(sid, "test", "Test source", "tests", "CC0", False, "test.csv", vintage)


def frame(**overrides: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "area_code": ["KU091", "KU091", "SSS"],
        "period": ["2020-01-01", "2020-02-01", "2020-01-01"],
        "measure": ["TYOTTOMATLOPUSSA"] * 3,
        "value": [31305.0, None, 251682.0],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_migrations_are_versioned_and_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        assert wh.schema_version() == LATEST_VERSION
        assert [v for (v,) in wh.con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()] == [
            m.version for m in MIGRATIONS]
        assert wh.migrate() == []
    with Warehouse(path) as wh:
        assert wh.migrate() == []
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_reference_tables_mirror_the_registry(empty_wh: Warehouse) -> None:
    assert empty_wh.sql("SELECT count(*) AS n FROM municipalities")["n"][0] == 309
    by = empty_wh.sql("SELECT programme, count(*) AS n FROM programme_memberships GROUP BY ALL ORDER BY 1")
    counts = dict(zip(by["programme"], by["n"], strict=True))
    assert counts == {"areas_2025": 293, "pilots_2017": 23, "pilots_2021": 118}
    assert empty_wh.sync_reference() is False  # unchanged content is not rewritten


def test_read_only_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(KuvaWarehouseError, match="no warehouse at"):
        Warehouse(tmp_path / "missing.duckdb", read_only=True)


def test_load_is_idempotent(empty_wh: Warehouse) -> None:
    first = load_observations(empty_wh, frame(), source())
    assert (first.inserted, first.revised, first.unchanged, first.load_id) == (3, 0, 0, 1)
    before = empty_wh.sql("SELECT count(*) AS n FROM loads")["n"][0]
    again = load_observations(empty_wh, frame().iloc[::-1], source())  # row order does not matter
    assert (again.inserted, again.revised, again.unchanged, again.load_id) == (0, 0, 3, None)
    assert again.checksum == first.checksum
    assert empty_wh.sql("SELECT count(*) AS n FROM loads")["n"][0] == before
    assert empty_wh.sql("SELECT count(*) AS n FROM observations")["n"][0] == 3


def test_missing_values_stay_missing(empty_wh: Warehouse) -> None:
    load_observations(empty_wh, frame(), source())
    df = query_observations(empty_wh, ["TYOTTOMATLOPUSSA"], areas=["KU091"])
    assert df["value"].isna().tolist() == [False, True]


def test_revisions_keep_every_vintage_and_answer_as_of(empty_wh: Warehouse) -> None:
    load_observations(empty_wh, frame(), source(datetime(2023, 1, 1)))
    revised = frame(value=[31000.0, 30880.0, 251682.0])
    report = load_observations(empty_wh, revised, source(datetime(2023, 6, 1)))
    assert (report.inserted, report.revised, report.unchanged) == (0, 2, 1)
    latest = query_observations(empty_wh, ["TYOTTOMATLOPUSSA"], areas=["KU091"])
    assert latest["value"].tolist() == [31000.0, 30880.0]
    old = query_observations(empty_wh, ["TYOTTOMATLOPUSSA"], areas=["KU091"], as_of=date(2023, 3, 1))
    assert old["value"].tolist()[0] == 31305.0 and pd.isna(old["value"].tolist()[1])
    assert query_observations(empty_wh, ["TYOTTOMATLOPUSSA"], as_of=date(2022, 12, 31)).empty
    assert empty_wh.sql("SELECT count(*) AS n FROM observations")["n"][0] == 5
    # loading an older vintage afterwards fills history without touching the newer one
    load_observations(empty_wh, frame(value=[30000.0, 1.0, 251682.0]), source(datetime(2022, 6, 1)))
    assert query_observations(empty_wh, ["TYOTTOMATLOPUSSA"], areas=["KU091"])["value"].tolist() == [31000.0, 30880.0]


def test_same_vintage_with_other_values_is_refused(empty_wh: Warehouse) -> None:
    load_observations(empty_wh, frame(), source())
    with pytest.raises(KuvaInputError, match="a revision needs a new vintage"):
        load_observations(empty_wh, frame(value=[1.0, 2.0, 3.0]), source())
    assert empty_wh.sql("SELECT count(*) AS n FROM observations")["n"][0] == 3


@pytest.mark.parametrize(
    ("overrides", "row", "field", "message"),
    [
        ({"area_code": ["KU091", "KU9999", "SSS"]}, 2, "area_code", "unknown area code 'KU9999'"),
        ({"measure": ["TYOTTOMATLOPUSSA", "NOPE", "TYOTTOMATLOPUSSA"]}, 2, "measure", "unknown measure 'NOPE'"),
        ({"period": ["2020-01-01", "2020-02-15", "2020-01-01"]}, 2, "period", "first day of a month"),
        ({"period": ["2020-01-01", "yesterday", "2020-01-01"]}, 2, "period", "not a date"),
        ({"value": ["1", "many", "3"]}, 2, "value", "not a number: 'many'"),
        ({"value": [1.0, float("inf"), 3.0]}, 2, "value", "infinite"),
        ({"area_code": ["KU091", "KU091", "KU091"], "period": ["2020-01-01"] * 3}, 2, None, "duplicate observation"),
    ],
)
def test_bad_rows_name_source_row_and_field(
    empty_wh: Warehouse, overrides: dict[str, object], row: int, field: str | None, message: str
) -> None:
    with pytest.raises(BadRowError, match=message) as info:
        load_observations(empty_wh, frame(**overrides), source())
    assert (info.value.source, info.value.row, info.value.field) == ("test.csv", row, field)
    assert empty_wh.sql("SELECT count(*) AS n FROM observations")["n"][0] == 0


def test_file_row_numbers_are_used_when_given(empty_wh: Warehouse) -> None:
    bad = frame(measure=["TYOTTOMATLOPUSSA", "TYOTTOMATLOPUSSA", "X"], row=[10, 11, 12])
    with pytest.raises(BadRowError, match=r"test.csv, row 12, field 'measure'"):
        load_observations(empty_wh, bad, source())


def test_annual_measures_need_january(empty_wh: Warehouse) -> None:
    bad = frame(measure=["TYOVOIMATK"] * 3, period=["2020-01-01", "2020-02-01", "2021-01-01"])
    with pytest.raises(BadRowError, match="annual measure TYOVOIMATK needs period 1 January"):
        load_observations(empty_wh, bad, source())


def test_error_inside_the_transaction_rolls_everything_back(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        load_observations(wh, frame(), source())
    before = fingerprint(path)

    def boom() -> None:
        raise RuntimeError("disk full")

    with Warehouse(path) as wh, pytest.raises(RuntimeError, match="disk full"):
        load_observations(wh, frame(value=[1.0, 2.0, 3.0]), source(datetime(2024, 1, 1)), before_commit=boom)
    assert fingerprint(path) == before


@pytest.mark.slow
def test_a_killed_load_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        load_observations(wh, frame(), source())
    before = fingerprint(path)
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "kill_during_load.py"), str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(HERE)},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "IN-TRANSACTION", proc.stderr.read() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    # the uncommitted rows never appear, neither on a read-only nor on a writing open
    assert fingerprint(path) == before
    with Warehouse(path) as wh:
        assert wh.sql("SELECT count(*) AS n FROM observations WHERE source_id = 'test:killed'")["n"][0] == 0
    assert fingerprint(path) == before


def test_observation_keys_are_unique(bundled_wh: Warehouse) -> None:
    dup = bundled_wh.sql(
        """SELECT count(*) AS n FROM (SELECT area_code, period, measure, breakdown, vintage FROM observations
           GROUP BY ALL HAVING count(*) > 1)""")
    assert dup["n"][0] == 0


def test_a_copy_of_the_file_is_a_complete_warehouse(bundled_warehouse_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(bundled_warehouse_path, copy)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        # 12r5: 88,596 rows x 2 monthly measures + 7,452 annual labour-force values = 184,644;
        # the 18 national tables add 50,673 (their rows_in summed).
        assert con.execute("SELECT count(*) FROM observations").fetchone() == (184_644 + 50_673,)
    finally:
        con.close()
