"""User-facing words of the effect estimates: a thin view on the project's one translation table
(:mod:`kuva.i18n`), where the words live (keys ``effects.*`` and ``report.chapter.effects*``)."""

from __future__ import annotations

from kuva.i18n import LABELS, check_lang


def effects_label(key: str, lang: str = "en") -> str:
    """The label in ``lang``; an unknown key comes back unchanged."""
    lang = check_lang(lang)
    entry = LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang, key)
