"""The command line, through Typer's runner on real warehouse files."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kuva.cli import app
from kuva.registry import area_registry

runner = CliRunner()


def run(*args: str, warehouse: Path | None = None) -> tuple[int, str, str]:
    prefix = ["--warehouse", str(warehouse)] if warehouse else []
    result = runner.invoke(app, [*prefix, *args])
    return result.exit_code, result.stdout, result.stderr


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("kuva ")


@pytest.mark.slow
def test_demo_builds_a_warehouse_prints_its_summary_and_writes_the_report(tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    code, out, err = run("demo", warehouse=path)
    assert code == 0, err
    assert path.is_file()
    assert "statfin:12r5" in out and "184,644" in out and "municipality" in out
    assert "synthetic:panel" in out and "SYNTHETIC" in out
    assert (tmp_path / "report" / "report.html").is_file() and (tmp_path / "report" / "report.pdf").is_file()
    code, out, _ = run("demo", "--no-report", warehouse=path)  # a second run changes nothing
    assert code == 0 and out.count("no change") == 19
    assert "Report:" not in out


def test_report_command(bundled_warehouse_path: Path, tmp_path: Path) -> None:
    code, _out, err = run("report", "--lang", "en", "--out", str(tmp_path / "r"), "--no-pdf",
                         warehouse=bundled_warehouse_path)
    assert code == 0, err
    assert (tmp_path / "r" / "report.html").is_file() and not (tmp_path / "r" / "report.pdf").exists()
    # not a terminal: each stage is one line on stderr, so a log shows where the job is
    stages = [line for line in err.splitlines() if line.startswith("report: ")]
    assert stages[:2] == ["report: chapter own_area", "report: chapter situation"]
    assert stages[-2:] == ["report: document", "report: html"]
    code, _, err = run("report", "--lang", "de", "--out", str(tmp_path / "r"), warehouse=bundled_warehouse_path)
    assert code == 1 and "--lang must be one of" in err


def test_query_prints_the_bundled_statfin_values(bundled_warehouse_path: Path) -> None:
    code, out, err = run("query", "TYOTTOMATLOPUSSA", "--area", "Helsingfors", "--from", "2020-02", "--to", "2020-04",
                         "--format", "csv", warehouse=bundled_warehouse_path)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    # StatFin 12r5: Helsinki 2020-02 30,880; 2020-03 41,793; 2020-04 63,069 unemployed jobseekers
    assert [(r["period"], float(r["value"])) for r in rows] == [
        ("2020-02-01", 30_880.0), ("2020-03-01", 41_793.0), ("2020-04-01", 63_069.0)]


def test_query_json_and_table(bundled_warehouse_path: Path) -> None:
    code, out, _ = run("query", "AKTASTE", "-a", "SSS", "--from", "2020-01", "--to", "2020-01", "-f", "json",
                       warehouse=bundled_warehouse_path)
    assert code == 0
    (record,) = json.loads(out)
    assert record["value"] == 31.5 and record["period"] == "2020-01-01" and record["source_id"] == "statfin:12u4"
    code, out, _ = run("query", "AKTASTE", "-a", "SSS", "--from", "2020-01", "--to", "2020-02",
                       warehouse=bundled_warehouse_path)
    assert code == 0 and "31.50" in out and "2 rows" in out


def test_query_as_of_before_any_vintage_is_empty(bundled_warehouse_path: Path) -> None:
    code, out, _ = run("query", "TYOTTOMATLOPUSSA", "-a", "KU091", "--as-of", "2020-01-01", "-f", "csv",
                       warehouse=bundled_warehouse_path)
    assert code == 0 and out.strip().splitlines()[1:] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("query", "NOPE"), "error: unknown measure 'NOPE'"),
        (("query", "AKTASTE", "--area", "Helsinkii"), "error: unknown area 'Helsinkii'; closest: Helsinki"),
        (("query", "AKTASTE", "--from", "2020-13"), "error: --from: expected YYYY-MM"),
        (("query", "AKTASTE", "--format", "xml"), "error: --format must be one of"),
        (("registry", "municipality", "Tamperr"), "error: unknown municipality 'Tamperr'; closest: Tampere"),
    ],
)
def test_domain_errors_are_one_line_and_exit_1(
    bundled_warehouse_path: Path, args: tuple[str, ...], message: str
) -> None:
    code, _out, err = run(*args, warehouse=bundled_warehouse_path)
    assert code == 1
    assert err.strip().startswith(message)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_debug_shows_the_traceback(bundled_warehouse_path: Path) -> None:
    result = runner.invoke(app, ["--warehouse", str(bundled_warehouse_path), "--debug", "query", "NOPE"])
    assert result.exit_code == 1 and result.exception is not None
    assert type(result.exception).__name__ == "KuvaLookupError"


def test_missing_warehouse_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("info", warehouse=tmp_path / "none.duckdb")
    assert code == 1 and "no warehouse at" in err and "kuva demo" in err


def test_usage_errors_exit_2() -> None:
    assert runner.invoke(app, ["query"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_registry_commands() -> None:
    code, out, _ = run("registry", "municipality", "KU099")
    assert code == 0 and "Kankaanpää" in out
    code, out, _ = run("registry", "municipality", "Kajaani")
    assert "Kainuun seutu" in out and "confidence: confirmed" in out
    code, out, _ = run("registry", "pilots", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 25 and sum(int(r["municipalities"]) for r in rows) == 118
    code, out, _ = run("registry", "pilots", "--members", "--format", "json")
    members = json.loads(out)
    assert len(members) == 118 and {m["confidence"] for m in members} == {"confirmed", "likely", "guess"}
    code, out, _ = run("registry", "services")
    assert code == 0 and "KUNTTYOLOP" in out
    code, out, _ = run("registry", "measures", "-f", "csv")
    assert code == 0 and "AKTASTE" in out


def test_pilots_from_a_user_file(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("pilot_area_fi,municipality_code,municipality_name_fi,source_url,confidence\n"
                 "Oma alue,091,Helsinki,https://example.org,confirmed\n", encoding="utf-8")
    code, out, _ = run("registry", "pilots", "--file", str(f), "-f", "csv")
    assert code == 0 and "Oma alue" in out
    f.write_text("pilot_area_fi,municipality_code,municipality_name_fi,source_url,confidence\n"
                 "Oma alue,091,Helsinki,https://example.org,maybe\n", encoding="utf-8")
    code, _, err = run("registry", "pilots", "--file", str(f))
    assert code == 1 and f"{f}, row 1, field 'confidence'" in err


def test_load_bundled_subset(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    code, out, _ = run("load", "bundled", "-t", "12u4", warehouse=path)
    assert code == 0 and "statfin:12u4" in out and "statfin:12r5" not in out
    code, _, err = run("load", "bundled", "-t", "12zz", warehouse=path)
    assert code == 1 and "unknown bundled table" in err


def test_simulate_writes_labelled_synthetic_data_and_truth(tmp_path: Path) -> None:
    path = tmp_path / "sim.duckdb"
    code, out, err = run("simulate", "--scale", "0.0005", "--seed", "7", "--effect", "activation_pp=-2",
                         "--years", "2019-2022", warehouse=path)
    assert code == 0, err
    assert "SYNTHETIC data (seed 7" in out
    from kuva.simulate import planted_truth
    from kuva.warehouse import Warehouse

    with Warehouse(path, read_only=True) as wh:
        assert not planted_truth(wh).empty
        flags = wh.sql("SELECT DISTINCT synthetic FROM sources WHERE source_id LIKE 'synthetic:%'")
        assert flags["synthetic"].tolist() == [True]
    code, _, err = run("simulate", "--effect", "activation_pp", warehouse=path)
    assert code == 1 and "must look like name=value" in err
    code, _, err = run("simulate", "--years", "twenty", warehouse=path)
    assert code == 1 and "--years: expected YYYY-YYYY" in err


@pytest.mark.slow
def test_evaluate_on_simulated_data(tmp_path: Path) -> None:
    path = tmp_path / "e.duckdb"
    assert run("load", "bundled", "-t", "12r5", warehouse=path)[0] == 0
    assert run("simulate", "--scale", "0.0005", "--seed", "11", "--years", "2017-2024", warehouse=path)[0] == 0
    code, out, err = run("evaluate", "--design", "did,sdid", "--out", str(tmp_path / "ev"), warehouse=path)
    assert code == 0, err
    assert "did" in out and "sdid" in out and "Planted effect" in out
    assert any((tmp_path / "ev").iterdir())
    code, _, err = run("evaluate", "--comparison", "neighbours", warehouse=path)
    assert code == 1 and "--comparison must be one of" in err


@functools.cache
def _raw_12r5() -> dict[tuple[str, str], tuple[str, str]]:
    """(area, YYYY-MM-01) → (unemployed, vacancies) as written in the bundled StatFin file."""
    data = resources.files("kuva.sources").joinpath("data").joinpath("statfin").joinpath(
        "tyonv_12r5_monthly_2006-01_2023-10.csv.gz").read_bytes()
    rows = csv.DictReader(io.StringIO(gzip.decompress(data).decode("utf-8")))
    return {(r["alue"], r["time"]): (r["TYOTTOMATLOPUSSA"], r["AVPAIKATLOPUSSA"]) for r in rows}


@given(st.sampled_from([m.code for m in area_registry().municipalities()]),
       st.integers(min_value=0, max_value=213))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_cli_prints_the_bundled_value_for_any_municipality_and_month(
    bundled_warehouse_path: Path, code: str, month_index: int
) -> None:
    year, month = 2006 + month_index // 12, 1 + month_index % 12
    period = f"{year}-{month:02d}"
    _, out, err = run("query", "TYOTTOMATLOPUSSA", "AVPAIKATLOPUSSA", "-a", code, "--from", period, "--to", period,
                      "-f", "csv", warehouse=bundled_warehouse_path)
    got = {r["measure"]: r["value"] for r in csv.DictReader(io.StringIO(out))}
    unemployed, vacancies = _raw_12r5()[(code, f"{period}-01")]
    for measure, raw in (("TYOTTOMATLOPUSSA", unemployed), ("AVPAIKATLOPUSSA", vacancies)):
        if raw == "":
            assert got[measure] == "", (measure, err)  # suppressed by the publisher: missing, never 0
        elif measure == "TYOTTOMATLOPUSSA" and 0 < float(raw) < 5:
            assert got[measure] == ""  # a person count below the minimum cell: suppressed by KuVa
        else:
            assert float(got[measure]) == float(raw)


def test_query_suppresses_small_person_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime

    import pandas as pd

    from kuva.warehouse import SourceInfo, Warehouse, load_observations

    path = tmp_path / "s.duckdb"
    with Warehouse(path) as wh:
        load_observations(wh, pd.DataFrame({
            "area_code": ["KU091", "KU049", "KU049"], "period": ["2020-01-01"] * 3,
            "measure": ["KUNTTYOLOP", "KUNTTYOLOP", "AKTASTE"], "value": [3.0, 12.0, 3.0],
        }), SourceInfo("test:s", "test", "t", "t", "CC0", True, "s.csv", datetime(2024, 1, 1)))
    code, out, _ = run("query", "KUNTTYOLOP", "AKTASTE", "-f", "csv", warehouse=path)
    rows = {(r["area_code"], r["measure"]): r for r in csv.DictReader(io.StringIO(out))}
    assert code == 0
    assert rows[("KU091", "KUNTTYOLOP")]["value"] == "" and rows[("KU091", "KUNTTYOLOP")]["suppressed"] == "True"
    assert rows[("KU049", "KUNTTYOLOP")]["value"] == "12.0"
    assert rows[("KU049", "AKTASTE")]["value"] == "3.0"  # a rate, not a count: never suppressed
    monkeypatch.setenv("KUVA_MIN_CELL", "13")
    _, out, _ = run("query", "KUNTTYOLOP", "-a", "KU049", "-f", "csv", warehouse=path)
    assert next(iter(csv.DictReader(io.StringIO(out))))["value"] == ""


def test_importing_the_cli_loads_no_heavy_library() -> None:
    """``kuva --help`` must start fast: the command modules import the heavy libraries lazily."""
    import subprocess
    import sys

    heavy = ["pandas", "numpy", "duckdb", "ibis", "matplotlib", "pyfixest", "typst", "scipy"]
    code = ("import sys, kuva.cli; "
            f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_kuva_info_reads_with_plain_sql(bundled_warehouse_path: Path) -> None:
    """``kuva info`` answers without pandas, Ibis or the analysis layers (PEP 562 lazy exports of
    ``kuva.warehouse``, plain-SQL summaries), and still lists what is stored."""
    import subprocess
    import sys

    heavy = ["pandas", "ibis", "matplotlib", "pyfixest", "scipy", "kuva.analysis"]
    code = ("import sys\nfrom kuva.cli import app\n"
            f"sys.argv = ['kuva', '--warehouse', {str(bundled_warehouse_path)!r}, 'info']\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            f"print('LOADED:' + ','.join(m for m in {heavy!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().endswith("LOADED:"), done.stdout[-300:]
    assert "statfin:12r5" in done.stdout and "Area coverage" in done.stdout and "municipality" in done.stdout


def test_global_options_travel_in_the_context_and_keep_the_other_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--warehouse replaces only the warehouse: rounding and the min-cell override still apply."""
    from kuva.cli import CliState

    monkeypatch.setenv("KUVA_ROUNDING", "5")
    monkeypatch.setenv("KUVA_MIN_CELL", "7")
    s = CliState(warehouse=tmp_path / "x.duckdb").settings()
    assert (s.warehouse, s.rounding, s.min_cell) == (tmp_path / "x.duckdb", 5, 7)
    assert CliState().settings().warehouse != tmp_path / "x.duckdb"


