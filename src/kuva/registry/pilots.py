"""Employment programmes and their member municipalities, with validity dates.

The default member list is the reconstructed list of the 2021–2024 municipal employment pilots
(työllisyyden kuntakokeilut, law 1269/2020) bundled as ``pilots_2021.csv``. Each row carries a
``confidence`` (``confirmed``, ``likely``, ``guess``) that KuVa keeps and shows wherever
membership matters. A user replaces the list with the authoritative one by giving their own
CSV (``KUVA_PILOTS_CSV``, ``kuva.toml`` or ``--pilots``), ``,`` or ``;`` separated, with the columns
``pilot_area_fi``, ``municipality_code`` and ``confidence`` (``municipality_name_fi`` — checked
against the code — and ``source_url`` optional), optionally with ``programme``, ``start_date`` and
``end_date`` per row. The list ``kuva registry pilots --members -f csv`` writes reads back as is.

Programmes (``programmes.csv``) carry their own dates. The 45 employment areas of 2025
(``areas_2025``, Act 380/2023) are bundled as ``employment_areas_2025.csv`` and the five areas of
the 2017–2018 regional pilots (``pilots_2017``, Act 505/2017; 23 municipalities) as
``pilots_2017.csv``, both reconstructed from public sources with a confidence per row like the
pilot list; the 2012–2015 pilot is defined, its member list is not bundled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from kuva.errors import BadRowError, KuvaLookupError
from kuva.registry.areas import area_registry
from kuva.registry.names import closest, normalise
from kuva.registry.resources import read_csv, read_user_csv

Confidence = Literal["confirmed", "likely", "guess"]
CONFIDENCE_LEVELS: tuple[Confidence, ...] = ("confirmed", "likely", "guess")

PILOT_COLUMNS = ("pilot_area_fi", "municipality_code", "municipality_name_fi", "source_url", "confidence")
#: Columns a user's list must have (``municipality_name_fi`` and ``source_url`` may be left out).
USER_PILOT_COLUMNS = ("pilot_area_fi", "municipality_code", "confidence")
#: Other accepted column names: those ``kuva registry pilots --members -f csv`` writes.
PILOT_COLUMN_ALIASES = {"pilot_area": "pilot_area_fi", "municipality": "municipality_name_fi",
                        "start": "start_date", "end": "end_date"}
DEFAULT_PROGRAMME = "pilots_2021"
EMPLOYMENT_AREAS = "areas_2025"
EARLIER_PILOTS = "pilots_2017"  #: the regional employment pilots of 2017–2018 (Act 505/2017)
#: Area levels that are the areas of a programme: level -> programme code.
PROGRAMME_LEVELS: dict[str, str] = {"pilot_area": DEFAULT_PROGRAMME, "employment_area": EMPLOYMENT_AREAS}
EMPLOYMENT_AREA_COLUMNS = ("employment_area_fi", "municipality_code", "municipality_name_fi", "source_url",
                           "confidence")

#: Comparison area of the Kykyviisari analysis: Kymenlaakso + Etelä-Karjala.
KYKYVIISARI_COMPARISON_REGIONS: tuple[str, ...] = ("MK08", "MK09")


@dataclass(frozen=True)
class Programme:
    """An employment programme with its dates (``end`` None = ongoing)."""

    code: str
    name_fi: str
    name_sv: str
    name_en: str
    start: date
    end: date | None
    members_bundled: bool
    basis: str

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Membership:
    """One municipality's membership of a programme area for a period."""

    programme: str
    area_code: str  #: slug of the area name, e.g. ``kainuun_seutu``
    area_name: str
    municipality_code: str  #: ``KUnnn``
    municipality_name: str
    start: date
    end: date | None
    confidence: Confidence
    source_url: str

    def valid_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class ProgrammeArea:
    """An area of a programme (e.g. one of the 25 pilot areas) and its memberships."""

    programme: str
    code: str
    name: str
    memberships: tuple[Membership, ...]

    def members(self, on: date | None = None) -> tuple[Membership, ...]:
        return tuple(m for m in self.memberships if on is None or m.valid_on(on))

    @property
    def confidence(self) -> Confidence:
        """The weakest confidence of the area's rows."""
        worst = max(CONFIDENCE_LEVELS.index(m.confidence) for m in self.memberships)
        return CONFIDENCE_LEVELS[worst]


