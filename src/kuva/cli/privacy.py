"""``kuva privacy …``: disclosure control of what was published."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kuva.cli.app import privacy_app
from kuva.cli.output import OUTPUT_FORMATS, choice, emit, out


@privacy_app.command("audit")
def privacy_audit(
    directory: Annotated[Path, typer.Argument(help="Folder of published tables (*.csv with *.disclosure.json).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")] = "table",
    min_cell: Annotated[
        int | None, typer.Option("--min-cell", help="Protection interval's upper end; default: each table's policy.")
    ] = None,
) -> None:
    """Attack every table published under DIRECTORY: for each hidden cell solve min/max of the cell
    under every published total, margin and share (linear programming) and list the cells that
    can be narrowed below the protection interval. Exit status 1 when any cell is exposed."""
    from kuva.privacy.audit import audit_directory, exposures_frame

    choice("--format", fmt, OUTPUT_FORMATS)
    report = audit_directory(directory, min_cell=min_cell)
    if fmt == "table":
        out.print(f"{report.tables} tables, {report.published_cells:,} published counts, "
                  f"{report.hidden_cells:,} hidden counts attacked (protection interval [1, {report.min_cell}])")
        for e in report.exposures:
            out.print(f"EXPOSED {e.text()}")
        out.print(f"{report.exposed} exposed")
    else:
        emit(exposures_frame(report), fmt)
    if report.exposed:
        raise typer.Exit(1)
