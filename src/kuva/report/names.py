"""What a reader sees for a key or a code in a report table (CONVENTIONS #12: names, not codes).

* :func:`column_label`: a column header or a key number's name — the translation table
  (:func:`kuva.i18n.label`), else the measure catalogue's name, else the column as it is.
* :func:`code_name`: the name of an area code (``KU091`` → Helsinki / Helsingfors, ``SK011``,
  ``MK06``, ``ELY05``, ``SSS``), a pilot-area code (``kainuu`` → Kainuun seutu; the pilot list of the
  settings, ``KUVA_PILOTS_CSV``) or a service code (``labour_market_training`` → Työvoimakoulutus /
  Arbetskraftsutbildning / Labour market training) in the report's language; ``None`` for any
  other text.
* :func:`value_name`: a text cell as shown — the label ``<column>.<value>`` (e.g.
  ``basic_situation.working``), a code's name, the label ``<value>`` (e.g. the group ``pilot``), a
  measure's name, else the text unchanged (it is data, not a key).

Where the names go: the page (HTML and PDF) shows names in place of codes, a code column under
the header of what it names (``area_code`` → "Alue"), and drops a code column whose names the
table already has beside it; the CSV and Excel files keep every code column and get its names in
a column right after it (``area_code`` → ``area_name``), so machines keep the codes and people
can read the file (:func:`with_names`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kuva.i18n import check_lang, has_label, label

if TYPE_CHECKING:
    import pandas as pd


@functools.cache
def column_label(key: str, lang: str) -> str:
    """A table column or number key as a reader sees it (translation table, measures, else the key)."""
    if has_label(key):
        return label(key, lang)
    from kuva.registry import measures

    m = measures().get(key.upper())
    return m.name(lang) if m is not None else key


@functools.cache
def _pilot_names() -> Mapping[str, str]:
    from kuva.config import load_settings
    from kuva.registry import programme_registry

    return {a.code: a.name for a in programme_registry(load_settings().pilots_csv).areas()}


@functools.cache
def _service_names() -> Mapping[str, tuple[str, str, str]]:
    from kuva.registry import service_types

    return {s.code: (s.name_fi, s.name_sv, s.name_en) for s in service_types()}


@functools.cache
def code_name(code: str, lang: str) -> str | None:
    """The name of an area, pilot-area or service code in ``lang``; ``None`` if ``code`` is none of them."""
    from kuva.registry import area_registry

    lang = check_lang(lang)
    areas = area_registry()
    if areas.is_known(code):
        return areas.area(code).name(lang)
    pilot = _pilot_names().get(code)
    if pilot is not None:
        return pilot  # the pilot areas have one official name
    service = _service_names().get(code)
    if service is not None:
        return service[("fi", "sv", "en").index(lang)]
    return None


@functools.cache
def value_name(value: str, lang: str, column: str = "") -> str:
    """A text cell of column ``column`` as a reader of ``lang`` sees it (see the module docstring)."""
    if column and has_label(f"{column}.{value}"):
        return label(f"{column}.{value}", lang)
    named = code_name(value, lang)
    if named is not None:
        return named
    return column_label(value, lang)


def _text_values(series: pd.Series) -> list[str] | None:
    values = series.dropna().unique().tolist()
    if not values or not all(isinstance(v, str) for v in values):
        return None
    return values


def code_columns(table: pd.DataFrame, lang: str) -> dict[str, pd.Series]:
    """Every column of ``table`` that holds codes (every non-empty cell an area, pilot-area or
    service code), with the names of its cells in ``lang``."""
    out: dict[str, pd.Series] = {}
    for col in table.columns:
        values = _text_values(table[col])
        if values is None or any(code_name(v, lang) is None for v in values):
            continue
        out[str(col)] = table[col].map(lambda v: code_name(v, lang) if isinstance(v, str) else v)
    return out


def name_column(column: str) -> str:
    """The name column beside a code column: ``area_code`` → ``area_name``, ``service`` → ``service_name``."""
    return f"{column.removesuffix('_code')}_name"


def _named_elsewhere(table: pd.DataFrame, column: str, names: pd.Series) -> bool:
    """Whether another column of ``table`` already holds exactly these names."""
    return any(str(c) != column and table[c].astype(object).equals(names.astype(object)) for c in table.columns)


def with_names(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``table`` (a copy) with a name column right after every code column that has no names
    beside it yet; for the CSV and Excel files."""
    out = table.copy()
    for col, names in code_columns(table, lang).items():
        target = name_column(col)
        if target in out.columns or _named_elsewhere(table, col, names):
            continue
        out.insert(list(out.columns).index(col) + 1, target, names)
    return out


def for_display(table: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """``table`` (a copy) as the page shows it: code columns hold names (or are dropped when the
    table already has those names), with header overrides for the renamed code columns."""
    out = table.copy()
    headers: dict[str, str] = {}
    for col, names in code_columns(table, lang).items():
        if _named_elsewhere(table, col, names):
            out = out.drop(columns=[col])
            continue
        out[col] = names
        base = col.removesuffix("_code")
        if base != col and has_label(base):
            headers[col] = label(base, lang)
    return out, headers
