"""The ``kuva`` command line: a thin Typer layer over the library.

Domain errors (:class:`kuva.errors.KuvaError`) become one clear line on stderr and exit code 1;
``--debug`` shows the full traceback instead. Usage errors exit with 2. Long work shows a
progress bar. Every command is documented in ``docs/cli.md`` (a test checks it).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, ParamSpec, TypeVar, cast, get_args

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kuva import __version__
from kuva.config import Settings, load_settings
from kuva.errors import KuvaError, KuvaInputError

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="kuva",
    help="KuVa: knowledge-based management and impact evaluation of Finnish municipal employment services.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
load_app = typer.Typer(help="Load data into the warehouse.", no_args_is_help=True)
registry_app = typer.Typer(help="Look up the reference registry.", no_args_is_help=True)
wellbeing_app = typer.Typer(help="Kykyviisari work-ability answers: load and summarise.", no_args_is_help=True)
app.add_typer(load_app, name="load")
app.add_typer(registry_app, name="registry")
app.add_typer(wellbeing_app, name="wellbeing")
privacy_app = typer.Typer(help="Disclosure control: audit what was published.", no_args_is_help=True)
app.add_typer(privacy_app, name="privacy")


def _console(stderr: bool = False) -> Console:
    probe = Console(stderr=stderr)
    # A pipe or a file gets wide tables rather than 80 squeezed columns.
    return Console(stderr=stderr, highlight=False, width=None if probe.is_terminal else 200)


out = _console()
err = _console(stderr=True)
_state: dict[str, Any] = {"debug": False, "warehouse": None}

OUTPUT_FORMATS = ("table", "csv", "json")
DEMO_SCALE = 0.01
DEMO_SEED = 2021


def domain_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a KuvaError into one line on stderr and exit code 1 (traceback with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except KuvaError as exc:
            if _state["debug"]:
                raise
            err.print(f"error: {exc}", markup=False)
            raise typer.Exit(1) from None

    return wrapper


def _settings() -> Settings:
    s = load_settings()
    if _state["warehouse"] is not None:
        s = Settings(warehouse=_state["warehouse"], min_cell=s.min_cell, pilots_csv=s.pilots_csv)
    return s


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal,
    )


def _version(value: bool) -> None:
    if value:
        out.print(f"kuva {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
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
    _state["debug"] = debug
    _state["warehouse"] = warehouse


# --------------------------------------------------------------------------------------------
# demo, load, info
# --------------------------------------------------------------------------------------------
@app.command()
@domain_errors
def demo(
    report: Annotated[bool, typer.Option("--report/--no-report", help="Also write the Finnish report.")] = True,
) -> None:
    """Build the embedded warehouse: bundled real StatFin data, then the calibrated SYNTHETIC
    municipal panel, service paths and Kykyviisari answers for what the real data lack
    (scale 0.01, seed 2021, demo effects); print its summary and write the report (HTML and PDF,
    in Finnish) beside the warehouse."""
    from kuva.warehouse import Warehouse

    s = _settings()
    with Warehouse(s.warehouse, pilots_csv=s.pilots_csv) as wh:
        _load_bundled(wh, None)
        _simulate(wh, scale=DEMO_SCALE, seed=DEMO_SEED, effects=[], years=(2017, 2024), parquet=None)
        _print_info(wh)
        out.print(f"\nWarehouse: {s.warehouse}")
        if report:
            _report(wh, lang="fi", out_dir=s.warehouse.parent / "report", start=None, end=None, areas=None,
                    min_cell=s.min_cell, pdf=True)


def _load_bundled(wh: Any, tables: list[str] | None) -> None:
    from kuva.sources.bundled import bundled_tables, load_bundled

    chosen = [t for t in bundled_tables() if tables is None or t.table in tables]
    with _progress() as bar:
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


def _simulate(
    wh: Any, *, scale: float, seed: int, effects: list[str], years: tuple[int, int], parquet: Path | None
) -> None:
    from kuva.simulate import DEMO_EFFECTS, parse_effects, simulate_into

    spec = parse_effects(effects, DEMO_EFFECTS)
    with _progress() as bar:
        task = bar.add_task("Simulating SYNTHETIC data", total=100)
        report = simulate_into(
            wh, scale=scale, seed=seed, effects=spec, years=years, parquet_dir=parquet,
            progress=lambda what, frac: bar.update(task, description=f"SYNTHETIC: {what}", completed=100 * frac),
        )
    t = Table(title=f"SYNTHETIC data (seed {seed}, scale {scale}, {report.n_persons:,} persons)")
    for col in ("source", "rows", "inserted", "revised", "unchanged"):
        t.add_column(col)
    for r in report.loads.values():
        t.add_row(r.source_id, f"{r.rows_in:,}", f"{r.inserted:,}", f"{r.revised:,}", f"{r.unchanged:,}")
    out.print(t)
    out.print(f"Planted truth rows: {report.truth_rows}; {report.seconds:.1f} s")


def _parse_years(text: str) -> tuple[int, int]:
    first, sep, last = text.partition("-")
    try:
        years = (int(first), int(last if sep else first))
    except ValueError:
        raise KuvaInputError(f"--years: expected YYYY-YYYY, got {text!r}") from None
    return years


@app.command()
@domain_errors
def simulate(
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
    from kuva.warehouse import Warehouse

    s = _settings()
    with Warehouse(s.warehouse, pilots_csv=s.pilots_csv) as wh:
        _simulate(wh, scale=scale, seed=seed, effects=effect or [], years=_parse_years(years), parquet=parquet)


@load_app.command("bundled")
@domain_errors
def load_bundled_cmd(
    tables: Annotated[
        list[str] | None, typer.Option("--tables", "-t", help="Table ids to load (default: all), e.g. -t 12r5 -t 12u4.")
    ] = None,
) -> None:
    """Load the real StatFin data shipped with KuVa (12r5 by area; national 12u* tables)."""
    from kuva.warehouse import Warehouse

    s = _settings()
    with Warehouse(s.warehouse, pilots_csv=s.pilots_csv) as wh:
        _load_bundled(wh, tables)


@load_app.command("statfin")
@domain_errors
def load_statfin_cmd(
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
    from kuva.sources.pxweb import STATFIN_V2, PxWebClient, pull_statfin, summarise
    from kuva.warehouse import Warehouse

    api_lang = _lang(lang)
    s = _settings()
    since = _parse_month(start, "--from")
    cache = cache_dir or s.warehouse.parent / "cache" / "pxweb"
    with Warehouse(s.warehouse, pilots_csv=s.pilots_csv) as wh, PxWebClient(
        base_url or STATFIN_V2, lang=api_lang, cache_dir=cache
    ) as client, _progress() as bar:
        task = bar.add_task("StatFin", total=None)

        def progress(table: str, done: int, total: int) -> None:
            bar.update(task, description=f"StatFin {table}", completed=done, total=total)

        reports = pull_statfin(wh, client=client, tables=tables, since=since, progress=progress)
    out.print(summarise(reports))


@app.command()
@domain_errors
def info() -> None:
    """Show what the warehouse holds: sources, vintages, periods, row counts, area coverage."""
    from kuva.warehouse import Warehouse

    s = _settings()
    with Warehouse(s.warehouse, read_only=True) as wh:
        _print_info(wh)


def _print_info(wh: Any) -> None:
    from kuva.warehouse.query import area_coverage, person_level_rows, warehouse_summary

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
    cov = area_coverage(wh)
    c = Table(title="Area coverage")
    for col in ("level", "areas", "observations"):
        c.add_column(col)
    for row in cov.itertuples(index=False):
        c.add_row(str(row.level), str(row.areas), f"{row.observations:,}")
    out.print(c)
    events, answers = person_level_rows(wh)
    out.print(f"Person-level rows: {events:,} service events, {answers:,} survey answers")


# --------------------------------------------------------------------------------------------
# query
# --------------------------------------------------------------------------------------------
def _choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    """``value`` if allowed, else a clear error listing the allowed values."""
    if value not in allowed:
        raise KuvaInputError(f"{option} must be one of {list(allowed)}, got {value!r}")
    return value


def _parse_month(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    for fmt_len, suffix in ((7, "-01"), (10, "")):
        if len(text) == fmt_len:
            try:
                return date.fromisoformat(text + suffix)
            except ValueError:
                break
    raise KuvaInputError(f"{option}: expected YYYY-MM or YYYY-MM-DD, got {text!r}")


@app.command()
@domain_errors
def query(
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
    would reveal them (totals, shares); the disclosure note goes to standard error."""
    from kuva.privacy.observations import protect_observations, related_measures
    from kuva.registry import area_registry
    from kuva.warehouse import Warehouse, query_observations
    from kuva.warehouse.query import source_sensitivity

    _choice("--format", fmt, OUTPUT_FORMATS)
    areas = [area_registry().area(a).code for a in area] if area else None
    s = _settings()
    first, last, known = _parse_month(start, "--from"), _parse_month(end, "--to"), _parse_month(as_of, "--as-of")
    split = None if breakdown == "all" else breakdown
    with Warehouse(s.warehouse, read_only=True) as wh:
        df = query_observations(wh, measure, areas=areas, start=first, end=last, breakdown=split, as_of=known)
        extra = sorted(related_measures(measure) - {m.upper() for m in measure})
        context = (query_observations(wh, extra, areas=areas, start=first, end=last, breakdown=split, as_of=known)
                   if extra else None)
        sensitivity = source_sensitivity(wh)
    df["vintage"] = pd.to_datetime(df["vintage"]).dt.date.astype(str)
    protected = protect_observations(df, s.disclosure, sensitivity=sensitivity, context=context, name="query")
    _emit(protected.frame, fmt)
    if protected.note.hidden_cells or protected.note.hidden_derived:
        err.print(protected.note.text())