def test_an_invalid_setting_is_one_line_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUVA_ROUNDING", "seven")
    code, _, err = run("info", warehouse=tmp_path / "none.duckdb")
    assert code == 1 and err.startswith("error: KUVA_ROUNDING") and len(err.strip().splitlines()) == 1


def test_report_and_warehouse_errors_are_one_line(bundled_warehouse_path: Path, tmp_path: Path) -> None:
    """The cases a tester found: a period with no data, --out naming a file, a truncated warehouse,
    an unwritable path — each one ``error:`` line with what to do, never a traceback."""
    code, _, err = run("report", "--from", "2030-01", "--to", "2030-06", "--no-pdf", "--out", str(tmp_path / "r"),
                       warehouse=bundled_warehouse_path)
    assert code == 1 and err.startswith("error: no data in 2030-01–2030-06; the warehouse has months 2006-01")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code, _, err = run("report", "--no-pdf", "--out", str(tmp_path / "afile"), warehouse=bundled_warehouse_path)
    assert code == 1 and "is a file, not a folder" in err
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(bundled_warehouse_path.read_bytes()[:100_000])
    for args in (("info",), ("report", "--no-pdf")):
        code, _, err = run(*args, warehouse=truncated)
        assert code == 1 and "truncated or damaged" in err and "kuva demo" in err and "Traceback" not in err
    code, _, err = run("process", "template", str(tmp_path / "no" / "such" / "dir" / "t.csv"))
    assert code == 1 and err.startswith("error: ") and "no/such/dir" in err and "Traceback" not in err


