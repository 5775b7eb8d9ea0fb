"""Service-process measures over the stored event log, as Ibis expressions (any backend).

Every measure starts from :func:`events` (each event's latest vintage) and ends in one small
frame per area and month; the frames pass the disclosure engine in :mod:`kuva.process.publish`.

- :func:`rule_compliance` — each rule of a rulebook: the clients whose deadline has passed by
  ``as_of`` (``n_due``), those who met it (``n_met``), the share, the median delay (``deadline``
  rules) — by area and the month the clock started;
- :func:`plan_debt` — at each month end, clients with an open spell (registered, not exited)
  and those of them without a valid employment plan;
- :func:`referral_routes` — referrals sent, origin → destination sector, by area and month, with
  the waiting time to the service they led to and those that led to none within 90 days;
- :func:`directly_follows` — the directly-follows graph of the clients' paths (the process
  map): for each pair of event types, how often one directly followed the other in a client's
  path and the median days between them, by area — the same edges as pm4py's
  ``discover_dfg`` with the client as the case;
- :func:`path_variants` — clients by the sequence of milestones in their path (variants), with
  the median days from first to last;
- :func:`data_quality` — events before registration, registrations without an initial interview
  within 30 days, duplicate events, service ends without a start, exits without registration.

Levels: ``municipality`` (the client's municipality), ``employment_area`` (the 45 employment areas
of 2025), ``pilot_area`` (the 2021–2024 pilot areas;
municipalities outside them are left out) and ``nation``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.process.eventlog import EVENT_TYPES, EXIT_TYPES
from kuva.process.rules import Rule, Rulebook
from kuva.registry.calendar import calendar_frame
from kuva.warehouse import derived
from kuva.warehouse.areas import GROUP_LEVELS, area_members
from kuva.warehouse.connection import Warehouse
from kuva.warehouse.persons import latest_process_events

if TYPE_CHECKING:
    import ibis.expr.types as ir

Level = Literal["municipality", "pilot_area", "employment_area", "custom", "nation"]
LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]
NATION = "SSS"
UNREALISED_AFTER_DAYS = 90  #: a referral with no service start this long after it counts as unrealised
NO_INTERVIEW_AFTER_DAYS = 30  #: data quality: a registration with no initial interview this long after
ClientGroup = Literal["age_group", "language", "duration"]
#: Client-group breakdowns: age group and language as recorded on the client's latest registration
#: (on or before the clock start or month end); duration of the unemployment spell at the month end.
CLIENT_GROUPS: tuple[str, ...] = ClientGroup.__args__  # type: ignore[attr-defined]
TOTAL_GROUP = "total"
UNKNOWN_GROUP = "unknown"
#: Bands of the spell's duration (months since registration, lower bound inclusive).
DURATION_BANDS: tuple[tuple[int, str], ...] = ((0, "0-2 months"), (3, "3-5 months"), (6, "6-11 months"),
                                               (12, "12+ months"))


def events(wh: Warehouse, *, start: date | None = None, end: date | None = None,
           municipalities: Sequence[str] | None = None) -> ir.Table:
    """The event log (latest vintage of each event), optionally limited to dates and
    municipalities."""
    t = latest_process_events(wh)
    if start is not None:
        t = t.filter(t.event_date >= start)
    if end is not None:
        t = t.filter(t.event_date <= end)
    if municipalities is not None:
        t = t.filter(t.municipality_code.isin(list(municipalities)))
    return t


def data_end(wh: Warehouse) -> date | None:
    """The latest event date in the log (the default ``as_of``); recorded with the stored
    intermediates when they are current, else read from the log."""
    state = derived.current_state(wh)
    if state is not None:
        return state.data_end
    p = latest_process_events(wh).event_date.max().to_pandas()
    if p is None or pd.isna(p):
        return None
    ts = pd.Timestamp(p)
    return date(ts.year, ts.month, ts.day)


def _level_map(wh: Warehouse, level: Level) -> pd.DataFrame | None:
    if level not in LEVELS:
        raise KuvaInputError(f"level must be one of {list(LEVELS)}, got {level!r}")
    if level in GROUP_LEVELS:  # a municipality in two custom areas counts in both
        return area_members(wh, level)[["municipality_code", "area_code"]]
    return None


def area_map(wh: Warehouse, level: Level, municipalities: Sequence[str]) -> pd.DataFrame:
    """``municipality_code, area_code`` of the given municipalities at ``level`` (pandas; a
    municipality in two custom areas appears twice, one outside every group not at all)."""
    m = _level_map(wh, level)
    if m is not None:
        return m
    codes = sorted(set(municipalities))
    return pd.DataFrame({"municipality_code": codes,
                         "area_code": codes if level == "municipality" else [NATION] * len(codes)})


def _with_area(wh: Warehouse, t: ir.Table, level: Level) -> ir.Table:
    import ibis

    if level == "municipality":
        return t.mutate(area_code=t.municipality_code)
    if level == "nation":
        return t.mutate(area_code=ibis.literal(NATION))
    m = ibis.memtable(_level_map(wh, level))
    return t.inner_join(m, "municipality_code")


def _area_of(wh: Warehouse, t: ir.Table, level: Level) -> tuple[ir.Table, ir.StringValue]:
    """``t`` (joined with the area map at a grouping level) and its area code as an expression:
    grouping by it directly keeps a query flat (cheaper to compile than :func:`_with_area`)."""
    import ibis

    if level == "municipality":
        return t, t.municipality_code
    if level == "nation":
        return t, ibis.literal(NATION)
    t = _with_area(wh, t, level)
    return t, t.area_code


def _check_group(by: str | None, allowed: Sequence[str] = CLIENT_GROUPS) -> None:
    if by is not None and by not in allowed:
        raise KuvaInputError(f"client group must be one of {list(allowed)}, got {by!r}")


def _with_client_group(t: ir.Table, ev: ir.Table, by: str, at: str) -> ir.Table:
    """``t`` (with ``start_id``, ``pseudonym`` and the date column ``at``) with ``client_group``:
    the age group or language of the client's latest registration on or before ``at``
    (``unknown`` when none is recorded)."""
    import ibis

    reg = ev.filter(ev.event_type == "registration").select(
        g_pseudonym=ev.pseudonym, g_date=ev.event_date, g_id=ev.event_id, g_value=ev[by])
    j = t.left_join(reg, [t.pseudonym == reg.g_pseudonym, reg.g_date <= t[at]])
    keys = [k for k in ("start_id", "event_id", "area_code", "day") if k in t.columns]  # in two custom areas: both
    if "start_id" not in t.columns and "event_id" not in t.columns:  # one row per client (path variants)
        keys.insert(0, "pseudonym")
    w = ibis.window(group_by=[j[k] for k in keys], order_by=[ibis.desc(j.g_date), ibis.desc(j.g_id)])
    j = j.mutate(_g=ibis.row_number().over(w))
    j = j.filter(j._g == 0)
    return j.mutate(client_group=ibis.coalesce(j.g_value, ibis.literal(UNKNOWN_GROUP))).drop(
        "g_pseudonym", "g_date", "g_id", "g_value", "_g")


def _with_duration_band(t: ir.Table) -> ir.Table:
    """``client_group``: the band of months from the spell's ``start`` to the month end ``day``."""
    import ibis

    months = t.day.delta(t.start, unit="day") * 12 / 365.25
    band = ibis.cases(*((months >= lo, label) for lo, label in reversed(DURATION_BANDS)),
                      else_=ibis.literal(DURATION_BANDS[0][1]))
    return t.mutate(client_group=band)


def _add_total_rows(grouped: pd.DataFrame, total: pd.DataFrame) -> pd.DataFrame:
    """The breakdown with the whole area as one more group (``total``), total rows first."""
    total = total.copy()
    total.insert(list(grouped.columns).index("client_group"), "client_group", TOTAL_GROUP)
    return pd.concat([total[grouped.columns], grouped], ignore_index=True)


def _total_first(col: pd.Series) -> pd.Series:
    """Sort key: the ``total`` group before the others (other columns as they are)."""
    if col.name != "client_group":
        return col
    return col.map(lambda v: ("0" if v == TOTAL_GROUP else "1") + str(v))


def _fetch(expr: ir.Table) -> pd.DataFrame:
    """The rows of ``expr`` in pandas, through Arrow (for a grouped result of tens of thousands of
    rows Ibis's own conversion costs a fifth of the query; dates come as ``date`` objects)."""
    frame: pd.DataFrame = expr.to_pyarrow().to_pandas()
    return frame


def _month(col: ir.DateValue) -> ir.DateValue:
    return col.truncate("M")


def _month_number(col: ir.DateValue) -> ir.IntegerValue:
    """The month of ``col`` as a number (year × 12 + month − 1): grouping by it is cheaper than
    by a truncated date; :func:`_from_month_number` turns it back into the month's first day."""
    return col.year() * 12 + col.month() - 1


