"""The service-process measures through the disclosure engine: each table declared (its person
counts, the shares and medians derived from them) and protected with the settings' policy.
Event logs are confidential, so every figure derived from them is protected; nothing here is
published unprotected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from kuva.analysis.inputs import resolve_policy
from kuva.errors import KuvaInputError
from kuva.privacy.engine import ProtectedTable, protect_table
from kuva.privacy.spec import Count, Derived, Hierarchy, Ratio, TableSpec
from kuva.process import kpis
from kuva.process.rules import Rulebook
from kuva.warehouse.connection import Warehouse

_AREA = ("level", "area_code")


def _protect(frame: pd.DataFrame, spec: TableSpec, name: str, min_cell: int | None) -> ProtectedTable:
    if "client_group" in frame.columns:
        spec = by_client_group(spec, sorted(set(frame["client_group"]) - {kpis.TOTAL_GROUP}))
        name = f"{name}_by_group"
    return protect_table(frame, spec, resolve_policy(min_cell), name=name)


def by_client_group(spec: TableSpec, groups: Sequence[str]) -> TableSpec:
    """``spec`` broken down by client group: ``client_group`` one more dimension of every count,
    and each count's ``total`` group the sum of the groups (so the engine protects the groups and
    the total together: no group can be recovered by subtracting the others from the total)."""
    counts = tuple(Count(c.column, (*c.dims, "client_group"), quantity=f"{c.name}_by_group") for c in spec.counts)
    tree = {kpis.TOTAL_GROUP: tuple(groups)}
    return TableSpec(counts=counts, relations=tuple(Hierarchy(c.column, "client_group", tree) for c in spec.counts),
                     derived=spec.derived, confidential=spec.confidential, decimals=spec.decimals)


COMPLIANCE_SPEC = TableSpec(
    counts=(Count("n_due", ("rulebook", "rule", *_AREA, "month"), quantity="process_due"),
            Count("n_met", ("rulebook", "rule", *_AREA, "month"), quantity="process_met")),
    derived=(Ratio("share_met", "n_met", ("n_due",)), Derived("median_delay", ("n_due",))))


PLAN_DEBT_SPEC = TableSpec(
    counts=(Count("open_spells", (*_AREA, "month_end"), quantity="process_open_spells"),
            Count("plan_debt", (*_AREA, "month_end"), quantity="process_plan_debt")),
    # person-days over the month go with the month-end counts: hidden when either is
    derived=(Ratio("plan_debt_share", "plan_debt", ("open_spells",)),
             *(Derived(c, ("open_spells", "plan_debt")) for c in ("open_days", "plan_debt_days",
                                                                  "plan_debt_days_share"))))

JOB_OFFER_DEBT_SPEC = TableSpec(
    counts=(Count("eligible", (*_AREA, "month_end"), quantity="process_offer_eligible"),
            Count("job_offer_debt", (*_AREA, "month_end"), quantity="process_job_offer_debt")),
    derived=(Ratio("job_offer_debt_share", "job_offer_debt", ("eligible",)),))

ROUTES_SPEC = TableSpec(
    counts=tuple(Count(c, (*_AREA, "month", "origin_sector", "destination_sector"), quantity=f"process_{c}")
                 for c in ("referrals", "realised", "unrealised")),
    derived=(Derived("median_wait_days", ("referrals", "realised")),))

DFG_SPEC = TableSpec(
    counts=(Count("n", (*_AREA, "from_event", "to_event"), quantity="process_dfg"),),
    derived=(Derived("median_days", ("n",)),))

CONFORMANCE_SPEC = TableSpec(
    counts=(Count("clients", (*_AREA, "rulebook", "broken", "n_broken"), quantity="process_conformance"),))

VARIANTS_SPEC = TableSpec(
    counts=(Count("n", (*_AREA, "variant"), quantity="process_variants"),),
    derived=(Derived("median_days", ("n",)),))
OTHER_VARIANTS = "(other)"

_OUTCOME_DIMS = (*_AREA, "rule", "met")
MILESTONE_OUTCOMES_SPEC = TableSpec(
    counts=tuple(Count(c, _OUTCOME_DIMS, quantity=f"process_outcome_{c}")
                 for c in ("clients", "exit_work", "exit_education", "exit_other", "still_open")),
    derived=(Ratio("share_exit_work", "exit_work", ("clients",)),))

QUALITY_SPEC = TableSpec(counts=(Count("n", ("check", "municipality_code", "month"), quantity="process_quality"),))

#: ``n`` is the municipality's events of a type in a month (the same cell wherever published);
#: ``expected`` and ``ratio`` go with it (``expected`` comes from sums over every municipality).
RECORDING_SPEC = TableSpec(
    counts=(Count("n", ("municipality_code", "event_type", "month"), quantity="process_events_by_type"),),
    derived=(Derived("expected", ("n",)), Derived("ratio", ("n",))), decimals={"expected": 1, "ratio": 2})


def compliance(wh: Warehouse, books: Rulebook | Sequence[Rulebook], *, min_cell: int | None = None,
               **kw: object) -> ProtectedTable:
    """Rule compliance, protected: against one rulebook, or each clock against the rulebook of
    ``books`` in force when it started (:func:`kuva.process.kpis.compliance_in_force`)."""
    frame = (kpis.rule_compliance(wh, books, **kw) if isinstance(books, Rulebook)  # type: ignore[arg-type]
             else kpis.compliance_in_force(wh, books, **kw))  # type: ignore[arg-type]
    return _protect(frame, COMPLIANCE_SPEC, "process_compliance", min_cell)


def plan_debt(wh: Warehouse, *, min_cell: int | None = None, **kw: object) -> ProtectedTable:
    return _protect(kpis.plan_debt(wh, **kw), PLAN_DEBT_SPEC, "process_plan_debt", min_cell)  # type: ignore[arg-type]


def job_offer_debt(wh: Warehouse, *, min_cell: int | None = None, **kw: object) -> ProtectedTable:
    """Job-offer debt at each month end (:func:`kuva.process.kpis.job_offer_debt`), protected."""
    return _protect(kpis.job_offer_debt(wh, **kw), JOB_OFFER_DEBT_SPEC,  # type: ignore[arg-type]
                    "process_job_offer_debt", min_cell)


def routes(wh: Warehouse, *, min_cell: int | None = None, **kw: object) -> ProtectedTable:
    return _protect(kpis.referral_routes(wh, **kw), ROUTES_SPEC, "process_routes", min_cell)  # type: ignore[arg-type]


def process_map(wh: Warehouse, *, min_cell: int | None = None, **kw: object) -> ProtectedTable:
    """The directly-follows graph (:func:`kuva.process.kpis.directly_follows`), protected."""
    return _protect(kpis.directly_follows(wh, **kw), DFG_SPEC, "process_dfg", min_cell)  # type: ignore[arg-type]


def conformance(wh: Warehouse, books: Rulebook | Sequence[Rulebook], *, min_cell: int | None = None,
                **kw: object) -> ProtectedTable:
    """Registrations by the rules they broke (:func:`kuva.process.kpis.conformance`), protected;
    no shares, so a hidden combination is not the total minus the shown ones."""
    return _protect(kpis.conformance(wh, books, **kw), CONFORMANCE_SPEC,  # type: ignore[arg-type]
                    "process_conformance", min_cell)


def variants(wh: Warehouse, *, min_cell: int | None = None, top: int = 10, **kw: object) -> ProtectedTable:
    """The ``top`` most common path variants of each area (:func:`kuva.process.kpis.path_variants`)
    and one ``(other)`` row with the clients of all the rest, protected: no share is shown, so
    the hidden rows' sum cannot be rebuilt from a total."""
    if top < 1:
        raise KuvaInputError(f"--top must be at least 1, got {top}")
    frame = kpis.path_variants(wh, **kw)  # type: ignore[arg-type]
    # the top variants of each area's whole (its total group when broken down): the same
    # variants shown for every group, so each shown row and the (other) row add up over groups
    whole = frame[frame["client_group"] == kpis.TOTAL_GROUP] if "client_group" in frame else frame
    order = whole.groupby("area_code").cumcount()
    shown = set(zip(whole["area_code"][order < top], whole["variant"][order < top], strict=True))
    in_top = pd.Series([(a, v) in shown for a, v in zip(frame["area_code"], frame["variant"], strict=True)],
                       index=frame.index, dtype=bool)
    head, rest = frame[in_top], frame[~in_top]
    group = ["client_group"] if "client_group" in frame else []
    if len(rest):
        other = rest.groupby(["level", "area_code", *group], as_index=False).agg(n=("n", "sum"))
        other["variant"] = OTHER_VARIANTS
        other["median_days"] = float("nan")  # a median over different paths says nothing
        head = pd.concat([head, other[head.columns]], ignore_index=True)
    head = head.sort_values(["area_code", *group, "variant"], key=lambda s: s.eq(OTHER_VARIANTS) if s.name ==
                            "variant" else s, kind="stable").reset_index(drop=True)
    return _protect(head, VARIANTS_SPEC, "process_variants", min_cell)


