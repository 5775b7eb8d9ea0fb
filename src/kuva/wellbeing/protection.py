"""Disclosure control for the Kykyviisari tables: primary and complementary suppression.

Primary suppression is :func:`kuva.privacy.disclosure.suppress_small_cells`' rule: a person
count in ``[1, min_cell)`` is masked with every value derived from it. Because the tables also
show totals (an area's total over classes, the pilot areas' total, all respondents), a single
masked cell could be recovered by subtraction; so within every *grouping* (a set of rows that
add up to a total shown in the same table) one more cell is masked whenever exactly one is,
repeating until nothing changes. Each count column is protected on its own, so a small number
of repeat respondents does not hide the number of respondents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kuva.errors import KuvaInputError
from kuva.privacy.disclosure import SUPPRESSED_FLAG


def protect(
    frame: pd.DataFrame,
    counts: Mapping[str, Sequence[str]],
    *,
    min_cell: int,
    groupings: Sequence[Sequence[str]] = (),
) -> pd.DataFrame:
    """A copy of ``frame`` with small counts and their derived values masked (NaN).

    ``counts`` maps each person-count column to the columns derived from it. ``groupings``
    lists column sets; rows sharing the values of a set add up to a total shown elsewhere in
    the table (a group key that is NaN/None puts the row in no group). A boolean column
    ``suppressed`` marks rows with anything masked.
    """
    if min_cell < 1:
        raise KuvaInputError(f"min_cell must be at least 1, got {min_cell}")
    out = frame.reset_index(drop=True).copy()
    any_flag = np.zeros(len(out), dtype=bool)
    for col, derived in counts.items():
        values = pd.to_numeric(out[col], errors="coerce").to_numpy(dtype=float)
        flag = (values > 0) & (values < min_cell)  # interim: this module is being replaced by the engine
        changed = True
        while changed:
            changed = False
            for keys in groupings:
                sub = out[list(keys)]
                valid = sub.notna().all(axis=1).to_numpy()
                if not valid.any():
                    continue
                for idx in sub[valid].groupby(list(keys), sort=False).indices.values():
                    rows = np.flatnonzero(valid)[np.asarray(idx)]
                    if len(rows) < 2 or flag[rows].sum() != 1:
                        continue
                    rest = rows[~flag[rows] & np.isfinite(values[rows])]
                    if len(rest) == 0:
                        continue
                    positive = rest[values[rest] > 0]
                    pool = positive if len(positive) else rest
                    flag[pool[int(np.argmin(values[pool]))]] = True
                    changed = True
        for c in (col, *derived):
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(float).where(~flag, np.nan)
        any_flag |= flag
    out[SUPPRESSED_FLAG] = any_flag
    return out


def smallest_shown(frame: pd.DataFrame, counts: Sequence[str]) -> float:
    """The smallest positive count left in the table (for tests and checks); inf if none."""
    vals = frame[list(counts)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float).ravel()
    vals = vals[np.isfinite(vals) & (vals > 0)]
    return float(vals.min()) if len(vals) else float("inf")


__all__ = ["protect", "smallest_shown"]
