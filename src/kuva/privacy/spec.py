"""How a table is declared to the disclosure engine: its count cells, the additive structure that
links them and the values derived from them.

A *cell* is one count with a global identity, its :data:`CellKey` — the quantity it counts and
the codes that place it (area, period, service, …). The same key in two tables is the same
number, which is how the engine and the audit see differencing across tables. Declarations:

- :class:`Count` — a column of person counts; ``dims`` are the row columns that identify each
  cell (a column repeated on several rows, e.g. an area total on every service row, is one cell);
  ``public=True`` for a column of figures already published by their owner; ``at`` adds fixed
  codes to every key of the column (a table of means whose ``n`` is the ``total`` row of a
  distribution elsewhere declares ``at=(("score", "total"),)``, so both are one cell).
- :class:`SumOver` — ``total`` equals the sum of ``part`` over every value of ``dim`` (services →
  all services, municipalities → …) with the other dimensions equal.
- :class:`ColumnSum` — in one row, column ``total`` equals the sum of the ``parts`` columns.
- :class:`Hierarchy` — along ``dim`` of one count column, each parent value is the sum of its
  child values (municipalities → pilot area → nation), given as a mapping.
- :class:`Ratio` — a derived column ``scale × numerator / sum(denominator)`` (shares, rates).
- :class:`Share` — a derived column ``scale × count / count of the total row``, where the total
  row is the same cell with ``dim`` set to ``total`` (a distribution with its total as a row).
- :class:`Derived` — any other value computed from counts (means, differences, intervals): it is
  hidden whenever any of its counts is hidden.

``public`` names a boolean column marking rows whose counts were already published by their
owner (e.g. StatFin): they pass unchanged and are known constants to the attacker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: (quantity, ((dimension, code), ...)) with the dimensions sorted
CellKey = tuple[str, tuple[tuple[str, str], ...]]


def cell_key(quantity: str, **codes: object) -> CellKey:
    """The key of one cell, e.g. ``cell_key("persons", area="KU005", period="2021-09")``."""
    return (quantity, tuple(sorted((k, code_text(v)) for k, v in codes.items())))


#: relation tolerance: declared totals must add up to this (counts are whole numbers)
RELATION_TOLERANCE = 1e-6


def code_text(value: object) -> str:
    """A dimension value as text (dates as ``YYYY-MM-DD``, floats without ``.0``)."""
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return str(text)[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def key_text(key: CellKey) -> str:
    """A key as one line of text (``quantity|dim=code|...``), as stored in disclosure notes."""
    return "|".join([key[0], *(f"{d}={c}" for d, c in key[1])])


def parse_key(text: str) -> CellKey:
    """The inverse of :func:`key_text`."""
    quantity, *rest = text.split("|")
    return (quantity, tuple(tuple(p.split("=", 1)) for p in rest))  # type: ignore[misc]


@dataclass(frozen=True)
class Count:
    column: str
    dims: tuple[str, ...]
    quantity: str | None = None  #: global name of what is counted; default the column name
    public: bool = False  #: the column holds figures already published by their owner
    at: tuple[tuple[str, str], ...] = ()  #: fixed (dimension, code) pairs added to every key

    @property
    def name(self) -> str:
        return self.quantity or self.column


@dataclass(frozen=True)
class SumOver:
    total: str
    part: str
    dim: str


@dataclass(frozen=True)
class ColumnSum:
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Hierarchy:
    column: str
    dim: str
    children: Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Ratio:
    column: str
    numerator: str
    denominator: tuple[str, ...]
    scale: float = 100.0


@dataclass(frozen=True)
class Share:
    column: str
    count: str
    dim: str
    total: str = "total"
    scale: float = 100.0


@dataclass(frozen=True)
class Derived:
    column: str
    counts: tuple[str, ...]


Relation = SumOver | ColumnSum | Hierarchy


@dataclass(frozen=True)
class TableSpec:
    """The declaration of one wide table (see the module docstring)."""

    counts: tuple[Count, ...]
    relations: tuple[Relation, ...] = ()
    derived: tuple[Ratio | Share | Derived, ...] = ()
    confidential: bool = True  #: False: the whole table is public and passes unchanged
    public: str | None = None  #: boolean column marking rows already published by their owner
    decimals: Mapping[str, int] = field(default_factory=dict)  #: rounding of derived columns

    def count(self, column: str) -> Count:
        for c in self.counts:
            if c.column == column:
                return c
        raise KeyError(column)

    @property
    def count_columns(self) -> tuple[str, ...]:
        return tuple(c.column for c in self.counts)

    @property
    def derived_columns(self) -> tuple[str, ...]:
        return tuple(d.column for d in self.derived)
