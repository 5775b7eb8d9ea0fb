"""Matching a table's live metadata to its catalogue entry, and shaping answers into the
warehouse's observation frame (:mod:`kuva.warehouse.validate`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from kuva.registry import area_registry, measures
from kuva.registry.areas import COUNTRY_CODE
from kuva.sources.pxweb.catalogue import (
    RENAME_DATE,
    ROLE_NAMES,
    RoleNames,
    TableSpec,
    breakdown_matches,
    normalise_content_code,
)
from kuva.sources.pxweb.chunking import Selection
from kuva.sources.pxweb.client import TableMetadata
from kuva.sources.pxweb.errors import CatalogueMismatchError, PxWebResponseError
from kuva.sources.pxweb.jsonstat import JsonStatDataset

_HINT = f" — StatFin renamed variables on {RENAME_DATE}; update the catalogue mapping (kuva/sources/pxweb/catalogue.py)"


@dataclass(frozen=True)
class Resolution:
    """Which live variable plays which catalogue role, and what to ask for."""

    spec: TableSpec
    area_var: str | None
    time_var: str
    content_var: str
    breakdown_var: str | None
    contents: dict[str, str]  #: live content code -> KuVa measure
    areas: tuple[str, ...]  #: live area codes KuVa knows (requested)
    skipped_areas: tuple[str, ...]  #: live area codes not in the area registry (not requested)
    skipped_contents: tuple[str, ...]  #: live content codes the catalogue does not map
    eliminated: tuple[str, ...]  #: other variables left out of the query (eliminable)


def period_of(code: str) -> date:
    """``2023M10`` -> 2023-10-01, ``2021`` -> 2021-01-01."""
    c = code.strip()
    try:
        if len(c) == 4:
            return date(int(c), 1, 1)
        if len(c) == 7 and c[4] in "Mm":
            return date(int(c[:4]), int(c[5:]), 1)
    except ValueError:
        pass
    raise PxWebResponseError(f"time code {code!r} is neither 'YYYY' nor 'YYYYMmm'")


def _find(meta: TableMetadata, role: RoleNames, what: str, required: bool) -> str | None:
    hits = [v.code for v in meta.variables if role.matches(v.code)]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise CatalogueMismatchError(
            f"table {meta.table}: several variables look like the {what} "
            f"({hits}); the catalogue cannot tell which to use"
        )
    if not required:
        return None
    have = ", ".join(repr(c) for c in meta.codes)
    raise CatalogueMismatchError(
        f"table {meta.table}: {what} variable {role.describe()} not found; the table has {have}{_HINT}"
    )


def resolve(spec: TableSpec, meta: TableMetadata) -> Resolution:
    """Match ``meta`` to ``spec``, or raise :class:`CatalogueMismatchError` saying what changed."""
    time_var = _find(meta, spec.time_role(), "time", True)
    content_var = _find(meta, ROLE_NAMES["content"], "content", True)
    area_var = _find(meta, ROLE_NAMES["area"], "area", spec.area == "required")
    assert time_var is not None
    assert content_var is not None
    bd_var: str | None = None
    if spec.breakdown:
        hits = [
            v.code
            for v in meta.variables
            if v.code not in (time_var, content_var, area_var) and breakdown_matches(spec.breakdown, v.code, v.label)
        ]
        if len(hits) != 1:
            have = ", ".join(repr(c) for c in meta.codes)
            raise CatalogueMismatchError(
                f"table {meta.table}: breakdown variable {spec.breakdown!r} "
                f"{'not found' if not hits else f'is ambiguous ({hits})'}; "
                f"the table has {have}{_HINT}"
            )
        bd_var = hits[0]
    used = {time_var, content_var, area_var, bd_var}
    eliminated: list[str] = []
    for v in meta.variables:
        if v.code in used:
            continue
        if not v.elimination:
            have = ", ".join(repr(c) for c in meta.codes)
            raise CatalogueMismatchError(
                f"table {meta.table}: unexpected variable {v.code!r} ({v.label}) that cannot "
                f"be left out; the catalogue knows no such variable; the table has {have}{_HINT}"
            )
        eliminated.append(v.code)
    # content codes
    wanted = dict(spec.contents)
    live = meta.variable(content_var).categories
    contents: dict[str, str] = {}
    skipped_c: list[str] = []
    for code in live:
        old = normalise_content_code(code, set(wanted))
        if old is None:
            skipped_c.append(code)
        else:
            contents[code] = wanted[old]
    found = set(contents.values())
    lost = [m for m in spec.measure_codes if m not in found]
    if lost:
        raise CatalogueMismatchError(
            f"table {meta.table}: content code(s) {lost} not found in variable "
            f"{content_var!r}; the table has {list(live)[:20]}{_HINT}"
        )
    # areas
    if area_var is not None:
        known = {a.code for a in area_registry().areas()}
        live_areas = meta.variable(area_var).categories
        areas = tuple(a for a in live_areas if a in known)
        skipped_a = tuple(a for a in live_areas if a not in known)
        if not areas:
            raise CatalogueMismatchError(
                f"table {meta.table}: none of the {len(live_areas)} area codes of {area_var!r} "
                f"is a KuVa area code (e.g. {list(live_areas)[:5]}); did the area coding change?"
            )
    else:
        areas, skipped_a = (COUNTRY_CODE,), ()
    return Resolution(
        spec,
        area_var,
        time_var,
        content_var,
        bd_var,
        contents,
        areas,
        skipped_a,
        tuple(skipped_c),
        tuple(eliminated),
    )


def time_codes(res: Resolution, meta: TableMetadata, since: date | None) -> tuple[str, ...]:
    codes = meta.variable(res.time_var).categories
    if since is None:
        return codes
    start = date(since.year, 1, 1) if res.spec.frequency == "A" else date(since.year, since.month, 1)
    return tuple(c for c in codes if period_of(c) >= start)


def build_selection(res: Resolution, meta: TableMetadata, times: tuple[str, ...]) -> Selection:
    """The selection in the table's own variable order."""
    parts: dict[str, tuple[str, ...]] = {
        res.time_var: times,
        res.content_var: tuple(res.contents),
    }
    if res.area_var is not None:
        parts[res.area_var] = res.areas
    if res.breakdown_var is not None:
        parts[res.breakdown_var] = meta.variable(res.breakdown_var).categories
    return tuple((v.code, parts[v.code]) for v in meta.variables if v.code in parts)