def _emit(df: pd.DataFrame, fmt: str) -> None:
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
            t.add_row(*("" if pd.isna(v) else _fmt_cell(v) for v in row))
        out.print(t)
        out.print(f"{len(df)} rows")


def _fmt_cell(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.0f}" if v.is_integer() else f"{v:,.2f}"
    return str(v)


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------
@registry_app.command("municipality")
@domain_errors
def registry_municipality(
    name: Annotated[str, typer.Argument(help="Municipality code (KU091, 091, 91) or fi/sv name.")],
) -> None:
    """Show a municipality: names, hierarchy, area type, population and pilot membership."""
    from kuva.registry import area_registry, programme_registry

    reg = area_registry()
    m = reg.municipality(name)
    s = _settings()
    pilot = programme_registry(s.pilots_csv).area_of(m.code)
    t = Table(show_header=False)
    t.add_column("field")
    t.add_column("value")
    rows = [
        ("code", m.code), ("name (fi)", m.name_fi), ("name (sv)", m.name_sv),
        ("sub-region (seutukunta)", f"{m.sub_region_code} {m.sub_region_name}"),
        ("region (maakunta)", f"{m.region_code} {m.region_name}"),
        ("wellbeing services county", m.wellbeing_county or "(none: Helsinki or Åland)"),
        ("area type (aluetyyppi)", m.area_type), ("population 2020", f"{m.population:,}"),
        ("mainland", "yes" if m.mainland else "no (Åland)"),
    ]
    if pilot is not None:
        mem = next(x for x in pilot.memberships if x.municipality_code == m.code)
        rows.append(("pilot area 2021–2024", f"{pilot.name} ({mem.start} – {mem.end}; confidence: {mem.confidence})"))
    else:
        rows.append(("pilot area 2021–2024", "none"))
    for k, v in rows:
        t.add_row(k, v)
    out.print(t)


