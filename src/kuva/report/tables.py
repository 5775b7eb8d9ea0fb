"""Tables in the report: disclosure control at the output boundary, display formatting and the
CSV/Excel files written beside the report.

Analysis tables arrive protected by the disclosure engine (:attr:`AnalysisResult.disclosure`,
declared with their totals and derived values). A table that an analysis did not declare is put
through the same engine here, with every count column it can recognise (no totals known: each
count its own cell). Every table is written with its disclosure sidecar
(``<table>.disclosure.json``) for ``kuva privacy audit``, and the report refuses to write a table
in which a person count in ``[1, min_cell)`` survives (:class:`ReportDisclosureError`).
Count columns are the ones an analysis declares
(:attr:`AnalysisResult.count_columns <kuva.analysis.result.AnalysisResult.count_columns>`), and in
addition columns named like counts (``n``, ``count``, ``persons``, ``*_count`` and other
person-count words), columns named after a measure whose unit is persons, and, in long tables
with ``measure`` and ``value`` columns, the ``value`` of every persons measure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaError
from kuva.privacy.audit import write_sidecar
from kuva.privacy.disclosure import SUPPRESSED_FLAG, person_count_measures
from kuva.privacy.engine import ProtectedTable, Publication
from kuva.privacy.policy import policy
from kuva.privacy.spec import Count, Derived, TableSpec
from kuva.report.names import column_label, for_display, value_name, with_names

COUNT_NAMES = frozenset({"n", "count", "persons", "n_persons", "people"})
#: person-count words in a column name (``unemployed``, ``in_services_now``, ``clients_count``...)
_COUNT_RE = re.compile(
    r"(^|_)(count|persons|unemployed|in_services|jobseekers|clients|respondents|participants)(_|$)"
)
#: ...unless the name says it is a rate, share, change or index, not a count
_NOT_COUNT_RE = re.compile(r"(rate|pct|percent|share|change|diff|gap|ratio|index|relative|growth|mean|std|_d$)")
#: derived values masked together with a suppressed count in the same row
_DERIVED_RE = re.compile(r"(rate|pct|percent|share)")
SUPPRESSED_MARK = "–"


class ReportDisclosureError(KuvaError, RuntimeError):
    """A table about to be written still shows a person count below the minimum cell size."""


def count_columns(table: pd.DataFrame, declared: Sequence[str] = ()) -> list[str]:
    """The wide count columns of ``table`` (declared ones first, then recognised by name)."""
    persons = person_count_measures()
    out = [c for c in declared if c in table.columns]
    for col in table.columns:
        name = str(col)
        low = name.lower()
        if col in out or not pd.api.types.is_numeric_dtype(table[col]) or pd.api.types.is_bool_dtype(table[col]):
            continue
        if low in COUNT_NAMES or name.upper() in persons or (_COUNT_RE.search(low) and not _NOT_COUNT_RE.search(low)):
            out.append(name)
    return out


def long_count_mask(table: pd.DataFrame) -> np.ndarray:
    """Rows of a long table (``measure``, ``value``) whose value is a person count."""
    mask = np.zeros(len(table), dtype=bool)
    if "value" not in table.columns or not pd.api.types.is_numeric_dtype(table["value"]):
        return mask
    if "unit" in table.columns:
        mask |= table["unit"].astype(str).str.lower().eq("persons").to_numpy()
    if "measure" in table.columns:
        mask |= table["measure"].astype(str).str.upper().isin(person_count_measures()).to_numpy()
    return mask


def _small(values: pd.Series, min_cell: int) -> np.ndarray:
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    return np.asarray((v > 0) & (v < min_cell), dtype=bool)


def publish_result(result: AnalysisResult, min_cell: int) -> ProtectedTable:
    """The table of ``result`` as the disclosure engine protected it (see the module docstring)."""
    done = result.disclosure
    if done is not None and done.note.policy.get("min_cell") == min_cell:
        return done
    return protect_undeclared(result.table, result.key, min_cell, declared_count_columns(result))


def protect_undeclared(table: pd.DataFrame, key: str, min_cell: int, declared: Sequence[str] = ()) -> ProtectedTable:
    """A table no analysis declared, through the engine: each recognisable count is a cell of its
    own; rate/share columns in a row with a hidden count are hidden with it; in a long table
    (``measure``/``value``) the value of every persons measure is a count."""
    from kuva.config import load_settings

    settings = load_settings()
    pol = policy(min_cell, override=settings.min_cell_override, rounding=settings.rounding)
    out = table.reset_index(drop=True)
    wide = count_columns(out, declared)
    derived = [str(c) for c in out.columns if str(c) not in wide and _DERIVED_RE.search(str(c).lower())
               and pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])]
    spec = TableSpec(counts=tuple(Count(c, ()) for c in wide),
                     derived=tuple(Derived(d, tuple(wide)) for d in derived) if wide else ())
    pub = Publication(pol)
    pub.add(key, out, spec)
    mask = long_count_mask(out)
    for r in np.flatnonzero(mask):
        pub.add_cell(key, out, int(r), "value", ("value", (("row", str(r)), ("table", key))), public=False)
    return pub.protect()[key]


def control_table(table: pd.DataFrame, min_cell: int, declared: Sequence[str] = ()) -> pd.DataFrame:
    """``table`` with every recognisable small person count hidden by the engine (a copy)."""
    out = protect_undeclared(table, "table", min_cell, declared).frame
    check_table(out, min_cell, declared)
    return out


def check_table(table: pd.DataFrame, min_cell: int, declared: Sequence[str] = (), *, name: str = "") -> None:
    """Raise :class:`ReportDisclosureError` if a person count in ``[1, min_cell)`` is shown."""
    for col in count_columns(table, declared):
        bad = _small(table[col], min_cell)
        if bad.any():
            raise ReportDisclosureError(
                f"table {name or '?'}: column {col!r} shows {int(bad.sum())} count(s) below {min_cell}"
            )
    mask = long_count_mask(table)
    bad = mask & _small(table["value"], min_cell) if mask.any() else mask
    if bad.any():
        raise ReportDisclosureError(
            f"table {name or '?'}: {int(bad.sum())} person count(s) below {min_cell} in column 'value'"
        )


def declared_count_columns(result: AnalysisResult) -> tuple[str, ...]:
    """The person-count columns an analysis declares (:attr:`AnalysisResult.count_columns`)."""
    return tuple(str(c) for c in result.count_columns)


# -- formatting ---------------------------------------------------------------------------------

def format_number(value: float, lang: str, decimals: int | None = None) -> str:
    """A number as a reader of ``lang`` writes it (fi/sv: ``1 234,5``; en: ``1,234.5``)."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else (1 if abs(value) >= 10 else 2)
    s = f"{value:,.{decimals}f}"
    if lang in ("fi", "sv"):
        s = s.replace(",", "\u202f").replace(".", ",").replace("-", "−")
    return s


