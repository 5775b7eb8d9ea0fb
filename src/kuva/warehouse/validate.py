"""Validation of an observation frame before it may enter the warehouse.

The frame contract every source adapter and the simulator produce:

==============  =========================================================================
column          meaning
==============  =========================================================================
``area_code``   a code of :mod:`kuva.registry.areas` (``SSS``, ``KUnnn``, ``SKnnn``, ...)
``period``      first day of the month (monthly) or 1 January (annual), ``datetime64``/date
``measure``     a code of the measure catalogue (:mod:`kuva.registry.measures`)
``breakdown``   ``""`` or ``dimension=code`` (e.g. ``tyollistamisen_laji=40``)
``value``       float; NaN for a missing or suppressed cell (never 0 in its place)
``status``      optional: the publisher's flag for the cell (e.g. ``.``), or empty
``row``         optional: the 1-based row number in the source file, used in messages
==============  =========================================================================

The frequency is taken from the measure catalogue. The first bad row raises
:class:`~kuva.errors.BadRowError` naming the source, the row and the field.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kuva.errors import BadRowError
from kuva.registry import area_registry, measures

REQUIRED_COLUMNS = ("area_code", "period", "measure", "value")
_BREAKDOWN = re.compile(r"^$|^[a-z0-9_]+=[A-Za-z0-9_.\-]+$")


def validate_observations(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Return a clean copy of ``frame`` in warehouse shape, or raise on the first bad row."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise BadRowError(source, None, None, f"missing column(s) {missing}; found {list(frame.columns)}")
    n = len(frame)
    rows = (
        frame["row"].to_numpy() if "row" in frame.columns else np.arange(1, n + 1)
    )
    out = pd.DataFrame(
        {
            "area_code": frame["area_code"].astype("string").to_numpy(),
            "measure": frame["measure"].astype("string").to_numpy(),
            "breakdown": (
                frame["breakdown"].fillna("").astype("string").to_numpy()
                if "breakdown" in frame.columns else np.full(n, "", dtype=object)
            ),
            "status": (
                frame["status"].astype("string").mask(frame["status"].astype("string") == "").to_numpy()
                if "status" in frame.columns else np.full(n, None, dtype=object)
            ),
        }
    )

    def fail(mask: np.ndarray, field: str, problem: str) -> None:
        idx = int(np.flatnonzero(mask)[0])
        raise BadRowError(source, int(rows[idx]), field, problem.format(**_row_values(frame, idx)))

    # area codes
    areas = area_registry()
    codes = out["area_code"]
    known = codes.isin([a.code for a in areas.areas()]).to_numpy()
    if not known.all():
        idx = int(np.flatnonzero(~known)[0])
        bad = str(codes.iloc[idx])
        try:
            hint = f" ({areas.area(bad).code} is meant?)" if bad not in ("", "<NA>") else ""
        except Exception:
            hint = ""
        raise BadRowError(source, int(rows[idx]), "area_code", f"unknown area code {bad!r}{hint}")
    # measures
    cat = measures()
    known_m = out["measure"].isin(list(cat)).to_numpy()
    if not known_m.all():
        fail(~known_m, "measure", "unknown measure {measure!r} (not in the measure catalogue)")
    out["frequency"] = out["measure"].map({k: v.frequency for k, v in cat.items()}).astype("string")
    # breakdown
    ok_b = out["breakdown"].str.match(_BREAKDOWN).fillna(False).to_numpy(dtype=bool)
    if not ok_b.all():
        fail(~ok_b, "breakdown", "breakdown must be empty or 'dimension=code', got {breakdown!r}")
    # periods
    period = pd.to_datetime(frame["period"], errors="coerce").to_numpy()
    bad_p = pd.isna(period)
    if bad_p.any():
        fail(bad_p, "period", "not a date: {period!r}")
    p = pd.DatetimeIndex(period)
    not_first = (p.day != 1) | (p.hour != 0) | (p.minute != 0)
    if not_first.any():
        fail(np.asarray(not_first), "period", "period must be the first day of a month, got {period!r}")
    annual = (out["frequency"] == "A").to_numpy(dtype=bool)
    bad_a = annual & np.asarray(p.month != 1)
    if bad_a.any():
        fail(bad_a, "period", "annual measure {measure} needs period 1 January, got {period!r}")
    out["period"] = p.date
    # values
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    blank = (frame["value"].astype("string").str.strip() == "").fillna(True)
    raw_missing = frame["value"].isna().to_numpy() | blank.to_numpy(dtype=bool)
    not_numeric = np.isnan(values) & ~raw_missing
    if not_numeric.any():
        fail(not_numeric, "value", "not a number: {value!r}")
    if np.isinf(values).any():
        fail(np.isinf(values), "value", "infinite value {value!r}")
    out["value"] = values
    # duplicates
    key = ["area_code", "period", "measure", "breakdown"]
    dup = out.duplicated(key, keep="first").to_numpy()
    if dup.any():
        idx = int(np.flatnonzero(dup)[0])
        r = out.iloc[idx]
        raise BadRowError(
            source, int(rows[idx]), None,
            f"duplicate observation {r['area_code']} {r['period']} {r['measure']} {r['breakdown']!r}",
        )
    return out[["area_code", "period", "frequency", "measure", "breakdown", "value", "status"]]


def _row_values(frame: pd.DataFrame, idx: int) -> dict[str, object]:
    values = {str(k): v for k, v in frame.iloc[idx].items()}
    values.setdefault("breakdown", "")
    return values