@registry_app.command("pilots")
@domain_errors
def registry_pilots(
    file: Annotated[
        Path | None, typer.Option("--file", help="Use this membership CSV instead of the configured one.")
    ] = None,
    members: Annotated[bool, typer.Option("--members", help="List every member municipality.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")] = "table",
) -> None:
    """Show the pilot areas of 2021–2024 with their members and the confidence of each row."""
    from kuva.registry import programme_registry

    _choice("--format", fmt, OUTPUT_FORMATS)
    reg = programme_registry(file or _settings().pilots_csv)
    if members:
        df = pd.DataFrame(
            [(a.name, m.municipality_code, m.municipality_name, str(m.start), str(m.end or ""), m.confidence,
              m.source_url) for a in reg.areas() for m in a.memberships],
            columns=["pilot_area", "municipality_code", "municipality", "start", "end", "confidence", "source_url"],
        )
    else:
        df = pd.DataFrame(
            [(a.name, a.code, len(a.memberships),
              ", ".join(f"{c} {sum(m.confidence == c for m in a.memberships)}"
                        for c in ("confirmed", "likely", "guess") if any(m.confidence == c for m in a.memberships)),
              ", ".join(m.municipality_name for m in a.memberships)) for a in reg.areas()],
            columns=["pilot_area", "code", "municipalities", "confidence", "members"],
        )
    _emit(df, fmt)
    if fmt == "table":
        n = sum(len(a.memberships) for a in reg.areas())
        out.print(f"Source: {reg.source}. {len(reg.areas())} areas, {n} municipalities. "
                  "Replace with the authoritative list via KUVA_PILOTS_CSV or --file.")


