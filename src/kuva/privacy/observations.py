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
    persons = _persons()
    sens = sensitivity or {}

    def public(row: pd.Series) -> bool:
        return "source_id" in row.index and sens.get(str(row["source_id"])) == "public"

    ratios = {r.result: r for r in measure_relations() if r.kind == "ratio"}
    sums = [r for r in measure_relations() if r.kind == "sum"]
    rows = [(int(str(r)), row) for r, row in frame.iterrows()]
    slots: set[tuple[object, object, object]] = set()
    for r, row in rows:
        measure = str(row["measure"]).upper()
        slots.add((row["area_code"], row["period"], row["breakdown"]))
        if measure in persons:
            pub.add_cell(name, frame, r, "value", _key(measure, row["area_code"], row["period"], row["breakdown"]),
                         public=public(row))
    if context is not None:
        for _, row in context.iterrows():
            measure = str(row["measure"]).upper()
            if measure in persons and not pd.isna(row["value"]):
                pub.add_context(_key(measure, row["area_code"], row["period"], row["breakdown"]),
                                float(row["value"]), public=public(row))
    for r, row in rows:
        rel = ratios.get(str(row["measure"]).upper())
        if rel is None:
            continue
        at = (row["area_code"], row["period"], row["breakdown"])
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
    if name not in pub.tables:
        pub.add_cell_free_table(name, frame)
    return pub.protect()[name]


__all__ = ["KEY_COLUMNS", "declare_observations", "protect_observations", "related_measures"]
