"""Data in and out of the warehouse: ``kuva load bundled``, ``kuva load statfin``, ``kuva load file``,
``kuva load template``, ``kuva load undo``, ``kuva info`` and ``kuva query``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kuva.cli.app import app, export_app, load_app, state
from kuva.cli.output import OUTPUT_FORMATS, choice, emit_records, err, is_missing, out, parse_month, progress

if TYPE_CHECKING:
    from kuva.warehouse import Warehouse


def load_bundled_into(wh: Warehouse, tables: list[str] | None) -> None:
    """Load the bundled StatFin tables (all, or ``tables``) and print what changed."""
    from rich.table import Table

    from kuva.sources.bundled import bundled_tables, load_bundled

    chosen = [t for t in bundled_tables() if tables is None or t.table in tables]
    with progress() as bar:
        task = bar.add_task("Loading bundled StatFin tables", total=len(chosen))
        reports = load_bundled(wh, tables, progress=lambda t: bar.update(task, description=f"StatFin {t.table}"))
        bar.update(task, completed=len(chosen))
    table = Table(title="Bundled StatFin tables")
    for col in ("source", "rows", "inserted", "revised", "unchanged", "load"):
        table.add_column(col, justify="right" if col not in ("source",) else "left")
    for r in reports:
        table.add_row(r.source_id, str(r.rows_in), str(r.inserted), str(r.revised), str(r.unchanged),
                      str(r.load_id) if r.load_id is not None else "no change")
    out.print(table)


def print_info(wh: Warehouse) -> None:
    """Print the warehouse summary: sources, area coverage, person-level rows (plain SQL, no
    pandas or Ibis: the command answers in well under a second)."""
    from rich.table import Table

    from kuva.warehouse.query import (
        area_coverage,
        custom_area_summary,
        person_level_rows,
        recent_loads,
        warehouse_summary,
    )

    out.print(f"Warehouse {wh.path} (schema version {wh.schema_version()})")
    t = Table(title="Sources")
    for col in ("source", "title", "synthetic", "disclosure", "loads", "latest vintage", "observations",
                "measures", "areas", "first", "last"):
        t.add_column(col)
    for r in warehouse_summary(wh):
        t.add_row(r.source_id, r.title, "SYNTHETIC" if r.synthetic else "real", r.sensitivity, str(r.loads),
                  r.latest_vintage.date().isoformat(), f"{r.observations:,}", str(r.measures), str(r.areas),
                  r.first_period.isoformat(), r.last_period.isoformat())
    out.print(t)
    c = Table(title="Area coverage")
    for col in ("level", "areas", "observations"):
        c.add_column(col)
    for level, n_areas, n_obs in area_coverage(wh):
        c.add_row(level, str(n_areas), f"{n_obs:,}")
    out.print(c)
    events, answers, process = person_level_rows(wh)
    out.print(f"Person-level rows: {events:,} service events, {answers:,} survey answers, "
              f"{process:,} service-process events")
    lt = Table(title="Latest loads (undo one with `kuva load undo LOAD_ID`)")
    for col in ("load", "source", "file or query", "loaded", "inserted", "revised", "undone"):
        lt.add_column(col)
    for ld in recent_loads(wh):
        undone = "" if ld.undone_at is None else f"{ld.undone_at:%Y-%m-%d %H:%M}"
        lt.add_row(str(ld.load_id), ld.source_id, ld.location, f"{ld.loaded_at:%Y-%m-%d %H:%M}",
                   f"{ld.rows_inserted:,}", f"{ld.rows_revised:,}", undone)
    out.print(lt)
    areas = custom_area_summary(wh)
    if areas:
        out.print("Custom areas: " + ", ".join(f"{name} ({code}, {n} municipalities)" for code, name, n in areas))


@load_app.command("file")
def load_file_cmd(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="service-counts, kela or areas.")],
    path: Annotated[Path, typer.Argument(help="The file: CSV (; or , separated) or Excel (.xlsx).")],
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel sheet (default: the first).")] = None,
) -> None:
    """Load a municipality's own file: monthly service counts (the 12u4 shape), Kela's municipal-share
    data, or a custom area definition — one transaction with provenance; undo it with `kuva load undo`."""
    from kuva.sources.own import check_kind, load_own_file

    checked = check_kind(kind)
    with state(ctx).open_warehouse(read_only=False) as wh:
        r = load_own_file(wh, checked, path, sheet=sheet)
    if r.load_id is None:
        out.print(f"{r.source_id}: {path} is already stored (no change)")
    else:
        out.print(f"{r.source_id}: load {r.load_id} from {path}: {r.rows_in:,} rows, {r.inserted:,} new, "
                  f"{r.revised:,} revised, {r.unchanged:,} unchanged")


@load_app.command("template")
def load_template_cmd(
    kind: Annotated[str, typer.Argument(help="service-counts, kela or areas.")],
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write the template here (default: print it).")]
    = None,
) -> None:
    """Print (or write) the column template of an own file for `kuva load file`."""
    from kuva.sources.own import template_text

    text = template_text(kind)
    if out_file is None:
        out.print(text, end="")
        return
    out_file.write_text(text, encoding="utf-8-sig")
    out.print(f"Wrote {out_file}")


@load_app.command("undo")
def load_undo_cmd(
    ctx: typer.Context,
    load_id: Annotated[int, typer.Argument(help="The load to undo (see `kuva info`).")],
) -> None:
    """Undo a load: its rows leave the warehouse, the provenance keeps the load marked undone.
    Undoing a service-process load also refreshes the process measures' stored intermediates."""
    from kuva.process.refresh import undo_and_refresh

    with state(ctx).open_warehouse(read_only=False) as wh:
        r = undo_and_refresh(wh, load_id)
    rows = ", ".join(f"{n:,} from {t}" for t, n in r.rows_deleted.items()) or "no rows left"
    out.print(f"Undid load {r.load_id} ({r.source_id}, {r.location}): deleted {rows}")


