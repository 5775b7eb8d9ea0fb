"""The measure catalogue: every measure code KuVa stores, with Finnish, Swedish and English
names, unit, frequency, definition and source table. The data dictionary is generated from it
and the warehouse refuses observations of a measure that is not in it.

The catalogue is the union of the bundled ``measures*.csv`` files (``measures.csv`` holds the
StatFin employment service statistics; other files add further families, e.g. background
measures). A code may appear only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.registry.names import closest
from kuva.registry.resources import read_csv

Frequency = Literal["M", "A"]
FREQUENCIES: tuple[Frequency, ...] = ("M", "A")
MEASURE_COLUMNS = ("code", "table", "frequency", "unit", "name_fi", "name_sv", "name_en", "definition", "breakdown")


@dataclass(frozen=True)
class Measure:
    code: str
    table: str  #: StatFin table id(s), ``;``-separated, or a KuVa source name
    frequency: Frequency  #: ``M`` monthly, ``A`` annual
    unit: str
    name_fi: str
    name_sv: str
    name_en: str
    definition: str
    breakdown: str  #: name of the breakdown dimension, or empty
    catalogue: str  #: the file the measure comes from

    def name(self, lang: str = "fi") -> str:
        return {"fi": self.name_fi, "sv": self.name_sv, "en": self.name_en}.get(lang, self.name_fi)


@cache
def measures() -> dict[str, Measure]:
    """Every measure by code."""
    files = sorted(
        p.name for p in resources.files("kuva.registry").joinpath("data").iterdir()
        if p.name.startswith("measures") and p.name.endswith(".csv")
    )
    out: dict[str, Measure] = {}
    for name in files:
        for i, r in enumerate(read_csv(name, MEASURE_COLUMNS), start=1):
            if r["code"] in out:
                raise KuvaInputError(f"kuva/registry/data/{name}, row {i}: measure {r['code']} "
                                     f"is already defined in {out[r['code']].catalogue}")
            if r["frequency"] not in FREQUENCIES:
                raise KuvaInputError(f"kuva/registry/data/{name}, row {i}, field 'frequency': "
                                     f"must be one of {list(FREQUENCIES)}, got {r['frequency']!r}")
            out[r["code"]] = Measure(
                r["code"], r["table"], _frequency(r["frequency"]), r["unit"], r["name_fi"],
                r["name_sv"], r["name_en"], r["definition"], r["breakdown"], name,
            )
    return out


def _frequency(text: str) -> Frequency:
    if text == "M":
        return "M"
    if text == "A":
        return "A"
    raise KuvaInputError(f"frequency must be one of {list(FREQUENCIES)}, got {text!r}")


def measure(code: str) -> Measure:
    """A measure by code (case-insensitive); unknown codes list the closest known ones."""
    cat = measures()
    if code.upper() in cat:
        return cat[code.upper()]
    raise KuvaLookupError(f"unknown measure {code!r}; closest: {', '.join(closest(code, list(cat))) or '(none)'}")


RELATION_COLUMNS = ("kind", "result", "numerator", "denominator", "scale", "note")


@dataclass(frozen=True)
class MeasureRelation:
    """How one measure follows from others (the disclosure engine's additive structure).

    ``sum``: ``result = Σ numerator`` (same area, period and breakdown); ``ratio``:
    ``result = scale × Σ numerator / Σ denominator``.
    """

    kind: Literal["sum", "ratio"]
    result: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    scale: float
    note: str


@cache
def measure_relations() -> tuple[MeasureRelation, ...]:
    """The relations between measures (``measure_relations.csv``), every code checked against
    the catalogue."""
    known = measures()
    out: list[MeasureRelation] = []
    for i, r in enumerate(read_csv("measure_relations.csv", RELATION_COLUMNS), start=1):
        where = f"kuva/registry/data/measure_relations.csv, row {i}"
        kind = r["kind"]
        if kind not in ("sum", "ratio"):
            raise KuvaInputError(f"{where}, field 'kind': must be 'sum' or 'ratio', got {kind!r}")
        num = tuple(c for c in r["numerator"].split(";") if c)
        den = tuple(c for c in r["denominator"].split(";") if c)
        for field_name, codes in (("result", (r["result"],)), ("numerator", num), ("denominator", den)):
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise KuvaInputError(f"{where}, field {field_name!r}: unknown measure(s) {unknown}")
        if kind == "ratio" and not den:
            raise KuvaInputError(f"{where}, field 'denominator': a ratio needs a denominator")
        out.append(MeasureRelation("sum" if kind == "sum" else "ratio", r["result"], num, den,
                                   float(r["scale"] or 1.0), r["note"]))
    return tuple(out)
