"""The ``kuva`` command line: a thin Typer layer over the library, one module per command group.

=================  ==========================================================
module             commands
=================  ==========================================================
``app``            the Typer app, the global options (``ctx.obj``), the error edge
``output``         consoles, progress bar, table/CSV/JSON output, option parsing
``demo``           ``kuva demo``
``simulate``       ``kuva simulate``
``data``           ``kuva load bundled``, ``kuva load statfin``, ``kuva info``, ``kuva query``
``registry``       ``kuva registry …``
``evaluate``       ``kuva evaluate``
``report``         ``kuva report``
``wellbeing``      ``kuva wellbeing …``
``privacy``        ``kuva privacy …``
``serve``          ``kuva serve``, ``kuva audit``
``users``          ``kuva users …``
=================  ==========================================================

Domain errors (:class:`kuva.errors.KuvaError`) become one clear line on stderr and exit code 1
at the edge (:class:`kuva.cli.app.KuvaGroup`); ``--debug`` shows the full traceback instead.
Usage errors exit with 2. Every command is documented in ``docs/cli.md`` (a test checks it).

Importing this package is cheap: the command modules import pandas, DuckDB, Ibis, matplotlib,
pyfixest and Typst only inside the command functions, so ``kuva --help`` starts fast
(``benchmarks/bench_cli_startup.py``).
"""

from __future__ import annotations

# isort: off
# The command modules register their commands on import; the order is the order of --help.
from kuva.cli import (  # noqa: F401
    demo, simulate, data, registry, evaluate, benchmark, report, wellbeing, process, privacy, serve, users,
)
# isort: on
from kuva.cli.app import CliState, app, state

__all__ = ["CliState", "app", "main", "state"]


def main() -> None:
    """Console entry point."""
    app()