@load_app.command("bundled")
def load_bundled_cmd(
    ctx: typer.Context,
    tables: Annotated[
        list[str] | None, typer.Option("--tables", "-t", help="Table ids to load (default: all), e.g. -t 12r5 -t 12u4.")
    ] = None,
) -> None:
    """Load the real StatFin data shipped with KuVa (12r5 by area; national 12u* tables)."""
    with state(ctx).open_warehouse(read_only=False) as wh:
        load_bundled_into(wh, tables)


@load_app.command("statfin")
def load_statfin_cmd(
    ctx: typer.Context,
    tables: Annotated[
        list[str] | None, typer.Option("--tables", "-t", help="Table ids (12r5, 12u4, …); default every mapped table.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First period to fetch, YYYY-MM (default: after the latest stored).")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="PxWeb API base URL, v2 (…/api/v2) or v1 (…/api/v1/fi/StatFin).")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Response cache (default: beside the warehouse, cache/pxweb).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Label language of the API: fi, sv or en.")] = "fi",
) -> None:
    """Fetch new StatFin data from the PxWeb API: only what is new, revisions as new vintages,
    one transaction per table with provenance."""
    from kuva.i18n import check_lang
    from kuva.sources.pxweb import STATFIN_V2, PxWebClient, pull_statfin, summarise

    api_lang = check_lang(lang, name="--lang")
    s = state(ctx).settings()
    since = parse_month(start, "--from")
    cache = cache_dir or s.warehouse.parent / "cache" / "pxweb"
    with state(ctx).open_warehouse(read_only=False) as wh, PxWebClient(
        base_url or STATFIN_V2, lang=api_lang, cache_dir=cache
    ) as client, progress() as bar:
        task = bar.add_task("StatFin", total=None)

        def report_progress(table: str, done: int, total: int) -> None:
            bar.update(task, description=f"StatFin {table}", completed=done, total=total)

        reports = pull_statfin(wh, client=client, tables=tables, since=since, progress=report_progress)
    out.print(summarise(reports))


@app.command()
def info(ctx: typer.Context) -> None:
    """Show what the warehouse holds: sources, vintages, periods, row counts, area coverage."""
    with state(ctx).open_warehouse() as wh:
        print_info(wh)


