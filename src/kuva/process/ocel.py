"""The service-process event log in the process-mining standards: OCEL 2.0 and XES (docs/process-ocel.md).

:func:`write_ocel` exports KuVa's event log (the stored shape of :mod:`kuva.process.eventlog`) as an
object-centric OCEL 2.0 log — JSON or SQLite — with the client, the client spell (case), the
employment plan, the referral and the service as objects; :func:`read_ocel` reads one back into the
raw event-log format that :func:`~kuva.process.eventlog.validate_event_log` accepts.
:func:`write_xes` / :func:`read_xes` do the same for XES, the classic one-case-notion format (the
case is the client).

The file formats go through pm4py, which is AGPL-3.0: it is an optional dependency
(``pip install kuva[process-mining]``) and imported only inside these functions, so the MIT core
of KuVa neither needs nor loads it. Only pseudonyms leave KuVa: the writers refuse a frame with raw
client ids.
"""

from __future__ import annotations

import contextlib
import gc
import io
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from kuva.errors import KuvaConfigError, KuvaInputError
from kuva.privacy.pseudonym import PSEUDONYM_PATTERN
from kuva.process.eventlog import STORED_COLUMNS

#: object types of the OCEL export and the column each one comes from; the qualifier of an
#: event's relation to its object is the object type's name
OBJECT_TYPES: tuple[str, ...] = ("client", "case", "plan", "referral", "service")
ID_OBJECTS: dict[str, str] = {"case": "case_id", "plan": "plan_id", "referral": "referral_id"}
#: the event attributes of the OCEL export (the event's own scalar columns)
EVENT_ATTRIBUTES: tuple[str, ...] = ("municipality_code", "origin_sector", "destination_sector", "service_type",
                                     "provider", "age_group", "language", "detail")
#: the columns that ride along as plain event attributes in XES (the case is the client)
XES_ATTRIBUTES: tuple[str, ...] = (*EVENT_ATTRIBUTES, "case_id", "plan_id", "referral_id")
OCEL_SUFFIXES: dict[str, str] = {".json": "json", ".jsonocel": "json", ".sqlite": "sqlite"}
_REQUIRED = ("event_id", "pseudonym", "event_date", "event_type", "municipality_code")
ClientColumn = Literal["pseudonym", "client_id"]