@registry_app.command("services")
@domain_errors
def registry_services() -> None:
    """List the service types and whether they count in the activation rate."""
    from kuva.registry import service_types

    df = pd.DataFrame([(s.code, s.measure, "yes" if s.activating else "no", s.name_fi, s.name_sv, s.name_en)
                       for s in service_types()],
                      columns=["code", "measure", "activating", "name_fi", "name_sv", "name_en"])
    _emit(df, "table")


@registry_app.command("measures")
@domain_errors
def registry_measures(
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")] = "table",
) -> None:
    """List every measure code with its unit, frequency and English name."""
    from kuva.registry import measures

    _choice("--format", fmt, OUTPUT_FORMATS)
    df = pd.DataFrame([(m.code, m.frequency, m.unit, m.table, m.name_en) for m in measures().values()],
                      columns=["code", "frequency", "unit", "table", "name_en"])
    _emit(df, fmt)


# --------------------------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------------------------
@app.command()
@domain_errors
def evaluate(
    outcome: Annotated[
        str, typer.Option(help="activation_rate, unemployment_share or log_unemployed.")
    ] = "activation_rate",
    design: Annotated[
        str, typer.Option(help="did, event, cs, sa, synth, sdid, all, or a comma-separated list.")
    ] = "all",
    areas: Annotated[
        list[str] | None, typer.Option("--areas", "-a", help="Pilot areas to evaluate (repeatable); default all 25.")
    ] = None,
    comparison: Annotated[
        str, typer.Option(help="Comparison units: rest, sub_region or matched_shock (matched on the 2020 COVID shock).")
    ] = "rest",
    unit: Annotated[str, typer.Option(help="Unit of analysis: area (pilot-area aggregates) or municipality.")] = "area",
    start: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM (default 2018-01).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM (default 2023-12).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap and placebo draws.")] = 2021,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write tables (CSV), figures (PNG) and the summary here.")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of figure labels: fi, sv or en.")] = "en",
) -> None:
    """Estimate the effect of the 2021–2024 pilots with every design side by side (a specification
    curve): two-way fixed-effects DiD with wild cluster bootstrap, event study with pre-trend test,
    Callaway–Sant'Anna, Sun–Abraham, synthetic control with placebo inference, synthetic DiD."""
    from kuva.evaluate.battery import BatteryUnit, evaluate_cli, planted_gap
    from kuva.evaluate.panel import Comparison, Outcome
    from kuva.warehouse import Warehouse

    outcome_ = cast("Outcome", _choice("--outcome", outcome, get_args(Outcome)))
    comparison_ = cast("Comparison", _choice("--comparison", comparison, get_args(Comparison)))
    unit_ = cast("BatteryUnit", _choice("--unit", unit, get_args(BatteryUnit)))
    s = _settings()
    with Warehouse(s.warehouse, read_only=True) as wh, _progress() as bar:
        bar.add_task("Estimating", total=None)
        battery = evaluate_cli(
            wh, outcome=outcome_, design=design, areas=areas, comparison=comparison_,
            unit=unit_, start=_parse_month(start, "--from"), end=_parse_month(end, "--to"),
            seed=seed, out_dir=out_dir, lang=_lang(lang),
        )
        synthetic = battery.data.synthetic
        truth = planted_gap(wh, start=battery.data.treat_start, end=battery.data.end) if synthetic else None
    out.print(str(battery.summary()))
    if battery.data.synthetic:
        out.print("Note: the panel rests on SYNTHETIC data; the estimates show what the designs recover.")
        if truth is not None:
            out.print(f"Planted effect (synthetic truth, mean gap over the post-period): {truth:.3f} pp")
    if out_dir is not None:
        out.print(f"Wrote tables, figures and summary to {out_dir}")


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------
def _lang(text: str) -> Literal["fi", "sv", "en"]:
    if text == "fi":
        return "fi"
    if text == "sv":
        return "sv"
    if text == "en":
        return "en"
    raise KuvaInputError(f"--lang must be one of ['fi', 'sv', 'en'], got {text!r}")


