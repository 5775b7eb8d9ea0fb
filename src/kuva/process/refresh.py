"""Keeping the service-process measures' stored intermediates up to date with the log.

:func:`refresh` derives, from the events' latest vintages, what :mod:`kuva.process.kpis` needs per
client — each rule's clocks for every rule of the rulebooks known (bundled and the user's
``KUVA_PROCESS_RULES``) and the data-quality rule, every spell's plan-debt and job-offer-debt intervals, every
referral's first service, the data-quality flags — and stores them with the log's state
(:mod:`kuva.warehouse.derived`). After a load (:func:`load_and_refresh`) only the clients the
load touched are recomputed, when the stored intermediates were current before it and cover the
same rules; otherwise everything is. A measure asked with a municipality filter, a cadence judged
on a day before the log's end, a rule not stored, or any read after the log changed without a
refresh, reads the log itself: the answers are the same, only slower.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kuva.process import kpis
from kuva.process.rules import Rule, rulebooks
from kuva.warehouse import derived

if TYPE_CHECKING:
    import pandas as pd

    from kuva.warehouse.connection import Warehouse
    from kuva.warehouse.load import LoadReport, SourceInfo
    from kuva.warehouse.undo import UndoReport


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh wrote."""

    mode: str  #: ``full``, ``incremental`` or ``current`` (nothing to do)
    clients: int | None  #: the clients recomputed (None: all)
    rows: dict[str, int]  #: rows written per table
    rules: int  #: rules whose clocks are stored
    seconds: float


def stored_rules() -> dict[str, Rule]:
    """The rules whose clocks a refresh stores, by :attr:`Rule.key` (rules of several rulebooks
    that measure the same thing are stored once)."""
    out: dict[str, Rule] = {}
    for book in rulebooks():
        for rule in book.rules:
            out.setdefault(rule.key, rule)
    out.setdefault(kpis.NO_INTERVIEW_RULE.key, kpis.NO_INTERVIEW_RULE)
    return out


def refresh(wh: Warehouse, *, load_id: int | None = None, was_current: bool = False,
            force: bool = False) -> RefreshReport:
    """Derive and store the intermediates for the log as it is now: nothing when they are
    current and cover the same rules (unless ``force``); only for the clients load ``load_id``
    touched when ``was_current`` (the stored ones matched the log before that load) and they
    cover the same rules; else for everyone."""
    import ibis

    t0 = time.perf_counter()
    rules = stored_rules()
    keys = tuple(sorted(rules))
    now = derived.current_state(wh)
    if now is not None and now.rule_keys == keys and not force:
        return RefreshReport("current", 0, {}, len(keys), time.perf_counter() - t0)
    before = derived.stored_state(wh)
    incremental = load_id is not None and was_current and before is not None and before.rule_keys == keys
    expected = derived.log_state(wh)
    ev = kpis.events(wh)
    clients = None
    if incremental:
        assert load_id is not None
        clients = derived.touched_pseudonyms(wh, load_id)
        ev = ev.semi_join(wh.table(derived.TOUCHED), "pseudonym")
    clocks = [kpis.rule_base(ev, rule).mutate(rule_key=ibis.literal(key)) for key, rule in rules.items()]
    parts = {
        "process_clocks": ibis.union(*clocks, distinct=False),
        "process_plan_intervals": kpis.plan_intervals(ev),
        "process_offer_intervals": kpis.offer_intervals(ev),
        "process_referrals": kpis.referral_links(ev),
        "process_quality_flags": kpis.quality_flags(ev),
    }
    rows = derived.store_derived(wh, parts, rule_keys=keys, expected=expected, data_end=kpis.data_end(wh),
                                 incremental=incremental)
    return RefreshReport("incremental" if incremental else "full", clients, rows, len(keys),
                         time.perf_counter() - t0)


def load_and_refresh(wh: Warehouse, frame: pd.DataFrame, source: SourceInfo) -> tuple[LoadReport, RefreshReport]:
    """Load an event log (:func:`kuva.warehouse.persons.load_process_events`) and bring the
    stored intermediates up to date with it (incrementally when they were current before)."""
    from kuva.warehouse.persons import load_process_events

    was_current = derived.current_state(wh) is not None
    report = load_process_events(wh, frame, source)
    return report, refresh(wh, load_id=report.load_id, was_current=was_current)


def undo_and_refresh(wh: Warehouse, load_id: int) -> UndoReport:
    """Undo a load (:func:`kuva.warehouse.undo_load`); when it took events from the log, bring
    the stored intermediates up to date with what is left."""
    from kuva.warehouse import undo_load

    report = undo_load(wh, load_id)
    if "process_events" in report.rows_deleted:
        refresh(wh)
    return report


__all__ = ["RefreshReport", "load_and_refresh", "refresh", "stored_rules", "undo_and_refresh"]
