"""Docs that cannot drift: every CLI command and setting is documented, the data dictionary is
current, and the README's examples run."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer.main
from typer.core import TyperGroup
from typer.testing import CliRunner

from kuva.cli import app
from kuva.config import SETTINGS
from kuva.dictionary import render
from kuva.registry import measures

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def command_paths() -> list[str]:
    root = typer.main.get_command(app)
    paths: list[str] = []

    def walk(cmd: object, prefix: str) -> None:
        # Typer vendors click: its groups are not click.Group (checking that found no command).
        if isinstance(cmd, TyperGroup):
            for name, sub in cmd.commands.items():
                walk(sub, f"{prefix} {name}")
        else:
            paths.append(prefix.strip())

    walk(root, "kuva")
    return paths


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert [line.split("#")[0].strip() for line in block] == ["make demo", "make test"]
    assert README.index("```sh") < README.index("## ")


def test_the_command_walk_finds_every_group() -> None:
    paths = command_paths()
    assert {"kuva info", "kuva query", "kuva load bundled", "kuva registry pilots", "kuva privacy audit"} <= set(paths)


@pytest.mark.parametrize("path", command_paths())
def test_every_command_is_documented(path: str) -> None:
    assert re.search(rf"^## `{re.escape(path)}(`| )", CLI_DOC, re.MULTILINE), f"{path} missing from docs/cli.md"


def _section(path: str) -> str:
    for part in re.split(r"^## ", CLI_DOC, flags=re.MULTILINE):
        if part.startswith((f"`{path} ", f"`{path}`")):
            return part
    return ""


def test_every_option_is_documented() -> None:
    root = typer.main.get_command(app)
    missing = [f"kuva {o}" for p in root.params for o in p.opts
               if o.startswith("--") and o != "--help" and f"`{o}" not in CLI_DOC.split("\n## ", 1)[0]]

    def walk(cmd: object, prefix: str) -> None:
        if isinstance(cmd, TyperGroup):
            for name, sub in cmd.commands.items():
                walk(sub, f"{prefix} {name}")
            return
        text = _section(prefix)
        missing.extend(f"{prefix} {o}" for p in cmd.params for o in p.opts  # type: ignore[attr-defined]
                       if o.startswith("--") and o != "--help" and o not in text)

    walk(root, "kuva")
    assert missing == [], f"options missing from their section of docs/cli.md: {missing}"


def test_every_setting_is_documented() -> None:
    for var, key in SETTINGS.values():
        assert f"`{var}`" in README
        if key:
            assert f"`{key}`" in README


def test_data_dictionary_is_current() -> None:
    committed = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == render(), "run `make docs` to regenerate docs/data-dictionary.md"
    for code in measures():
        assert f"`{code}`" in committed


def test_readme_examples_run(bundled_warehouse_path: Path) -> None:
    runner = CliRunner()
    examples = [line.split("#")[0].strip() for line in README.splitlines() if line.startswith(".venv/bin/kuva ")]
    assert len(examples) >= 4
    for line in examples:
        args = shlex.split(line)[1:]
        result = runner.invoke(app, ["--warehouse", str(bundled_warehouse_path), *args])
        assert result.exit_code == 0, (line, result.stderr)
