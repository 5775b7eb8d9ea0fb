"""``kuva simulate``: calibrated SYNTHETIC data with planted effects."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kuva.cli.app import app, state
from kuva.cli.output import out, progress
from kuva.errors import KuvaInputError

if TYPE_CHECKING:
    from kuva.warehouse import Warehouse

DEMO_SCALE = 0.01
DEMO_SEED = 2021
#: the simulated event log starts no earlier than this (the first rulebook, seminar_2018, is in
#: force from 2018; a year of it before the pilots gives the inflow cohorts their pre-period)
PROCESS_FIRST_YEAR = 2019


def process_window(years: tuple[int, int]) -> tuple[date, int]:
    """The event log's first day (the first Monday of its first year) and its length in months:
    the simulated years, from :data:`PROCESS_FIRST_YEAR` on."""
    first = max(years[0], PROCESS_FIRST_YEAR)
    last = max(years[1], first)
    jan = date(first, 1, 1)
    return jan + timedelta(days=(7 - jan.weekday()) % 7), 12 * (last - first + 1)


def simulate_with_progress(
    wh: Warehouse, *, scale: float, seed: int, effects: list[str], years: tuple[int, int], parquet: Path | None
) -> None:
    """Simulate into ``wh`` with a progress bar and print what was written."""
    from rich.table import Table

    from kuva.process.refresh import refresh
    from kuva.simulate import DEMO_EFFECTS, parse_effects, simulate_into
    from kuva.simulate.process import simulate_process_into

    spec = parse_effects(effects, DEMO_EFFECTS)
    # one transaction: killed or failing mid-way, the previous synthetic world stays whole
    with progress() as bar, wh.transaction():
        task = bar.add_task("Simulating SYNTHETIC data", total=100)
        report = simulate_into(
            wh, scale=scale, seed=seed, effects=spec, years=years, parquet_dir=parquet,
            progress=lambda what, frac: bar.update(task, description=f"SYNTHETIC: {what}", completed=100 * frac),
        )
        bar.update(task, description="SYNTHETIC: service-process event log")
        first_day, months = process_window(years)
        proc = simulate_process_into(wh, scale=scale, seed=seed, start=first_day, months=months,
                                     pilot_exit_hr=spec.exit_to_work_hr)
    t = Table(title=f"SYNTHETIC data (seed {seed}, scale {scale}, {report.n_persons:,} persons)")
    for col in ("source", "rows", "inserted", "revised", "unchanged"):
        t.add_column(col)
    for r in report.loads.values():
        t.add_row(r.source_id, f"{r.rows_in:,}", f"{r.inserted:,}", f"{r.revised:,}", f"{r.unchanged:,}")
    out.print(t)
    out.print(f"Planted truth rows: {report.truth_rows}; {report.seconds:.1f} s")
    out.print(f"SYNTHETIC service-process event log {first_day:%m/%Y}–{years[1]}: {proc.rows_in:,} events "
              f"({proc.inserted:,} stored; pilots' clients from 3/2021 exit {spec.exit_to_work_hr:g} times as fast)")
    fresh = refresh(wh)  # after the world is stored: a failure here leaves the log whole (reads fall back to it)
    out.print(f"Stored intermediates of the service-process measures: {fresh.mode} ({fresh.seconds:.1f} s)")


def parse_years(text: str) -> tuple[int, int]:
    """``YYYY-YYYY`` or ``YYYY`` as (first, last)."""
    first, sep, last = text.partition("-")
    try:
        return (int(first), int(last if sep else first))
    except ValueError:
        raise KuvaInputError(f"--years: expected YYYY-YYYY, got {text!r}") from None


@app.command()
def simulate(
    ctx: typer.Context,
    scale: Annotated[float, typer.Option(help="Share of the whole country's jobseekers to simulate, 0.0001…1.")] = 0.01,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = DEMO_SEED,
    effect: Annotated[
        list[str] | None,
        typer.Option("--effect", "-e", help="Planted effect name=value (repeatable), e.g. activation_pp=-2; 'none'."),
    ] = None,
    years: Annotated[str, typer.Option(help="Years to simulate, YYYY-YYYY.")] = "2017-2024",
    parquet: Annotated[Path | None, typer.Option(help="Also write every frame as Parquet to this folder.")] = None,
) -> None:
    """Write calibrated SYNTHETIC data (municipal panel, background, service paths, Kykyviisari
    answers) with planted effects into the warehouse; the planted truth is stored beside it."""
    with state(ctx).open_warehouse(read_only=False) as wh:
        simulate_with_progress(wh, scale=scale, seed=seed, effects=effect or [], years=parse_years(years),
                               parquet=parquet)