def slug(name: str) -> str:
    """A stable code for an area name: ``Raasepori ja Hanko`` → ``raasepori_ja_hanko``."""
    return re.sub(r"[^a-z0-9]+", "_", normalise(name)).strip("_")


def _parse_date(text: str, source: str, row: int, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadRowError(source, row, field, f"not a date (YYYY-MM-DD): {text!r}") from exc


class ProgrammeRegistry:
    """Programmes and the member municipalities of their areas."""

    def __init__(self, pilots_csv: Path | None = None) -> None:
        self.programmes: dict[str, Programme] = {}
        for r in read_csv("programmes.csv", ("code", "name_fi", "name_sv", "name_en", "start", "end")):
            self.programmes[r["code"]] = Programme(
                code=r["code"], name_fi=r["name_fi"], name_sv=r["name_sv"], name_en=r["name_en"],
                start=date.fromisoformat(r["start"]),
                end=date.fromisoformat(r["end"]) if r["end"] else None,
                members_bundled=r["members_bundled"] == "yes", basis=r["basis"],
            )
        if pilots_csv is None:
            rows = read_csv("pilots_2021.csv", PILOT_COLUMNS)
            self.source = "bundled pilots_2021.csv (reconstructed from public web pages)"
            source = "kuva/registry/data/pilots_2021.csv"
        else:
            rows = read_user_csv(pilots_csv, USER_PILOT_COLUMNS, PILOT_COLUMN_ALIASES)
            self.source = str(pilots_csv)
            source = str(pilots_csv)
        self._areas = self._build(rows, source)
        if not any(a.programme == EMPLOYMENT_AREAS for a in self._areas.values()):
            areas = [{**r, "pilot_area_fi": r["employment_area_fi"], "programme": EMPLOYMENT_AREAS}
                     for r in read_csv("employment_areas_2025.csv", EMPLOYMENT_AREA_COLUMNS)]
            self._areas |= self._build(areas, "kuva/registry/data/employment_areas_2025.csv")
        if not any(a.programme == EARLIER_PILOTS for a in self._areas.values()):
            earlier = [{**r, "programme": EARLIER_PILOTS} for r in read_csv("pilots_2017.csv", PILOT_COLUMNS)]
            self._areas |= self._build(earlier, "kuva/registry/data/pilots_2017.csv")

    def _build(self, rows: list[dict[str, str]], source: str) -> dict[str, ProgrammeArea]:
        areas = area_registry()
        by_area: dict[tuple[str, str], list[Membership]] = {}
        names: dict[tuple[str, str], str] = {}
        for i, r in enumerate(rows, start=1):
            prog_code = r.get("programme") or DEFAULT_PROGRAMME
            if prog_code not in self.programmes:
                raise BadRowError(source, i, "programme",
                                  f"unknown programme {prog_code!r}; known: {sorted(self.programmes)}")
            prog = self.programmes[prog_code]
            if not r["pilot_area_fi"]:
                raise BadRowError(source, i, "pilot_area_fi", "empty area name")
            code_text = r["municipality_code"]
            if not re.fullmatch(r"(KU)?\d{1,3}", code_text.upper()):
                raise BadRowError(source, i, "municipality_code",
                                  f"not a municipality number (e.g. 091 or KU091): {code_text!r}")
            try:
                muni = areas.municipality(code_text)
            except KuvaLookupError as exc:
                raise BadRowError(source, i, "municipality_code", str(exc)) from exc
            given = r.get("municipality_name_fi", "")
            if given and normalise(given) not in {normalise(muni.name_fi), normalise(muni.name_sv)}:
                raise BadRowError(source, i, "municipality_name_fi",
                                  f"code {code_text} is {muni.name_fi}, not {given!r}: check the code or the name")
            conf = r["confidence"]
            if conf not in CONFIDENCE_LEVELS:
                raise BadRowError(source, i, "confidence",
                                  f"must be one of {list(CONFIDENCE_LEVELS)}, got {conf!r}")
            start = _parse_date(r["start_date"], source, i, "start_date") if r.get("start_date") else prog.start
            end = _parse_date(r["end_date"], source, i, "end_date") if r.get("end_date") else prog.end
            if end is not None and end < start:
                raise BadRowError(source, i, "end_date", f"ends ({end}) before it starts ({start})")
            key = (prog_code, slug(r["pilot_area_fi"]))
            names[key] = r["pilot_area_fi"]
            m = Membership(prog_code, key[1], r["pilot_area_fi"], muni.code, muni.name_fi,
                           start, end, _confidence(conf), r.get("source_url", ""))
            for other in (x for ms in by_area.values() for x in ms):
                if other.programme == prog_code and other.municipality_code == muni.code and _overlap(m, other):
                    raise BadRowError(source, i, "municipality_code",
                                      f"{muni.code} {muni.name_fi} is already a member of "
                                      f"{other.area_name!r} in the same period")
            by_area.setdefault(key, []).append(m)
        return {
            f"{p}:{c}": ProgrammeArea(p, c, names[(p, c)], tuple(ms)) for (p, c), ms in by_area.items()
        }

    def areas(self, programme: str = DEFAULT_PROGRAMME) -> tuple[ProgrammeArea, ...]:
        """The areas of a programme, by name."""
        self.programme(programme)
        return tuple(sorted((a for a in self._areas.values() if a.programme == programme),
                            key=lambda a: normalise(a.name)))

    def programme(self, code: str) -> Programme:
        if code not in self.programmes:
            raise KuvaLookupError(f"unknown programme {code!r}; known: {sorted(self.programmes)}")
        return self.programmes[code]

    def area(self, query: str, programme: str = DEFAULT_PROGRAMME) -> ProgrammeArea:
        """A programme area by code (slug) or name, case- and diacritics-insensitive."""
        key = f"{programme}:{slug(query)}"
        if key in self._areas:
            return self._areas[key]
        names = [a.name for a in self.areas(programme)]
        raise KuvaLookupError(f"unknown {programme} area {query!r}; closest: "
                              f"{', '.join(closest(query, names)) or '(none)'}")

    def area_of(self, municipality: str, on: date | None = None,
                programme: str = DEFAULT_PROGRAMME) -> ProgrammeArea | None:
        """The programme area a municipality belongs to on a date (None if it does not)."""
        code = area_registry().municipality(municipality).code
        for a in self.areas(programme):
            if any(m.municipality_code == code for m in a.members(on)):
                return a
        return None

    def member_codes(self, on: date | None = None, programme: str = DEFAULT_PROGRAMME) -> frozenset[str]:
        """Codes (``KUnnn``) of every member municipality on a date (any date if None)."""
        return frozenset(m.municipality_code for a in self.areas(programme) for m in a.members(on))

    def memberships(self, programme: str = DEFAULT_PROGRAMME) -> tuple[Membership, ...]:
        return tuple(m for a in self.areas(programme) for m in a.memberships)


def _confidence(text: str) -> Confidence:
    for level in CONFIDENCE_LEVELS:
        if text == level:
            return level
    raise KuvaLookupError(f"confidence must be one of {list(CONFIDENCE_LEVELS)}, got {text!r}")


def _overlap(a: Membership, b: Membership) -> bool:
    a_end = a.end or date.max
    b_end = b.end or date.max
    return a.start <= b_end and b.start <= a_end


def kykyviisari_comparison() -> tuple[str, ...]:
    """Municipality codes of the Kykyviisari comparison area (Kymenlaakso + Etelä-Karjala)."""
    reg = area_registry()
    return tuple(m.code for r in KYKYVIISARI_COMPARISON_REGIONS for m in reg.members(r))


def programme_registry(pilots_csv: Path | None = None) -> ProgrammeRegistry:
    """The programme registry, from the bundled list or a user's CSV.

    Cached per file and its modification time, so an edited file is read again.
    """
    if pilots_csv is None:
        return _cached_registry(None, 0, 0)
    try:
        st = pilots_csv.stat()
    except OSError:
        return ProgrammeRegistry(pilots_csv)  # raises the clear "file not found" error
    return _cached_registry(pilots_csv.resolve(), st.st_mtime_ns, st.st_size)


@cache
def _cached_registry(path: Path | None, mtime_ns: int, size: int) -> ProgrammeRegistry:
    return ProgrammeRegistry(path)
