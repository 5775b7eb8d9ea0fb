"""Name matching for look-ups: case- and diacritics-insensitive keys and closest matches.

``normalise("Ähtäri")`` → ``"ahtari"``; ``normalise("Pedersören kunta")`` keeps the words.
Closest matches use :mod:`difflib` on the normalised keys.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def normalise(text: str) -> str:
    """Fold case, strip diacritics (ä→a, ö→o, å→a) and collapse whitespace and hyphens."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("-", " ").split())


def closest(query: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The ``n`` candidates most similar to ``query`` (compared in normalised form)."""
    by_key: dict[str, str] = {}
    for cand in candidates:
        by_key.setdefault(normalise(cand), cand)
    keys = difflib.get_close_matches(normalise(query), list(by_key), n=n, cutoff=0.5)
    return [by_key[k] for k in keys]
