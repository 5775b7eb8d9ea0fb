"""``kuva process …``: the service-process event log — load it, and measure milestones, plan
debt, referral routes and data quality against the service-model rulebooks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kuva.cli.app import process_app, state
from kuva.cli.output import OUTPUT_FORMATS, choice, emit, err, out, parse_month

if TYPE_CHECKING:
    from kuva.process.refresh import RefreshReport

LevelOpt = Annotated[str, typer.Option("--level", help="municipality, employment_area, pilot_area, custom or nation.")]
MuniOpt = Annotated[list[str] | None, typer.Option("--municipality", "-m",
                                                   help="Municipality code or name (repeatable).")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First month (YYYY-MM) of clock starts or events.")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM or YYYY-MM-DD).")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Measure as on this day (default: the latest event).")]
FmtOpt = Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Client group: age_group, language (kpis, plan-debt, routes, "
                                                        "conformance, map, variants) "
                                                        "or duration (plan-debt); the area's total is the group "
                                                        "total.")]


def _munis(names: list[str] | None) -> list[str] | None:
    if not names:
        return None
    from kuva.registry import area_registry

    return [area_registry().municipality(n).code for n in names]


def _publish(ctx: typer.Context, measure: str, fmt: str, level: str, municipality: list[str] | None,
             start: str | None, end: str | None, as_of: str | None, **extra: object) -> None:
    from kuva.process import kpis, publish

    choice("--format", fmt, OUTPUT_FORMATS)
    choice("--level", level, kpis.LEVELS)
    s = state(ctx).settings()
    kw: dict[str, object] = {"municipalities": _munis(municipality), "start": parse_month(start, "--from"),
                             "end": parse_month(end, "--to")}
    if measure not in ("plan-debt", "offer-debt", "map", "variants"):
        kw["as_of"] = parse_month(as_of, "--as-of")
    if measure == "outcomes":
        kw.pop("start")
        kw.pop("end")
        kw.pop("municipalities")
    kw.update({k: v for k, v in extra.items() if k in ("top", "rule_id", "horizon_days", "window_days")
               and v is not None})
    if extra.get("by") is not None:
        choice("--by", str(extra["by"]), kpis.CLIENT_GROUPS if measure == "plan-debt" else ("age_group", "language"))
        kw["by"] = extra["by"]
    if measure not in ("quality", "recording"):
        kw["level"] = level
    with state(ctx).measures_engine() as wh:
        if measure == "kpis":
            protected = publish.compliance(wh, extra["book"], min_cell=s.min_cell, **kw)  # type: ignore[arg-type]
        elif measure == "conformance":
            protected = publish.conformance(wh, extra["book"], min_cell=s.min_cell, **kw)  # type: ignore[arg-type]
        else:
            if measure in ("quality", "recording"):
                kw.pop("start")
                kw.pop("end")
            protected = publish.MEASURES[measure](wh, min_cell=s.min_cell, **kw)
    emit(protected.frame, fmt)
    if protected.note.hidden_cells or protected.note.hidden_derived:
        err.print(protected.note.text())


@process_app.command("template")
def process_template(
    file: Annotated[Path, typer.Argument(help="Where to write the template: .csv or .xlsx.")],
) -> None:
    """Write an example event log with every column of the format (docs/process.md)."""
    from kuva.errors import KuvaInputError
    from kuva.process.eventlog import template_frame

    frame = template_frame()
    if file.suffix.lower() == ".xlsx":
        frame.to_excel(file, index=False)
    elif file.suffix.lower() == ".csv":
        frame.to_csv(file, index=False)
    else:
        raise KuvaInputError(f"{file}: the template is written as .csv or .xlsx")
    out.print(f"Wrote {file} ({len(frame)} example events, {len(frame.columns)} columns)")


@process_app.command("load")
def process_load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Event log: CSV, Excel (.xlsx), Parquet, OCEL 2.0 (.json, "
                                              ".jsonocel, .sqlite) or XES (docs/process.md).")],
    source_id: Annotated[str | None, typer.Option("--source-id", help="Stable id of this data source "
                                                                     "(default: process:<file name>).")] = None,
) -> None:
    """Validate and load a service-process event log. Client ids are pseudonymised with
    KUVA_PSEUDONYM_KEY; personal identity codes anywhere refuse the file; nothing is stored
    unless every row is valid. A new month is added; an event loaded again with the same
    event_id is a correction (a new vintage); the same file twice is stored once. The measures'
    stored intermediates are then brought up to date for the clients the file touched
    (`kuva process refresh`)."""
    from kuva.process.eventlog import read_event_log, validate_event_log
    from kuva.process.refresh import load_and_refresh
    from kuva.warehouse import SourceInfo

    suffix = file.suffix.lower()
    if suffix in (".json", ".jsonocel", ".sqlite", ".xes"):
        from kuva.process.ocel import read_ocel, read_xes

        raw = read_xes(file) if suffix == ".xes" else read_ocel(file)
        frame = validate_event_log(raw, str(file))
    else:
        frame = read_event_log(file)
    sid = source_id or f"process:{file.stem}"
    info = SourceInfo(sid, "user-file", f"Service-process event log {file.name}", "the data owner", "confidential",
                      False, str(file), datetime.now().replace(microsecond=0), sensitivity="confidential")
    with state(ctx).open_warehouse(read_only=False) as wh:
        r, fresh = load_and_refresh(wh, frame, info)
    status = f"stored as load {r.load_id}" if r.load_id is not None else "already loaded, nothing changed"
    out.print(f"{file}: {r.rows_in:,} events of {frame['pseudonym'].nunique():,} clients — {status}")
    _print_refresh(fresh)


def _print_refresh(r: RefreshReport) -> None:
    if r.mode == "current":
        out.print("Stored intermediates of the measures: already current")
        return
    who = "every client" if r.clients is None else f"{r.clients:,} clients"
    out.print(f"Stored intermediates of the measures: {r.mode} refresh of {who} ({r.rules} rules; "
              f"{sum(r.rows.values()):,} rows) in {r.seconds:.1f} s")


@process_app.command("refresh")
def process_refresh(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option("--full", help="Recompute everything even when current.")] = False,
) -> None:
    """Derive the service-process measures' per-client intermediates (rule clocks, plan-debt
    intervals, referrals, quality flags) from the stored log, so the measures need not order
    every client's events again (docs/process.md). Loads, `kuva simulate` and `kuva load undo`
    do this themselves; run it after changing KUVA_PROCESS_RULES. Until then the measures read
    the log itself: the same answers, more slowly."""
    from kuva.process.refresh import refresh

    with state(ctx).open_warehouse(read_only=False) as wh:
        _print_refresh(refresh(wh, force=full))


@process_app.command("export")
def process_export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="OCEL 2.0 (.json, .jsonocel, .sqlite) or XES (.xes) file to write.")],
) -> None:
    """Export the stored event log (each event's latest vintage, pseudonyms only) in the
    process-mining standards, for pm4py and the tools process analysts use (docs/process-ocel.md).
    Person-level data: handle the file as the event log itself."""
    from kuva.process.kpis import events
    from kuva.process.ocel import write_ocel, write_xes

    with state(ctx).open_warehouse() as wh:
        frame = events(wh).drop("load_id", "source_id").to_pandas()
    written = write_xes(frame, file) if file.suffix.lower() == ".xes" else write_ocel(frame, file)
    out.print(f"Wrote {written}: {len(frame):,} events of {frame['pseudonym'].nunique():,} clients")


@process_app.command("rules")
def process_rules(
    rules: Annotated[Path | None, typer.Option("--rules", help="A rulebook file to add (TOML).")] = None,
    fmt: FmtOpt = "table",
) -> None:
    """List the service-model rulebooks and their rules."""
    import pandas as pd

    from kuva.process.rules import rulebooks

    choice("--format", fmt, OUTPUT_FORMATS)
    rows = [{"rulebook": b.label, "valid_from": b.valid_from, "valid_to": b.valid_to or "", "rule": r.id,
             "kind": r.kind, "after": r.after, "events": ", ".join(r.events), "within": r.within, "unit": r.unit,
             "rule_text": r.describe("en")} for b in rulebooks(rules) for r in b.rules]
    emit(pd.DataFrame(rows), fmt)


RulebookOpt = Annotated[str | None, typer.Option("--rulebook", help="Rulebook id (default: the one in force on "
                                                                    "each clock's start).")]
RulesOpt = Annotated[Path | None, typer.Option("--rules", help="A rulebook file to add (TOML).")]


def _books(rulebook: str | None, rules: Path | None) -> object:
    """The rulebook asked for, or all of them (each clock measured against the one in force);
    says which on standard error."""
    from kuva.process.rules import rulebook as get_rulebook
    from kuva.process.rules import rulebooks

    if rulebook is not None:
        book = get_rulebook(rulebook, path=rules)
        err.print(f"Rulebook: {book.label}")
        return book
    err.print("Rulebook: the one in force when each clock started (column rulebook)")
    return rulebooks(rules)


@process_app.command("kpis")
def process_kpis(
    ctx: typer.Context,
    rulebook: RulebookOpt = None, rules: RulesOpt = None,
    level: LevelOpt = "municipality", municipality: MuniOpt = None, start: FromOpt = None, end: ToOpt = None,
    as_of: AsOfOpt = None, by: ByOpt = None, fmt: FmtOpt = "table",
) -> None:
    """Milestone compliance: for each rule, clients whose deadline has passed (n_due), those who
    met it (n_met), the share and the median delay, by area and month — against the rulebook in
    force when each clock started, or the one given."""
    _publish(ctx, "kpis", fmt, level, municipality, start, end, as_of, book=_books(rulebook, rules), by=by)


@process_app.command("conformance")
def process_conformance(
    ctx: typer.Context,
    rulebook: RulebookOpt = None, rules: RulesOpt = None,
    level: LevelOpt = "municipality", municipality: MuniOpt = None, start: FromOpt = None, end: ToOpt = None,
    as_of: AsOfOpt = None, by: ByOpt = None, fmt: FmtOpt = "table",
) -> None:
    """Conformance of each client's path to the rulebook: registrations by the combination of
    registration rules they broke (none, one, several), per area, once every such rule is due."""
    _publish(ctx, "conformance", fmt, level, municipality, start, end, as_of, book=_books(rulebook, rules), by=by)


@process_app.command("plan-debt")
def process_plan_debt(
    ctx: typer.Context, level: LevelOpt = "municipality", municipality: MuniOpt = None, start: FromOpt = None,
    end: ToOpt = None, by: ByOpt = None, fmt: FmtOpt = "table",
) -> None:
    """Plan debt at each month end: open client spells and those without a valid employment plan
    (by client group with --by)."""
    _publish(ctx, "plan-debt", fmt, level, municipality, start, end, None, by=by)


@process_app.command("offer-debt")
def process_offer_debt(
    ctx: typer.Context, level: LevelOpt = "municipality", municipality: MuniOpt = None, start: FromOpt = None,
    end: ToOpt = None, window: Annotated[int | None, typer.Option(
        "--window", help="Days without a job offer that make debt (default 90).")] = None,
    fmt: FmtOpt = "table",
) -> None:
    """Job-offer debt at each month end: open client spells at least --window days old, and those
    that got no job offer in the last --window days."""
    _publish(ctx, "offer-debt", fmt, level, municipality, start, end, None, window_days=window)


@process_app.command("routes")
def process_routes(
    ctx: typer.Context, level: LevelOpt = "municipality", municipality: MuniOpt = None, start: FromOpt = None,
    end: ToOpt = None, as_of: AsOfOpt = None, by: ByOpt = None, fmt: FmtOpt = "table",
) -> None:
    """Referral routes: referrals by origin and destination sector, those that led to a service,
    those that led to none within 90 days, and the median wait (by client group with --by)."""
    _publish(ctx, "routes", fmt, level, municipality, start, end, as_of, by=by)


@process_app.command("map")
def process_map_cmd(
    ctx: typer.Context, level: LevelOpt = "municipality", municipality: MuniOpt = None, start: FromOpt = None,
    end: ToOpt = None, by: ByOpt = None, fmt: FmtOpt = "table",
) -> None:
    """The process map (directly-follows graph): how often each event type directly followed
    another in a client's path, and the median days between them, by area."""
    _publish(ctx, "map", fmt, level, municipality, start, end, None, by=by)


@process_app.command("variants")
def process_variants_cmd(
    ctx: typer.Context, level: LevelOpt = "municipality", municipality: MuniOpt = None, start: FromOpt = None,
    end: ToOpt = None, top: Annotated[int, typer.Option("--top", help="Variants shown per area; the rest are "
                                                                     "one (other) row.")] = 10,
    by: ByOpt = None, fmt: FmtOpt = "table",
) -> None:
    """Path variants: clients by the sequence of milestones in their path (registration, initial
    interview, assessment, plan, referral, service, exit), the most common per area, with the
    median days from first to last."""
    _publish(ctx, "variants", fmt, level, municipality, start, end, None, top=top, by=by)


@process_app.command("outcomes")
def process_outcomes_cmd(
    ctx: typer.Context, level: LevelOpt = "municipality",
    rule: Annotated[str, typer.Option("--rule", help="A milestone whose clock starts at registration, e.g. "
                                                     "initial_interview or employment_plan.")] = "initial_interview",
    horizon: Annotated[int, typer.Option("--horizon", help="Days after registration.")] = 180,
    as_of: AsOfOpt = None, fmt: FmtOpt = "table",
) -> None:
    """Outcomes by milestone: where clients stood --horizon days after registering (exited to
    work, to education, other exit, still open), by whether they met the milestone of the
    rulebook in force — descriptive, the clients seen in time differ from the others."""
    _publish(ctx, "outcomes", fmt, level, None, None, None, as_of, rule_id=rule, horizon_days=horizon)


@process_app.command("quality")
def process_quality(
    ctx: typer.Context, municipality: MuniOpt = None, as_of: AsOfOpt = None,
    recording: Annotated[bool, typer.Option("--recording", help="Instead: months in which a municipality's "
                                                                 "recording of an event type suddenly changed.")]
    = False,
    fmt: FmtOpt = "table",
) -> None:
    """Data-quality checks of the event log by municipality and month (with --recording: sudden
    changes in a municipality's recording, against the other municipalities)."""
    _publish(ctx, "recording" if recording else "quality", fmt, "municipality", municipality, None, None, as_of)