def milestone_outcomes(wh: Warehouse, *, min_cell: int | None = None, **kw: object) -> ProtectedTable:
    """Where clients stood after the horizon, by whether they met a milestone
    (:func:`kuva.process.outcomes.outcomes_by_milestone`), with the share exited to work; protected."""
    from kuva.process.outcomes import outcomes_by_milestone

    frame = outcomes_by_milestone(wh, **kw)  # type: ignore[arg-type]
    frame["share_exit_work"] = 100.0 * frame["exit_work"] / frame["clients"]
    return _protect(frame, MILESTONE_OUTCOMES_SPEC, "process_milestone_outcomes", min_cell)


def quality(wh: Warehouse, *, min_cell: int | None = None, **kw: object) -> ProtectedTable:
    return _protect(kpis.data_quality(wh, **kw), QUALITY_SPEC, "process_quality", min_cell)  # type: ignore[arg-type]


def recording(wh: Warehouse, *, min_cell: int | None = None, **kw: object) -> ProtectedTable:
    """Sudden changes in a municipality's recording (:func:`kuva.process.kpis.recording_changes`)."""
    return _protect(kpis.recording_changes(wh, **kw), RECORDING_SPEC, "process_recording",  # type: ignore[arg-type]
                    min_cell)


MEASURES: dict[str, Callable[..., ProtectedTable]] = {"plan-debt": plan_debt, "offer-debt": job_offer_debt,
                                                      "routes": routes, "quality": quality,
                                                      "recording": recording,
                                                      "map": process_map, "variants": variants,
                                                      "outcomes": milestone_outcomes}

__all__ = [
    "COMPLIANCE_SPEC",
    "CONFORMANCE_SPEC",
    "DFG_SPEC",
    "JOB_OFFER_DEBT_SPEC",
    "MEASURES",
    "MILESTONE_OUTCOMES_SPEC",
    "VARIANTS_SPEC",
    "by_client_group",
    "compliance",
    "conformance",
    "job_offer_debt",
    "milestone_outcomes",
    "plan_debt",
    "process_map",
    "quality",
    "recording",
    "routes",
    "variants",
]