def _from_month_number(n: pd.Series) -> pd.Series:
    """The first days (``date``) of the months numbered by :func:`_month_number`."""
    first = {int(k): date(int(k) // 12, int(k) % 12 + 1, 1) for k in n.unique()}
    return n.astype("int64").map(first).astype(object)


def _as_of(wh: Warehouse, as_of: date | None) -> date:
    day = as_of or data_end(wh)
    if day is None:
        raise KuvaLookupError("no service-process events in the warehouse; load a log with `kuva process load FILE`")
    return day


# -- rules ------------------------------------------------------------------------------------
def _deadline_date(start: ir.DateValue, rule: Rule, cal: ir.Table | None) -> ir.DateValue:
    import ibis

    if rule.unit == "days":
        return start + ibis.interval(days=rule.within)
    if rule.unit == "months":
        return start + ibis.interval(months=rule.within)
    raise AssertionError("working days go through the calendar")  # pragma: no cover


def _spells(ev: ir.Table, after: str) -> ir.Table:
    """Each ``after`` event with the next one of the same client (the clock's bound)."""
    import ibis

    a = ev.filter(ev.event_type == after).select(
        start_id=ev.event_id, pseudonym=ev.pseudonym, start=ev.event_date, municipality_code=ev.municipality_code)
    w = ibis.window(group_by=a.pseudonym, order_by=[a.start, a.start_id])
    return a.mutate(next_start=a.start.lead().over(w))


#: what every rule kind returns per clock start; ``lapsed``: the deadline passed but the client
#: had left without the event, so the rule is not judged (neither due nor met)
OUTCOME_COLUMNS = ("start_id", "pseudonym", "start", "municipality_code", "hit", "delay", "due", "met", "lapsed")
#: what a rule's clocks are before they are judged on a day (:func:`judge`): nothing here depends
#: on ``as_of``, so these can be stored (:mod:`kuva.warehouse.derived`). ``deadline_day``: the first
#: day the clock is due (deadline and count rules); ``exit_date``: the first exit in the spell
#: (cadence: the first exit on or after the start); ``unmet_at_exit``: the rule was not met by
#: the exit; ``late``: a gap between the cadence's events exceeded the rule; ``start_month``: the
#: start's month number (:func:`_month_number`); ``lapses``: the exit came before ``deadline_day``
#: without the rule met, so the clock lapses once that day has passed (:func:`_due`).
BASE_COLUMNS = ("start_id", "pseudonym", "start", "municipality_code", "hit", "delay", "deadline_day", "exit_date",
                "met", "unmet_at_exit", "late", "start_month", "lapses")
BASE_TYPES = ("string", "string", "date", "string", "date", "int64", "date", "date", "boolean", "boolean", "boolean",
              "int32", "boolean")


def _outcomes(t: ir.Table) -> ir.Table:
    """:data:`OUTCOME_COLUMNS` of ``t``, with the same types whatever the rule kind (so the
    outcomes of several rules can be stacked)."""
    return t.select(start_id=t.start_id.cast("string"), pseudonym=t.pseudonym.cast("string"),
                    start=t.start.cast("date"), municipality_code=t.municipality_code.cast("string"),
                    hit=t.hit.cast("date"), delay=t.delay.cast("int64"), due=t.due.cast("boolean"),
                    met=t.met.cast("boolean"), lapsed=t.lapsed.cast("boolean"))


def _base(t: ir.Table, **values: ir.Value) -> ir.Table:
    """:data:`BASE_COLUMNS` of ``t`` (with ``values`` for those it lacks), typed alike for every kind."""
    import ibis

    t = t.mutate(**values) if values else t
    t = t.mutate(start_month=_month_number(t.start),
                 lapses=ibis.coalesce(t.exit_date < t.deadline_day, False) & ibis.coalesce(t.unmet_at_exit, False))
    return t.select(**{c: t[c].cast(ty) for c, ty in zip(BASE_COLUMNS, BASE_TYPES, strict=True)})


def _clock_stream(ev: ir.Table, rule: Rule, since: date | None) -> ir.Table:
    """The events a rule looks at — its clock starts, the events that meet it and exits — of each
    client in one ordered pass, each with its ``spell``: the number of clock starts up to it.
    A spell runs from a clock start to the next one, so a hit or an exit belongs to the latest
    start on or before its date (a start sorts first on its day, as ``hit >= start`` and
    ``hit < next start`` say); events before a client's first start are dropped. ``spell_start``
    is the spell's start date and ``next_exit`` the first exit on or after the event (in any
    spell). With ``since``, only events from that day on are read — enough for clocks that start
    on or after it, since everything a clock looks at follows its start."""
    import ibis

    s = ev.filter(ev.event_type.isin(sorted({rule.after, *rule.events, *EXIT_TYPES})))
    if since is not None:
        s = s.filter(s.event_date >= since)
    s = s.select("pseudonym", "event_id", "event_date", "municipality_code",
                 is_start=s.event_type == rule.after, is_hit=s.event_type.isin(list(rule.events)),
                 is_exit=s.event_type.isin(list(EXIT_TYPES)))
    order = [s.event_date, ibis.desc(s.is_start), s.event_id]
    upto = ibis.window(group_by=s.pseudonym, order_by=order, rows=(None, 0))
    after = ibis.window(group_by=s.pseudonym, order_by=order, rows=(0, None))
    start_day = s.is_start.ifelse(s.event_date, ibis.null(date))
    exit_day = s.is_exit.ifelse(s.event_date, ibis.null(date))
    s = s.mutate(spell=s.is_start.ifelse(1, 0).sum().over(upto), spell_start=start_day.max().over(upto),
                 next_exit=exit_day.min().over(after))
    return s.filter(s.spell > 0)


def _clock_spells(s: ir.Table, **extra: ir.Value) -> ir.Table:
    """One row per clock start of :func:`_clock_stream`: ``pseudonym, spell, start_id, start,
    municipality_code``, the first ``hit`` and the first exit (``exit_date``) before the next
    start, and ``extra`` aggregates."""
    return s.group_by(["pseudonym", "spell"]).aggregate(
        start_id=s.event_id.max(where=s.is_start), start=s.spell_start.max(),
        municipality_code=s.municipality_code.max(where=s.is_start),
        hit=s.event_date.min(where=s.is_hit), exit_date=s.event_date.min(where=s.is_exit), **extra)


def _deadline(ev: ir.Table, rule: Rule, since: date | None = None) -> ir.Table:
    """Per clock start (:data:`BASE_COLUMNS`): the first ``hit``, its ``delay`` in the rule's unit
    (NULL when the event has not happened), whether it was in time (``met``), and the deadline
    (``deadline_day``: for working days the working day ``within`` after the start). A client who
    left (an exit) before the deadline without the event is not judged: the rule no longer
    applied (an intensive period is not owed to someone who found work in month two)."""
    import ibis

    first = _clock_spells(_clock_stream(ev, rule, since))
    if rule.unit == "working_days":
        cal = calendar_frame()[["day", "working", "wd_index"]]
        cs = ibis.memtable(cal[["day", "wd_index"]].rename(columns={"day": "s_day", "wd_index": "s_idx"}))
        ch = ibis.memtable(cal[["day", "wd_index"]].rename(columns={"day": "h_day", "wd_index": "h_idx"}))
        work = cal[cal["working"]]
        cd = ibis.memtable(work[["day", "wd_index"]].rename(columns={"day": "d_day", "wd_index": "d_idx"}))
        f = first.inner_join(cs, first.start == cs.s_day).left_join(ch, first.hit == ch.h_day)
        f = f.left_join(cd, f.s_idx + rule.within == cd.d_idx)  # the day the working-day index reaches it
        out = f.mutate(delay=f.h_idx - f.s_idx, deadline_day=f.d_day)
        met = out.hit.notnull() & (out.delay <= rule.within)
    else:
        deadline = _deadline_date(first.start, rule, None)
        delay = (first.hit.delta(first.start, unit="day") if rule.unit == "days"
                 else first.hit.delta(first.start, unit="month"))
        out = first.mutate(delay=delay, deadline_day=deadline)
        met = out.hit.notnull() & ((out.hit <= out.deadline_day) if rule.unit == "months"
                                   else (out.delay <= rule.within))
    return _base(out, met=met, unmet_at_exit=out.hit.isnull() | (out.hit > out.exit_date),
                 late=ibis.null(bool))


def _count_rule(ev: ir.Table, rule: Rule, since: date | None = None) -> ir.Table:
    """Per clock start (:data:`BASE_COLUMNS`): met when at least ``count`` events of the rule fall
    in the window of ``within`` months from the start (and before the next start); the window's
    end is the ``deadline_day``."""
    import ibis

    s = _clock_stream(ev, rule, since)
    in_window = s.is_hit & (s.event_date <= s.spell_start + ibis.interval(months=rule.within))
    g = _clock_spells(s, n=in_window.ifelse(1, 0).sum())
    met = g.n >= rule.count
    return _base(g, hit=ibis.null(date), delay=ibis.null(int), deadline_day=g.start + ibis.interval(months=rule.within),
                 met=met, unmet_at_exit=~met, late=ibis.null(bool))


def _cadence(ev: ir.Table, rule: Rule, since: date | None = None, cap: date | None = None) -> ir.Table:
    """Per spell (from ``after`` to the next exit): ``late`` when a gap between consecutive events
    of the rule exceeded ``within`` months, ``hit`` the last of them, ``exit_date`` the spell's
    first exit on or after its start (even one after a later start). Events after ``cap`` (the
    day the rule is judged on) are not looked at; without it every event is — the same thing
    whenever the rule is judged on a day on or after the log's last event."""
    import ibis

    s = _clock_stream(ev, rule, since)
    g = _clock_spells(s, first_exit=s.next_exit.max(where=s.is_start))
    stop = ibis.coalesce(g.first_exit, ibis.literal(date.max)) if cap is None else ibis.least(
        ibis.coalesce(g.first_exit, ibis.literal(cap)), ibis.literal(cap))
    g = g.mutate(stop=stop)
    hits = s.filter(s.is_hit).select(h_pseudonym=s.pseudonym, h_spell=s.spell, h_date=s.event_date,
                                     h_id=s.event_id)
    j = g.inner_join(hits, [g.pseudonym == hits.h_pseudonym, g.spell == hits.h_spell, hits.h_date <= g.stop])
    w = ibis.window(group_by=[j.pseudonym, j.spell], order_by=[j.h_date, j.h_id])
    j = j.mutate(prev=j.h_date.lag().over(w))
    j = j.mutate(late=j.prev.notnull() & (j.h_date > j.prev + ibis.interval(months=rule.within)))
    per = j.group_by(["pseudonym", "spell"]).aggregate(any_late=j.late.any(), last=j.h_date.max())
    sp = g.left_join(per, ["pseudonym", "spell"])
    return _base(sp.mutate(exit_date=sp.first_exit), hit=sp.last, delay=ibis.null(int), deadline_day=ibis.null(date),
                 met=ibis.null(bool), unmet_at_exit=ibis.null(bool), late=ibis.coalesce(sp.any_late, False))


def rule_base(ev: ir.Table, rule: Rule, *, since: date | None = None, cap: date | None = None) -> ir.Table:
    """The rule's clocks over the events ``ev`` (:data:`BASE_COLUMNS`), not yet judged on a day;
    with ``since`` only clocks from that day on are complete (events before it are not read),
    with ``cap`` no event after it is looked at (see :func:`_cadence`)."""
    if rule.kind == "cadence":
        return _cadence(ev, rule, since, cap)
    return {"deadline": _deadline, "count": _count_rule}[rule.kind](ev, rule, since)


def judge(base: ir.Table, rule: Rule, as_of: date) -> ir.Table:
    """:data:`OUTCOME_COLUMNS` of the clocks ``base`` judged on ``as_of``. Deadline and count
    rules: due once ``deadline_day`` has passed, unless the client left before it without
    meeting the rule (``lapsed``). Cadence: the spell runs to its first exit or ``as_of``; due
    when it lasted ``within`` months, met when no gap — nor the one from the last event to the
    spell's end — exceeded that."""
    due, met, lapsed = _judged(base, rule, as_of)
    return _outcomes(base.mutate(due=due, met=met, lapsed=lapsed))


def _judged(base: ir.Table, rule: Rule, as_of: date) -> tuple[ir.BooleanValue, ir.BooleanValue, ir.BooleanValue]:
    """``due``, ``met`` and ``lapsed`` of the clocks ``base`` of ``rule`` judged on ``as_of``
    (:func:`judge`)."""
    import ibis

    if rule.kind == "cadence":
        stop = ibis.least(ibis.coalesce(base.exit_date, ibis.literal(as_of)), ibis.literal(as_of))
        tail_late = base.hit.isnull() | (stop > base.hit + ibis.interval(months=rule.within))
        return stop >= base.start + ibis.interval(months=rule.within), ~(base.late | tail_late), ibis.literal(False)
    due, lapsed = _due(base, as_of)
    return due, base.met, lapsed


def _due(base: ir.Table, as_of: date) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """``due`` and ``lapsed`` of deadline and count clocks judged on ``as_of`` (:func:`judge`)."""
    import ibis

    passed = ibis.coalesce(base.deadline_day <= as_of, False)
    return passed & ~base.lapses, passed & base.lapses


def stored_clocks(wh: Warehouse, rule: Rule, as_of: date) -> ir.Table | None:
    """The rule's stored clocks (:data:`BASE_COLUMNS`, :mod:`kuva.warehouse.derived`) when they
    belong to the log as it is and can be judged on ``as_of``, else None. They were derived
    looking at every event, so a cadence — which looks only at events up to the day it is judged
    on — can use them only on or after the log's last event date then."""
    state = derived.current_state(wh)
    if state is None or not _stored_for(rule, state, as_of):
        return None
    t = wh.table("process_clocks")
    return t.filter(t.rule_key == rule.key).select(*BASE_COLUMNS)


def _stored_for(rule: Rule, state: derived.DerivedState, as_of: date) -> bool:
    """Whether the stored clocks (in ``state``) answer for ``rule`` judged on ``as_of``
    (:func:`stored_clocks`)."""
    if rule.key not in state.rule_keys:
        return False
    return not (rule.kind == "cadence" and state.data_end is not None and as_of < state.data_end)


def rule_outcomes(wh: Warehouse, rule: Rule, *, as_of: date, start: date | None = None,
                  end: date | None = None, municipalities: Sequence[str] | None = None) -> ir.Table:
    """One row per clock start (``start_id``): ``start, municipality_code, hit, delay, due, met,
    lapsed`` (:data:`OUTCOME_COLUMNS`). The clocks come from the stored ones
    (:mod:`kuva.warehouse.derived`) when they are current and can answer, else from the events."""
    base = stored_clocks(wh, rule, as_of) if municipalities is None else None
    if base is None:
        base = rule_base(events(wh, municipalities=municipalities), rule, since=start, cap=as_of)
    out = judge(base, rule, as_of)
    if start is not None:
        out = out.filter(out.start >= start)
    if end is not None:
        out = out.filter(out.start <= end)
    return out


def rule_compliance(wh: Warehouse, book: Rulebook, *, level: Level = "municipality", as_of: date | None = None,
                    start: date | None = None, end: date | None = None,
                    municipalities: Sequence[str] | None = None, by: ClientGroup | None = None) -> pd.DataFrame:
    """Compliance with each rule of ``book`` by area and month of the clock's start: ``rulebook,
    rule, unit, level, area_code, month, n_due, n_met, share_met, median_delay`` (due clocks only);
    with ``by`` (``age_group`` or ``language``) also ``client_group``, the area's total as the
    group ``total``."""
    return _compliance(wh, [(book, start, end)], level=level, as_of=as_of, municipalities=municipalities, by=by)


def _compliance(wh: Warehouse, windows: Sequence[tuple[Rulebook, date | None, date | None]], *, level: Level,
                as_of: date | None, municipalities: Sequence[str] | None, by: ClientGroup | None) -> pd.DataFrame:
    """:func:`rule_compliance` of each rulebook over the clocks started in its window
    (``book, start, end``), all in one query, sorted by book (in the order given), rule, area and
    month (and client group)."""
    import ibis

    _check_group(by, ("age_group", "language"))
    group = ["client_group"] if by else []
    cols = ["rulebook", "rule", "unit", "level", "area_code", "month", *group, "n_due", "n_met", "share_met",
            "median_delay"]
    day = _as_of(wh, as_of)
    parts = [p for i, (book, lo, hi) in enumerate(windows)
             for p in _compliance_parts(wh, book, i, level=level, as_of=day, start=lo, end=hi,
                                        municipalities=municipalities, by=by)]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = _fetch(ibis.union(*parts, distinct=False).order_by(["book", "rule", "area_code", "month", *group]))
    out["level"] = level
    out["month"] = _from_month_number(out["month"])
    out["n_met"] = out["n_met"].fillna(0).astype("int64")
    out["share_met"] = 100.0 * out["n_met"] / out["n_due"]
    out["median_delay"] = out["median_delay"].astype(float)
    if by is None or out.empty:
        return out[cols]
    whole = _compliance(wh, windows, level=level, as_of=as_of, municipalities=municipalities, by=None)
    whole.insert(0, "book", whole["rulebook"].map({b.label: i for i, (b, _, _) in enumerate(windows)}))
    out = _add_total_rows(out[["book", *cols]], whole)
    result: pd.DataFrame = out.sort_values(["book", "rule", "area_code", "month", *group], key=_total_first)
    return result.reset_index(drop=True)[cols]


def _compliance_parts(wh: Warehouse, book: Rulebook, book_index: int, *, level: Level, as_of: date,
                      start: date | None, end: date | None, municipalities: Sequence[str] | None,
                      by: ClientGroup | None) -> list[ir.Table]:
    """The grouped counts of every rule of ``book``, one table each: ``book`` (``book_index``),
    ``rulebook, rule, unit, area_code, month`` (a month number), ``client_group`` with ``by``,
    ``n_due, n_met, median_delay`` — from the stored clocks when they can answer (judged straight
    on the stored table, a flat query per rule), else from the rule's clocks over the log."""
    import ibis

    group = ["client_group"] if by else []
    names = ["area_code", "month", *group, "n_due", "n_met", "median_delay"]
    state = derived.current_state(wh) if by is None and municipalities is None else None
    ev = events(wh, municipalities=municipalities) if by is not None else None
    clocks = wh.table("process_clocks") if state is not None else None
    parts = []
    for rule in book.rules:
        if clocks is not None and state is not None and _stored_for(rule, state, as_of):
            t, area = _area_of(wh, clocks, level)
            due, met, _ = _judged(t, rule, as_of)
            t = t.filter(t.rule_key == rule.key, due, *_window(t.start, start, end))
            g = t.group_by([area.name("area_code"), t.start_month.name("month")]).aggregate(
                n_due=t.count(), n_met=met.ifelse(1, 0).sum().cast("int64"),
                median_delay=t.delay.median().cast("float64"))
        else:
            o = rule_outcomes(wh, rule, as_of=as_of, start=start, end=end, municipalities=municipalities)
            o = _with_area(wh, o.filter(o.due), level)
            o = o.mutate(month=_month_number(o.start))
            if by is not None and ev is not None:
                o = _with_client_group(o, ev, by, "start")
            g = o.group_by(["area_code", "month", *group]).aggregate(
                n_due=o.count(), n_met=o.met.ifelse(1, 0).sum().cast("int64"),
                median_delay=o.delay.median().cast("float64"))
        tags = {"book": book_index, "rulebook": book.label, "rule": rule.id, "unit": rule.unit}
        parts.append(g.select(*(ibis.literal(v).name(k) for k, v in tags.items()),
                              *(g[n].cast("int64").name(n) if n == "month" else g[n] for n in names)))
    return parts


def _window(col: ir.DateValue, start: date | None, end: date | None) -> list[ir.BooleanValue]:
    """The conditions that ``col`` lies within ``start``–``end`` (either may be open)."""
    return [*([col >= start] if start is not None else []), *([col <= end] if end is not None else [])]


def _in_force(books: Rulebook | Sequence[Rulebook], start: date | None, end: date | None,
              span: tuple[date, date] | None = None) -> list[tuple[Rulebook, date, date | None]]:
    """Each rulebook with the part of ``start``–``end`` it was in force (books in date order;
    a book not in force in the window is left out, and so is one in force only outside the
    log's ``span`` of event dates, when given: no clock of it can have started)."""
    out = []
    for book in sorted([books] if isinstance(books, Rulebook) else books, key=lambda b: b.valid_from):
        lo = max(d for d in (book.valid_from, start) if d is not None)
        his = [d for d in (book.valid_to, end) if d is not None]
        hi = min(his) if his else None
        if span is not None and (lo > span[1] or (hi is not None and hi < span[0])):
            continue
        if hi is None or lo <= hi:
            out.append((book, lo, hi))
    return out


def _log_span(wh: Warehouse) -> tuple[date, date] | None:
    """The first and last event date stored in any vintage (a cheap bound, no vintage ranking)."""
    t = wh.table("process_events")
    row = t.aggregate(lo=t.event_date.min(), hi=t.event_date.max()).to_pandas().iloc[0]
    if pd.isna(row["lo"]):
        return None
    return pd.Timestamp(row["lo"]).date(), pd.Timestamp(row["hi"]).date()


def compliance_in_force(wh: Warehouse, books: Sequence[Rulebook], *, level: Level = "municipality",
                        as_of: date | None = None, start: date | None = None, end: date | None = None,
                        municipalities: Sequence[str] | None = None, by: ClientGroup | None = None) -> pd.DataFrame:
    """:func:`rule_compliance` with each clock measured against the rulebook in force on the day
    it started (a 2023 registration against the 2022 model, a 2025 one against Act 380/2023)."""
    out = _compliance(wh, _in_force(books, start, end, _log_span(wh)), level=level, as_of=as_of,
                      municipalities=municipalities, by=by)
    if out.empty:
        raise KuvaLookupError("no clock starts under any rulebook in the period")
    return out


# -- conformance ------------------------------------------------------------------------------
NO_RULE_BROKEN = "none"
RULE_SEPARATOR = " + "


def conformance(wh: Warehouse, books: Rulebook | Sequence[Rulebook], *, level: Level = "municipality",
                as_of: date | None = None, start: date | None = None, end: date | None = None,
                municipalities: Sequence[str] | None = None, by: ClientGroup | None = None) -> pd.DataFrame:
    """Each registration's path against the rules clocked from the registration in the rulebook
    in force on its day (or the one given), judged once every such rule is due by ``as_of``:
    which of them it broke (a rule that lapsed — the client left before its deadline — is not
    broken). Per area: ``rulebook, broken`` (the broken rules in the rulebook's order joined by
    " + ", or ``none``), ``n_broken`` and ``clients``, the most common first.
    Rules clocked from other events (the talk cadence after the interview) are left out: they
    start later or never. With ``by`` (``age_group`` or ``language`` on the registration) also
    ``client_group``, the area's total as the group ``total``."""
    import ibis

    _check_group(by, ("age_group", "language"))
    whole = conformance(wh, books, level=level, as_of=as_of, start=start, end=end,
                        municipalities=municipalities) if by else None
    day = _as_of(wh, as_of)
    ev = events(wh, municipalities=municipalities) if by else None
    frames = []
    for book, lo, hi in _in_force(books, start, end, _log_span(wh)):
        rules = [r for r in book.rules if r.after == "registration"]
        if not rules:
            continue
        parts = []
        for i, rule in enumerate(rules):
            o = rule_outcomes(wh, rule, as_of=day, start=lo, end=hi, municipalities=municipalities)
            parts.append(o.select("start_id", "pseudonym", "start", "municipality_code",
                                  judged=(o.due | o.lapsed).ifelse(1, 0), bit=(o.due & ~o.met).ifelse(2 ** i, 0)))
        u = ibis.union(*parts, distinct=False)
        per = u.group_by(["start_id", "pseudonym", "start", "municipality_code"]).aggregate(
            n_judged=u.judged.sum(), mask=u.bit.sum())
        per = _with_area(wh, per.filter(per.n_judged == len(rules)), level)
        if by is not None and ev is not None:
            per = _with_client_group(per, ev, by, "start")
        group = ["client_group"] if by else []
        df = per.group_by(["area_code", *group, "mask"]).aggregate(clients=per.start_id.count()).to_pandas()
        if df.empty:
            continue
        names = [r.id for r in rules]
        df["broken"] = [RULE_SEPARATOR.join(n for i, n in enumerate(names) if int(m) >> i & 1) or NO_RULE_BROKEN
                        for m in df["mask"]]
        df["n_broken"] = [bin(int(m)).count("1") for m in df["mask"]]
        df.insert(0, "rulebook", book.label)
        frames.append(df.drop(columns="mask"))
    cols = ["level", "rulebook", "area_code", *(["client_group"] if by else []), "broken", "n_broken", "clients"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "level", level)
    out["clients"] = out["clients"].astype("int64")
    if whole is not None and by is not None:
        out = _add_total_rows(out[cols], whole[[c for c in cols if c != "client_group"]])
    keys = ["rulebook", "area_code", *(["client_group"] if by else []), "clients", "broken"]
    result: pd.DataFrame = out.sort_values(keys, ascending=[True, True, *([True] if by else []), False, True],
                                           key=_total_first).reset_index(drop=True)[cols]
    return result


# -- plan debt --------------------------------------------------------------------------------
def month_ends(first: date, last: date) -> list[date]:
    """The last day of every month from ``first``'s month to ``last``'s."""
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        out.append(nxt - timedelta(days=1))
        y, m = nxt.year, nxt.month
    return out


def event_sources(wh: Warehouse) -> tuple[tuple[str, ...], bool]:
    """The sources of the stored event log and whether any of them is synthetic."""
    t = wh.table("process_events").select("source_id").distinct().to_pandas()
    ids = tuple(sorted(t["source_id"].astype(str)))
    s = wh.table("sources").select("source_id", "synthetic").to_pandas()
    return ids, bool(s[s["source_id"].isin(ids)]["synthetic"].any())


def _registration_spells(ev: ir.Table) -> ir.Table:
    """Each registration with the client's next one (``next_start``) and the first exit on or
    after it (``exit_date``)."""
    sp = _spells(ev, "registration")
    ex = ev.filter(ev.event_type.isin(list(EXIT_TYPES))).select(x_pseudonym=ev.pseudonym, exit_date=ev.event_date)
    ja = sp.left_join(ex, [sp.pseudonym == ex.x_pseudonym, ex.exit_date >= sp.start])
    return ja.group_by(["start_id", "pseudonym", "start", "municipality_code", "next_start"]).aggregate(
        exit_date=ja.exit_date.min())


def _open_spells(wh: Warehouse, ev: ir.Table, start: date | None, end: date | None) -> ir.Table:
    """Each client spell open at each month end from ``start`` to ``end`` (``day``): registered
    on or before it, not exited and not re-registered by it."""
    import ibis

    last = end or data_end(wh)
    if last is None:
        raise KuvaLookupError("no service-process events in the warehouse; load a log with `kuva process load FILE`")
    first = start or pd.Timestamp(ev.event_date.min().to_pandas()).date()
    days = ibis.memtable(pd.DataFrame({"day": month_ends(first, last)}))
    open_ = _registration_spells(ev).cross_join(days)
    return open_.filter((open_.start <= open_.day) & (open_.exit_date.isnull() | (open_.exit_date > open_.day))
                        & (open_.next_start.isnull() | (open_.next_start > open_.day)))


def plan_debt(wh: Warehouse, *, level: Level = "municipality", start: date | None = None, end: date | None = None,
              municipalities: Sequence[str] | None = None, by: ClientGroup | None = None) -> pd.DataFrame:
    """At each month end: ``open_spells`` (registered, not exited), ``plan_debt`` (of them, no
    valid plan: none drawn up in the spell, or the latest plan event is an expiry) and the share;
    over the month, the person-days ``open_days`` and ``plan_debt_days`` and their share
    (:func:`_plan_debt_days`); with ``by`` also ``client_group`` (age group, language, or the
    spell's duration at the month end), the area's total as the group ``total``."""
    import ibis

    _check_group(by)
    ev = events(wh, municipalities=municipalities)
    if municipalities is not None and int(ev.count().to_pandas()) == 0:  # nobody there: no month end to count
        ints = ("open_spells", "plan_debt", "open_days", "plan_debt_days")
        columns = ["level", "area_code", "month_end", *(["client_group"] if by else []), "open_spells", "plan_debt",
                   "plan_debt_share", "open_days", "plan_debt_days", "plan_debt_days_share"]
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in ints else "float64" if c.endswith("share")
                                          else object) for c in columns})
    whole = plan_debt(wh, level=level, start=start, end=end, municipalities=municipalities) if by else None
    keys = ["area_code", "day", *(["client_group"] if by else [])]
    iv = derived.derived_table(wh, "process_plan_intervals") if municipalities is None else None
    iv = plan_intervals(ev) if iv is None else iv
    if by == "duration":  # the band changes with the month end: each open spell at each month end
        open_ = _open_spells(wh, ev, start, end)
        plans = ev.filter(ev.event_type.isin(["plan_created", "plan_updated", "plan_expired"])).select(
            p_pseudonym=ev.pseudonym, p_date=ev.event_date, p_type=ev.event_type, p_id=ev.event_id)
        jp = open_.left_join(plans, [open_.pseudonym == plans.p_pseudonym, plans.p_date >= open_.start,
                                     plans.p_date <= open_.day])
        w = ibis.window(group_by=[jp.start_id, jp.day], order_by=[ibis.desc(jp.p_date), ibis.desc(jp.p_type)])
        jp = jp.mutate(_r=ibis.row_number().over(w))
        latest = jp.filter(jp._r == 0)
        latest = latest.mutate(valid=latest.p_type.notnull() & (latest.p_type != "plan_expired"))
        latest = _with_duration_band(_with_area(wh, latest, level))
        stock = latest.group_by(keys).aggregate(
            open_spells=latest.start_id.count(), plan_debt=(~latest.valid).ifelse(1, 0).sum()).to_pandas()
        # stock and days side by side (a month may have days but nobody open at its end); stacked and
        # summed rather than merged, which fails on an empty arrow-backed frame (pandas 3)
        parts = [stock, _plan_debt_days(wh, ev, iv, level, start, end, by)]
    else:
        parts = [_interval_steps(wh, ev, iv, level, start, end, by)]
    counts = ["open_spells", "plan_debt", "open_days", "plan_debt_days"]
    if len(parts) == 1:  # one row per key already, the month end a date
        df = parts[0]
    else:
        for part in parts:
            part["day"] = pd.to_datetime(part["day"]).dt.date
        stacked = pd.concat(parts, ignore_index=True)
        df = stacked.reindex(columns=[*keys, *counts]).groupby(keys, as_index=False)[counts].sum()
    df[counts] = df[counts].fillna(0).astype("int64")
    df = df.rename(columns={"day": "month_end"})
    df.insert(0, "level", level)
    df["plan_debt_share"] = 100.0 * df["plan_debt"] / df["open_spells"]
    df["plan_debt_days_share"] = 100.0 * df["plan_debt_days"] / df["open_days"]
    df = df[["level", *keys[:1], "month_end", *keys[2:], "open_spells", "plan_debt", "plan_debt_share",
             "open_days", "plan_debt_days", "plan_debt_days_share"]]
    if whole is not None and len(df):
        df = _add_total_rows(df[[*whole.columns[:3], "client_group", *whole.columns[3:]]], whole)
    result: pd.DataFrame = df.sort_values(["area_code", "month_end", *(["client_group"] if by else [])],
                                          key=_total_first).reset_index(drop=True)
    return result


