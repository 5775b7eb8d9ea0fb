"""What the CLI prints: the two consoles, the progress bar, tables in three formats, and the
parsing of option values shared by several commands (formats, months)."""

from __future__ import annotations

import json
import sys
from datetime import date
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
    from rich.table import Table

    df = df.copy()
    for col in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[col]):
            df[col] = df[col].dt.date.astype(str)
        elif df[col].dtype == object and len(df) and isinstance(df[col].iloc[0], date):
            df[col] = df[col].astype(str)
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False))
    elif fmt == "json":
        records = json.loads(df.to_json(orient="records", date_format="iso"))
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    else:
        t = Table()
        for col in df.columns:
            t.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
        for row in df.itertuples(index=False):
            t.add_row(*("" if pd.isna(v) else fmt_cell(v) for v in row))
        out.print(t)
        out.print(f"{len(df)} rows")


def fmt_cell(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
    return str(v)
