"""``kuva benchmark``: areas against what their conditions predict, with honest rank uncertainty."""

from __future__ import annotations

from typing import Annotated

import typer

from kuva.cli.app import app, state
from kuva.cli.output import OUTPUT_FORMATS, choice, emit, err, out


@app.command("benchmark")
def benchmark_cmd(
    ctx: typer.Context,
    outcome: Annotated[str, typer.Argument(help="What to compare: activation_rate, long_term_share, plan_debt_share, "
                                                "interview_in_time, exit_work_180, unemployed_after_services "
                                                "(annual: the period's year) or work_ability_improved "
                                                "(Kykyviisari).")] = "activation_rate",
    level: Annotated[str, typer.Option("--level", help="municipality, pilot_area, employment_area or custom.")
                     ] = "municipality",
    period: Annotated[str | None, typer.Option("--period", help="Month (YYYY-MM) or half-year (YYYY-H1, YYYY-H2); "
                                                                "default: the latest month with data.")] = None,
    peers: Annotated[str | None, typer.Option("--peers", help="Also list the areas most similar to this one "
                                                              "(code).")] = None,
    coefficients: Annotated[bool, typer.Option("--coefficients", help="Print the framework model's coefficient "
                                                                      "table and fit instead.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")] = "table",
) -> None:
    """Expected vs actual for every area on an outcome (a share of clients) from the
    framework-condition model (specification v1),
    the gap in percentage points and persons, the gap shrunk toward the model (empirical Bayes),
    each area's rank with its confidence set, the areas possibly and credibly in the top and
    bottom tenth (joint 95 %), and comparison types; through the disclosure engine."""
    from kuva.benchmark.peers import similar_areas
    from kuva.benchmark.run import LEVELS, OUTCOMES, benchmark, default_period, parse_period, publish

    choice("OUTCOME", outcome, OUTCOMES)
    choice("--level", level, LEVELS)
    choice("--format", fmt, OUTPUT_FORMATS)
    s = state(ctx).settings()
    with state(ctx).measures_engine() as wh:
        start, months = parse_period(period) or (default_period(wh, outcome), 1)
        b = benchmark(wh, start, outcome=outcome, level=level, months=months)  # type: ignore[arg-type]
    if coefficients:
        err.print(f"Framework model {b.table['spec_version'].iloc[0]}: {b.fit.n} areas, R² {b.fit.r2:.3f}, "
                  f"between-area variance of the gaps (tau²) {b.tau2:.3f}")
        emit(b.fit.coefficients(), fmt)
        return
    protected = publish(b, min_cell=s.min_cell)
    emit(protected.frame, fmt)
    if protected.note.hidden_cells or protected.note.hidden_derived:
        err.print(protected.note.text())
    if b.synthetic:
        err.print("SYNTHETIC data in the inputs: " + ", ".join(b.sources))
    if peers is not None:
        near = similar_areas(b.conditions, peers)
        out.print(f"Most similar to {peers}: " + ", ".join(f"{a} ({d:.2f})" for a, d in near.items()))