SPELL_COLUMNS = ("start_id", "pseudonym", "start", "municipality_code")
#: what :func:`plan_intervals` returns (also stored): the interval ``[a, b)``, whether it is without
#: a plan, and the month numbers (:func:`_month_number`) and days of month of ``a`` and ``b``
INTERVAL_COLUMNS = (*SPELL_COLUMNS, "a", "b", "debt", "a_month", "a_day", "b_month", "b_day")
INTERVAL_TYPES = ("string", "string", "date", "string", "date", "date", "boolean", "int32", "int32", "int32", "int32")


def plan_intervals(ev: ir.Table) -> ir.Table:
    """The day intervals ``[a, b)`` of every registration spell (:data:`SPELL_COLUMNS`): the spell
    itself (``debt`` false: from the registration to the exit or the next registration) and its
    days without a valid plan (``debt`` true: before its first plan event, and from an expiry to
    the next plan event; plan events of one day in type order, so the day's last type wins)."""
    import ibis

    far = ibis.literal(date(9999, 11, 30))  # open: no end (a month end whose month's end has a year)
    sp = _registration_spells(ev)
    sp = sp.mutate(stop=ibis.least(ibis.coalesce(sp.exit_date, far), ibis.coalesce(sp.next_start, far)))
    plans = ev.filter(ev.event_type.isin(["plan_created", "plan_updated", "plan_expired"])).select(
        p_pseudonym=ev.pseudonym, p_date=ev.event_date, p_type=ev.event_type)
    jp = sp.inner_join(plans, [sp.pseudonym == plans.p_pseudonym, plans.p_date >= sp.start, plans.p_date < sp.stop])
    w = ibis.window(group_by=jp.start_id, order_by=[jp.p_date, jp.p_type])
    jp = jp.mutate(p_next=jp.p_date.lead().over(w))
    first_plan = jp.group_by("start_id").aggregate(first_plan=jp.p_date.min())
    sf = sp.left_join(first_plan, "start_id")
    expired = jp.filter(jp.p_type == "plan_expired")
    u = ibis.union(
        sp.select(*SPELL_COLUMNS, a=sp.start, b=sp.stop, debt=ibis.literal(False)),
        sf.select(*SPELL_COLUMNS, a=sf.start, b=ibis.coalesce(sf.first_plan, sf.stop), debt=ibis.literal(True)),
        expired.select(*SPELL_COLUMNS, a=expired.p_date, b=ibis.coalesce(expired.p_next, expired.stop),
                       debt=ibis.literal(True)),
        distinct=False)
    u = u.mutate(a_month=_month_number(u.a), a_day=u.a.day(), b_month=_month_number(u.b), b_day=u.b.day())
    return u.select(**{c: u[c].cast(t) for c, t in zip(INTERVAL_COLUMNS, INTERVAL_TYPES, strict=True)})


