"""The areas of the Kykyviisari analysis: the pilot areas and the comparison area.

A stored answer carries ``area``: the code of a pilot area of the 2021–2024 municipal
employment pilots (the slug of its name, e.g. ``kainuun_seutu``, as in the warehouse table
``programme_memberships``) or ``comparison`` for the comparison area, Kymenlaakso +
Etelä-Karjala (:func:`kuva.registry.kykyviisari_comparison`). An answer without an area gets
one from its home municipality: the pilot area the municipality belonged to on the answer
date, else ``comparison`` when it is in the comparison area, else none.

Membership is read from the warehouse (so a user's authoritative pilot list, given when the
warehouse was built, is honoured) and falls back to the bundled registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kuva.errors import KuvaLookupError
from kuva.registry import kykyviisari_comparison, programme_registry
from kuva.registry.names import closest, normalise
from kuva.registry.pilots import slug
from kuva.warehouse import Warehouse, stored_memberships

COMPARISON = "comparison"
PILOTS_TOTAL = "pilots_total"
ALL_AREAS = "all"

#: Texts an export may use for the comparison area (compared after :func:`normalise`).
COMPARISON_ALIASES: frozenset[str] = frozenset(
    normalise(t) for t in (
        "comparison", "comparison area", "vertailu", "vertailualue", "vertailualue (Kymenlaakso ja Etelä-Karjala)",
        "Kymenlaakso ja Etelä-Karjala", "Kymenlaakso + Etelä-Karjala", "jämförelseområde",
    )
)


@dataclass(frozen=True)
class _Member:
    area: str
    municipality: str
    start: date
    end: date | None


class AreaResolver:
    """Pilot areas and comparison area, with look-ups by name and by municipality."""

    def __init__(self, members: list[_Member], names: dict[str, str]) -> None:
        self._members = members
        self.names = dict(names)  #: area code -> Finnish name (pilot areas only)
        self.comparison_codes: frozenset[str] = frozenset(kykyviisari_comparison())

    @classmethod
    def from_warehouse(cls, wh: Warehouse | None) -> AreaResolver:
        """Membership as stored in ``wh`` (or the bundled registry when ``wh`` is None or empty)."""
        members: list[_Member] = []
        names: dict[str, str] = {}
        if wh is not None:
            for r in stored_memberships(wh).itertuples(index=False):
                end = None if r.end_date is None or str(r.end_date) in ("NaT", "None") else _as_date(r.end_date)
                members.append(_Member(str(r.area_code), str(r.municipality_code), _as_date(r.start_date), end))
                names[str(r.area_code)] = str(r.area_name)
        if not members:
            for m in programme_registry().memberships():
                members.append(_Member(m.area_code, m.municipality_code, m.start, m.end))
                names[m.area_code] = m.area_name
        return cls(members, names)

    # -- look-ups -------------------------------------------------------------------------
    def pilot_codes(self) -> tuple[str, ...]:
        return tuple(sorted(self.names, key=lambda c: normalise(self.names[c])))

    def area(self, text: str) -> str:
        """The area code for a text in an export: a pilot area's name or code, or a comparison alias."""
        key = normalise(text)
        if key in COMPARISON_ALIASES:
            return COMPARISON
        code = slug(text)
        if code in self.names:
            return code
        for c, name in self.names.items():
            if normalise(name) == key:
                return c
        options = [*self.names.values(), "vertailualue"]
        raise KuvaLookupError(
            f"unknown area {text!r}; give a pilot area or 'vertailualue' (comparison); "
            f"closest: {', '.join(closest(text, options)) or '(none)'}"
        )

    def area_of(self, municipality_code: str, on: date) -> str | None:
        """The area of a municipality on a date: its pilot area, ``comparison`` or None."""
        for m in self._members:
            if m.municipality == municipality_code and m.start <= on and (m.end is None or on <= m.end):
                return m.area
        if municipality_code in self.comparison_codes:
            return COMPARISON
        return None

    def members(self, area: str, on: date | None = None) -> tuple[str, ...]:
        """Municipality codes of an area (``comparison``, ``pilots_total`` or a pilot area code)."""
        if area == COMPARISON:
            return tuple(sorted(self.comparison_codes))
        chosen = [
            m for m in self._members
            if (area == PILOTS_TOTAL or m.area == area)
            and (on is None or (m.start <= on and (m.end is None or on <= m.end)))
        ]
        return tuple(sorted({m.municipality for m in chosen}))

    def group(self, area: str | None) -> str:
        """``comparison``, ``pilot`` or ``other`` for an area code."""
        if area == COMPARISON:
            return "comparison"
        if area is not None and area in self.names:
            return "pilot"
        return "other"

    def name(self, area: str | None, lang: str = "fi") -> str:
        from kuva.i18n import label

        if area is None:
            return label("area_unknown", lang)
        if area in (COMPARISON, PILOTS_TOTAL, ALL_AREAS):
            return label(f"area_{area}", lang)
        return self.names.get(area, area)


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value if type(value) is date else date(value.year, value.month, value.day)
    return date.fromisoformat(str(value)[:10])
