"""User-facing words of the report: a thin view on the project's one translation table
(:mod:`kuva.i18n`), where the words live (keys ``report.*`` and the analyses' keys).

:func:`text` returns an unknown key unchanged (a visible gap, never a crash); :func:`column_label`
also knows the measure catalogue's names.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from kuva.i18n import LABELS
from kuva.registry import measures

ReportLang = Literal["fi", "sv", "en"]
LANGS: tuple[ReportLang, ...] = ("fi", "sv", "en")


def _lookup(key: str, lang: str) -> str | None:
    entry = LABELS.get(key)
    if entry is None:
        return None
    return entry.get(lang) or entry.get("en")


def text(key: str, lang: str, **fmt: object) -> str:
    """The label ``key`` in ``lang``; keyword arguments fill ``{placeholders}``."""
    found = _lookup(key, lang) or key
    return found.format(**fmt) if fmt else found


@lru_cache(maxsize=8192)
def column_label(key: str, lang: str) -> str:
    """A table column or number key as a reader sees it (translation table, measures, else the key)."""
    found = _lookup(key, lang)
    if found is not None:
        return found
    m = measures().get(key.upper())
    return m.name(lang) if m is not None else key