def _interval_steps(wh: Warehouse, ev: ir.Table, iv: ir.Table, level: Level, start: date | None,
                    end: date | None, by: ClientGroup | None) -> pd.DataFrame:
    """At each month end (``day``) the intervals ``iv`` open then — ``open_spells`` of the
    spell's own (``debt`` false) and ``plan_debt`` of those in debt — and their person-days in
    each month, ``open_days`` and ``plan_debt_days`` (the intervals of :func:`plan_intervals`;
    :func:`job_offer_debt` renames them for :func:`offer_intervals`), from steps: every interval
    ``[a, b)`` adds one on day ``a`` and takes it away on day ``b``, so the running
    sum of the steps is the number open on each day — at a month end the stock — and a month's
    person-days (up to the log's last date or ``end``) are those open at the end of the month
    before times the month's days, plus each step of the month times the days from it to the
    month's end. The engine sums the steps by area and month; the running sums are a small
    table. Not for ``by="duration"`` (the band changes with the month end)."""
    import ibis

    last = end or data_end(wh)
    if last is None:
        raise KuvaLookupError("no service-process events in the warehouse; load a log with `kuva process load FILE`")
    stop = month_ends(last, last)[-1] + timedelta(days=1)  # the day after the last month end counted
    iv = _with_area(wh, iv, level)
    if by is not None:  # the group of each spell (several intervals each)
        sp = iv.select("start_id", "pseudonym", "start", "area_code").distinct()
        sp = _with_client_group(sp, ev, by, "start").select("start_id", "area_code", "client_group")
        iv = iv.inner_join(sp, ["start_id", "area_code"])
    keys = ["area_code", *(["client_group"] if by else [])]
    # without ``start`` nothing is cut at the front: the axis starts at the first month with a step
    # (months before it have nobody open and no days, and would be left out anyway)
    if start is not None:  # an interval begun before the first month steps up on its first day
        lo = start.replace(day=1)
        before = iv.a < lo
        iv = iv.mutate(a=before.ifelse(lo, iv.a), a_month=before.ifelse(lo.year * 12 + lo.month - 1, iv.a_month),
                       a_day=before.ifelse(1, iv.a_day))
    iv = iv.filter(iv.a < ibis.least(iv.b, ibis.literal(stop)))
    # per month (``a_month``, ``b_month``) of the steps up (on ``a``) and down (on ``b``, unless the
    # interval is still open then): their sum, and for the person-days the sum and the
    # day-of-month-weighted sum of the steps up to the log's last day — a step on day d counts on
    # every day from d to the month's last counted day L, so the month's steps add L + 1 - d each
    # (summed below, in the small table); ups and downs each aggregated on their own, in two
    # small queries (a union of the two costs more to compile than to run)
    def steps(t: ir.Table, side: str, sign: int) -> pd.DataFrame:
        on = t[side] <= ibis.literal(last)
        frame = _fetch(t.group_by([*keys, "debt", t[f"{side}_month"].name("month")]).aggregate(
            s=t.count(), s_on=t.count(where=on), sd=t[f"{side}_day"].sum(where=on)))
        frame[["s", "s_on", "sd"]] = sign * frame[["s", "s_on", "sd"]].fillna(0).astype("int64")
        return frame

    g = pd.concat([steps(iv, "a", 1), steps(iv.filter(iv.b < stop), "b", -1)], ignore_index=True)
    cols = [*keys, "day", "open_spells", "plan_debt", "open_days", "plan_debt_days"]
    if g.empty:
        return pd.DataFrame(columns=cols)
    # the running sums, in arrays of month × area (and group) × kind (open, without a plan)
    month = g["month"].to_numpy(dtype="int64")
    first = start.year * 12 + start.month - 1 if start is not None else int(month.min())
    wanted = month_ends(date(first // 12, first % 12 + 1, 1), last)
    length = np.array([max(0, (min(e, last) - e.replace(day=1)).days + 1) for e in wanted], dtype="int64")
    at = month - first  # every step lies in the axis: a from its first month, b before the day after the last
    codes, groups = pd.MultiIndex.from_frame(g[keys]).factorize(sort=True)
    assert isinstance(groups, pd.MultiIndex)
    kind = g["debt"].to_numpy(dtype=bool).astype("int64")
    s_on, sd = (g[c].to_numpy(dtype="int64") for c in ("s_on", "sd"))
    steps_sum = np.zeros((len(wanted), len(groups), 2), dtype="int64")
    weighted = np.zeros_like(steps_sum)
    np.add.at(steps_sum, (at, codes, kind), g["s"].to_numpy(dtype="int64"))
    np.add.at(weighted, (at, codes, kind), s_on * (length[at] + 1) - sd)  # L + 1 - d summed over the steps
    stock = steps_sum.cumsum(axis=0)  # open at each month end
    before = np.concatenate([np.zeros_like(stock[:1]), stock[:-1]])  # open at the end of the month before
    person_days = before * length[:, None, None] + weighted
    ti, gi = np.nonzero((stock[:, :, 0] > 0) | (person_days[:, :, 0] > 0))  # month-major, as the axis
    out = groups[gi].to_frame(index=False).set_axis(keys, axis=1)
    out["day"] = np.array(wanted, dtype=object)[ti]
    for name, values, k in (("open_spells", stock, 0), ("plan_debt", stock, 1), ("open_days", person_days, 0),
                            ("plan_debt_days", person_days, 1)):
        out[name] = values[ti, gi, k]
    result: pd.DataFrame = out[cols]
    return result


def _plan_debt_days(wh: Warehouse, ev: ir.Table, iv: ir.Table, level: Level, start: date | None, end: date | None,
                    by: ClientGroup | None) -> pd.DataFrame:
    """Person-days in each month (keyed by its last day, ``day``): ``open_days`` — days of open
    spells (from the registration to the exit or the next registration, the exit day not
    counted) — and ``plan_debt_days``, those without a valid plan (before the spell's first plan
    event, and from an expiry to the next plan event). Days after the log's last date (or
    ``end``) are not counted; each spell's days in a month go to its group at the month end."""
    import ibis

    last = end or data_end(wh)
    if last is None:
        raise KuvaLookupError("no service-process events in the warehouse; load a log with `kuva process load FILE`")
    first = start or pd.Timestamp(ev.event_date.min().to_pandas()).date()
    ends = month_ends(first, last)
    months = ibis.memtable(pd.DataFrame({"day": ends, "m_start": [e.replace(day=1) for e in ends],
                                         "m_stop": [min(e, last) + timedelta(days=1) for e in ends]}))
    x = iv.cross_join(months)
    x = x.filter((x.a < x.m_stop) & (x.b > x.m_start))
    x = x.mutate(n=ibis.least(x.b, x.m_stop).delta(ibis.greatest(x.a, x.m_start), unit="day"))
    per = x.group_by([*SPELL_COLUMNS, "day"]).aggregate(open_days=x.n.sum(where=~x.debt),
                                                      plan_debt_days=x.n.sum(where=x.debt))
    per = _with_area(wh, per, level)
    if by == "duration":
        per = _with_duration_band(per)
    elif by is not None:
        per = _with_client_group(per, ev, by, "start")
    keys = ["area_code", "day", *(["client_group"] if by else [])]
    out = per.group_by(keys).aggregate(open_days=per.open_days.sum(), plan_debt_days=per.plan_debt_days.sum())
    result: pd.DataFrame = out.to_pandas()
    return result


JOB_OFFER_WINDOW_DAYS = 90  #: job-offer debt: no job offer in this many days (the 3-month cadence of the talks)
JOB_OFFER_COLUMNS = ("level", "area_code", "month_end", "eligible", "job_offer_debt", "job_offer_debt_share")


def offer_intervals(ev: ir.Table, window_days: int = JOB_OFFER_WINDOW_DAYS) -> ir.Table:
    """The day intervals ``[a, b)`` (:data:`INTERVAL_COLUMNS`) of every registration spell that
    job-offer debt counts: the days it is eligible (``debt`` false: from ``window_days`` after the
    registration to the exit or the next registration) and, of those, the days in debt (``debt``
    true: no job offer in the spell on that day or in the ``window_days`` - 1 days before it —
    before the first offer, and from ``window_days`` after an offer to the next one). Empty
    intervals are left out."""
    import ibis

    far = ibis.literal(date(9999, 11, 30))  # open: no end (as in :func:`plan_intervals`)
    window = ibis.interval(days=window_days)
    sp = _registration_spells(ev)
    sp = sp.mutate(stop=ibis.least(ibis.coalesce(sp.exit_date, far), ibis.coalesce(sp.next_start, far)))
    sp = sp.mutate(eligible=(sp.start + window).cast("date"))
    offers = ev.filter(ev.event_type == "job_offer").select(o_pseudonym=ev.pseudonym, o_date=ev.event_date)
    jo = sp.inner_join(offers, [sp.pseudonym == offers.o_pseudonym, offers.o_date >= sp.start,
                                offers.o_date < sp.stop])
    jo = jo.mutate(o_next=jo.o_date.lead().over(ibis.window(group_by=jo.start_id, order_by=jo.o_date)))
    first_offer = jo.group_by("start_id").aggregate(first_offer=jo.o_date.min())
    sf = sp.left_join(first_offer, "start_id")
    u = ibis.union(
        sp.select(*SPELL_COLUMNS, a=sp.eligible, b=sp.stop, debt=ibis.literal(False)),
        sf.select(*SPELL_COLUMNS, a=sf.eligible, b=ibis.coalesce(sf.first_offer, sf.stop), debt=ibis.literal(True)),
        jo.select(*SPELL_COLUMNS, a=(jo.o_date + window).cast("date"), b=ibis.coalesce(jo.o_next, jo.stop),
                  debt=ibis.literal(True)),
        distinct=False)
    u = u.filter(u.a < u.b)
    u = u.mutate(a_month=_month_number(u.a), a_day=u.a.day(), b_month=_month_number(u.b), b_day=u.b.day())
    return u.select(**{c: u[c].cast(t) for c, t in zip(INTERVAL_COLUMNS, INTERVAL_TYPES, strict=True)})


def job_offer_debt(wh: Warehouse, *, level: Level = "municipality", start: date | None = None,
                   end: date | None = None, municipalities: Sequence[str] | None = None,
                   window_days: int = JOB_OFFER_WINDOW_DAYS) -> pd.DataFrame:
    """At each month end: ``eligible`` — open spells at least ``window_days`` old — and
    ``job_offer_debt``, those of them that got no job offer (a ``job_offer`` event: a vacancy
    the employment authority assigned the client to apply for) in the spell's last
    ``window_days`` days up to the month end, with the share. Counted from the steps of
    :func:`offer_intervals` as plan debt is (:func:`_interval_steps`); the intervals are
    stored for the default window."""
    if window_days < 1:
        raise KuvaInputError(f"the job-offer window must be at least one day, got {window_days}")
    ev = events(wh, municipalities=municipalities)
    empty = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("eligible", "job_offer_debt") else
                                       "float64" if c.endswith("share") else object) for c in JOB_OFFER_COLUMNS})
    if municipalities is not None and int(ev.count().to_pandas()) == 0:
        return empty
    stored = municipalities is None and window_days == JOB_OFFER_WINDOW_DAYS
    iv = derived.derived_table(wh, "process_offer_intervals") if stored else None
    iv = offer_intervals(ev, window_days) if iv is None else iv
    df = _interval_steps(wh, ev, iv, level, start, end, None)
    df = df[df["open_spells"] > 0].rename(columns={"day": "month_end", "open_spells": "eligible",
                                                    "plan_debt": "job_offer_debt"})
    if df.empty:
        return empty
    df = df.assign(level=level, job_offer_debt_share=100.0 * df["job_offer_debt"] / df["eligible"])
    df[["eligible", "job_offer_debt"]] = df[["eligible", "job_offer_debt"]].astype("int64")
    result: pd.DataFrame = df[list(JOB_OFFER_COLUMNS)].sort_values(["area_code", "month_end"]).reset_index(drop=True)
    return result