# -- pm4py, optional and quiet --------------------------------------------------------------------
def _pm4py() -> Any:
    """pm4py, imported on first use with its welcome banner (printed to stderr when imported from
    a script) swallowed."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            import pm4py
    except ImportError as exc:
        raise KuvaConfigError("OCEL 2.0 / XES import and export need the optional pm4py (AGPL-3.0): "
                              "pip install kuva[process-mining]") from exc
    return pm4py


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pm4py's advice to install faster backends and pandas notes raised from inside pm4py are not
    the caller's business."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"pm4py(\.|$)")
        yield


def _parse(path: Path, kind: str, read: Callable[[], Any]) -> Any:
    """What ``read`` (a pm4py reader) returns, or a :class:`KuvaInputError` naming the file.

    pm4py raises whatever its parser meets (JSON, SQLite and XML errors, KeyError...) and leaves
    the file open when it fails: the error is turned into text and the failed parser's frames
    collected here, with the resulting ResourceWarning ignored, rather than leaking to the caller."""
    problem = ""
    with _quiet():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return read()
        except Exception as exc:
            problem = f"{type(exc).__name__}: {exc}"
        gc.collect()
    raise KuvaInputError(f"{path}: not a readable {kind} file ({problem})")


# -- shared helpers -------------------------------------------------------------------------------
def _text(series: pd.Series) -> pd.Series:
    """A column as str values, None where missing or empty."""
    def one(v: object) -> str | None:
        if v is None or (not isinstance(v, str) and bool(pd.isna(v))):  # type: ignore[call-overload]
            return None
        s = str(v).strip()
        return s or None

    return pd.Series([one(v) for v in series], index=series.index, dtype=object)


def _checked(events: pd.DataFrame, what: str) -> pd.DataFrame:
    """The export's columns as text (None where missing) with dates, after refusing what cannot
    leave KuVa: raw client ids, missing required values and repeated event ids."""
    if not isinstance(events, pd.DataFrame):
        raise KuvaInputError(f"{what} takes the event log as a pandas DataFrame, got {type(events).__name__}")
    if "pseudonym" not in events.columns:
        hint = (" (it has client_id: validate it with validate_event_log first, so only pseudonyms leave KuVa)"
                if "client_id" in events.columns else "")
        raise KuvaInputError(f"{what}: the event log has no pseudonym column{hint}")
    missing = [c for c in _REQUIRED if c not in events.columns]
    if missing:
        raise KuvaInputError(f"{what}: the event log lacks the column(s) {missing}; it takes the stored shape "
                             f"{list(STORED_COLUMNS)}")
    frame = events.reset_index(drop=True)
    out = pd.DataFrame({c: (_text(frame[c]) if c in frame.columns else pd.Series(None, index=frame.index,
                                                                                 dtype=object))
                        for c in STORED_COLUMNS if c != "event_date"})
    for col in ("event_id", "pseudonym", "event_type", "municipality_code"):
        empty = out[col].isna().to_numpy()
        if empty.any():
            i = int(empty.argmax())
            raise KuvaInputError(f"{what}: event {i + 1} of the frame has no {col}")
    bad = ~out["pseudonym"].str.fullmatch(PSEUDONYM_PATTERN).astype(bool).to_numpy()
    if bad.any():
        raise KuvaInputError(f"{what}: event {out['event_id'].iloc[int(bad.argmax())]!r} has a pseudonym that is "
                             "not a keyed pseudonym (64 hex characters); only pseudonyms leave KuVa")
    dup = out["event_id"].duplicated().to_numpy()
    if dup.any():
        raise KuvaInputError(f"{what}: event id {out['event_id'].iloc[int(dup.argmax())]!r} appears twice")
    stamps = pd.to_datetime(frame["event_date"], errors="coerce", format="mixed")
    if stamps.isna().any():
        i = int(stamps.isna().to_numpy().argmax())
        raise KuvaInputError(f"{what}: event {out['event_id'].iloc[i]!r} has no valid event_date "
                             f"({frame['event_date'].iloc[i]!r})")
    out.insert(2, "event_date", [s.date() for s in stamps])
    return out


def _utc_midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _day(value: object) -> str | None:
    """The ISO date of a timestamp, taken in UTC (KuVa writes dates as UTC midnight)."""
    if value is None:
        return None
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC")
    return stamp.date().isoformat()


def _service_id(service_type: str, provider: str | None) -> str:
    return f"{service_type}@{provider}" if provider else service_type


def _object_id(kind: str, value: str) -> str:
    return value if kind == "client" else f"{kind}:{value}"


def _object_value(kind: str, oid: str) -> str:
    prefix = f"{kind}:"
    return oid[len(prefix):] if oid.startswith(prefix) else oid


# -- OCEL 2.0 -------------------------------------------------------------------------------------
def _ocel_format(path: Path, what: str) -> str:
    fmt = OCEL_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise KuvaInputError(f"{path}: {what} handles OCEL 2.0 as .json/.jsonocel (JSON) or .sqlite (SQLite), "
                             f"not {path.suffix or 'no suffix'}")
    return fmt


def to_ocel(events: pd.DataFrame) -> Any:
    """The event log as a pm4py ``OCEL`` object (what :func:`write_ocel` writes)."""
    log = _checked(events, "write_ocel")
    _pm4py()  # the clear error when pm4py is missing
    from pm4py.objects.ocel.obj import OCEL

    stamps = pd.Series([_utc_midnight(d) for d in log["event_date"]], dtype="datetime64[us, UTC]")
    ev = pd.DataFrame({"ocel:eid": log["event_id"], "ocel:activity": log["event_type"], "ocel:timestamp": stamps})
    for col in EVENT_ATTRIBUTES:
        ev[col] = log[col]
    links: list[pd.DataFrame] = [pd.DataFrame({"ocel:eid": log["event_id"], "ocel:oid": log["pseudonym"],
                                               "ocel:type": "client"})]
    for kind, col in ID_OBJECTS.items():
        has = log[col].notna()
        links.append(pd.DataFrame({"ocel:eid": log.loc[has, "event_id"],
                                   "ocel:oid": [_object_id(kind, v) for v in log.loc[has, col]],
                                   "ocel:type": kind}))
    has = log["service_type"].notna()
    services = pd.DataFrame({"ocel:eid": log.loc[has, "event_id"],
                             "ocel:oid": [_service_id(s, p) for s, p in zip(log.loc[has, "service_type"],
                                                                            log.loc[has, "provider"], strict=True)],
                             "ocel:type": "service", "service_type": log.loc[has, "service_type"],
                             "provider": log.loc[has, "provider"]})
    links.append(services[["ocel:eid", "ocel:oid", "ocel:type"]])
    rel = pd.concat(links, ignore_index=True)
    rel["ocel:qualifier"] = rel["ocel:type"]
    clash = rel.drop_duplicates(["ocel:oid", "ocel:type"])["ocel:oid"].duplicated()
    if clash.any():  # only a service named like a pseudonym could do this
        oid = rel.drop_duplicates(["ocel:oid", "ocel:type"])["ocel:oid"][clash].iloc[0]
        raise KuvaInputError(f"write_ocel: object id {oid!r} would name objects of two types")
    rel = rel.merge(ev[["ocel:eid", "ocel:activity", "ocel:timestamp"]], on="ocel:eid", how="left")
    objects = rel.drop_duplicates("ocel:oid")[["ocel:oid", "ocel:type"]].reset_index(drop=True)
    attrs = services.drop_duplicates("ocel:oid").set_index("ocel:oid")
    for col in ("service_type", "provider"):
        objects[col] = objects["ocel:oid"].map(attrs[col]).astype(object)
        objects[col] = objects[col].where(objects[col].notna(), None)
    # object-to-object: the case, plan and referral belong to the client (qualifier "client")
    owned = rel[rel["ocel:type"].isin(list(ID_OBJECTS))][["ocel:eid", "ocel:oid"]]
    owners = rel[rel["ocel:type"] == "client"][["ocel:eid", "ocel:oid"]].rename(columns={"ocel:oid": "ocel:oid_2"})
    o2o = owned.merge(owners, on="ocel:eid")[["ocel:oid", "ocel:oid_2"]].drop_duplicates().reset_index(drop=True)
    o2o["ocel:qualifier"] = "client"
    return OCEL(events=ev, objects=objects, relations=rel[["ocel:eid", "ocel:activity", "ocel:timestamp",
                                                           "ocel:oid", "ocel:type", "ocel:qualifier"]], o2o=o2o)


def write_ocel(events: pd.DataFrame, path: Path | str) -> Path:
    """Write the event log (stored shape: pseudonyms, not client ids) as OCEL 2.0: ``.json`` or
    ``.jsonocel`` gives OCEL 2.0 JSON, ``.sqlite`` OCEL 2.0 SQLite. An existing file is replaced.
    Returns the path written."""
    p = Path(path)
    fmt = _ocel_format(p, "write_ocel")
    if not p.parent.is_dir():
        raise KuvaInputError(f"{p}: the folder {p.parent} does not exist")
    ocel = to_ocel(events)
    pm4py = _pm4py()
    try:
        with _quiet():
            if fmt == "json":
                pm4py.write_ocel2_json(ocel, str(p))
            else:
                pm4py.write_ocel2_sqlite(ocel, str(p))
    except OSError as exc:
        raise KuvaInputError(f"{p}: cannot write ({exc})") from exc
    return p


def _one_per_event(rel: pd.DataFrame, kind: str, eids: pd.Series, source: Path) -> pd.Series:
    """Each event's object of one type (None without one); more than one is refused."""
    mine = rel[rel["type"] == kind].drop_duplicates(["eid", "oid"])
    many = mine["eid"].duplicated()
    if many.any():
        eid = mine.loc[many, "eid"].iloc[0]
        raise KuvaInputError(f"{source}: event {eid!r} relates to more than one {kind} object; KuVa's event log "
                             f"has one {kind} per event")
    value = mine.set_index("eid")["oid"].map(lambda oid: _object_value(kind, str(oid)))
    got = eids.map(value)
    return got.astype(object).where(got.notna(), None)


