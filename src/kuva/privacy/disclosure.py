"""Disclosure control at every output boundary — the entry points the outputs call.

Everything is done by the one engine (:mod:`kuva.privacy.engine`); this module holds what the
outputs share: the measure codes that count persons and the flag column's name.
"""

from __future__ import annotations

from kuva.privacy.engine import SUPPRESSED_FLAG


def person_count_measures() -> frozenset[str]:
    """Codes of the catalogue's measures that count persons (unit ``persons``)."""
    from kuva.registry import measures

    return frozenset(code for code, m in measures().items() if m.unit == "persons")


__all__ = ["SUPPRESSED_FLAG", "person_count_measures"]