def format_cell(value: object, lang: str) -> str:
    """One table cell as display text; missing values show as ``–``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return SUPPRESSED_MARK
    if isinstance(value, bool | np.bool_):
        return "✓" if value else ""
    if isinstance(value, pd.Timestamp | datetime):
        ts = pd.Timestamp(value)
        return ts.strftime("%Y-%m") if ts.day == 1 and ts.hour == 0 and ts.minute == 0 else ts.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.strftime("%Y-%m") if value.day == 1 else value.isoformat()
    if isinstance(value, int | np.integer):
        return format_number(float(value), lang, 0)
    if isinstance(value, float | np.floating):
        if math.isnan(float(value)):
            return SUPPRESSED_MARK
        return format_number(float(value), lang)
    return str(value)


@dataclass(frozen=True)
class DisplayTable:
    """A table as the report shows it: localized headers and formatted cells."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total_rows: int
    numeric: tuple[bool, ...]  #: right-align these columns
    has_suppressed: bool


def display_table(table: pd.DataFrame, lang: str, max_rows: int) -> DisplayTable:
    """Format ``table`` for the page: the first ``max_rows`` rows, the flag column dropped."""
    has_suppressed = bool(SUPPRESSED_FLAG in table.columns and table[SUPPRESSED_FLAG].astype(bool).any())
    shown, header_names = for_display(table.drop(columns=[SUPPRESSED_FLAG], errors="ignore"), lang)
    headers = tuple(header_names.get(str(c)) or column_label(str(c), lang) for c in shown.columns)
    numeric = tuple(
        bool(pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c]))
        for c in shown.columns
    )
    head = shown_rows(shown, max_rows)
    head = head.assign(**{
        str(c): head[c].map(lambda v, c=str(c): value_label(v, lang, c)) for c in head.columns
        if head[c].dtype == object or pd.api.types.is_string_dtype(head[c])
    })
    years = [c for c in head.columns if str(c) == "year" or str(c).endswith("_year")]
    head = head.assign(**{str(c): head[c].map(lambda v: str(int(v)) if pd.notna(v) else v) for c in years})
    rows = tuple(tuple(format_cell(v, lang) for v in rec) for rec in head.itertuples(index=False, name=None))
    return DisplayTable(headers, rows, len(shown), numeric, has_suppressed)