def test_report_reference_months(bundled_warehouse_path: Path, tmp_path: Path) -> None:
    code, _, err = run("report", "--no-pdf", "--lang", "en", "--out", str(tmp_path / "r"), "--reference-month",
                       "2020-01", "--reference-month", "2022-01", warehouse=bundled_warehouse_path)
    assert code == 0, err
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "From January 2020 to January 2022 the national activation rate changed" in page
    code, _, err = run("report", "--no-pdf", "--out", str(tmp_path / "r"), "--reference-month", "2022-01",
                       "--reference-month", "2020-01", warehouse=bundled_warehouse_path)
    assert code == 1 and "the earlier first" in err


def test_emit_prints_missing_values_as_missing_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    """NaN (Python's and numpy's), NaT, pandas' NA and None print as an empty cell, JSON null."""
    import json

    import numpy as np
    import pandas as pd

    from kuva.cli.output import emit, is_missing

    assert all(map(is_missing, (None, float("nan"), np.float64("nan"), pd.NA, pd.NaT)))
    assert not any(map(is_missing, (0.0, "", np.array([1, 2]), pd.Timestamp("2020-01-01"))))
    frame = pd.DataFrame({"a": [1.5, np.nan], "b": pd.array([1, None], dtype="Int64"),
                          "c": pd.to_datetime(["2020-01-31 12:00", None])})
    emit(frame, "json")
    assert json.loads(capsys.readouterr().out) == [{"a": 1.5, "b": 1, "c": "2020-01-31"},
                                                    {"a": None, "b": None, "c": None}]
    emit(frame, "csv")
    assert capsys.readouterr().out == "a,b,c\n1.5,1,2020-01-31\n,,\n"
