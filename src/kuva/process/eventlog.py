"""The service-process event log: its format, the template and the reader/validator.

One row per event of a client's service process (docs/process.md). A municipality exports
these from its client systems (employment services, social services, health care, education)
as CSV, Excel or Parquet; :func:`read_event_log` validates every row — naming file, row and
field on the first problem — refuses any personal identity code, and turns raw client ids into
keyed pseudonyms (``KUVA_PSEUDONYM_KEY``) before anything is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from kuva.errors import BadRowError, KuvaInputError
from kuva.privacy.pseudonym import PSEUDONYM_PATTERN, first_identity_code, pseudonymise
from kuva.registry import area_registry

EventType = Literal[
    "registration",  # registration as a jobseeker (starts a client spell)
    "initial_interview",  # alkuhaastattelu
    "service_need_assessment",  # palvelutarpeen arviointi
    "plan_created", "plan_updated", "plan_expired",  # työllistymissuunnitelma
    "job_search_talk",  # työnhakukeskustelu
    "supplementary_job_search_talk",  # täydentävä työnhakukeskustelu
    "job_offer",  # työtarjous
    "referral_sent", "referral_received", "referral_accepted", "referral_rejected",
    "service_start", "service_end",
    "intensive_period_start",  # tehostettu vaihe (after six months)
    "exit_work", "exit_education", "exit_other", "exit_moved",  # end of the client spell
    "status_3m",  # status three months after a service (detail: work, education, unemployed, other)
    "sanction", "obligation",  # työvoimapoliittinen seuraamus, velvoite
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
EXIT_TYPES: tuple[str, ...] = ("exit_work", "exit_education", "exit_other", "exit_moved")
REFERRAL_TYPES: tuple[str, ...] = ("referral_sent", "referral_received", "referral_accepted", "referral_rejected")

Sector = Literal["employment_services", "social_services", "health_care", "education", "kela",
                 "rehabilitation", "other"]
SECTORS: tuple[str, ...] = Sector.__args__  # type: ignore[attr-defined]
LANGUAGES: tuple[str, ...] = ("fi", "sv", "other")
AGE_GROUPS: tuple[str, ...] = ("15-24", "25-29", "30-54", "55-")


@dataclass(frozen=True)
class Column:
    name: str
    required: str  #: "yes", "no", or when it is required
    description: str


#: The columns of the event-log file, in template order (docs/process.md renders this table).
COLUMNS: tuple[Column, ...] = (
    Column("event_id", "no", "the event's id in the source system; a later load with the same id corrects the "
                             "event (a new vintage); without it the id is derived from the row's content"),
    Column("client_id", "one of client_id, pseudonym", "the client's id in the source system (not a personal "
                                                       "identity code): pseudonymised at import with the key"),
    Column("pseudonym", "one of client_id, pseudonym", "the keyed pseudonym (64 hex characters) when the "
                                                       "file is already pseudonymised"),
    Column("event_date", "yes", "date of the event (YYYY-MM-DD; a time of day is allowed and ignored)"),
    Column("event_type", "yes", "one of: " + ", ".join(EVENT_TYPES)),
    Column("municipality_code", "yes", "the client's municipality (KU + three digits, e.g. KU091)"),
    Column("origin_sector", "for referrals", "where the event or referral comes from: " + ", ".join(SECTORS)),
    Column("destination_sector", "for referrals", "where a referral goes to: " + ", ".join(SECTORS)),
    Column("service_type", "for service_start/service_end", "the service (e.g. VALMENNUS, TYOKOKEILU, "
                                                             "KOULUTUS, or the area's own codes)"),
    Column("provider", "no", "who provides the service"),
    Column("case_id", "no", "the client spell (asiakkuus) in the source system"),
    Column("plan_id", "for plan events", "the employment plan the event belongs to"),
    Column("referral_id", "for referral events", "the referral; a service_start realising a referral carries "
                                                 "its id"),
    Column("age_group", "no", "on registration: " + ", ".join(AGE_GROUPS)),
    Column("language", "no", "on registration: " + ", ".join(LANGUAGES)),
    Column("detail", "no", "free detail (for status_3m: work, education, unemployed, other)"),
)
STORED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.name != "client_id")
_OPTIONAL_TEXT = ("origin_sector", "destination_sector", "service_type", "provider", "case_id", "plan_id",
                  "referral_id", "age_group", "language", "detail")


def template_frame() -> pd.DataFrame:
    """An example event log with every column (what ``kuva process template`` writes)."""
    rows = [
        ("e1", "A-1001", "2025-03-03", "registration", "KU091", "employment_services", "", "", "", "c1", "", "",
         "25-29", "fi", ""),
        ("e2", "A-1001", "2025-03-07", "initial_interview", "KU091", "employment_services", "", "", "", "c1", "",
         "", "", "", ""),
        ("e3", "A-1001", "2025-03-07", "plan_created", "KU091", "employment_services", "", "", "", "c1", "p1", "",
         "", "", ""),
        ("e4", "A-1001", "2025-03-20", "referral_sent", "KU091", "social_services", "employment_services", "",
         "", "c1", "", "r1", "", "", ""),
        ("e5", "A-1001", "2025-04-14", "service_start", "KU091", "employment_services", "", "VALMENNUS",
         "Provider Oy", "c1", "", "r1", "", "", ""),
        ("e6", "A-1001", "2025-06-30", "service_end", "KU091", "employment_services", "", "VALMENNUS",
         "Provider Oy", "c1", "", "", "", "", ""),
        ("e7", "A-1001", "2025-08-01", "exit_work", "KU091", "employment_services", "", "", "", "c1", "", "", "",
         "", ""),
    ]
    names = [c.name for c in COLUMNS if c.name != "pseudonym"]
    return pd.DataFrame(rows, columns=names)


def _read_file(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
            frame = frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object})
        elif suffix in (".csv", ".txt"):
            with path.open(encoding="utf-8-sig") as f:
                head = f.readline()
            sep = ";" if head.count(";") > head.count(",") else ","
            frame = pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        else:
            raise KuvaInputError(f"{path}: an event log is .csv, .xlsx or .parquet, not {suffix or 'no suffix'}")
    except (OSError, ValueError) as exc:
        raise KuvaInputError(f"{path}: cannot read ({exc})") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def validate_event_log(frame: pd.DataFrame, source: str, *, key: bytes | None = None) -> pd.DataFrame:
    """The validated, pseudonymised event log in the stored shape (:data:`STORED_COLUMNS` plus
    ``row``, the file's row number). Raises :class:`BadRowError` on the first problem."""
    frame = frame.reset_index(drop=True)
    rows = np.arange(2, len(frame) + 2)  # header is row 1
    known = {c.name for c in COLUMNS}
    unknown = [c for c in frame.columns if c not in known]
    if unknown:
        raise BadRowError(source, 1, str(unknown[0]), f"unknown column; the format's columns are {sorted(known)}")
    for col in frame.columns:
        i = first_identity_code(frame[col].astype("string"))
        if i is not None:
            raise BadRowError(source, int(rows[i]), col, "contains a personal identity code (henkilötunnus); the "
                                                         "file is refused and nothing is stored")
    for col in ("event_date", "event_type", "municipality_code"):
        if col not in frame.columns:
            raise BadRowError(source, None, col, "required column missing")
    def cleaned(c: str) -> pd.Series:
        if c not in frame.columns:
            return pd.Series(pd.NA, index=frame.index, dtype="string")
        v = frame[c].astype("string").str.strip()
        return v.mask(v == "")

    text = {c: cleaned(c) for c in known}
    if "pseudonym" in frame.columns and text["pseudonym"].notna().any():
        pseud = text["pseudonym"].str.lower()
        bad = _first(~pseud.str.fullmatch(PSEUDONYM_PATTERN).fillna(False).to_numpy(dtype=bool))
        if bad is not None:
            raise BadRowError(source, int(rows[bad]), "pseudonym", "not a keyed pseudonym (64 hex characters)")
    elif "client_id" in frame.columns:
        ids = text["client_id"]
        bad = _first(ids.isna().to_numpy())
        if bad is not None:
            raise BadRowError(source, int(rows[bad]), "client_id", "empty client id")
        if key is None:
            from kuva.config import pseudonym_key

            key = pseudonym_key()
        pseud = pd.Series([pseudonymise(str(v), key) for v in ids], index=frame.index, dtype="string")
    else:
        raise BadRowError(source, None, "client_id", "give client_id (pseudonymised at import) or pseudonym")
    dates = pd.to_datetime(text["event_date"], errors="coerce", format="mixed")
    bad = _first(dates.isna().to_numpy())
    if bad is not None:
        raise BadRowError(source, int(rows[bad]), "event_date", f"not a date: {frame['event_date'].iloc[bad]!r}")
    kinds = text["event_type"]
    bad = _first(~kinds.isin(EVENT_TYPES).to_numpy(dtype=bool))
    if bad is not None:
        raise BadRowError(source, int(rows[bad]), "event_type",
                          f"must be one of {list(EVENT_TYPES)}, got {frame['event_type'].iloc[bad]!r}")
    munis = {m.code for m in area_registry().municipalities()}
    bad = _first(~text["municipality_code"].isin(munis).to_numpy(dtype=bool))
    if bad is not None:
        raise BadRowError(source, int(rows[bad]), "municipality_code",
                          f"unknown municipality code {frame['municipality_code'].iloc[bad]!r} (KU + three digits)")
    for col, allowed in (("origin_sector", SECTORS), ("destination_sector", SECTORS), ("age_group", AGE_GROUPS),
                         ("language", LANGUAGES)):
        v = text[col]
        bad = _first((v.notna() & ~v.isin(allowed)).to_numpy(dtype=bool))
        if bad is not None:
            raise BadRowError(source, int(rows[bad]), col, f"must be one of {list(allowed)}, got {v.iloc[bad]!r}")
    is_ref = kinds.isin(REFERRAL_TYPES).to_numpy(dtype=bool)
    for col in ("origin_sector", "destination_sector", "referral_id"):
        bad = _first(is_ref & text[col].isna().to_numpy())
        if bad is not None:
            raise BadRowError(source, int(rows[bad]), col, f"a {kinds.iloc[bad]} needs {col}")
    is_service = kinds.isin(["service_start", "service_end"]).to_numpy(dtype=bool)
    bad = _first(is_service & text["service_type"].isna().to_numpy())
    if bad is not None:
        raise BadRowError(source, int(rows[bad]), "service_type", f"a {kinds.iloc[bad]} needs service_type")
    is_plan = kinds.str.startswith("plan_").fillna(False).to_numpy(dtype=bool)
    bad = _first(is_plan & text["plan_id"].isna().to_numpy())
    if bad is not None:
        raise BadRowError(source, int(rows[bad]), "plan_id", f"a {kinds.iloc[bad]} needs plan_id")
    out = pd.DataFrame({"pseudonym": pseud.astype(str), "event_date": dates.dt.date, "event_type": kinds.astype(str),
                        "municipality_code": text["municipality_code"].astype(str)})
    for col in _OPTIONAL_TEXT:
        out[col] = text[col].astype(object).where(text[col].notna(), None)
    derived = pd.Series([_event_id(r) for r in out.itertuples(index=False)], index=out.index)
    given = text["event_id"]
    out.insert(0, "event_id", given.astype(object).where(given.notna(), derived))
    dup = out["event_id"].duplicated(keep=False).to_numpy()
    bad = _first(dup)
    if bad is not None:
        raise BadRowError(source, int(rows[bad]), "event_id",
                          f"event id {out['event_id'].iloc[bad]!r} appears twice in one file")
    out["row"] = rows
    return out[[*STORED_COLUMNS, "row"]]


def _event_id(r: object) -> str:
    parts = "|".join(str(getattr(r, c)) for c in ("pseudonym", "event_date", "event_type", "service_type", "plan_id",
                                                  "referral_id", "origin_sector", "destination_sector"))
    return "h:" + hashlib.sha256(parts.encode("utf-8")).hexdigest()[:24]


def read_event_log(path: Path | str, *, key: bytes | None = None) -> pd.DataFrame:
    """Read and validate an event-log file (CSV, Excel or Parquet); see :func:`validate_event_log`."""
    p = Path(path)
    if not p.is_file():
        raise KuvaInputError(f"{p}: no such file")
    return validate_event_log(_read_file(p), str(p), key=key)


__all__ = [
    "AGE_GROUPS",
    "COLUMNS",
    "EVENT_TYPES",
    "EXIT_TYPES",
    "LANGUAGES",
    "REFERRAL_TYPES",
    "SECTORS",
    "STORED_COLUMNS",
    "read_event_log",
    "template_frame",
    "validate_event_log",
]
