"""Stored intermediates of the service-process measures, kept beside the event log.

Every service-process measure follows each client's events in order — the expensive part at
national scale, an ordered pass over tens of millions of events. What that pass yields per client
does not depend on the day a measure is judged on or on the area it is reported for: a rule's
clocks (when each started, the first event that met it, the deadline, the exit), a spell's days
without a plan, where a referral led, which events look wrong. Those are stored here, in
:data:`DERIVED_TABLES`, by :func:`store_derived` (called by ``kuva process refresh`` and after
``kuva process load`` / ``kuva simulate``), and the measures read them instead of the log.

A read may use them only while they belong to the log as it is: :func:`log_state` is a cheap
fingerprint of ``process_events`` (row count, the largest and the sum of the load ids — every load,
correction, replacement and undo changes it), stored with them; :func:`current_state` returns the
stored state only when it matches the log now. Otherwise the measures read the log itself (same
answers, slower). A refresh after a load recomputes only the clients whose events the load touched
(:func:`touched_pseudonyms`), and it writes all or nothing, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from kuva.warehouse.connection import Warehouse, utcnow

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: the stored intermediates (table → what one row is)
DERIVED_TABLES: dict[str, str] = {
    "process_clocks": "one clock of one rule (keyed by the rule's definition): start, first hit, deadline, exit",
    "process_plan_intervals": "a registration spell's interval, or one of its intervals without a valid plan",
    "process_offer_intervals": "a registration spell's interval eligible for job-offer debt, or one of its intervals "
                               "in that debt",
    "process_referrals": "a referral sent, with the first service start it led to",
    "process_quality_flags": "an event one of the data-quality checks flags",
}
#: rows stored in this order: a read of one rule's clocks skips the others' row groups, and
#: grouping the plan-debt and job-offer intervals by municipality is quicker with them together
ORDER: dict[str, str] = {"process_clocks": "rule_key, start", "process_plan_intervals": "municipality_code, a",
                         "process_offer_intervals": "municipality_code, a"}
TOUCHED = "_kuva_touched_pseudonyms"  #: temporary table of the clients a refresh recomputes


@dataclass(frozen=True)
class DerivedState:
    """What the stored intermediates were derived from."""

    log_state: str
    data_end: date | None  #: the log's last event date then
    rule_keys: tuple[str, ...]  #: the rules whose clocks are stored
    mode: str  #: ``full`` or ``incremental``


def log_state(wh: Warehouse) -> str:
    """A fingerprint of ``process_events``: any load, correction, replacement or undo changes it."""
    rows = wh.con.execute(
        "SELECT count(*), coalesce(max(load_id), 0), coalesce(sum(load_id), 0) FROM process_events").fetchall()
    return ":".join(str(v) for v in rows[0])


def stored_state(wh: Warehouse) -> DerivedState | None:
    """The state recorded by the last refresh (None: never refreshed)."""
    rows = wh.con.execute("SELECT log_state, data_end, rule_keys, mode FROM process_derived_state").fetchall()
    if not rows:
        return None
    row = rows[0]
    return DerivedState(str(row[0]), row[1], tuple(row[2]), str(row[3]))


def current_state(wh: object) -> DerivedState | None:
    """The stored state when the intermediates belong to the log as it is now, else None (also
    for an engine other than the DuckDB warehouse, which holds no intermediates)."""
    if not isinstance(wh, Warehouse):
        return None
    state = stored_state(wh)
    return state if state is not None and state.log_state == log_state(wh) else None


def derived_table(wh: object, name: str) -> ir.Table | None:
    """The stored intermediate ``name`` when current (see :func:`current_state`), else None."""
    if name not in DERIVED_TABLES:
        raise ValueError(f"not a derived table: {name}")
    if current_state(wh) is None:
        return None
    assert isinstance(wh, Warehouse)
    return wh.table(name)


def touched_pseudonyms(wh: Warehouse, load_id: int) -> int:
    """Fill :data:`TOUCHED` (a temporary table) with every client whose events the load
    ``load_id`` added or corrected — also the client a corrected event belonged to before — and
    return how many."""
    wh.con.execute(f"""CREATE OR REPLACE TEMP TABLE {TOUCHED} AS
        SELECT DISTINCT p.pseudonym FROM process_events p
        SEMI JOIN (SELECT source_id, event_id FROM process_events WHERE load_id = ?) n
          ON p.source_id = n.source_id AND p.event_id = n.event_id""", [load_id])
    return int(wh.con.execute(f"SELECT count(*) FROM {TOUCHED}").fetchall()[0][0])


def store_derived(wh: Warehouse, parts: dict[str, ir.Table], *, rule_keys: tuple[str, ...], expected: str,
                  data_end: date | None, incremental: bool) -> dict[str, int]:
    """Write the intermediates ``parts`` (table → rows, the columns of the table) for the log in
    state ``expected``: every row of those tables replaced, or with ``incremental`` only the rows
    of the clients in :data:`TOUCHED`. Each part is computed into a temporary table first, then
    all are swapped in one transaction with the new state (a killed refresh changes nothing).
    Refused when the log changed meanwhile. Returns the rows written per table."""
    from kuva.errors import KuvaWarehouseError

    missing = set(DERIVED_TABLES) - set(parts)
    if missing:
        raise ValueError(f"a refresh writes every derived table; missing {sorted(missing)}")
    written: dict[str, int] = {}
    for name, expr in parts.items():  # (Ibis's overwrite of a temporary table emits an empty DROP)
        wh.con.execute(f"DROP TABLE IF EXISTS _kuva_new_{name}")
        wh.ibis.create_table(f"_kuva_new_{name}", expr, temp=True)
    try:
        with wh.transaction() as con:
            if log_state(wh) != expected:
                raise KuvaWarehouseError("the service-process log changed during the refresh; run it again")
            for name in parts:
                if incremental:
                    con.execute(f"DELETE FROM {name} WHERE pseudonym IN (SELECT pseudonym FROM {TOUCHED})")
                else:
                    con.execute(f"DELETE FROM {name}")
                order = f" ORDER BY {ORDER[name]}" if name in ORDER else ""
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _kuva_new_{name}{order}")
                written[name] = int(con.execute(f"SELECT count(*) FROM _kuva_new_{name}").fetchall()[0][0])
            con.execute("DELETE FROM process_derived_state")
            con.execute("INSERT INTO process_derived_state VALUES (?, ?, ?, ?, ?)",
                        [expected, data_end, list(rule_keys), utcnow(), "incremental" if incremental else "full"])
    finally:
        for name in parts:
            wh.con.execute(f"DROP TABLE IF EXISTS _kuva_new_{name}")
    return written


__all__ = ["DERIVED_TABLES", "TOUCHED", "DerivedState", "current_state", "derived_table", "log_state",
           "store_derived", "stored_state", "touched_pseudonyms"]