def from_ocel(ocel: Any, source: Path | str = "OCEL", *, client_column: ClientColumn = "pseudonym") -> pd.DataFrame:
    """A pm4py ``OCEL`` as the raw event-log frame (see :func:`read_ocel`)."""
    src = Path(source)
    events = ocel.events
    rel = pd.DataFrame({"eid": ocel.relations[ocel.event_id_column].astype(str),
                        "oid": ocel.relations[ocel.object_id_column].astype(str),
                        "type": ocel.relations[ocel.object_type_column].astype(str)})
    types = set(ocel.objects[ocel.object_type_column].astype(str)) | set(rel["type"])
    if "client" not in types:
        raise KuvaInputError(f"{src}: the OCEL has no objects of type 'client' (its object types: "
                             f"{sorted(types)}); KuVa's event log needs every event related to one client")
    eids = events[ocel.event_id_column].astype(str).reset_index(drop=True)
    if eids.duplicated().any():
        raise KuvaInputError(f"{src}: event id {eids[eids.duplicated()].iloc[0]!r} appears twice")
    clients = _one_per_event(rel, "client", eids, src)
    if clients.isna().any():
        raise KuvaInputError(f"{src}: event {eids[clients.isna()].iloc[0]!r} relates to no client object")
    out = pd.DataFrame({"event_id": eids, client_column: clients,
                        "event_date": [_day(v) for v in events[ocel.event_timestamp]],
                        "event_type": events[ocel.event_activity].astype(str).to_numpy()})
    for col in STORED_COLUMNS:
        if col in out.columns or col == "pseudonym":
            continue
        kind = next((k for k, c in ID_OBJECTS.items() if c == col), None)
        if kind is not None:
            out[col] = _one_per_event(rel, kind, eids, src)
        elif col in events.columns:
            out[col] = _text(events[col].reset_index(drop=True))
        else:
            out[col] = None
    order = [c if c != "pseudonym" else client_column for c in STORED_COLUMNS]
    return out[order]


