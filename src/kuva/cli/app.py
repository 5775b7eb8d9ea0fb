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

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from kuva.cli.output import err, out
from kuva.errors import KuvaError

if TYPE_CHECKING:
    from kuva.config import Settings
    from kuva.warehouse import Warehouse


@dataclass(frozen=True)
class CliState:
    """The global options of one invocation (``ctx.obj``)."""

    debug: bool = False
    warehouse: Path | None = None
    pilots: Path | None = None
    engine: str | None = None
    engine_url: str | None = None

    def settings(self) -> Settings:
        """Settings from the environment and ``kuva.toml``, with ``--warehouse``/``--pilots`` on top."""
        from kuva.config import load_settings

        s = load_settings()
        if self.warehouse is not None:
            s = replace(s, warehouse=self.warehouse)
        if self.engine is not None:
            s = replace(s, engine=self.engine)
        if self.engine_url is not None:
            s = replace(s, engine_url=self.engine_url)
        return s if self.pilots is None else replace(s, pilots_csv=self.pilots)

    @contextmanager
    def measures_engine(self) -> Iterator[Any]:
        """Where the process measures and the benchmark read: the warehouse itself (``duckdb``) or
        its tables on Spark or PostgreSQL (``--engine``, ``KUVA_ENGINE``;
        :func:`kuva.warehouse.engines.open_engine`)."""
        with self.open_warehouse() as wh, self.engine_for(wh) as engine:
            yield wh if engine is None else engine

    @contextmanager
    def engine_for(self, wh: Warehouse) -> Iterator[Any]:
        """``wh``'s tables on the configured engine; None for ``duckdb`` (the file itself)."""
        from kuva.warehouse.engines import open_engine

        s = self.settings()
        if s.engine == "duckdb":
            yield None
            return
        with open_engine(wh, s.engine, s.engine_url) as engine:
            yield engine

    def open_warehouse(self, *, read_only: bool = True) -> Warehouse:
        """The configured warehouse, holding the configured pilot list (``--pilots``,
        ``KUVA_PILOTS_CSV`` or the bundled one), so every command uses the same membership.

        A reading command whose warehouse holds another list first writes the configured one
        (reference tables only; nothing else changes), then opens for reading.
        """
        from kuva import warehouse
        from kuva.errors import KuvaWarehouseError

        open_file = warehouse.Warehouse
        s = self.settings()
        mem = s.memory_limit
        if not read_only:
            return open_file(s.warehouse, pilots_csv=s.pilots_csv, memory_limit=mem)
        wh = open_file(s.warehouse, read_only=True, memory_limit=mem)
        try:
            current = wh.reference_current(s.pilots_csv)
        except BaseException:
            # a bad pilot list: close now, not when the traceback is collected — a connection
            # left open makes the next opening of the same file in this process fail
            wh.close()
            raise
        if current:
            return wh
        wh.close()
        try:
            open_file(s.warehouse, pilots_csv=s.pilots_csv).close()
        except KuvaWarehouseError as exc:
            raise KuvaWarehouseError(
                f"the warehouse holds another pilot list than the configured "
                f"{s.pilots_csv or 'bundled list'} and cannot be updated: {exc}"
            ) from exc
        return open_file(s.warehouse, read_only=True, memory_limit=mem)


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
        except OSError as exc:  # a file or folder the command cannot read or write
            if state(ctx).debug:
                raise
            where = f": {exc.filename}" if exc.filename else ""
            err.print(f"error: {exc.strerror or exc}{where}", markup=False)
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
export_app = typer.Typer(help="Copy the warehouse's tables to Parquet or PostgreSQL (for --engine).",
                         no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(export_app, name="export")
app.add_typer(registry_app, name="registry")
app.add_typer(wellbeing_app, name="wellbeing")
app.add_typer(privacy_app, name="privacy")
app.add_typer(process_app, name="process")
users_app = typer.Typer(help="Portal users who sign in with a browser: add, list, remove, new password.",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")


def _version(value: bool) -> None:
    if value:
        from kuva import __version__

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
    pilots: Annotated[
        Path | None,
        typer.Option("--pilots",
                     help="Pilot membership CSV (default: KUVA_PILOTS_CSV, kuva.toml or the bundled list)."),
    ] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", help="Where the process measures run: duckdb, spark or postgres "
                                 "(default: KUVA_ENGINE or duckdb).")
    ] = None,
    engine_url: Annotated[
        str | None, typer.Option("--engine-url", help="Spark master or sc:// Spark Connect URL, or the PostgreSQL "
                                 "URL (default: KUVA_ENGINE_URL).")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks for errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Global options."""
    if engine is not None:
        from kuva.config import ENGINES

        if engine not in ENGINES:
            raise typer.BadParameter(f"must be one of {list(ENGINES)}, got {engine!r}", param_hint="--engine")
    ctx.obj = CliState(debug=debug, warehouse=warehouse, pilots=pilots, engine=engine, engine_url=engine_url)