def shown_rows(table: pd.DataFrame, max_rows: int) -> pd.DataFrame:
    """At most ``max_rows`` rows: for a table with a ``period`` column the latest periods
    (every row of each), else the first rows."""
    if len(table) <= max_rows:
        return table
    if "period" in table.columns:
        periods = sorted(table["period"].dropna().unique())
        per = max(1, int(table.groupby("period").size().max()))
        keep = periods[-max(1, max_rows // per):]
        latest = table[table["period"].isin(keep)]
        if 0 < len(latest) <= max_rows:
            return latest
    return table.head(max_rows)


def value_label(value: object, lang: str, column: str = "") -> object:
    """A text cell as a reader sees it: a label key (e.g. a group ``pilot``) or a code (area,
    pilot area, service) as its name in ``lang`` (:func:`kuva.report.names.value_name`); other
    values unchanged."""
    if not isinstance(value, str) or not value:
        return value
    return value_name(value, lang, column)


# -- files --------------------------------------------------------------------------------------

def safe_name(key: str) -> str:
    """A file-name-safe form of a result key."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("_") or "table"


def write_table_files(table: pd.DataFrame, key: str, lang: str, out_dir: Path,
                      sidecar: Mapping[str, Any] | None = None) -> tuple[Path, Path]:
    """Write ``table`` as ``<key>.csv`` (UTF-8, column keys as headers) and ``<key>.xlsx``
    (headers in ``lang``) into ``out_dir``, with the disclosure ``sidecar`` as
    ``<key>.disclosure.json`` when given; return the CSV and Excel paths. Both files keep every
    code column and get the names in ``lang`` beside it (:func:`kuva.report.names.with_names`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = with_names(table, lang)
    name = safe_name(key)
    csv_path = out_dir / f"{name}.csv"
    xlsx_path = out_dir / f"{name}.xlsx"
    table.to_csv(csv_path, index=False, encoding="utf-8")
    if sidecar is not None:
        write_sidecar(csv_path, sidecar)
    labelled = table.rename(columns={c: column_label(str(c), lang) for c in table.columns})
    # Excel has no timezone-aware datetimes; dates stay dates.
    for col in labelled.columns:
        if isinstance(labelled[col].dtype, pd.DatetimeTZDtype):
            labelled[col] = labelled[col].dt.tz_localize(None)
    with pd.ExcelWriter(xlsx_path, engine="openpyxl") as writer:
        labelled.to_excel(writer, sheet_name=name[:31], index=False)
    return csv_path, xlsx_path