def read_ocel(path: Path | str, *, client_column: ClientColumn = "pseudonym") -> pd.DataFrame:
    """Read an OCEL 2.0 log (``.json``/``.jsonocel`` or ``.sqlite``) into the raw event-log format:
    one row per event, the client object's id in ``pseudonym`` (or in ``client_id`` with
    ``client_column="client_id"``, for a log with the source system's ids, which
    :func:`~kuva.process.eventlog.validate_event_log` then pseudonymises), the case, plan and
    referral objects' ids in ``case_id``/``plan_id``/``referral_id`` and the event attributes of
    the same names in their columns (other attributes are left out). Validate the result with
    ``validate_event_log(read_ocel(p), str(p))``."""
    p = Path(path)
    fmt = _ocel_format(p, "read_ocel")
    if not p.is_file():
        raise KuvaInputError(f"{p}: no such file")
    pm4py = _pm4py()
    reader = pm4py.read_ocel2_json if fmt == "json" else pm4py.read_ocel2_sqlite
    ocel = _parse(p, "OCEL 2.0 JSON" if fmt == "json" else "OCEL 2.0 SQLite", lambda: reader(str(p)))
    return from_ocel(ocel, p, client_column=client_column)


# -- XES ------------------------------------------------------------------------------------------
def _xes_path(path: Path | str, what: str) -> Path:
    p = Path(path)
    if p.suffix.lower() != ".xes":
        raise KuvaInputError(f"{p}: {what} handles .xes files, not {p.suffix or 'no suffix'}")
    return p