# -- referral routes --------------------------------------------------------------------------
REFERRAL_COLUMNS = ("event_id", "pseudonym", "event_date", "municipality_code", "origin_sector",
                    "destination_sector", "s_date")


def referral_links(ev: ir.Table) -> ir.Table:
    """Each referral sent (:data:`REFERRAL_COLUMNS`) with ``s_date``, the first start of a
    service with its referral id on or after it (NULL: none)."""
    r = ev.filter(ev.event_type == "referral_sent").select(
        "event_id", "pseudonym", "event_date", "municipality_code", "origin_sector", "destination_sector",
        "referral_id")
    s = ev.filter(ev.event_type == "service_start").select(s_pseudonym=ev.pseudonym, s_ref=ev.referral_id,
                                                            s_date=ev.event_date)
    j = r.left_join(s, [r.pseudonym == s.s_pseudonym, r.referral_id == s.s_ref, s.s_date >= r.event_date])
    per = j.group_by(list(REFERRAL_COLUMNS[:-1])).aggregate(s_date=j.s_date.min())
    return per.select(**{c: per[c].cast("date" if c in ("event_date", "s_date") else "string")
                         for c in REFERRAL_COLUMNS})


def referral_routes(wh: Warehouse, *, level: Level = "municipality", as_of: date | None = None,
                    start: date | None = None, end: date | None = None,
                    municipalities: Sequence[str] | None = None, by: ClientGroup | None = None) -> pd.DataFrame:
    """Referrals sent by area, month, origin and destination sector: ``referrals``,
    ``realised`` (led to a service start with the same referral id), ``unrealised`` (none within
    90 days, counted once 90 days have passed by ``as_of``) and the median wait in days; with
    ``by`` (``age_group`` or ``language`` on the client's latest registration on or before the
    referral) also ``client_group``, the area's total as the group ``total``."""
    import ibis

    _check_group(by, ("age_group", "language"))
    whole = referral_routes(wh, level=level, as_of=as_of, start=start, end=end,
                            municipalities=municipalities) if by else None
    day = _as_of(wh, as_of)
    per = derived.derived_table(wh, "process_referrals") if municipalities is None else None
    if per is None:
        per = referral_links(events(wh, municipalities=municipalities))
    window = _window(per.event_date, start, end)
    per, area = _area_of(wh, per.filter(*window) if window else per, level)
    keys = [area.name("area_code"), _month_number(per.event_date).name("month")]
    if by is not None:
        per = _with_client_group(per.mutate(*keys), events(wh, municipalities=municipalities), by, "event_date")
        keys = [per.area_code, per.month, per.client_group]
    wait = per.s_date.delta(per.event_date, unit="day")
    closed = per.event_date + ibis.interval(days=UNREALISED_AFTER_DAYS) <= day
    unrealised = closed & (per.s_date.isnull() | (wait > UNREALISED_AFTER_DAYS))
    g = per.group_by([*keys, per.origin_sector, per.destination_sector]).aggregate(
        referrals=per.count(), realised=per.s_date.notnull().ifelse(1, 0).sum(),
        unrealised=unrealised.ifelse(1, 0).sum(), median_wait_days=wait.median())
    group = ["client_group"] if by else []
    df = _fetch(g)
    df.insert(0, "level", level)
    df["month"] = _from_month_number(df["month"])
    df["median_wait_days"] = df["median_wait_days"].astype(float)
    if whole is not None and len(df):
        df = _add_total_rows(df[[*whole.columns[:3], "client_group", *whole.columns[3:]]], whole)
    result: pd.DataFrame = df.sort_values(["area_code", "month", *group, "origin_sector", "destination_sector"],
                                          key=_total_first).reset_index(drop=True)
    return result


