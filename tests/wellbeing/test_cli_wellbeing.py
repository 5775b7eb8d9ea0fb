"""`kuva wellbeing load` and `summary` on the synthetic sample export."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kuva.cli import app

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def test_load_and_summarise_a_sample_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUVA_PSEUDONYM_KEY", "test-key-0123456789abcdef")
    path = tmp_path / "w.duckdb"
    base = ["--warehouse", str(path), "wellbeing"]
    result = runner.invoke(app, [*base, "load", str(DATA / "synthetic_kykyviisari_export.csv")])
    assert result.exit_code == 0, result.stderr
    assert "stored" in result.stdout
    again = runner.invoke(app, [*base, "load", str(DATA / "synthetic_kykyviisari_export.csv")])
    assert again.exit_code == 0 and "nothing changed" in again.stdout
    summary = runner.invoke(app, [*base, "summary", "--export", str(tmp_path / "out.xlsx")])
    assert summary.exit_code == 0, summary.stderr
    assert (tmp_path / "out.xlsx").is_file()


def test_a_bad_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing,here\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["--warehouse", str(tmp_path / "w.duckdb"), "wellbeing", "load", str(bad)])
    assert result.exit_code == 1 and result.stderr.startswith("error:") and str(bad) in result.stderr
