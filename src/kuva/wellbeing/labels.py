"""User-facing words of the Kykyviisari analyses: a thin view on the project's one translation
table (:mod:`kuva.i18n`), where the words live.

A key is looked up as ``wellbeing.<key>`` first (for the few words whose plain key means
something else elsewhere, e.g. the basic-situation class ``unemployed``), then as it is. An
unknown key comes back unchanged.
"""

from __future__ import annotations

from kuva.i18n import LABELS


def label(key: str, lang: str = "fi") -> str:
    """The label of ``key`` in ``lang`` (fi/sv/en); an unknown key comes back unchanged."""
    entry = LABELS.get(f"wellbeing.{key}") or LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang, entry["fi"])


__all__ = ["LABELS", "label"]
