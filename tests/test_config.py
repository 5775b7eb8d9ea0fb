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
