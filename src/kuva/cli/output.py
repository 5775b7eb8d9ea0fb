"""What the CLI prints: the two consoles, the progress bar, tables in three formats, and the
parsing of option values shared by several commands (formats, months)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

from rich.console import Console

from kuva.errors import KuvaInputError

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd
    from rich.progress import Progress, TaskID

OUTPUT_FORMATS = ("table", "csv", "json")


def _console(stderr: bool = False) -> Console:
    probe = Console(stderr=stderr)
    # A pipe or a file gets wide tables rather than 80 squeezed columns.
    return Console(stderr=stderr, highlight=False, width=None if probe.is_terminal else 200)


out = _console()
err = _console(stderr=True)


def progress() -> Progress:
    """A transient progress bar on stderr (silent when stderr is not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal,
    )


def stage_reporter(bar: Progress, task: TaskID, what: str) -> Callable[[str], None]:
    """A callback naming each stage of a long job: in the progress bar on a terminal, else as one
    line on stderr per stage (so a log or CI shows where the job is)."""

    def report(stage: str) -> None:
        if err.is_terminal:
            bar.update(task, description=f"{what}: {stage}")
        else:
            err.print(f"{what}: {stage}", markup=False)

    return report


def choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` if allowed, else a clear error listing the allowed values and the value received."""
    if value not in allowed:
        raise KuvaInputError(f"{option} must be one of {list(allowed)}, got {value!r}")
    return value


def parse_month(text: str | None, option: str) -> date | None:
    """``YYYY-MM`` (first of the month) or ``YYYY-MM-DD``; ``None`` stays ``None``."""
    if text is None:
        return None
    for fmt_len, suffix in ((7, "-01"), (10, "")):
        if len(text) == fmt_len:
            try:
                return date.fromisoformat(text + suffix)
            except ValueError:
                break
    raise KuvaInputError(f"{option}: expected YYYY-MM or YYYY-MM-DD, got {text!r}")


def emit(df: pd.DataFrame, fmt: str) -> None:
    """Print a frame as a table (people), CSV or JSON (machines) on stdout."""
    import pandas as pd

    numeric = {str(c): pd.api.types.is_numeric_dtype(df[c]) for c in df.columns}
    rows = [{str(c): (None if is_missing(v) else v) for c, v in zip(df.columns, row, strict=True)}
            for row in df.itertuples(index=False)]
    emit_records([str(c) for c in df.columns], rows, fmt, numeric=numeric)


def is_missing(v: object) -> bool:
    """None, NaN (Python's or numpy's), NaT and pandas' NA — without importing pandas."""
    if v is None or type(v).__name__ in ("NAType", "NaTType"):
        return True
    try:
        return bool(v != v)  # only NaN is unequal to itself
    except (TypeError, ValueError):  # an array-like cell
        return False


def emit_records(columns: list[str], rows: list[dict[str, object]], fmt: str, *,
                 numeric: dict[str, bool] | None = None) -> None:
    """Print records (``None`` = missing) as a table, CSV or JSON on stdout — what :func:`emit`
    does for a frame, without pandas. Dates print as ``YYYY-MM-DD`` (a timestamp as its date);
    a column is right-aligned when numeric (given, or every value a number or boolean)."""
    import csv

    def text(v: object) -> object:
        if isinstance(v, datetime):
            return v.date().isoformat()
        return v.isoformat() if isinstance(v, date) else v

    cells = [[text(r.get(c)) for c in columns] for r in rows]
    if fmt == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        w.writerows([["" if v is None else v for v in row] for row in cells])
    elif fmt == "json":
        records = [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in cells]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    else:
        from rich.table import Table

        if numeric is None:
            numeric = {c: any(v is not None for v in col) and all(v is None or isinstance(v, (int, float))
                                                                   for v in col)
                       for c, col in zip(columns, zip(*cells, strict=True) if cells else [()] * len(columns),
                                         strict=True)}
        t = Table()
        for c in columns:
            t.add_column(c, justify="right" if numeric.get(c) else "left")
        for row in cells:
            t.add_row(*("" if v is None else fmt_cell(v) for v in row))
        out.print(t)
        out.print(f"{len(rows)} rows")


def _plain(v: object) -> object:
    """A JSON value: numpy scalars as Python numbers, other objects as text."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    item = getattr(v, "item", None)
    return item() if callable(item) else str(v)


def fmt_cell(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
    return str(v)