# -- directly-follows graph ----------------------------------------------------------------------
def directly_follows(wh: Warehouse, *, level: Level = "municipality", start: date | None = None,
                     end: date | None = None, municipalities: Sequence[str] | None = None,
                     event_types: Sequence[str] | None = None, by: ClientGroup | None = None) -> pd.DataFrame:
    """Edges of the directly-follows graph: ``level, area_code, from_event, to_event, n,
    median_days`` — each event of a client (in date order, ties by event id) and the client's
    next event, among ``event_types`` (default every type), both within ``start``…``end``; the
    area is the client's municipality at the first event of the pair. With ``by`` (``age_group``
    or ``language`` of the client's latest registration on or before the pair's first event) also
    ``client_group``, the area's total as the group ``total``."""
    import ibis

    _check_group(by, ("age_group", "language"))
    whole = directly_follows(wh, level=level, start=start, end=end, municipalities=municipalities,
                             event_types=event_types) if by else None
    ev = events(wh, start=start, end=end, municipalities=municipalities)
    if event_types is not None:
        unknown = sorted(set(event_types) - set(EVENT_TYPES))
        if unknown:
            raise KuvaInputError(f"unknown event type(s) {unknown}; known: {list(EVENT_TYPES)}")
        ev = ev.filter(ev.event_type.isin(list(event_types)))
    w = ibis.window(group_by=ev.pseudonym, order_by=[ev.event_date, ev.event_id])
    pairs = ev.mutate(to_event=ev.event_type.lead().over(w), to_date=ev.event_date.lead().over(w))
    pairs = pairs.filter(pairs.to_event.notnull())
    pairs = pairs.mutate(days=pairs.to_date.delta(pairs.event_date, unit="day"))
    pairs = _with_area(wh, pairs.rename(from_event="event_type"), level)
    if by is not None:
        pairs = _with_client_group(pairs, events(wh, municipalities=municipalities), by, "event_date")
    group = ["client_group"] if by else []
    g = pairs.group_by(["area_code", *group, "from_event", "to_event"]).aggregate(
        n=pairs.pseudonym.count(), median_days=pairs.days.median())
    df = g.to_pandas()
    df.insert(0, "level", level)
    df["median_days"] = df["median_days"].astype(float)
    return _grouped_result(df, whole, ["area_code", *group, "n", "from_event", "to_event"],
                           [True, *([True] * len(group)), False, True, True])


