"""``--pilots``/``KUVA_PILOTS_CSV`` reach every command: the warehouse holds the configured list
before any command reads it, and the effect designs use it (issue 12)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuva.cli import app
from kuva.warehouse import Warehouse, stored_memberships

runner = CliRunner()

OWN = ("pilot_area_fi;municipality_code;municipality_name_fi;confidence\n"
       "Kainuu kokeilu;KU205;Kajaani;confirmed\nKainuu kokeilu;KU290;Kuhmo;confirmed\n"
       "Pääkaupunki;KU091;Helsingfors;confirmed\nPääkaupunki;KU049;Espoo;likely\n"
       "Tampere;KU837;Tampere;confirmed\n")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args), env=env)
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def warehouse(bundled_warehouse_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    return path


def _stored(path: Path) -> set[tuple[str, str]]:
    with Warehouse(path, read_only=True) as wh:
        m = stored_memberships(wh)
    return set(zip(m.area_name, m.municipality_code, strict=True))


def test_the_members_list_reads_back_as_a_pilot_list(tmp_path: Path) -> None:
    code, out, err = run("registry", "pilots", "--members", "-f", "csv")
    assert code == 0, err
    f = tmp_path / "members.csv"
    f.write_text(out, encoding="utf-8")
    code, back, err = run("--pilots", str(f), "registry", "pilots", "--members", "-f", "csv")
    assert code == 0, err
    assert list(csv.DictReader(io.StringIO(back))) == list(csv.DictReader(io.StringIO(out)))
    rows = list(csv.reader(io.StringIO(out)))
    with (tmp_path / "semicolons.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)  # the Finnish Excel default
    code, again, err = run("registry", "pilots", "--members", "-f", "csv", "--file", str(tmp_path / "semicolons.csv"))
    assert code == 0 and again == out, err


def test_reading_commands_use_the_configured_list(warehouse: Path, tmp_path: Path) -> None:
    own = tmp_path / "own.csv"
    own.write_text(OWN, encoding="utf-8")
    code, _, err = run("--warehouse", str(warehouse), "info", env={"KUVA_PILOTS_CSV": str(own)})
    assert code == 0, err
    assert _stored(warehouse) == {("Kainuu kokeilu", "KU205"), ("Kainuu kokeilu", "KU290"),
                                  ("Pääkaupunki", "KU091"), ("Pääkaupunki", "KU049"), ("Tampere", "KU837")}
    code, _, err = run("--warehouse", str(warehouse), "info")  # unset: back to the bundled list
    assert code == 0 and len(_stored(warehouse)) == 118, err


def test_evaluate_uses_the_configured_list(warehouse: Path, tmp_path: Path) -> None:
    own = tmp_path / "own.csv"
    own.write_text(OWN, encoding="utf-8")
    args = ("evaluate", "--design", "did", "--outcome", "log_unemployed", "--to", "2023-10")
    code, out, err = run("--warehouse", str(warehouse), "--pilots", str(own), *args)
    assert code == 0, err
    assert "area: 3 treated" in out
    code, out, err = run("--warehouse", str(warehouse), *args)
    assert code == 0 and "area: 25 treated" in out, err


def test_a_bad_configured_list_stops_every_command_with_its_row(warehouse: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(OWN.replace("KU290;Kuhmo", "KU290;Sotkamo"), encoding="utf-8")
    for args in (("info",), ("evaluate", "--design", "did"), ("report", "--no-pdf", "--out", str(tmp_path / "r"))):
        code, _, err = run("--warehouse", str(warehouse), "--pilots", str(bad), *args)
        assert code == 1 and f"{bad}, row 2, field 'municipality_name_fi'" in err and "Kuhmo" in err, args


def test_a_failed_opening_closes_its_connection_at_once(warehouse: Path, tmp_path: Path) -> None:
    """With the garbage collector off, a command stopped by a bad pilot list must still have
    closed its warehouse connection: a connection left to the collector made the next command in
    the same process fail with "Can't open a connection to same database file with a different
    configuration" instead of naming the list's row (seen once in the full suite)."""
    import gc

    bad = tmp_path / "bad.csv"
    bad.write_text(OWN.replace("KU290;Kuhmo", "KU290;Sotkamo"), encoding="utf-8")
    gc.disable()
    try:
        for args in (("info",), ("evaluate", "--design", "did"), ("info",)):
            code, _, err = run("--warehouse", str(warehouse), "--pilots", str(bad), *args)
            assert code == 1 and "row 2, field 'municipality_name_fi'" in err, (args, err)
    finally:
        gc.enable()
