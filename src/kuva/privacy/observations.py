"""Long observation tables (``area_code, period, measure, breakdown, value``) declared to the
disclosure engine with the measure rulebook (``registry/data/measure_relations.csv``): services
add up to persons in services, and shares and rates are ratios of counts.

Person counts (measures with unit ``persons``) are cells keyed by (measure, area, period,
breakdown); a row from a public source (``sensitivity``) passes unchanged. Ratio measures are
derived values of their counts. Counts a published ratio or total depends on but that were not
asked for are given as *context* rows: the engine knows them, protects them if small, and hides
a share whose hidden numerator it would reveal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from kuva.errors import KuvaInputError
from kuva.privacy.policy import DisclosurePolicy
from kuva.privacy.spec import RELATION_TOLERANCE, CellKey, code_text

if TYPE_CHECKING:  # the engine and pandas load only when a table needs them (not for public answers)
    import pandas as pd

    from kuva.privacy.engine import ProtectedTable, Publication

KEY_COLUMNS = ("area_code", "period", "measure", "breakdown")


@cache
def _persons() -> frozenset[str]:
    from kuva.registry import measures

    return frozenset(code for code, m in measures().items() if m.unit == "persons")


def related_measures(codes: Iterable[str]) -> set[str]:
    """Every measure a published value of ``codes`` is linked to by the rulebook (both ways),
    repeated until closed: what the engine needs as context."""
    from kuva.registry import measure_relations

    wanted = {c.upper() for c in codes}
    changed = True
    while changed:
        changed = False
        for rel in measure_relations():
            group = {rel.result, *rel.numerator, *rel.denominator}
            if wanted & group and not group <= wanted:
                wanted |= group
                changed = True
    return wanted


def _key(measure: str, area: object, period: object, breakdown: object) -> CellKey:
    return (measure, (("area", code_text(area)), ("breakdown", code_text(breakdown or "")),
                      ("period", code_text(period))))


def declare_observations(pub: Publication, name: str, frame: pd.DataFrame, *,
                         sensitivity: Mapping[str, str] | None = None,
                         context: pd.DataFrame | None = None) -> None:
    """Declare a long observation table (and its context rows) to ``pub``."""
    import pandas as pd

    from kuva.registry import measure_relations

    missing = [c for c in (*KEY_COLUMNS, "value") if c not in frame.columns]
    if missing:
        raise KuvaInputError(f"table {name}: observation column(s) {missing} missing; it has {list(frame.columns)}")
    frame = frame.reset_index(drop=True)
    pub.add_cell_free_table(name, frame)
    persons = _persons()
    sens = sensitivity or {}

    def records(df: pd.DataFrame) -> list[tuple[str, object, object, object, float, bool]]:
        sources = df["source_id"].astype(str) if "source_id" in df.columns else pd.Series([""] * len(df))
        public = [sens.get(s) == "public" for s in sources]
        values = pd.to_numeric(df["value"], errors="coerce").astype(float).tolist()
        return list(zip(df["measure"].astype(str).str.upper(), df["area_code"], df["period"], df["breakdown"],
                        values, public, strict=True))

    ratios = {r.result: r for r in measure_relations() if r.kind == "ratio"}
    sums = [r for r in measure_relations() if r.kind == "sum"]
    rows = records(frame)
    slots: set[tuple[object, object, object]] = set()
    for r, (measure, area, period, breakdown, value, public) in enumerate(rows):
        slots.add((area, period, breakdown))
        if measure in persons:
            pub.add_cell(name, frame, r, "value", _key(measure, area, period, breakdown), public=public, value=value)
    if context is not None:
        for measure, area, period, breakdown, value, public in records(context.reset_index(drop=True)):
            if measure in persons and not math.isnan(value):
                pub.add_context(_key(measure, area, period, breakdown), value, public=public)
    for r, (measure, area, period, breakdown, _, _) in enumerate(rows):
        rel = ratios.get(measure)
        if rel is None:
            continue
        at = (area, period, breakdown)
        pub.add_derived(name, r, "value", kind="ratio",
                        numerator=[_key(c, *at) for c in rel.numerator],
                        denominator=[_key(c, *at) for c in rel.denominator], scale=rel.scale)
    present = {str(m).upper() for m in frame["measure"]}
    if context is not None:
        present |= {str(m).upper() for m in context["measure"]}
    for at in slots:
        for rel in sums:
            if present & {rel.result, *rel.numerator}:
                pub.relate(_key(rel.result, *at), [_key(c, *at) for c in rel.numerator])


def protect_observations(frame: pd.DataFrame, policy: DisclosurePolicy, *,
                         sensitivity: Mapping[str, str] | None = None, context: pd.DataFrame | None = None,
                         name: str = "observations") -> ProtectedTable:
    """Protect one long observation table on its own (``kuva query``, exports)."""
    from kuva.privacy.engine import Publication

    pub = Publication(policy)
    declare_observations(pub, name, frame, sensitivity=sensitivity, context=context)
    return pub.protect()[name]

def pass_public_records(rows: Sequence[Mapping[str, Any]], policy: DisclosurePolicy, *,
                        sensitivity: Mapping[str, str], context: Sequence[Mapping[str, Any]] = ()
                        ) -> list[dict[str, Any]] | None:
    """The engine's answer for observation records that are all public, without running it:
    ``rows`` unchanged with ``suppressed`` False — or ``None`` when the engine must run.

    When every row comes from a public source, :func:`protect_observations` hides none of them
    (only confidential cells are hidden; public ones are constants the attacker knows) and rounds
    none (only confidential counts are rounded); a share among them is hidden only when one of
    its counts is (a confidential context row) or, under rounding, when one is missing. Its one
    other effect is refusing a declared total that the figures (context included) do not add up
    to. So this returns the rows as they are unless a row is confidential, a share's counts are
    not all public (or, under rounding, not all present), or a total does not add up — then the
    engine runs (and gives its error). ``kuva query`` uses it so a public answer needs neither
    pandas nor the solver; a test compares it with the engine on the bundled and simulated data."""
    from kuva.registry import measure_relations

    def public(r: Mapping[str, Any]) -> bool:
        return sensitivity.get(str(r.get("source_id", ""))) == "public"

    if not all(map(public, rows)):
        return None
    persons = _persons()
    confidential_context = not all(map(public, context))

    def key(measure: str, r: Mapping[str, Any]) -> tuple[str, str, str, str]:
        return measure, code_text(r["area_code"]), code_text(r["period"]), code_text(r["breakdown"] or "")

    def number(v: Any) -> float:
        return math.nan if v is None else float(v)

    cells = {key(str(r["measure"]).upper(), r): number(r["value"]) for r in rows
             if str(r["measure"]).upper() in persons}
    for r in context:
        m = str(r["measure"]).upper()
        if m in persons and not math.isnan(number(r["value"])):
            cells.setdefault(key(m, r), number(r["value"]))
    present = {str(r["measure"]).upper() for r in (*rows, *context)}
    slots = {key("", r)[1:] for r in rows}
    for rel in measure_relations():
        if rel.kind == "sum" and present & {rel.result, *rel.numerator}:
            for slot in slots:
                parts = [cells.get((m, *slot), math.nan) for m in rel.numerator]
                total = cells.get((rel.result, *slot), math.nan)
                if not any(math.isnan(x) for x in (total, *parts)) and \
                        abs(math.fsum(parts) - total) > RELATION_TOLERANCE * max(1.0, abs(total)):
                    return None
        if rel.kind == "ratio" and (confidential_context or policy.rounding) and any(
                str(r["measure"]).upper() == rel.result and
                (confidential_context or not all(key(m, r) in cells for m in (*rel.numerator, *rel.denominator)))
                for r in rows):
            return None
    return [{**r, "suppressed": False} for r in rows]


__all__ = ["KEY_COLUMNS", "declare_observations", "pass_public_records", "protect_observations", "related_measures"]
