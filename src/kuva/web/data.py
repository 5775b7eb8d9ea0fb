"""The observations the portal and the API show: one function, so a page, a download and the
JSON route publish exactly the same protected figures (the same rules as ``kuva query``:
related measures are protected together, so a total minus its parts cannot reveal a hidden cell)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from kuva.config import load_settings
from kuva.privacy.engine import ProtectedTable
from kuva.privacy.observations import protect_observations, related_measures
from kuva.registry import area_registry
from kuva.warehouse import Warehouse, query_observations
from kuva.warehouse.query import source_sensitivity


def protected_observations(wh: Warehouse, measures: Sequence[str], areas: Sequence[str] | None,
                           start: date | None, end: date | None, *, name: str,
                           as_of: date | None = None) -> tuple[ProtectedTable, pd.DataFrame]:
    """The protected observations of ``measures`` (area codes or names; all areas when None;
    as they stood on ``as_of`` when given) and the raw frame's provenance columns (``source_id``
    per row, for the synthetic labels)."""
    codes = [area_registry().area(a).code for a in areas] if areas else None
    df = query_observations(wh, list(measures), areas=codes, start=start, end=end, as_of=as_of)
    extra = sorted(related_measures(measures) - {m.upper() for m in measures})
    context = query_observations(wh, extra, areas=codes, start=start, end=end, as_of=as_of) if extra else None
    df["vintage"] = pd.to_datetime(df["vintage"]).dt.date.astype(str)
    p = protect_observations(df, load_settings().disclosure, sensitivity=source_sensitivity(wh), context=context,
                             name=name)
    return p, df


__all__ = ["protected_observations"]
