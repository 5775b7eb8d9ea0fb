"""Service-model rulebooks as data: the bundled ``registry/data/process_rules.toml`` and any
user file of the same shape (``KUVA_PROCESS_RULES`` or ``--rules FILE``, whose rulebooks add to
or replace the bundled ones with the same id and version). A bad file is refused naming the
file, the rulebook and the rule.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.process.eventlog import EVENT_TYPES
from kuva.registry.resources import read_text

RuleKind = Literal["deadline", "cadence", "count"]
Unit = Literal["working_days", "days", "months"]
KINDS: tuple[str, ...] = RuleKind.__args__  # type: ignore[attr-defined]
UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Rule:
    id: str
    kind: RuleKind
    after: str  #: the event the clock starts from
    events: tuple[str, ...]  #: the event(s) that meet the rule
    within: int
    unit: Unit
    count: int  #: for kind "count"
    text: dict[str, str]  #: fi/sv/en description

    def describe(self, lang: str = "en") -> str:
        return self.text.get(lang) or self.text["en"]

    @property
    def key(self) -> str:
        """The rule's definition as text (not its id or wording): rules that measure the same
        thing share it, and with it their stored clocks; one in working days names the calendar."""
        from kuva.registry.calendar import calendar_digest

        cal = f"@{calendar_digest()}" if self.unit == "working_days" else ""
        return f"{self.kind}:{self.after}>{'|'.join(self.events)}:{self.count}x{self.within}{self.unit}{cal}"


@dataclass(frozen=True)
class Rulebook:
    id: str
    version: str
    valid_from: date
    valid_to: date | None
    names: dict[str, str]
    source: str
    rules: tuple[Rule, ...]
    origin: str  #: the file it was read from

    @property
    def label(self) -> str:
        return f"{self.id} v{self.version}"

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KuvaLookupError(f"rulebook {self.label} has no rule {rule_id!r}; it has {[r.id for r in self.rules]}")


def _date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise KuvaInputError(f"{where}: not a date: {value!r}") from exc


def _rule(raw: dict[str, Any], where: str) -> Rule:
    def need(key: str) -> Any:
        if key not in raw:
            raise KuvaInputError(f"{where}: missing {key!r}")
        return raw[key]

    rid = str(need("id"))
    where = f"{where} rule {rid!r}"
    kind = str(need("kind"))
    if kind not in KINDS:
        raise KuvaInputError(f"{where}: kind must be one of {list(KINDS)}, got {kind!r}")
    unit = str(need("unit"))
    if unit not in UNITS:
        raise KuvaInputError(f"{where}: unit must be one of {list(UNITS)}, got {unit!r}")
    events = tuple(str(e) for e in raw["events"]) if "events" in raw else (str(need("event")),)
    after = str(need("after"))
    for e in (after, *events):
        if e not in EVENT_TYPES:
            raise KuvaInputError(f"{where}: {e!r} is not an event type; known: {list(EVENT_TYPES)}")
    within = need("within")
    if not isinstance(within, int) or within < 0:
        raise KuvaInputError(f"{where}: within must be a whole number >= 0, got {within!r}")
    count = raw.get("count", 1)
    if kind == "count" and (not isinstance(count, int) or count < 1):
        raise KuvaInputError(f"{where}: count must be a whole number >= 1, got {count!r}")
    text = {lang: str(raw[lang]) for lang in ("fi", "sv", "en") if lang in raw}
    if "en" not in text:
        raise KuvaInputError(f"{where}: missing 'en' (the rule's description)")
    return Rule(rid, kind, after, events, within, unit, int(count), text)  # type: ignore[arg-type]


def parse_rulebooks(text: str, origin: str) -> tuple[Rulebook, ...]:
    """Rulebooks from TOML text (see ``registry/data/process_rules.toml``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KuvaInputError(f"{origin}: not valid TOML ({exc})") from exc
    books = []
    for i, raw in enumerate(data.get("rulebook", []), start=1):
        where = f"{origin}: rulebook {raw.get('id', f'#{i}')!r}"
        for key in ("id", "version", "valid_from", "name_en", "rule"):
            if key not in raw:
                raise KuvaInputError(f"{where}: missing {key!r}")
        rules = tuple(_rule(r, where) for r in raw["rule"])
        ids = [r.id for r in rules]
        if len(set(ids)) != len(ids):
            raise KuvaInputError(f"{where}: rule ids repeat: {ids}")
        names = {lang: str(raw.get(f"name_{lang}", raw["name_en"])) for lang in ("fi", "sv", "en")}
        books.append(Rulebook(str(raw["id"]), str(raw["version"]), _date(raw["valid_from"], where),
                              _date(raw["valid_to"], where) if "valid_to" in raw else None, names,
                              str(raw.get("source", "")), rules, origin))
    if not books:
        raise KuvaInputError(f"{origin}: no [[rulebook]] in the file")
    return tuple(books)


def rulebooks(path: Path | str | None = None) -> tuple[Rulebook, ...]:
    """The bundled rulebooks, with those of ``path`` (or ``KUVA_PROCESS_RULES``) added; a user
    rulebook with the same id and version replaces the bundled one."""
    books = {(b.id, b.version): b for b in parse_rulebooks(read_text("process_rules.toml"), "process_rules.toml")}
    user = path if path is not None else os.environ.get("KUVA_PROCESS_RULES") or None
    if user is not None:
        p = Path(user)
        if not p.is_file():
            raise KuvaInputError(f"{p}: no such rulebook file")
        for b in parse_rulebooks(p.read_text(encoding="utf-8"), str(p)):
            books[(b.id, b.version)] = b
    return tuple(books.values())


def rulebook(book_id: str, version: str | None = None, *, path: Path | str | None = None) -> Rulebook:
    """One rulebook by id (the highest version unless ``version`` is given)."""
    found = [b for b in rulebooks(path) if b.id == book_id and (version is None or b.version == version)]
    if not found:
        known = sorted({f"{b.id} v{b.version}" for b in rulebooks(path)})
        raise KuvaLookupError(f"no rulebook {book_id!r}{f' v{version}' if version else ''}; known: {known}")
    return max(found, key=lambda b: b.version)


def rulebook_in_force(day: date, *, path: Path | str | None = None,
                      books: Sequence[Rulebook] | None = None) -> Rulebook:
    """The rulebook in force on ``day`` (the latest ``valid_from`` at or before it), among
    ``books`` when given (read once by the caller for many days), else :func:`rulebooks`."""
    known = rulebooks(path) if books is None else books
    live = [b for b in known if b.valid_from <= day and (b.valid_to is None or day <= b.valid_to)]
    if not live:
        raise KuvaLookupError(f"no rulebook in force on {day}")
    return max(live, key=lambda b: (b.valid_from, b.version))


__all__ = ["KINDS", "UNITS", "Rule", "Rulebook", "parse_rulebooks", "rulebook", "rulebook_in_force", "rulebooks"]
