"""The Typer application, its command groups, the global options and the error edge.

Settings travel through Typer's context: the global options are stored as a :class:`CliState`
in ``ctx.obj`` and every command reads them with :func:`state`. Domain errors
(:class:`kuva.errors.KuvaError`) are turned into one line on stderr and exit code 1 in ONE
place, :class:`KuvaGroup` (the root group's ``invoke``); ``--debug`` lets them through with
their traceback.

This module imports nothing heavy: ``kuva --help`` must start fast. Commands import what they
need inside their functions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from kuva import __version__
from kuva.cli.output import err, out
from kuva.errors import KuvaError

if TYPE_CHECKING:
    from kuva.config import Settings


@dataclass(frozen=True)
class CliState:
    """The global options of one invocation (``ctx.obj``)."""

    debug: bool = False
    warehouse: Path | None = None

    def settings(self) -> Settings:
        """Settings from the environment and ``kuva.toml``, with ``--warehouse`` on top."""
        from kuva.config import load_settings

        s = load_settings()
        return s if self.warehouse is None else replace(s, warehouse=self.warehouse)


def state(ctx: typer.Context) -> CliState:
    """The :class:`CliState` of this invocation (defaults when the callback did not run)."""
    found = ctx.find_object(CliState)
    return found if found is not None else CliState()


class KuvaGroup(TyperGroup):
    """The root group: the one edge where a domain error becomes ``error: …`` and exit code 1."""

    # Typer vendors click and keeps its Context type private; ``ctx`` is a ``typer.Context``.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KuvaError as exc:
            if state(ctx).debug:
                raise
            err.print(f"error: {exc}", markup=False)
            raise typer.Exit(1) from None


app = typer.Typer(
    name="kuva",
    cls=KuvaGroup,
    help="KuVa: knowledge-based management and impact evaluation of Finnish municipal employment services.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
load_app = typer.Typer(help="Load data into the warehouse.", no_args_is_help=True)
registry_app = typer.Typer(help="Look up the reference registry.", no_args_is_help=True)
wellbeing_app = typer.Typer(help="Kykyviisari work-ability answers: load and summarise.", no_args_is_help=True)
privacy_app = typer.Typer(help="Disclosure control: audit what was published.", no_args_is_help=True)
process_app = typer.Typer(help="Service-process event log: load it; milestones, plan debt, referral routes.",
                          no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(registry_app, name="registry")
app.add_typer(wellbeing_app, name="wellbeing")
app.add_typer(privacy_app, name="privacy")
app.add_typer(process_app, name="process")


def _version(value: bool) -> None:
    if value:
        out.print(f"kuva {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    warehouse: Annotated[
        Path | None,
        typer.Option(
            "--warehouse", "-w", help="Warehouse file (default: KUVA_WAREHOUSE, kuva.toml or kuva-data/kuva.duckdb)."
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks for errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Global options."""
    ctx.obj = CliState(debug=debug, warehouse=warehouse)
