"""`kuva load statfin` against the local PxWeb server: the CLI stores the same values as the
bundled real data and a failing server leaves the warehouse unchanged."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kuva.cli import app
from kuva.warehouse import Warehouse
from tests.sources.pxweb.conftest import warehouse_checksum
from tests.sources.pxweb.server import PxWebTestServer

runner = CliRunner()


def test_load_statfin_from_the_local_server(server: PxWebTestServer, tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    result = runner.invoke(app, ["--warehouse", str(path), "load", "statfin", "-t", "12u4", "--base-url", server.v2])
    assert result.exit_code == 0, result.stderr
    assert "12u4" in result.stdout
    with Warehouse(path, read_only=True) as wh:
        v = wh.sql("""SELECT value FROM observations WHERE area_code = 'SSS' AND measure = 'AKTASTE'
                      AND period = DATE '2020-01-01'""")["value"].tolist()
    assert v == [31.5]  # the real 12u4 value the server serves from the bundled data
    again = runner.invoke(app, ["--warehouse", str(path), "load", "statfin", "-t", "12u4", "--base-url", server.v2])
    assert again.exit_code == 0, again.stderr


def test_load_statfin_errors_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with Warehouse(path):
        pass
    with Warehouse(path, read_only=True) as wh:
        before = warehouse_checksum(wh)
    result = runner.invoke(app, ["--warehouse", str(path), "load", "statfin", "-t", "12zz", "--base-url",
                                 "http://127.0.0.1:9/api/v2"])
    assert result.exit_code == 1 and result.stderr.startswith("error:") and "12zz" in result.stderr
    result = runner.invoke(app, ["--warehouse", str(path), "load", "statfin", "--lang", "de"])
    assert result.exit_code == 1 and "--lang must be one of" in result.stderr
    with Warehouse(path, read_only=True) as wh:
        assert warehouse_checksum(wh) == before
