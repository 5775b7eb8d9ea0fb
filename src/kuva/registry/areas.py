"""Areas of Finland in the 2021 division: municipalities (kunnat), sub-regions (seutukunnat),
regions (maakunnat), ELY centres and the whole country, with their hierarchy and the
historical municipality codes (mergers).

Codes follow StatFin: ``SSS`` whole country, ``KUnnn`` municipality, ``SKnnn`` sub-region,
``MKnn`` region, ``ELYnn`` ELY centre. Look-ups accept a code, a bare municipality number
(``91`` or ``091``) or a Finnish or Swedish name, case- and diacritics-insensitively.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from kuva.errors import KuvaLookupError
from kuva.registry.names import closest, normalise
from kuva.registry.resources import read_csv

AreaLevel = Literal["country", "municipality", "sub_region", "region", "ely"]
AREA_LEVELS: tuple[AreaLevel, ...] = ("country", "municipality", "sub_region", "region", "ely")

COUNTRY_CODE = "SSS"
ALAND_REGION = "MK21"
_PREFIXES: dict[str, AreaLevel] = {"KU": "municipality", "SK": "sub_region", "MK": "region"}


@dataclass(frozen=True)
class Area:
    """Any area KuVa stores observations for."""

    code: str
    level: AreaLevel
    name_fi: str
    name_sv: str
    name_en: str

    def name(self, lang: str = "fi") -> str:
        """The name in ``fi``, ``sv`` or ``en``."""
        return {"fi": self.name_fi, "sv": self.name_sv, "en": self.name_en}.get(lang, self.name_fi)


@dataclass(frozen=True)
class Municipality:
    """A municipality (kunta) of the 2021 division."""

    code: str  #: ``KUnnn``
    name_fi: str
    name_sv: str
    sub_region_code: str  #: ``SKnnn`` (seutukunta)
    sub_region_name: str
    region_code: str  #: ``MKnn`` (maakunta)
    region_name: str
    wellbeing_county: str  #: hyvinvointialue id (e.g. ``EP``), Åland has its own
    area_type: str  #: urban–rural area type (aluetyyppi)
    population: int  #: population at the end of 2020

    @property
    def number(self) -> str:
        """The three-digit municipality number (kuntanumero), e.g. ``091``."""
        return self.code[2:]

    @property
    def mainland(self) -> bool:
        """False for the municipalities of Åland (Ahvenanmaa)."""
        return self.region_code != ALAND_REGION

    def as_area(self) -> Area:
        return Area(self.code, "municipality", self.name_fi, self.name_sv, self.name_fi)


@dataclass(frozen=True)
class Merger:
    """A historical municipality code and where it went (from abolished_municipalities.csv)."""

    old_code: str
    receivers: tuple[str, ...]  #: codes of the 2021 division; several = ambiguous (split)


class AreaRegistry:
    """All areas of the 2021 division with look-ups. Build once with :func:`area_registry`."""

    def __init__(self) -> None:
        types = {r["kunta_code"]: r["aluetyyppi"] for r in read_csv("area_types.csv", ("kunta_code", "aluetyyppi"))}
        rows = read_csv(
            "municipalities_2021.csv",
            ("kunta_code", "name_fi", "name_sv", "seutukunta_code", "seutukunta_name",
             "maakunta_code", "maakunta_name", "hva_id", "population"),
        )
        self._municipalities: dict[str, Municipality] = {}
        for r in rows:
            m = Municipality(
                code=r["kunta_code"], name_fi=r["name_fi"], name_sv=r["name_sv"] or r["name_fi"],
                sub_region_code=r["seutukunta_code"], sub_region_name=r["seutukunta_name"],
                region_code=r["maakunta_code"], region_name=r["maakunta_name"],
                wellbeing_county=r["hva_id"], area_type=types.get(r["kunta_code"], ""),
                population=int(r["population"]),
            )
            self._municipalities[m.code] = m
        regions = {r["code"]: r for r in read_csv("regions.csv", ("code", "name_fi", "name_sv", "name_en"))}
        self._areas: dict[str, Area] = {
            COUNTRY_CODE: Area(COUNTRY_CODE, "country", "Koko maa", "Hela landet", "Whole country")
        }
        for m in self._municipalities.values():
            self._areas[m.code] = m.as_area()
            self._areas.setdefault(
                m.sub_region_code,
                Area(m.sub_region_code, "sub_region", m.sub_region_name, m.sub_region_name, m.sub_region_name),
            )
        for code, r in regions.items():
            self._areas[code] = Area(code, "region", r["name_fi"], r["name_sv"], r["name_en"])
        for r in read_csv("ely_centres.csv", ("code", "name_fi", "name_sv", "name_en")):
            self._areas[r["code"]] = Area(r["code"], "ely", r["name_fi"], r["name_sv"], r["name_en"])
        self._mergers = _read_mergers(set(self._municipalities))
        self._by_name: dict[str, set[str]] = {}
        for a in self._areas.values():
            for n in (a.name_fi, a.name_sv, a.name_en):
                self._by_name.setdefault(normalise(n), set()).add(a.code)

    # -- municipalities -------------------------------------------------------------------
    def municipalities(self, *, mainland_only: bool = False) -> tuple[Municipality, ...]:
        """Every municipality of the 2021 division, in code order."""
        ms = sorted(self._municipalities.values(), key=lambda m: m.code)
        return tuple(m for m in ms if m.mainland or not mainland_only)

    def municipality(self, query: str | int) -> Municipality:
        """A municipality by code (``KU091``, ``091``, ``91``), Finnish or Swedish name, or a
        historical code that merged into exactly one current municipality."""
        text = str(query).strip()
        code = _as_municipality_code(text)
        if code is not None:
            if code in self._municipalities:
                return self._municipalities[code]
            merger = self._mergers.get(code)
            if merger is not None:
                if len(merger.receivers) == 1:
                    return self._municipalities[merger.receivers[0]]
                names = ", ".join(f"{c} {self._municipalities[c].name_fi}" for c in merger.receivers)
                raise KuvaLookupError(
                    f"historical municipality code {code} maps to several current municipalities "
                    f"({names}); give the current code"
                )
            hint = closest(code, list(self._municipalities))
            raise KuvaLookupError(f"unknown municipality code {code!r}; closest: {_fmt(hint)}")
        hits = [c for c in self._by_name.get(normalise(text), set()) if c.startswith("KU")]
        if len(hits) == 1:
            return self._municipalities[hits[0]]
        all_names = [n for m in self._municipalities.values() for n in (m.name_fi, m.name_sv)]
        raise KuvaLookupError(f"unknown municipality {text!r}; closest: {_fmt(closest(text, all_names))}")

    def historical(self, code: str) -> Merger | None:
        """Where a historical municipality code went, or None if it is not historical."""
        return self._mergers.get(code)

    # -- any area ----------------------------------------------------------------------------
    def area(self, query: str) -> Area:
        """Any area by code or name (country, municipality, sub-region, region, ELY centre)."""
        text = query.strip()
        upper = text.upper()
        if upper in self._areas:
            return self._areas[upper]
        if _as_municipality_code(text) is not None or upper.startswith("KU"):
            return self.municipality(text).as_area()
        hits = sorted(self._by_name.get(normalise(text), set()))
        if len(hits) == 1:
            return self._areas[hits[0]]
        if len(hits) > 1:
            # A municipality and its sub-region often share a name (Helsinki, Kajaani);
            # prefer the municipality, otherwise ask.
            kus = [h for h in hits if h.startswith("KU")]
            if len(kus) == 1:
                return self._areas[kus[0]]
            opts = ", ".join(f"{h} ({self._areas[h].level})" for h in hits)
            raise KuvaLookupError(f"area name {text!r} is ambiguous: {opts}; give a code")
        if re.fullmatch(r"(SK\d{3}|MK\d{2}|ELY\d{2})", upper):
            raise KuvaLookupError(f"unknown area code {upper!r}; closest: {_fmt(closest(upper, list(self._areas)))}")
        names = [n for a in self._areas.values() for n in (a.name_fi, a.name_sv)]
        raise KuvaLookupError(f"unknown area {text!r}; closest: {_fmt(closest(text, names))}")

    def areas(self, level: AreaLevel | None = None) -> tuple[Area, ...]:
        """Every known area, optionally of one level, in code order."""
        return tuple(a for _, a in sorted(self._areas.items()) if level is None or a.level == level)

    def is_known(self, code: str) -> bool:
        """True if the code is an area of the registry (exact code only)."""
        return code in self._areas

    def members(self, code: str) -> tuple[Municipality, ...]:
        """The municipalities of a sub-region, region or the whole country."""
        area = self.area(code)
        if area.level == "country":
            return self.municipalities()
        if area.level == "sub_region":
            return tuple(m for m in self.municipalities() if m.sub_region_code == area.code)
        if area.level == "region":
            return tuple(m for m in self.municipalities() if m.region_code == area.code)
        if area.level == "municipality":
            return (self._municipalities[area.code],)
        raise KuvaLookupError(f"{area.code} is an ELY centre; its member list is not bundled")

    def parents(self, query: str) -> tuple[Area, ...]:
        """The hierarchy above a municipality: (municipality, sub-region, region, country)."""
        m = self.municipality(query)
        return (m.as_area(), self._areas[m.sub_region_code], self._areas[m.region_code], self._areas[COUNTRY_CODE])


def _as_municipality_code(text: str) -> str | None:
    t = text.strip().upper()
    if re.fullmatch(r"KU\d{1,3}", t):
        return "KU" + t[2:].zfill(3)
    if re.fullmatch(r"\d{1,3}", t):
        return "KU" + t.zfill(3)
    return None


def _read_mergers(current: set[str]) -> dict[str, Merger]:
    raw: dict[str, list[str]] = {}
    for r in read_csv("abolished_municipalities.csv", ("joiner", "joinee")):
        if r["joiner"] != r["joinee"]:
            raw.setdefault(r["joiner"], []).append(r["joinee"])

    def resolve(code: str, seen: frozenset[str]) -> set[str]:
        if code in current:
            return {code}
        if code in seen or code not in raw:
            return set()
        out: set[str] = set()
        for nxt in raw[code]:
            out |= resolve(nxt, seen | {code})
        return out

    mergers: dict[str, Merger] = {}
    for old in raw:
        if old in current:
            continue  # a current municipality listed with a partial transfer: not historical
        receivers = tuple(sorted(resolve(old, frozenset())))
        if receivers:
            mergers[old] = Merger(old, receivers)
    return mergers


def _fmt(items: list[str]) -> str:
    return ", ".join(items) if items else "(none)"


@cache
def area_registry() -> AreaRegistry:
    """The bundled area registry (built once per process)."""
    return AreaRegistry()