def split_order(res: Resolution) -> list[str]:
    return [v for v in (res.time_var, res.area_var, res.breakdown_var, res.content_var) if v]


def to_observations(res: Resolution, datasets: list[JsonStatDataset]) -> pd.DataFrame:
    """Observation frame (area_code, period, measure, breakdown, value, status) of all chunks."""
    parts: list[pd.DataFrame] = []
    for ds in datasets:
        f = ds.to_frame()
        for var in (res.time_var, res.content_var):
            if var not in f.columns:
                raise PxWebResponseError(f"table {res.spec.id}: answer lacks variable {var!r}")
        out = pd.DataFrame(
            {
                "area_code": f[res.area_var].astype(str) if res.area_var else COUNTRY_CODE,
                "period": [period_of(c) for c in f[res.time_var].astype(str)],
                "measure": f[res.content_var].map(res.contents),
                "breakdown": (f"{res.spec.breakdown}=" + f[res.breakdown_var].astype(str)) if res.breakdown_var else "",
                "value": f["value"].astype(float),
                "status": f["status"],
            },
            index=f.index,
        )
        parts.append(out[out["measure"].notna()])
    if not parts:
        return pd.DataFrame(columns=["area_code", "period", "measure", "breakdown", "value", "status"])
    obs = pd.concat(parts, ignore_index=True)
    for m in res.spec.annual_from_monthly:
        obs = _annualise(obs, m)
    freq = {k: v.frequency for k, v in measures().items()}
    annual = obs["measure"].map(freq) == "A"
    if res.spec.frequency == "M" and annual.any() and not res.spec.annual_from_monthly:
        raise PxWebResponseError(
            f"table {res.spec.id}: annual measures in a monthly table: {sorted(obs.loc[annual, 'measure'].unique())}"
        )
    obs = obs.drop_duplicates(["area_code", "period", "measure", "breakdown"], keep="last")
    return obs.sort_values(["measure", "breakdown", "area_code", "period"], kind="mergesort").reset_index(drop=True)


def _annualise(obs: pd.DataFrame, measure: str) -> pd.DataFrame:
    """An annual measure StatFin repeats every month: one row per year at 1 January, the value of
    the latest month of that year in the answer that has a value (missing if none has)."""
    mask = (obs["measure"] == measure).to_numpy()
    if not mask.any():
        return obs
    sub = obs[mask].copy()
    sub["_has"] = sub["value"].notna()
    sub["_year"] = [p.year for p in sub["period"]]
    sub = sub.sort_values(["_has", "period"], kind="mergesort")
    last = sub.groupby(["area_code", "breakdown", "_year"], sort=False).tail(1).copy()
    last["period"] = [date(y, 1, 1) for y in last["_year"]]
    last = last.drop(columns=["_has", "_year"])
    return pd.concat([obs[~mask], last], ignore_index=True)


__all__ = [
    "Resolution",
    "build_selection",
    "period_of",
    "resolve",
    "split_order",
    "time_codes",
    "to_observations",
]
