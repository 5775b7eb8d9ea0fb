"""What a reader sees for a key or a code in a report table (CONVENTIONS #12: names, not codes).

* :func:`column_label`: a column header or a key number's name — the translation table
  (:func:`kuva.i18n.label`), else the measure catalogue's name, else the column as it is.
* :func:`value_name`: a text cell — a label key (e.g. the group ``pilot``), an area code
  (``KU091`` → Helsinki / Helsingfors), a pilot-area code (``kainuu`` → Kainuun seutu) or a service
  code (``labour_market_training`` → Työvoimakoulutus) in the report's language; any other text
  unchanged (it is data, not a key).

The CSV files keep the codes; the display and the Excel files add names beside them.
"""

from __future__ import annotations

import functools

from kuva.i18n import has_label, label


@functools.cache
def column_label(key: str, lang: str) -> str:
    """A table column or number key as a reader sees it (translation table, measures, else the key)."""
    if has_label(key):
        return label(key, lang)
    from kuva.registry import measures

    m = measures().get(key.upper())
    return m.name(lang) if m is not None else key
