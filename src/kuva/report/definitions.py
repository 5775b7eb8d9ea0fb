"""The definitions section: every indicator or measure an analysis in the report refers to.

Terms are found in the results' tables (column names, values of ``measure``/``indicator``
columns) and key numbers. Each is looked up in the indicator catalogue
(:mod:`kuva.indicators`) when it is there, else in the measure catalogue of the registry.
Measure definitions in the registry are written in English; their names are translated.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from typing import Any

from kuva.analysis.result import AnalysisResult
from kuva.registry import measures

_TERM_COLUMNS = ("measure", "indicator", "indicator_key")


def _candidate_keys(results: Iterable[AnalysisResult]) -> list[str]:
    keys: list[str] = []
    for r in results:
        keys.extend(str(c) for c in r.table.columns)
        for col in _TERM_COLUMNS:
            if col in r.table.columns:
                keys.extend(str(v) for v in r.table[col].dropna().unique())
        keys.extend(str(k) for k in r.numbers)
    return list(dict.fromkeys(keys))


def _indicator_lookup() -> Any:
    """A function code -> indicator from the catalogue :mod:`kuva.indicators.catalogue`, or None."""
    try:
        mod = importlib.import_module("kuva.indicators.catalogue")
    except ModuleNotFoundError:
        return None
    cat = getattr(mod, "indicators", None)
    if callable(cat):
        found = cat()
        if isinstance(found, dict):
            return found.get
    return None


def _text_of(obj: Any, attr: str, lang: str) -> str | None:
    """``obj.<attr>(lang)``, ``obj.<attr>[lang]``, ``obj.<attr>_<lang>`` or ``obj.<attr>``."""
    val = getattr(obj, f"{attr}_{lang}", None)
    if isinstance(val, str) and val:
        return val
    val = getattr(obj, attr, None)
    if callable(val):
        try:
            out = val(lang)
        except TypeError:
            out = None
        return out if isinstance(out, str) and out else None
    if isinstance(val, dict):
        out = val.get(lang) or val.get("en")
        return out if isinstance(out, str) else None
    return val if isinstance(val, str) and val else None


def definitions_for(results: Sequence[AnalysisResult], lang: str) -> list[dict[str, str]]:
    """``[{"key", "term", "definition"}]`` for the terms the results use, in order of appearance."""
    lookup = _indicator_lookup()
    cat = measures()
    out: list[dict[str, str]] = []
    for key in _candidate_keys(results):
        term = definition = None
        if lookup is not None:
            try:
                ind = lookup(key)
            except (KeyError, LookupError, ValueError):
                ind = None
            if ind is not None:
                term = _text_of(ind, "name", lang) or _text_of(ind, "label", lang)
                definition = _text_of(ind, "definition", lang) or _text_of(ind, "description", lang)
                caveat = _text_of(ind, "caveats", lang)
                if definition and caveat:
                    definition = f"{definition} {caveat}"
        if definition is None:
            m = cat.get(key.upper())
            if m is not None and m.definition:
                term, definition = m.name(lang), m.definition
        if term and definition:
            out.append({"key": key, "term": term, "definition": definition})
    return out