@app.command()
def query(
    ctx: typer.Context,
    measure: Annotated[list[str], typer.Argument(help="Measure code(s), e.g. TYOTTOMATLOPUSSA.")],
    area: Annotated[
        list[str] | None, typer.Option("--area", "-a", help="Area code or name (repeatable); default all.")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First period, YYYY-MM.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last period, YYYY-MM.")] = None,
    breakdown: Annotated[
        str, typer.Option("--breakdown", help="Breakdown, e.g. tyollistamisen_laji=40; 'all' for every one.")
    ] = "",
    as_of: Annotated[str | None, typer.Option("--as-of", help="Values as known at this date (YYYY-MM-DD).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")] = "table",
) -> None:
    """Print observations of one or more measures (latest vintage unless --as-of).

    The answer passes the disclosure engine: figures of public sources (StatFin) are shown
    unchanged; confidential person counts below the minimum cell are hidden with whatever else
    would reveal them (totals, shares); the disclosure note goes to standard error.
    An answer of public figures only is read with plain SQL and passed as it is (what the engine
    would return for it), so it needs neither pandas nor Ibis."""
    from kuva.privacy.observations import pass_public_records, related_measures
    from kuva.registry import area_registry
    from kuva.warehouse.query import (
        OBSERVATION_COLUMNS,
        observation_records,
        source_sensitivity,
        synthetic_continuations,
    )

    choice("--format", fmt, OUTPUT_FORMATS)
    areas = [area_registry().area(a).code for a in area] if area else None
    s = state(ctx).settings()
    first, last, known = parse_month(start, "--from"), parse_month(end, "--to"), parse_month(as_of, "--as-of")
    split = None if breakdown == "all" else breakdown
    extra = sorted(related_measures(measure) - {m.upper() for m in measure})
    with state(ctx).open_warehouse() as wh:
        def read(codes: list[str]) -> list[dict[str, object]]:
            return observation_records(wh, codes, areas=areas, start=first, end=last, breakdown=split, as_of=known)

        rows, context = read(measure), (read(extra) if extra else [])
        sensitivity = source_sensitivity(wh)
    for r in rows:
        r["vintage"] = r["vintage"].date().isoformat()  # type: ignore[attr-defined]
    answer = pass_public_records(rows, s.disclosure, sensitivity=sensitivity, context=context)
    note = None
    if answer is None:
        import pandas as pd

        from kuva.privacy.observations import protect_observations

        cols = list(OBSERVATION_COLUMNS)
        protected = protect_observations(pd.DataFrame(rows, columns=cols), s.disclosure, sensitivity=sensitivity,
                                         context=pd.DataFrame(context, columns=cols) if context else None,
                                         name="query")
        answer = [{str(c): (None if is_missing(v) else v) for c, v in r.items()}
                  for r in protected.frame.to_dict("records")]
        note = protected.note
    columns = [*OBSERVATION_COLUMNS, "synthetic", "suppressed"]
    for r in answer:
        r["synthetic"] = str(r["source_id"]).startswith("synthetic:")
    emit_records(columns, answer, fmt, numeric={"value": True, "synthetic": True, "suppressed": True})
    if note is not None and (note.hidden_cells or note.hidden_derived):
        err.print(note.text())
    for line in synthetic_continuations(rows):
        err.print(f"Note: the series switches between real and SYNTHETIC data — {line}")


@export_app.command("parquet")
def export_parquet_cmd(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder for the Parquet export (partitioned folders and "
                                                   "<table>.parquet files).")],
) -> None:
    """Write the tables the measures read as Parquet files (what `--engine spark` reads; a Spark
    cluster can read them from shared storage)."""
    from kuva.warehouse.engines import export_parquet

    with state(ctx).open_warehouse() as wh:
        paths = export_parquet(wh, directory)
    out.print(f"Wrote {len(paths)} tables to {directory}: {', '.join(sorted(paths))}")


@export_app.command("postgres")
def export_postgres_cmd(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="PostgreSQL URL, e.g. postgresql://kuva@localhost/kuva.")],
) -> None:
    """Copy the tables the measures read into a PostgreSQL database (replacing them), for
    `--engine postgres` and a multi-user portal."""
    import ibis

    from kuva.warehouse.engines import EXPORTED, copy_tables

    with state(ctx).open_warehouse() as wh:
        backend = ibis.connect(url)
        try:
            copy_tables(wh, backend)
        finally:
            backend.disconnect()
    out.print(f"Copied {len(EXPORTED)} tables to {url.split('@')[-1]}: {', '.join(EXPORTED)}")
