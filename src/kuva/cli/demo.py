"""``kuva demo``: the embedded warehouse from bundled real data plus SYNTHETIC data, and the report."""

from __future__ import annotations

from typing import Annotated

import typer

from kuva.cli.app import app, state
from kuva.cli.data import load_bundled_into, print_info
from kuva.cli.output import out
from kuva.cli.report import write_report
from kuva.cli.simulate import DEMO_SCALE, DEMO_SEED, simulate_with_progress


@app.command()
def demo(
    ctx: typer.Context,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Also write the Finnish report.")] = True,
) -> None:
    """Build the embedded warehouse: bundled real StatFin data, then the calibrated SYNTHETIC
    municipal panel, service paths and Kykyviisari answers for what the real data lack
    (scale 0.01, seed 2021, demo effects); print its summary and write the report (HTML and PDF,
    in Finnish) beside the warehouse."""

    s = state(ctx).settings()
    with state(ctx).open_warehouse(read_only=False) as wh:
        load_bundled_into(wh, None)
        simulate_with_progress(wh, scale=DEMO_SCALE, seed=DEMO_SEED, effects=[], years=(2017, 2024), parquet=None)
        print_info(wh)
        out.print(f"\nWarehouse: {s.warehouse}")
        out.print("Open the portal: .venv/bin/kuva serve   (then http://127.0.0.1:8000/)")
        if report:
            write_report(wh, lang="fi", out_dir=s.warehouse.parent / "report", start=None, end=None, areas=None,
                         min_cell=s.min_cell, pdf=True, pilots_csv=s.pilots_csv)