def _report(
    wh: Any, *, lang: str, out_dir: Path, start: date | None, end: date | None, areas: list[str] | None,
    min_cell: int, pdf: bool,
) -> None:
    from kuva.report import build_report

    with _progress() as bar:
        bar.add_task("Writing the report", total=None)
        result = build_report(wh, lang=_lang(lang), out_dir=out_dir, start=start, end=end, areas=areas,
                              min_cell=min_cell, pdf=pdf)
    out.print(f"Report: {result.html}")
    if result.pdf is not None:
        out.print(f"PDF:    {result.pdf} ({result.pages} pages)")
    out.print(f"Tables: {len(result.tables)} files in {out_dir / 'tables'}")
    if result.synthetic:
        out.print("Note: the report contains SYNTHETIC data, labelled wherever it is shown.")


@app.command()
@domain_errors
def report(
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
) -> None:
    """Write the evaluation report: one self-contained HTML file, a PDF, and every table as CSV and
    Excel, with definitions and a provenance appendix; synthetic content is labelled."""
    from kuva.warehouse import Warehouse

    s = _settings()
    with Warehouse(s.warehouse, read_only=True) as wh:
        _report(wh, lang=lang, out_dir=out_dir, start=_parse_month(start, "--from"), end=_parse_month(end, "--to"),
                areas=areas, min_cell=s.min_cell, pdf=pdf)


# --------------------------------------------------------------------------------------------
# wellbeing (Kykyviisari)
# --------------------------------------------------------------------------------------------
@wellbeing_app.command("load")
@domain_errors
def wellbeing_load(
    file: Annotated[Path, typer.Argument(help="Kykyviisari answer export, CSV or Excel (.xlsx).")],
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (default: the first).")] = None,
) -> None:
    """Load a Kykyviisari answer export. Respondent ids are pseudonymised with
    KUVA_PSEUDONYM_KEY; personal identity codes anywhere in the file are refused."""
    from kuva.warehouse import Warehouse
    from kuva.wellbeing import load_kykyviisari

    s = _settings()
    with Warehouse(s.warehouse, pilots_csv=s.pilots_csv) as wh:
        r = load_kykyviisari(wh, file, sheet=sheet)
    state = "stored" if r.changed else "already loaded, nothing changed"
    out.print(f"{r.path}: {r.answers:,} answers from {r.respondents:,} respondents, "
              f"{r.rows_stored:,} item rows — {state}")
    if r.ignored_columns:
        out.print(f"Ignored columns: {', '.join(r.ignored_columns)}")


@wellbeing_app.command("summary")
@domain_errors
def wellbeing_summary_cmd(
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
    from kuva.warehouse import Warehouse
    from kuva.wellbeing import export_results, wellbeing_summary

    lang = _lang(lang)
    s = _settings()
    with Warehouse(s.warehouse, read_only=True) as wh:
        results = wellbeing_summary(wh, areas=areas, min_cell=s.min_cell)
    for r in results:
        badge = " [SYNTHETIC]" if r.synthetic else ""
        out.rule(f"{r.title(lang)}{badge}")
        _emit(r.table, "table")
        out.print(r.text(lang))
    if export is not None:
        written = export_results(results, export, lang=lang)
        out.print(f"Wrote {', '.join(str(p) for p in written)}")


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()


@privacy_app.command("audit")
@domain_errors
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

    _choice("--format", fmt, OUTPUT_FORMATS)
    report = audit_directory(directory, min_cell=min_cell)
    if fmt == "table":
        out.print(f"{report.tables} tables, {report.published_cells:,} published counts, "
                  f"{report.hidden_cells:,} hidden counts attacked (protection interval [1, {report.min_cell}])")
        for e in report.exposures:
            out.print(f"EXPOSED {e.text()}")
        out.print(f"{report.exposed} exposed")
    else:
        _emit(exposures_frame(report), fmt)
    if report.exposed:
        raise typer.Exit(1)
