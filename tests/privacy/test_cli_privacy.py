"""`kuva query` and `kuva privacy audit` on real files, through Typer's runner."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kuva.cli import app
from kuva.privacy.audit import write_sidecar
from kuva.privacy.engine import protect_table
from kuva.privacy.policy import policy
from kuva.privacy.spec import Count, SumOver, TableSpec
from kuva.warehouse import Warehouse

from .conftest import ALAJARVI, SERVICES

runner = CliRunner()


def publish(directory: Path, *, naive: bool) -> None:
    df = pd.DataFrame({"area": ["A"] * 4, "service": ["s1", "s2", "s3", "s4"], "persons": [3, 20, 30, 40],
                       "total": [93] * 4})
    spec = TableSpec(counts=(Count("persons", ("area", "service")), Count("total", ("area",))),
                     relations=(SumOver("total", "persons", "service"),))
    pt = protect_table(df, spec, policy(5), name="mix")
    frame = df.assign(persons=df["persons"].where(df["persons"] >= 5)) if naive else pt.frame
    directory.mkdir(parents=True, exist_ok=True)
    frame.to_csv(directory / "mix.csv", index=False)
    write_sidecar(directory / "mix.csv", pt.sidecar)


def test_audit_passes_protected_tables(tmp_path: Path) -> None:
    publish(tmp_path / "ok", naive=False)
    result = runner.invoke(app, ["privacy", "audit", str(tmp_path / "ok")])
    assert result.exit_code == 0, result.output
    assert "0 exposed" in result.output


def test_audit_finds_the_recoverable_cell_and_fails(tmp_path: Path) -> None:
    publish(tmp_path / "leak", naive=True)
    result = runner.invoke(app, ["privacy", "audit", str(tmp_path / "leak"), "--format", "json"])
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert len(found) == 1
    assert found[0]["key"] == "persons|area=A|service=s1" and found[0]["low"] == found[0]["high"] == 3
    assert found[0]["row"] == 1 and found[0]["column"] == "persons"


def test_audit_of_a_missing_directory_is_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["privacy", "audit", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "no such directory" in result.output


def test_query_hides_the_service_a_total_would_reveal(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    wh.close()
    monkeypatch.setenv("KUVA_WAREHOUSE", str(wh.path))
    result = runner.invoke(app, ["query", "PALVELUISSAYHTEENSA", *SERVICES, "--area", ALAJARVI,
                                 "--from", "2021-09", "--to", "2021-09", "--format", "csv"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(io.StringIO(result.stdout)).set_index("measure")
    assert pd.isna(out.loc["VALMENNUSLOP", "value"])  # the 3
    assert out["value"].isna().sum() >= 2  # and one more, so 130 − shown ≠ the 3
    assert "confidential counts hidden" in result.stderr
