"""Disclosure control at every output boundary: small-cell suppression.

Any aggregate that counts persons passes through :func:`suppress_small_cells` before it leaves
KuVa (report, portal, API, CLI, export). A count below the minimum cell size (default 5,
``KUVA_MIN_CELL``) is suppressed together with every value derived from it (shares, means and
rates in the same row that the caller names). Suppressed cells become missing and a flag column
says why, so a reader can tell "suppressed" from "not published".

Secondary suppression: when a table has a total row, suppressing a single cell in a group lets
it be recovered by subtraction; with ``complementary=True`` the next-smallest cell of the same
group is suppressed too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kuva.config import DEFAULT_MIN_CELL
from kuva.errors import KuvaInputError

SUPPRESSED_FLAG = "suppressed"


def suppress_small_cells(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    *,
    derived_columns: Sequence[str] = (),
    min_cell: int = DEFAULT_MIN_CELL,
    group_by: Sequence[str] = (),
    complementary: bool = False,
) -> pd.DataFrame:
    """A copy of ``frame`` with counts below ``min_cell`` (and their derived values) masked.

    ``count_columns`` hold person counts; a row whose count in any of them is in ``[1, min_cell)``
    gets that count and every ``derived_columns`` value masked to NaN. Zero is not disclosive
    and stays. A boolean column ``suppressed`` marks masked rows. With ``complementary`` and
    ``group_by``, one more cell per group is masked when exactly one was, so it cannot be
    recovered from a total.
    """
    if min_cell < 1:
        raise KuvaInputError(f"min_cell must be at least 1, got {min_cell}")
    missing = [c for c in (*count_columns, *derived_columns, *group_by) if c not in frame.columns]
    if missing:
        raise KuvaInputError(f"suppress_small_cells: no column(s) {missing} in {list(frame.columns)}")
    out = frame.copy()
    flag = np.zeros(len(out), dtype=bool)
    for col in count_columns:
        v = pd.to_numeric(out[col], errors="coerce").to_numpy(dtype=float)
        small = (v > 0) & (v < min_cell)
        flag |= small
    if complementary and group_by and flag.any():
        first = pd.to_numeric(out[count_columns[0]], errors="coerce")
        for _, idx in out.groupby(list(group_by), sort=False).indices.items():
            idx_arr = np.asarray(idx)
            if flag[idx_arr].sum() == 1 and len(idx_arr) > 1:
                rest = idx_arr[~flag[idx_arr]]
                vals = first.to_numpy(dtype=float)[rest]
                if len(rest) and np.isfinite(vals).any():
                    flag[rest[int(np.nanargmin(vals))]] = True
    for col in (*count_columns, *derived_columns):
        out[col] = out[col].astype(float).where(~flag, np.nan)
    out[SUPPRESSED_FLAG] = flag
    return out


def person_count_measures() -> frozenset[str]:
    """Codes of the catalogue's measures that count persons (unit ``persons``)."""
    from kuva.registry import measures

    return frozenset(code for code, m in measures().items() if m.unit == "persons")


def suppress_long_counts(
    frame: pd.DataFrame, *, min_cell: int = DEFAULT_MIN_CELL, value_column: str = "value",
    measure_column: str = "measure",
) -> pd.DataFrame:
    """A copy of a long observation table with person counts in ``[1, min_cell)`` masked.

    Rows whose measure counts persons (unit ``persons`` in the measure catalogue) are checked;
    other measures (rates, vacancies, euros) pass unchanged. A boolean ``suppressed`` column
    marks the masked rows.
    """
    if min_cell < 1:
        raise KuvaInputError(f"min_cell must be at least 1, got {min_cell}")
    missing = [c for c in (value_column, measure_column) if c not in frame.columns]
    if missing:
        raise KuvaInputError(f"suppress_long_counts: no column(s) {missing} in {list(frame.columns)}")
    out = frame.copy()
    counts = out[measure_column].astype(str).str.upper().isin(person_count_measures()).to_numpy()
    v = pd.to_numeric(out[value_column], errors="coerce").to_numpy(dtype=float)
    flag = counts & (v > 0) & (v < min_cell)
    out[value_column] = out[value_column].astype(float).where(~flag, np.nan)
    out[SUPPRESSED_FLAG] = flag
    return out
