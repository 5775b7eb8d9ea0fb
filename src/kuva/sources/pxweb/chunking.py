"""Splitting a selection into requests under the server's cell limit (``maxDataCells``).

A selection is an ordered tuple of ``(variable code, value codes)``. The number of cells of a
request is the product of the value counts. Chunks split the first variable of ``split_order``
that has more than one value (time first, then area, ...) into equal runs, recursively, until
every chunk fits. Chunks cover every cell exactly once and keep the value order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from kuva.errors import KuvaInputError

Selection = tuple[tuple[str, tuple[str, ...]], ...]


def cells(selection: Selection) -> int:
    return math.prod(len(v) for _, v in selection)


def split_selection(selection: Selection, max_cells: int, split_order: Sequence[str]) -> list[Selection]:
    """Chunks of ``selection`` of at most ``max_cells`` cells each."""
    if max_cells < 1:
        raise KuvaInputError(f"max_cells must be >= 1, got {max_cells}")
    order = [c for c in split_order if any(c == v for v, _ in selection)]
    order += [v for v, _ in selection if v not in order]
    out: list[Selection] = []
    todo = [selection]
    # bounded: every split makes strictly smaller chunks, so there are at most cells() passes
    for _ in range(max(cells(selection), 1) * 2 + 1):
        if not todo:
            return out
        sel = todo.pop(0)
        n = cells(sel)
        if n <= max_cells:
            out.append(sel)
            continue
        var = next((c for c in order if len(dict(sel)[c]) > 1), None)
        if var is None:  # pragma: no cover - a one-cell selection always fits
            raise KuvaInputError(f"cannot split a selection of {n} cells under {max_cells}")
        values = dict(sel)[var]
        per_value = n // len(values)
        run = max(1, max_cells // per_value) if per_value <= max_cells else 1
        pieces = [values[i : i + run] for i in range(0, len(values), run)]
        todo[0:0] = [tuple((c, p if c == var else v) for c, v in sel) for p in pieces]
    raise KuvaInputError("selection splitting did not finish")  # pragma: no cover
