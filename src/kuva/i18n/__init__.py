"""User-facing words: ONE translation table (label key → Finnish, Swedish, English) and ONE
accessor, :func:`label`.

The words live in data files, one per domain, ``kuva/i18n/data/<domain>.json`` (``common``,
``analysis``, ``report``, ``effects``, ``wellbeing`` …), each an object ``key → {"fi", "sv",
"en"}``. They are read once, on first use, into a read-only mapping; nothing changes them at
import. A key may appear in one file only, and every entry has all three languages (the loader
refuses anything else, and ``tests/test_i18n.py`` checks the files). To add a word, add one
entry to the file of its domain.

One missing-key rule: :func:`label` raises :class:`~kuva.errors.KuvaLookupError` naming the key
and the closest known keys. Code that shows data values which *may* be label keys asks
:func:`has_label` first. One language validator: :func:`check_lang`.

Text templates use ``str.format`` placeholders, filled by :func:`label`'s keyword arguments
with numbers already formatted for the language (:func:`fmt_number`).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from datetime import date
from importlib import resources
from types import MappingProxyType
from typing import Literal, get_args

from kuva.errors import KuvaConfigError, KuvaInputError, KuvaLookupError

Lang = Literal["fi", "sv", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)

_MONTHS: dict[str, tuple[str, ...]] = {
    "fi": ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu", "heinäkuu", "elokuu",
           "syyskuu", "lokakuu", "marraskuu", "joulukuu"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def check_lang(lang: str, *, name: str = "language") -> Lang:
    """``lang`` as a :data:`Lang` if it is one of :data:`LANGS`, else a :class:`KuvaInputError`
    listing the allowed values and the value received (``name`` says whose value it is, e.g.
    ``--lang``)."""
    for allowed in LANGS:
        if lang == allowed:
            return allowed
    raise KuvaInputError(f"{name} must be one of {list(LANGS)}, got {lang!r}")


def data_files() -> dict[str, dict[str, dict[str, str]]]:
    """Every data file as read from the package: domain → {key → {lang → text}} (fresh copies)."""
    folder = resources.files("kuva.i18n").joinpath("data")
    out: dict[str, dict[str, dict[str, str]]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            out[entry.name.removesuffix(".json")] = json.loads(entry.read_text(encoding="utf-8"))
    return out


@functools.cache
def catalogue() -> Mapping[str, Mapping[str, str]]:
    """The whole translation table, read once: key → {lang → text}, read-only.

    Raises :class:`~kuva.errors.KuvaConfigError` if a key is in two files or an entry lacks a
    language (a packaging error, caught by the tests)."""
    table: dict[str, Mapping[str, str]] = {}
    where: dict[str, str] = {}
    for domain, entries in data_files().items():
        for key, entry in entries.items():
            if key in where:
                raise KuvaConfigError(f"label {key!r} is in both {where[key]}.json and {domain}.json")
            if not isinstance(entry, dict) or set(entry) != set(LANGS) or not all(
                isinstance(v, str) and v.strip() for v in entry.values()
            ):
                raise KuvaConfigError(f"label {key!r} in {domain}.json must have non-empty {list(LANGS)}")
            where[key] = domain
            table[key] = MappingProxyType(dict(entry))
    return MappingProxyType(table)


def label(key: str, lang: str = "fi", **fmt: object) -> str:
    """The label ``key`` in ``lang`` (``fi``, ``sv`` or ``en``); keyword arguments fill the
    text's ``{placeholders}``. An unknown key raises :class:`KuvaLookupError` with the closest keys."""
    lang = check_lang(lang)
    entry = catalogue().get(key)
    if entry is None:
        from kuva.registry.names import closest

        hint = ", ".join(closest(key, list(catalogue()))) or "(none)"
        raise KuvaLookupError(f"unknown label key {key!r}; closest: {hint}")
    text = entry[lang]
    return text.format(**fmt) if fmt else text


def has_label(key: str) -> bool:
    """Whether the translation table has ``key``."""
    return key in catalogue()


def fmt_number(value: float | int | None, lang: str = "fi", decimals: int = 1, *, signed: bool = False) -> str:
    """A number for text: Finnish and Swedish use a decimal comma and a space between thousands,
    English a decimal point and a comma. Missing values print as an en dash."""
    check_lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:{'+' if signed else ''},.{decimals}f}"
    if lang in ("fi", "sv"):
        text = text.replace(",", "\u00a0").replace(".", ",").replace("-", "−")
    return text


def fmt_month(day: date, lang: str = "fi") -> str:
    """``helmikuu 2020`` / ``februari 2020`` / ``February 2020``."""
    return f"{_MONTHS[check_lang(lang)][day.month - 1]} {day.year}"


__all__ = ["LANGS", "Lang", "catalogue", "check_lang", "data_files", "fmt_month", "fmt_number", "has_label", "label"]