def _grouped_result(df: pd.DataFrame, whole: pd.DataFrame | None, keys: list[str],
                    ascending: list[bool]) -> pd.DataFrame:
    """``df`` sorted by ``keys``; with a client-group breakdown, the measure without it (``whole``)
    first as the group ``total`` of each area."""
    if whole is not None:
        cols = [*whole.columns[:2], "client_group", *whole.columns[2:]]
        df = _add_total_rows(df[cols], whole) if len(df) else df.reindex(columns=cols)
    result: pd.DataFrame = df.sort_values(keys, ascending=ascending, key=_total_first).reset_index(drop=True)
    return result


# -- path variants ------------------------------------------------------------------------------
#: The milestones a path variant is made of (job-search talks, offers and the like repeat too
#: often to make paths comparable; pass ``event_types`` to choose others).
MILESTONES: tuple[str, ...] = ("registration", "initial_interview", "service_need_assessment", "plan_created",
                               "referral_sent", "service_start", "service_end", "exit_work", "exit_education",
                               "exit_other", "exit_moved")
VARIANT_SEPARATOR = " → "


def path_variants(wh: Warehouse, *, level: Level = "municipality", start: date | None = None,
                  end: date | None = None, municipalities: Sequence[str] | None = None,
                  event_types: Sequence[str] | None = MILESTONES, by: ClientGroup | None = None) -> pd.DataFrame:
    """Clients by the sequence of their events within the window (their *variant*, the process
    mining term): ``level, area_code, variant, n, median_days`` — the event types in date order
    (ties by event id) joined by " → ", the number of clients with that path and the median days
    from their first to their last event; the area is the client's municipality at the first.
    With ``by`` (``age_group`` or ``language`` of the client's latest registration on or before
    their first event) also ``client_group``, the area's total as the group ``total``."""
    import ibis

    _check_group(by, ("age_group", "language"))
    whole = path_variants(wh, level=level, start=start, end=end, municipalities=municipalities,
                          event_types=event_types) if by else None
    ev = events(wh, start=start, end=end, municipalities=municipalities)
    if event_types is not None:
        unknown = sorted(set(event_types) - set(EVENT_TYPES))
        if unknown:
            raise KuvaInputError(f"unknown event type(s) {unknown}; known: {list(EVENT_TYPES)}")
        ev = ev.filter(ev.event_type.isin(list(event_types)))
    w = ibis.window(group_by=ev.pseudonym, order_by=[ev.event_date, ev.event_id])
    # the path in date order (ties by event id) as sortable keys "YYYYMMDD|event id|type": Spark
    # cannot order an aggregate, but every engine sorts an array and joins it
    key = ev.event_date.strftime("%Y%m%d").concat("|", ev.event_id, "|", ev.event_type)
    ev = ev.mutate(first_muni=ev.municipality_code.first().over(w), key=key)
    per = ev.group_by("pseudonym").aggregate(
        keys=ev.key.collect(),
        municipality_code=ev.first_muni.max(),  # the same on every row of the client
        days=ev.event_date.max().delta(ev.event_date.min(), unit="day"), first_date=ev.event_date.min())
    per = per.mutate(variant=per.keys.sort().join(VARIANT_SEPARATOR).re_replace(r"[0-9]{8}\|[^|]*\|", "")).drop(
        "keys")
    per = _with_area(wh, per, level)
    if by is not None:
        per = _with_client_group(per, events(wh, municipalities=municipalities), by, "first_date")
    group = ["client_group"] if by else []
    g = per.group_by(["area_code", *group, "variant"]).aggregate(n=per.pseudonym.count(),
                                                                 median_days=per.days.median())
    df = g.to_pandas()
    df.insert(0, "level", level)
    df["median_days"] = df["median_days"].astype(float)
    return _grouped_result(df, whole, ["area_code", *group, "n", "variant"],
                           [True, *([True] * len(group)), False, True])


# -- data quality -----------------------------------------------------------------------------
QUALITY_CHECKS: tuple[str, ...] = ("events_before_registration", "registration_without_interview",
                                   "duplicate_events", "service_end_without_start", "exit_without_registration",
                                   "events_after_exit")
#: client work that cannot happen once a spell has ended (a service may still end, a status be
#: followed up, a referral be answered)
AFTER_EXIT_SUSPECT: tuple[str, ...] = ("initial_interview", "service_need_assessment", "plan_created", "plan_updated",
                                       "job_search_talk", "supplementary_job_search_talk", "job_offer",
                                       "service_start", "intensive_period_start", "sanction", "obligation")


#: the rule behind ``registration_without_interview``: an initial interview within 30 days
NO_INTERVIEW_RULE = Rule("registration_without_interview", "deadline", "registration", ("initial_interview",),
                         NO_INTERVIEW_AFTER_DAYS, "days", 1,
                         {"en": f"Initial interview within {NO_INTERVIEW_AFTER_DAYS} days (data quality)"})
QUALITY_FLAG_COLUMNS = ("quality_check", "pseudonym", "municipality_code", "event_date")


