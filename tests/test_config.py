"""Settings: environment first, then kuva.toml, then defaults; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuva.config import DEFAULT_WAREHOUSE, load_settings
from kuva.errors import KuvaConfigError


def test_defaults(tmp_path: Path) -> None:
    s = load_settings(tmp_path, {})
    assert (s.warehouse, s.min_cell, s.pilots_csv) == (DEFAULT_WAREHOUSE, 5, None)


def test_toml_then_environment(tmp_path: Path) -> None:
    (tmp_path / "kuva.toml").write_text('[kuva]\nwarehouse = "w.duckdb"\nmin_cell = 10\n', encoding="utf-8")
    assert load_settings(tmp_path, {}).min_cell == 10
    s = load_settings(tmp_path, {"KUVA_MIN_CELL": "3", "KUVA_WAREHOUSE": "x.duckdb"})
    assert (s.min_cell, s.warehouse) == (3, Path("x.duckdb"))


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ('[kuva]\nmin_cell = "five"\n', {}, "must be a whole number"),
        ("[kuva]\nmin_cell = 0\n", {}, "at least 1"),
        ("[kuva]\nsecret = 1\n", {}, r"unknown key\(s\) \['secret'\]"),
        ("[kuva\n", {}, "not valid TOML"),
    ],
)
def test_bad_settings(tmp_path: Path, toml: str, env: dict[str, str], message: str) -> None:
    (tmp_path / "kuva.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(KuvaConfigError, match=message):
        load_settings(tmp_path, env)


def test_the_memory_limit_reaches_duckdb(tmp_path: Path, bundled_warehouse_path: Path) -> None:
    """``KUVA_MEMORY_LIMIT`` (or ``memory_limit``) is validated and set on the warehouse's DuckDB
    connection; a bad amount is refused with the setting named."""
    from kuva.warehouse import Warehouse

    (tmp_path / "kuva.toml").write_text('[kuva]\nmemory_limit = "512MiB"\n', encoding="utf-8")
    assert load_settings(tmp_path, {}).memory_limit == "512MiB"
    assert load_settings(tmp_path, {"KUVA_MEMORY_LIMIT": " 2GB "}).memory_limit == "2GB"
    assert load_settings(tmp_path / "none", {}).memory_limit is None
    for bad in ("lots", "6", "6 GB; DROP TABLE x", "-1GB"):
        with pytest.raises(KuvaConfigError, match="KUVA_MEMORY_LIMIT / memory_limit"):
            load_settings(tmp_path, {"KUVA_MEMORY_LIMIT": bad})
    with Warehouse(bundled_warehouse_path, read_only=True, memory_limit="1GB") as wh:
        assert wh.con.execute("SELECT current_setting('memory_limit')").fetchone() == ("953.6 MiB",)
    with Warehouse(bundled_warehouse_path, read_only=True) as wh:  # DuckDB's default: 80 % of RAM
        assert wh.con.execute("SELECT current_setting('memory_limit')").fetchone() != ("953.6 MiB",)
