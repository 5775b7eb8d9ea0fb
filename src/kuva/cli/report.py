"""``kuva report``: the HTML + PDF report with its tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kuva.cli.app import app, state
from kuva.cli.output import out, parse_month, progress, stage_reporter

if TYPE_CHECKING:
    from kuva.warehouse import Warehouse


def write_report(
    wh: Warehouse, *, lang: str, out_dir: Path, start: date | None, end: date | None, areas: list[str] | None,
    min_cell: int, pdf: bool, pilots_csv: Path | None, area: str | None = None, peers: list[str] | None = None,
    reference_months: list[date] | None = None, measures: Any = None,
) -> None:
    """Build the report with a progress bar and print where it went (``measures``: see
    :func:`kuva.report.build_report`)."""
    from kuva.i18n import check_lang
    from kuva.report import build_report

    report_lang = check_lang(lang, name="--lang")
    with progress() as bar:
        task = bar.add_task("Writing the report", total=None)
        result = build_report(wh, lang=report_lang, out_dir=out_dir, start=start, end=end, areas=areas,
                              min_cell=min_cell, pdf=pdf, pilots_csv=pilots_csv, area=area, peers=peers,
                              on_stage=stage_reporter(bar, task, "report"), reference_months=reference_months,
                              measures=measures)
    out.print(f"Report: {result.html}")
    if result.pdf is not None:
        out.print(f"PDF:    {result.pdf} ({result.pages} pages)")
    out.print(f"Tables: {len(result.tables)} files in {out_dir / 'tables'}")
    if result.synthetic:
        out.print("Note: the report contains SYNTHETIC data, labelled wherever it is shown.")


@app.command()
def report(
    ctx: typer.Context,
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: fi, sv or en.")] = "fi",
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write report.html, report.pdf and tables/ to.")
    ] = Path("kuva-report"),
    start: Annotated[str | None, typer.Option("--from", help="First month shown, YYYY-MM.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last month shown, YYYY-MM.")] = None,
    areas: Annotated[
        list[str] | None, typer.Option("--areas", "-a", help="Areas for the area-level analyses (repeatable).")
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also render the PDF with Typst.")] = True,
    area: Annotated[
        str | None, typer.Option("--area", help="Make the report for this area: a municipality, sub-region, "
                                 "region, pilot area or custom area (code or name).")
    ] = None,
    peers: Annotated[
        list[str] | None, typer.Option("--peers", help="Peer areas for --area (repeatable; default: same type "
                                       "and size class, see docs/report.md).")
    ] = None,
    reference_month: Annotated[
        list[str] | None, typer.Option("--reference-month", help="The two months compared, YYYY-MM, given twice "
                                       "(default 2019-10 and 2021-10, as in the evaluation).")
    ] = None,
) -> None:
    """Write the evaluation report: one self-contained HTML file, a PDF, and every table as CSV and
    Excel, with definitions and a provenance appendix; synthetic content is labelled. With
    `--engine spark|postgres` the service-process and benchmark chapters run there."""

    s = state(ctx).settings()
    with state(ctx).open_warehouse() as wh, state(ctx).engine_for(wh) as measures:
        write_report(wh, measures=measures, lang=lang, out_dir=out_dir, start=parse_month(start, "--from"),
                     end=parse_month(end, "--to"), areas=areas, min_cell=s.min_cell, pdf=pdf,
                     pilots_csv=s.pilots_csv, area=area, peers=peers,
                     reference_months=[m for m in (parse_month(r, "--reference-month") for r in reference_month or [])
                                       if m is not None] or None)