def quality_flags(ev: ir.Table) -> ir.Table:
    """The events flagged by the checks that need no judging day (:data:`QUALITY_FLAG_COLUMNS`,
    one row per flag): events before the client's first registration, exits without any,
    duplicate events (every copy after the first), service ends without a start of that service
    before them, and events after an exit (:func:`_after_exit`)."""
    import ibis

    regs = ev.filter(ev.event_type == "registration")
    first_reg = regs.group_by("pseudonym").aggregate(first_reg=regs.event_date.min())
    e = ev.left_join(first_reg, "pseudonym")
    parts: list[ir.Table] = []

    def add(name: str, t: ir.Table) -> None:
        parts.append(t.select(quality_check=ibis.literal(name), pseudonym=t.pseudonym.cast("string"),
                              municipality_code=t.municipality_code.cast("string"),
                              event_date=t.event_date.cast("date")))

    add("events_before_registration", e.filter(e.first_reg.notnull() & (e.event_date < e.first_reg)))
    add("exit_without_registration", e.filter(e.event_type.isin(list(EXIT_TYPES)) & e.first_reg.isnull()))
    key = ["pseudonym", "event_date", "event_type", "service_type", "referral_id", "plan_id"]
    w = ibis.window(group_by=[ev[k] for k in key], order_by=ev.event_id)
    d = ev.mutate(_n=ibis.row_number().over(w))
    add("duplicate_events", d.filter(d._n > 0))
    st = ev.filter(ev.event_type == "service_start").select(s_pseudonym=ev.pseudonym, s_type=ev.service_type,
                                                             s_date=ev.event_date)
    en = ev.filter(ev.event_type == "service_end")
    je = en.left_join(st, [en.pseudonym == st.s_pseudonym, en.service_type == st.s_type, st.s_date <= en.event_date])
    orphan = je.group_by(["event_id", "pseudonym", "municipality_code", "event_date"]).aggregate(
        n_start=je.s_date.count())
    add("service_end_without_start", orphan.filter(orphan.n_start == 0))
    add("events_after_exit", _after_exit(ev))
    return ibis.union(*parts, distinct=False)


def data_quality(wh: Warehouse, *, as_of: date | None = None, municipalities: Sequence[str] | None = None
                 ) -> pd.DataFrame:
    """Counts of suspect events by municipality and month: ``check, municipality_code, month, n``
    (:func:`quality_flags` and registrations without an initial interview 30 days on by
    ``as_of``; from the stored flags when they are current)."""
    import ibis

    day = _as_of(wh, as_of)
    flags = derived.derived_table(wh, "process_quality_flags") if municipalities is None else None
    if flags is None:
        flags = quality_flags(events(wh, municipalities=municipalities))
    ii = stored_clocks(wh, NO_INTERVIEW_RULE, day) if municipalities is None else None
    if ii is None:
        ii = rule_base(events(wh, municipalities=municipalities), NO_INTERVIEW_RULE, cap=day)
    due, _, _ = _judged(ii, NO_INTERVIEW_RULE, day)
    ii = ii.filter(due, ii.hit.isnull())
    u = ibis.union(
        flags.select(check=flags.quality_check.cast("string"), municipality_code=flags.municipality_code.cast("string"),
                     month=_month_number(flags.event_date).cast("int64")),
        ii.select(check=ibis.literal("registration_without_interview").cast("string"),
                  municipality_code=ii.municipality_code.cast("string"), month=_month_number(ii.start).cast("int64")),
        distinct=False)
    g = u.group_by(["check", "municipality_code", "month"]).aggregate(n=u.check.count())
    df = _fetch(g)
    df["month"] = _from_month_number(df["month"])
    result: pd.DataFrame = df.sort_values(["check", "municipality_code", "month"]).reset_index(drop=True)
    return result


def _after_exit(ev: ir.Table) -> ir.Table:
    """Events of :data:`AFTER_EXIT_SUSPECT` dated after the exit that ended their spell (and
    before the client's next registration)."""
    sp = _spells(ev, "registration")
    ex = ev.filter(ev.event_type.isin(list(EXIT_TYPES))).select(x_p=ev.pseudonym, x_date=ev.event_date)
    j = sp.join(ex, [sp.pseudonym == ex.x_p, ex.x_date >= sp.start,
                     sp.next_start.isnull() | (ex.x_date < sp.next_start)])
    ended = j.group_by(["start_id", "pseudonym", "next_start"]).aggregate(exit_date=j.x_date.min())
    ended = ended.select(e_p=ended.pseudonym, e_exit=ended.exit_date, e_next=ended.next_start)
    sus = ev.filter(ev.event_type.isin(list(AFTER_EXIT_SUSPECT)))
    k = sus.join(ended, [sus.pseudonym == ended.e_p, sus.event_date > ended.e_exit,
                         ended.e_next.isnull() | (sus.event_date < ended.e_next)])
    return k.select("event_id", "pseudonym", "municipality_code", "event_date").distinct()


RECORDING_BASELINE_MONTHS = 3  #: months before a month whose share is its baseline
RECORDING_WARMUP_MONTHS = 6  #: the first months of a log are a baseline only (its stock of clients builds up)
RECORDING_MIN_EXPECTED = 20  #: events expected in a month at least, for a change to be judged
RECORDING_FACTOR = 2.0  #: at least this many times fewer (or more) events than expected ...
RECORDING_P = 1e-4  #: ... and a binomial tail probability below this (many months × types are tested)


def recording_changes(wh: Warehouse, *, as_of: date | None = None,
                      municipalities: Sequence[str] | None = None) -> pd.DataFrame:
    """Months in which a municipality's recording of an event type suddenly changed relative to
    the other municipalities: ``check`` (``recording_drop`` or ``recording_jump``),
    ``municipality_code, event_type, month, n, expected, ratio``.

    ``expected`` is the month's total of that event type over all municipalities times the
    municipality's share of it in the previous :data:`RECORDING_BASELINE_MONTHS` months, so
    what moves every municipality alike (the season, a log's first months, a national change of
    rules) cancels and what changes in one municipality's recording stands out. Flagged when the
    count is at least :data:`RECORDING_FACTOR` times below (or above) ``expected``, ``expected`` is
    at least :data:`RECORDING_MIN_EXPECTED`, and the binomial probability of so few (or so many)
    is below :data:`RECORDING_P`. Needs at least three municipalities; the first
    :data:`RECORDING_WARMUP_MONTHS` months of the log are not judged, and the month of ``as_of``
    is left out unless complete (a month still being recorded is not a drop)."""
    from scipy.stats import binom

    day = _as_of(wh, as_of)
    ev = events(wh, end=day, municipalities=municipalities)
    ev = ev.mutate(month=_month(ev.event_date).cast("date"))
    g = ev.group_by(["municipality_code", "event_type", "month"]).aggregate(n=ev.event_id.count()).to_pandas()
    cols = ["check", "municipality_code", "event_type", "month", "n", "expected", "ratio"]
    if g.empty or g["municipality_code"].nunique() < 3:
        return pd.DataFrame(columns=cols)
    g["month"] = pd.to_datetime(g["month"])
    months = pd.date_range(g["month"].min(), pd.Timestamp(day).to_period("M").to_timestamp(), freq="MS")
    if pd.Timestamp(day) != pd.Timestamp(day) + pd.offsets.MonthEnd(0):
        months = months[:-1]
    rows = []
    for etype, part in g.groupby("event_type"):
        full = part.pivot_table(index="municipality_code", columns="month", values="n", aggfunc="sum")
        full = full.reindex(columns=months).fillna(0.0)
        n = full.to_numpy()
        total = n.sum(axis=0)
        k = RECORDING_BASELINE_MONTHS
        for j in range(max(k, RECORDING_WARMUP_MONTHS), len(months)):
            past = n[:, j - k:j].sum(axis=1)
            share = past / max(past.sum(), 1.0)
            expected = share * total[j]
            judged = expected >= RECORDING_MIN_EXPECTED
            drop = judged & (n[:, j] * RECORDING_FACTOR <= expected) & (
                binom.cdf(n[:, j], total[j], share) < RECORDING_P)
            jump = judged & (n[:, j] >= RECORDING_FACTOR * expected) & (
                binom.sf(n[:, j] - 1, total[j], share) < RECORDING_P)
            for flag, name in ((drop, "recording_drop"), (jump, "recording_jump")):
                for i in np.nonzero(flag)[0]:
                    rows.append((name, full.index[i], etype, months[j].date(), int(n[i, j]), float(expected[i]),
                                 float(n[i, j] / expected[i])))
    out = pd.DataFrame(rows, columns=cols)
    result: pd.DataFrame = out.sort_values(["municipality_code", "event_type", "month"]).reset_index(drop=True)
    return result


__all__ = [
    "AFTER_EXIT_SUSPECT",
    "CLIENT_GROUPS",
    "DURATION_BANDS",
    "JOB_OFFER_COLUMNS",
    "JOB_OFFER_WINDOW_DAYS",
    "LEVELS",
    "NATION",
    "QUALITY_CHECKS",
    "RECORDING_FACTOR",
    "RECORDING_MIN_EXPECTED",
    "RECORDING_P",
    "TOTAL_GROUP",
    "ClientGroup",
    "compliance_in_force",
    "conformance",
    "data_end",
    "data_quality",
    "event_sources",
    "events",
    "job_offer_debt",
    "month_ends",
    "offer_intervals",
    "plan_debt",
    "recording_changes",
    "referral_routes",
    "rule_compliance",
    "rule_outcomes",
]