def write_xes(events: pd.DataFrame, path: Path | str) -> Path:
    """Write the event log as XES: one trace per client (``concept:name`` = pseudonym), events in
    date order within the trace with ``concept:name`` = event_type, ``time:timestamp`` = the date
    (UTC midnight), ``identity:id`` = event_id and the other columns as string attributes of the
    same names. An existing file is replaced. Returns the path written."""
    p = _xes_path(path, "write_xes")
    if not p.parent.is_dir():
        raise KuvaInputError(f"{p}: the folder {p.parent} does not exist")
    log = _checked(events, "write_xes")
    pm4py = _pm4py()
    from pm4py.objects.log.obj import Event, EventLog, Trace

    extensions = {name: {"prefix": prefix, "uri": f"http://www.xes-standard.org/{prefix}.xesext"}
                  for name, prefix in (("Concept", "concept"), ("Time", "time"), ("Identity", "identity"))}
    xlog = EventLog(attributes={"concept:name": "KuVa service-process event log"}, extensions=extensions)
    log = log.sort_values("event_date", kind="stable")
    for pseudonym, rows in log.groupby("pseudonym", sort=False):
        trace = Trace(attributes={"concept:name": str(pseudonym)})
        for r in rows.to_dict(orient="records"):
            ev = {"concept:name": r["event_type"], "time:timestamp": _utc_midnight(r["event_date"]),
                  "identity:id": r["event_id"]}
            ev.update({c: r[c] for c in XES_ATTRIBUTES if r[c] is not None})
            trace.append(Event(ev))
        xlog.append(trace)
    try:
        with _quiet():
            pm4py.write_xes(xlog, str(p), variant_str="line_by_line", show_progress_bar=False)
    except OSError as exc:
        raise KuvaInputError(f"{p}: cannot write ({exc})") from exc
    return p


def read_xes(path: Path | str, *, client_column: ClientColumn = "pseudonym") -> pd.DataFrame:
    """Read an XES log into the raw event-log format: the trace's ``concept:name`` is the client
    (``pseudonym``, or ``client_id`` with ``client_column="client_id"``), the event's
    ``concept:name`` the event_type, ``time:timestamp`` the date (in UTC), ``identity:id`` the
    event_id (empty: validate_event_log derives one) and string attributes named like KuVa's
    columns fill those columns. Events whose ``lifecycle:transition`` is other than ``complete``
    are left out (a start and a complete are one KuVa event), and so are other attributes."""
    p = _xes_path(path, "read_xes")
    if not p.is_file():
        raise KuvaInputError(f"{p}: no such file")
    pm4py = _pm4py()
    xlog = _parse(p, "XES", lambda: pm4py.read_xes(str(p), variant="iterparse", return_legacy_log_object=True,
                                                   show_progress_bar=False))
    rows: list[dict[str, object]] = []
    for n, trace in enumerate(xlog, start=1):
        client = trace.attributes.get("concept:name")
        if client is None or str(client).strip() == "":
            raise KuvaInputError(f"{p}: trace {n} has no concept:name (the client)")
        for ev in trace:
            if str(ev.get("lifecycle:transition", "complete")).lower() != "complete":
                continue
            row: dict[str, object] = {"event_id": ev.get("identity:id"), client_column: str(client),
                                      "event_date": _day(ev.get("time:timestamp")),
                                      "event_type": ev.get("concept:name")}
            row.update({c: ev.get(c) for c in XES_ATTRIBUTES})
            rows.append(row)
    if not rows:
        raise KuvaInputError(f"{p}: the XES log has no events")
    order = [c if c != "pseudonym" else client_column for c in STORED_COLUMNS]
    frame = pd.DataFrame(rows, columns=order)
    return pd.DataFrame({c: _text(frame[c]) for c in order})


__all__ = [
    "EVENT_ATTRIBUTES",
    "OBJECT_TYPES",
    "XES_ATTRIBUTES",
    "from_ocel",
    "read_ocel",
    "read_xes",
    "to_ocel",
    "write_ocel",
    "write_xes",
]
