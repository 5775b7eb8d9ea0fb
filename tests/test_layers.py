"""The layer rules of the architecture (docs/architecture.md), enforced on the import graph.

Every ``import`` of every module under ``src/kuva`` is read with :mod:`ast` (also the ones inside
functions: a lazy import is still a dependency) and checked against :data:`MAY_IMPORT`, the
table of which packages a package may import besides itself and the base. A second check finds
SQL text outside ``kuva.warehouse``.

Modules still being moved by another engineer are listed in :data:`PENDING` with the reason;
their cases are strict xfails, so the list must shrink when the move lands.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kuva"

#: registry (reference data), privacy (disclosure engine), i18n, config, errors: imported by all,
#: importing none of the layers above.
BASE = frozenset({"registry", "privacy", "i18n", "config", "errors"})
_BELOW_ANALYSES = frozenset({"warehouse", "indicators", "evaluate"})
_BELOW_APPLICATIONS = _BELOW_ANALYSES | {"analysis", "wellbeing"}
_BELOW_OUTPUTS = _BELOW_APPLICATIONS | {"effects", "process", "benchmark"}

#: package → the packages it may import besides itself and BASE (the layer rules as a table)
MAY_IMPORT: dict[str, frozenset[str]] = {
    **{b: frozenset() for b in BASE},
    "warehouse": frozenset(),  # the one place that stores
    "sources": frozenset({"warehouse"}),  # outside data in
    "simulate": frozenset({"warehouse"}),  # synthetic data in, same shapes
    "indicators": frozenset({"warehouse"}),  # named measures as Ibis expressions
    "evaluate": frozenset(),  # pure estimators: data in, results out
    "analysis": _BELOW_ANALYSES | {"wellbeing"},
    "wellbeing": _BELOW_ANALYSES | {"analysis"},
    "effects": _BELOW_APPLICATIONS,
    "process": _BELOW_APPLICATIONS,
    "benchmark": _BELOW_APPLICATIONS | {"process"},  # benchmarks process measures too
    "report": _BELOW_OUTPUTS,  # outputs never reach into sources or the simulator
    "web": _BELOW_OUTPUTS | {"report"},  # the portal's report pages deliver the report
    "cli": _BELOW_OUTPUTS | {"report", "web"},  # and sources/simulate from CLI_LOADERS only
    "dictionary": frozenset({"indicators"}),  # renders docs/data-dictionary.md
}
#: the CLI modules that run the source adapters and the simulator (kuva load, kuva demo, kuva simulate)
CLI_LOADERS = frozenset({"kuva.cli.data", "kuva.cli.demo", "kuva.cli.simulate"})
#: third-party libraries a package must not import
FORBIDDEN_LIBRARIES: dict[str, frozenset[str]] = {"evaluate": frozenset({"duckdb", "ibis"})}

#: module → why it still breaks a rule (strict xfail: remove the entry when the move lands)
PENDING: dict[str, str] = {}
#: module → why it still holds SQL text outside kuva.warehouse (strict xfail)
PENDING_SQL: dict[str, str] = {}

_SQL = re.compile(
    r"\b(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(OR\s+REPLACE\s+)?(TABLE|VIEW|INDEX)|DROP\s+TABLE)"
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "kuva" and len(parts) > 1 else None


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every absolute import of the module at ``path``: (line, imported module)."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
            if node.module == "kuva":  # from kuva import registry
                out.extend((node.lineno, f"kuva.{a.name}") for a in node.names if a.name in MAY_IMPORT)
        elif isinstance(node, ast.ImportFrom) and node.level:
            out.append((node.lineno, "." * node.level + (node.module or "")))
    return out


def violations(module: str, path: Path) -> list[str]:
    """The layer rules ``module`` breaks, one line each."""
    own = _package(module)
    if own is None:  # the kuva package itself: imports nothing of KuVa
        return [f"{module}:{line} imports {name}" for line, name in imports_of(path) if name.startswith("kuva.")]
    if own not in MAY_IMPORT:
        return [f"package kuva.{own} is not in the layer table (tests/test_layers.py, docs/architecture.md)"]
    allowed = MAY_IMPORT[own] | BASE | {own}
    out: list[str] = []
    for line, name in imports_of(path):
        if name.startswith("."):
            out.append(f"{module}:{line} uses a relative import {name!r} (write kuva.…)")
            continue
        top = name.split(".")[0]
        if top in FORBIDDEN_LIBRARIES.get(own, frozenset()):
            out.append(f"{module}:{line} imports {name} (kuva.{own} must not import {top})")
        target = _package(name)
        if own == "cli" and target in ("sources", "simulate"):
            if module not in CLI_LOADERS:
                out.append(f"{module}:{line} imports {name} (only {sorted(CLI_LOADERS)} run sources and the simulator)")
            continue
        if target is None or target in allowed:
            continue
        out.append(f"{module}:{line} imports {name}: kuva.{own} may import only {sorted(MAY_IMPORT[own])} and the base")
    return out


def sql_strings(path: Path) -> list[str]:
    """String literals that look like SQL (docstrings excepted)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(n.body[0].value) for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)
    }
    return [f"line {n.lineno}: {n.value.strip()[:60]!r}" for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs and _SQL.search(n.value)]


def _cases(pending: dict[str, str]) -> list[object]:
    return [pytest.param(m, marks=pytest.mark.xfail(reason=pending[m], strict=True)) if m in pending else m
            for m in MODULES]


@pytest.mark.parametrize("module", _cases(PENDING))
def test_imports_follow_the_layers(module: str) -> None:
    assert violations(module, MODULES[module]) == []


@pytest.mark.parametrize("module", _cases(PENDING_SQL))
def test_no_sql_outside_the_warehouse(module: str) -> None:
    if _package(module) == "warehouse":
        return
    assert sql_strings(MODULES[module]) == []


def test_the_table_covers_every_package_and_the_pending_lists_name_real_modules() -> None:
    packages = {_package(m) for m in MODULES} - {None}
    assert packages <= set(MAY_IMPORT), packages - set(MAY_IMPORT)
    assert set(PENDING) <= set(MODULES) and set(PENDING_SQL) <= set(MODULES)


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The rules catch what they are meant to catch (a module importing up a layer, SQL text)."""
    up = tmp_path / "kuva" / "registry" / "bad.py"
    up.parent.mkdir(parents=True)
    up.write_text("from kuva.warehouse import Warehouse\nimport kuva.report.build\n", encoding="utf-8")
    found = violations("kuva.registry.bad", up)
    assert len(found) == 2 and "kuva.registry may import only [] and the base" in found[0]
    est = tmp_path / "est.py"
    est.write_text("def f():\n    import duckdb\n    from kuva.warehouse import query\n", encoding="utf-8")
    assert len(violations("kuva.evaluate.est", est)) == 2
    loader = tmp_path / "cli.py"
    loader.write_text("from kuva.sources.bundled import load_bundled\n", encoding="utf-8")
    assert violations("kuva.cli.data", loader) == [] and len(violations("kuva.cli.registry", loader)) == 1
    assert len(violations("kuva.report.x", loader)) == 1
    sql = tmp_path / "sql.py"
    sql.write_text('"""SELECT in a docstring is prose."""\nQ = "SELECT a FROM t"\n', encoding="utf-8")
    assert len(sql_strings(sql)) == 1


def test_importing_the_estimators_loads_no_database_library() -> None:
    """The static rule above, at run time: ``import kuva.evaluate`` in a fresh interpreter
    loads neither DuckDB nor Ibis."""
    import subprocess
    import sys

    code = "import sys, kuva.evaluate; print(sorted(m for m in ('duckdb', 'ibis') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
