"""The definitions section: every indicator or measure an analysis in the report refers to.

Terms are found in the results' tables (column names, values of ``measure``/``indicator``
columns) and key numbers. Each is looked up in the indicator catalogue
(:mod:`kuva.indicators`) when it is there, else in the measure catalogue of the registry.
The catalogues define their terms in English; the report shows the definition in its language from
the translation table (``kuva/i18n/data/definitions.json``: ``definition.indicator.<code>``,
``caveat.indicator.<code>``, ``definition.measure.<CODE>``), whose English text must equal the
catalogue's (a test keeps them in step).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kuva.analysis.result import AnalysisResult
from kuva.i18n import has_label, label
from kuva.indicators.catalogue import indicators
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


def _text(key: str, english: str, lang: str) -> str:
    """The translated text of ``key``; the catalogue's English when the table lacks it."""
    return label(key, lang) if has_label(key) else english


def definitions_for(results: Sequence[AnalysisResult], lang: str) -> list[dict[str, str]]:
    """``[{"key", "term", "definition"}]`` for the terms the results use, in order of appearance."""
    catalogue = indicators()
    cat = measures()
    out: list[dict[str, str]] = []
    for key in _candidate_keys(results):
        term = definition = None
        ind = catalogue.get(key)
        if ind is not None:
            term = ind.name(lang)
            definition = _text(f"definition.indicator.{key}", ind.definition, lang)
            if ind.caveats:
                definition = f"{definition} {_text(f'caveat.indicator.{key}', ind.caveats, lang)}"
        else:
            m = cat.get(key.upper())
            if m is not None and m.definition:
                term, definition = m.name(lang), _text(f"definition.measure.{m.code}", m.definition, lang)
        if term and definition:
            out.append({"key": key, "term": term, "definition": definition})
    return out
