"""``kuva wellbeing …``: Kykyviisari work-ability answers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kuva.cli.app import state, wellbeing_app
from kuva.cli.output import emit, out


@wellbeing_app.command("load")
def wellbeing_load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Kykyviisari answer export, CSV or Excel (.xlsx).")],
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (default: the first).")] = None,
) -> None:
    """Load a Kykyviisari answer export. Respondent ids are pseudonymised with
    KUVA_PSEUDONYM_KEY; personal identity codes anywhere in the file are refused."""
    from kuva.wellbeing import load_kykyviisari

    with state(ctx).open_warehouse(read_only=False) as wh:
        r = load_kykyviisari(wh, file, sheet=sheet)
    status = "stored" if r.changed else "already loaded, nothing changed"
    out.print(f"{r.path}: {r.answers:,} answers from {r.respondents:,} respondents, "
              f"{r.rows_stored:,} item rows — {status}")
    if r.ignored_columns:
        out.print(f"Ignored columns: {', '.join(r.ignored_columns)}")


@wellbeing_app.command("summary")
def wellbeing_summary_cmd(
    ctx: typer.Context,
    areas: Annotated[
        list[str] | None, typer.Option("--areas", "-a", help="Pilot area codes or 'comparison' (repeatable).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of titles and texts: fi, sv or en.")] = "en",
    export: Annotated[
        Path | None, typer.Option("--export", help="Also write the tables: a .xlsx file or a folder of CSV files.")
    ] = None,
) -> None:
    """Coverage, basic situation, score distributions, area means and within-person change of
    the Kykyviisari answers (small cells suppressed)."""
    from kuva.i18n import check_lang
    from kuva.wellbeing import export_results, wellbeing_summary

    text_lang = check_lang(lang, name="--lang")
    s = state(ctx).settings()
    with state(ctx).open_warehouse() as wh:
        results = wellbeing_summary(wh, areas=areas, min_cell=s.min_cell)
    for r in results:
        badge = " [SYNTHETIC]" if r.synthetic else ""
        out.rule(f"{r.title(text_lang)}{badge}")
        emit(r.table, "table")
        out.print(r.text(text_lang))
    if export is not None:
        written = export_results(results, export, lang=text_lang)
        out.print(f"Wrote {', '.join(str(p) for p in written)}")
