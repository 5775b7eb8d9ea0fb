"""The observations the portal and the API show: one function, so a page, a download and the
JSON route publish exactly the same protected figures (the same rules as ``kuva query``:
related measures are protected together, so a total minus its parts cannot reveal a hidden cell)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd
from fastapi import Request

from kuva.config import load_settings
from kuva.privacy.engine import ProtectedTable
from kuva.privacy.observations import protect_observations, related_measures
from kuva.registry import area_registry
from kuva.warehouse import Warehouse, query_observations
from kuva.warehouse.query import source_sensitivity
from kuva.web.security import principal_of


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


@contextmanager
def measures_engine(request: Request, wh: Warehouse) -> Iterator[Any]:
    """``wh``'s tables on the portal's engine (``kuva serve --engine postgres``: the PostgreSQL
    copy, :func:`kuva.warehouse.engines.open_engine`), one connection per request; None when the
    portal reads the file itself. The service-process routes and pages read their measures here."""
    from kuva.warehouse.engines import open_engine

    if request.app.state.engine == "duckdb":
        yield None
        return
    with open_engine(wh, request.app.state.engine, request.app.state.engine_url) as engine:
        yield engine


@lru_cache(maxsize=64)
def _scope_codes(warehouse: str, area: str) -> frozenset[str]:
    from kuva.analysis.own_area import resolve_own_area

    with Warehouse(warehouse, read_only=True) as wh:
        a = resolve_own_area(wh, area, None)
    return frozenset({a.code, a.ref, *a.members, "SSS"})


def allowed_areas(request: Request) -> frozenset[str] | None:
    """The area codes an area analyst may see at finer detail (their area by code and by
    :attr:`~kuva.analysis.own_area.OwnArea.ref`, its member municipalities, the nation); None for
    everyone else (a ministry analyst sees every area)."""
    who = principal_of(request)
    return None if who.area is None else _scope_codes(str(request.app.state.warehouse), who.area)


__all__ = ["allowed_areas", "protected_observations"]
