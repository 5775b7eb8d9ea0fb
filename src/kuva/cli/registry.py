"""``kuva registry …``: the reference registry (municipalities, pilot areas, services, measures)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kuva.cli.app import registry_app, state
from kuva.cli.output import OUTPUT_FORMATS, choice, emit, out


@registry_app.command("municipality")
def registry_municipality(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Municipality code (KU091, 091, 91) or fi/sv name.")],
) -> None:
    """Show a municipality: names, hierarchy, area type, population and pilot membership."""
    from rich.table import Table

    from kuva.registry import area_registry, programme_registry

    reg = area_registry()
    m = reg.municipality(name)
    pilot = programme_registry(state(ctx).settings().pilots_csv).area_of(m.code)
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
def registry_pilots(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Option("--file", help="Use this membership CSV instead of the configured one.")
    ] = None,
    members: Annotated[bool, typer.Option("--members", help="List every member municipality.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")] = "table",
) -> None:
    """Show the pilot areas of 2021–2024 with their members and the confidence of each row."""
    import pandas as pd

    from kuva.registry import programme_registry

    choice("--format", fmt, OUTPUT_FORMATS)
    reg = programme_registry(file or state(ctx).settings().pilots_csv)
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
    emit(df, fmt)
    if fmt == "table":
        n = sum(len(a.memberships) for a in reg.areas())
        out.print(f"Source: {reg.source}. {len(reg.areas())} areas, {n} municipalities. "
                  "Replace with the authoritative list via KUVA_PILOTS_CSV or --file.")


@registry_app.command("services")
def registry_services() -> None:
    """List the service types and whether they count in the activation rate."""
    import pandas as pd

    from kuva.registry import service_types

    df = pd.DataFrame([(s.code, s.measure, "yes" if s.activating else "no", s.name_fi, s.name_sv, s.name_en)
                       for s in service_types()],
                      columns=["code", "measure", "activating", "name_fi", "name_sv", "name_en"])
    emit(df, "table")


@registry_app.command("measures")
def registry_measures(
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")] = "table",
) -> None:
    """List every measure code with its unit, frequency and English name."""
    import pandas as pd

    from kuva.registry import measures

    choice("--format", fmt, OUTPUT_FORMATS)
    df = pd.DataFrame([(m.code, m.frequency, m.unit, m.table, m.name_en) for m in measures().values()],
                      columns=["code", "frequency", "unit", "table", "name_en"])
    emit(df, fmt)
