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
from collections.abc import Iterable, Mapping
from functools import cache

import pandas as pd

from kuva.errors import KuvaInputError
from kuva.privacy.engine import ProtectedTable, Publication
from kuva.privacy.policy import DisclosurePolicy
from kuva.privacy.spec import CellKey, code_text

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
    pub = Publication(policy)
    declare_observations(pub, name, frame, sensitivity=sensitivity, context=context)
    return pub.protect()[name]


__all__ = ["KEY_COLUMNS", "declare_observations", "protect_observations", "related_measures"]
