"""Parsing json-stat2 (https://json-stat.org/full/) as PxWeb returns it.

* Dimension order comes from ``id`` and ``size``; values are in row-major order over them.
* ``value`` may be a dense list or a sparse ``{"index": value}`` object; ``null`` (or an absent
  sparse index) is a missing cell and stays NaN, never 0.
* ``status`` may be a string (every cell), a list or a ``{"index": flag}`` object; the flag is
  kept per cell (StatFin marks suppressed cells with e.g. ``.`` or ``..``).
* Category ``index`` may be a list or an object; ``label`` is optional (labels are in the
  language of the request: fi, sv or en).

Anything inconsistent (sizes that do not match the categories, fewer values than cells)
raises :class:`~kuva.sources.pxweb.errors.PxWebResponseError`: such a body is never data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kuva.sources.pxweb.errors import PxWebResponseError


@dataclass(frozen=True)
class Dimension:
    """One json-stat2 dimension (a PxWeb variable)."""

    code: str
    label: str
    categories: tuple[str, ...]  #: value codes in index order
    category_labels: tuple[str, ...]  #: labels in the same order (code if none)
    elimination: bool = False  #: PxWeb: the variable may be left out of a query
    elimination_value: str | None = None
    units: dict[str, str] = field(default_factory=dict)  #: content code -> unit base, if given

    @property
    def size(self) -> int:
        return len(self.categories)


@dataclass(frozen=True)
class JsonStatDataset:
    """A parsed json-stat2 dataset (data, or metadata without values)."""

    label: str
    updated: str | None
    dimensions: tuple[Dimension, ...]
    roles: dict[str, tuple[str, ...]]  #: ``time``/``geo``/``metric`` -> dimension codes
    values: np.ndarray | None  #: float64, NaN = missing; None for metadata
    status: tuple[str | None, ...] | None
    extension: dict[str, Any] = field(default_factory=dict)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.dimensions)

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(d.size for d in self.dimensions)

    def dimension(self, code: str) -> Dimension:
        for d in self.dimensions:
            if d.code == code:
                return d
        raise KeyError(code)

    def to_frame(self) -> pd.DataFrame:
        """Long frame: one column per dimension (value codes), ``value`` and ``status``."""
        if self.values is None:
            raise PxWebResponseError(f"json-stat2 {self.label!r}: metadata has no values")
        sizes = self.sizes
        n = int(np.prod(sizes)) if sizes else 0
        grids = np.indices(sizes).reshape(len(sizes), -1) if sizes else np.empty((0, 0), int)
        out = {d.code: np.asarray(d.categories, dtype=object)[grids[i]] for i, d in enumerate(self.dimensions)}
        frame = pd.DataFrame(out)
        frame["value"] = self.values
        frame["status"] = pd.Series(list(self.status) if self.status is not None else [None] * n, dtype="object")
        return frame


def _categories(code: str, dim: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
    cat = dim.get("category")
    if not isinstance(cat, dict):
        raise PxWebResponseError(f"json-stat2: dimension {code!r} has no category object")
    index = cat.get("index")
    labels = cat.get("label") or {}
    if index is None:
        # a single-category dimension may give only labels (json-stat allows it)
        if not isinstance(labels, dict) or len(labels) != 1:
            raise PxWebResponseError(f"json-stat2: dimension {code!r} has no category index")
        codes: list[str] = [str(k) for k in labels]
    elif isinstance(index, list):
        codes = [str(x) for x in index]
    elif isinstance(index, dict):
        pos = {str(k): int(v) for k, v in index.items()}
        if sorted(pos.values()) != list(range(len(pos))):
            raise PxWebResponseError(f"json-stat2: dimension {code!r} has a category index with gaps")
        codes = sorted(pos, key=pos.__getitem__)
    else:
        raise PxWebResponseError(f"json-stat2: dimension {code!r}: category index must be a list or object")
    if not isinstance(labels, dict):
        raise PxWebResponseError(f"json-stat2: dimension {code!r}: category label must be an object")
    units: dict[str, str] = {}
    for k, u in (cat.get("unit") or {}).items():
        if isinstance(u, dict) and "base" in u:
            units[str(k)] = str(u["base"])
    return tuple(codes), tuple(str(labels.get(c, c)) for c in codes), units


def _cells(raw: Any, n: int, what: str, label: str) -> list[Any]:
    if isinstance(raw, list):
        if len(raw) != n:
            raise PxWebResponseError(
                f"json-stat2 {label!r}: {what} has {len(raw)} entries, the dimensions give {n} cells"
            )
        return raw
    if isinstance(raw, dict):
        cells: list[Any] = [None] * n
        for k, v in raw.items():
            try:
                i = int(k)
            except ValueError as exc:
                raise PxWebResponseError(f"json-stat2 {label!r}: {what} index {k!r} is not a number") from exc
            if not 0 <= i < n:
                raise PxWebResponseError(f"json-stat2 {label!r}: {what} index {i} outside 0..{n - 1}")
            cells[i] = v
        return cells
    raise PxWebResponseError(f"json-stat2 {label!r}: {what} must be a list or an object")


def parse_jsonstat2(doc: Any, *, require_values: bool = True) -> JsonStatDataset:
    """Parse a decoded json-stat2 document (``dict``) or raise :class:`PxWebResponseError`."""
    if not isinstance(doc, dict):
        raise PxWebResponseError(f"json-stat2: expected an object, got {type(doc).__name__}")
    if doc.get("class", "dataset") != "dataset":
        raise PxWebResponseError(f"json-stat2: class {doc.get('class')!r}, expected 'dataset'")
    label = str(doc.get("label", ""))
    ids, sizes, dims = doc.get("id"), doc.get("size"), doc.get("dimension")
    if not isinstance(ids, list) or not isinstance(sizes, list) or not isinstance(dims, dict):
        raise PxWebResponseError(f"json-stat2 {label!r}: 'id', 'size' and 'dimension' are required")
    if len(ids) != len(sizes):
        raise PxWebResponseError(f"json-stat2 {label!r}: {len(ids)} ids but {len(sizes)} sizes")
    # metadata responses carry no values (or an empty ``value`` list, as in the v2 examples)
    is_meta = not require_values and not doc.get("value")
    dimensions: list[Dimension] = []
    for code, size in zip(ids, sizes, strict=True):
        d = dims.get(code)
        if not isinstance(d, dict):
            raise PxWebResponseError(f"json-stat2 {label!r}: dimension {code!r} listed in 'id' is missing")
        cats, cat_labels, units = _categories(code, d)
        # metadata (no values) may list every category while ``size`` reflects a default
        # selection (seen in the PxWeb v2 examples); for data the two must agree
        if len(cats) != int(size) and not is_meta:
            raise PxWebResponseError(
                f"json-stat2 {label!r}: dimension {code!r} has {len(cats)} categories but size {size}"
            )
        ext = d.get("extension") or {}
        dimensions.append(
            Dimension(
                str(code),
                str(d.get("label", code)),
                cats,
                cat_labels,
                bool(ext.get("elimination", False)),
                str(ext["eliminationValueCode"]) if ext.get("eliminationValueCode") is not None else None,
                units,
            )
        )
    role = {str(k): tuple(str(x) for x in v) for k, v in (doc.get("role") or {}).items() if isinstance(v, list)}
    values: np.ndarray | None = None
    status: tuple[str | None, ...] | None = None
    if not is_meta and "value" in doc:
        n = math.prod(int(s) for s in sizes)
        cells = _cells(doc["value"], n, "value", label)
        try:
            values = np.array([np.nan if v is None else float(v) for v in cells], dtype=float)
        except (TypeError, ValueError) as exc:
            raise PxWebResponseError(f"json-stat2 {label!r}: a value is not a number ({exc})") from exc
        raw_status = doc.get("status")
        if raw_status is None:
            status = None
        elif isinstance(raw_status, str):
            status = tuple([raw_status] * n)
        else:
            status = tuple(None if s in (None, "") else str(s) for s in _cells(raw_status, n, "status", label))
    elif require_values:
        raise PxWebResponseError(f"json-stat2 {label!r}: no 'value' (a data response must have values)")
    updated = doc.get("updated")
    return JsonStatDataset(
        label,
        str(updated) if updated else None,
        tuple(dimensions),
        role,
        values,
        status,
        dict(doc.get("extension") or {}),
    )


def parse_jsonstat2_bytes(body: bytes, *, require_values: bool = True) -> JsonStatDataset:
    """Decode and parse a body; invalid or truncated JSON raises :class:`PxWebResponseError`."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PxWebResponseError(f"body is not valid JSON ({len(body)} bytes): {exc}") from exc
    return parse_jsonstat2(doc, require_values=require_values)
