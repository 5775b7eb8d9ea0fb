"""What every analysis reads: monthly counts of municipalities, groups and the nation as pandas
frames computed by the Ibis indicators, with their provenance; and the small shared pieces
(minimum cell, area resolution, result parameters)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from kuva.config import load_settings
from kuva.errors import KuvaLookupError
from kuva.i18n import check_lang, fmt_month, fmt_number, has_label, label
from kuva.indicators import codes
from kuva.indicators.groups import COMPARISON, PILOT, PILOT_START, aggregate, membership, national
from kuva.indicators.observations import Provenance, observations, provenance, wide
from kuva.indicators.rates import with_activation
from kuva.privacy.engine import ProtectedTable, protect_table
from kuva.privacy.policy import DisclosurePolicy, policy
from kuva.privacy.spec import TableSpec
from kuva.registry import ProgrammeArea, programme_registry
from kuva.registry.names import closest
from kuva.registry.pilots import slug
from kuva.warehouse.connection import Warehouse

COUNTS: tuple[str, ...] = (codes.UNEMPLOYED, *codes.SERVICES)
NATION = "nation"


def resolve_min_cell(min_cell: int | None) -> int:
    """``min_cell`` if given, else the setting (``KUVA_MIN_CELL``, default 5); checked by the
    disclosure policy (below 3 only with the override)."""
    return resolve_policy(min_cell).min_cell


def resolve_policy(min_cell: int | None) -> DisclosurePolicy:
    """The disclosure policy of the settings, with ``min_cell`` if given."""
    settings = load_settings()
    if min_cell is None:
        return settings.disclosure
    return policy(min_cell, override=settings.min_cell_override, rounding=settings.rounding)


def protect(table: pd.DataFrame, spec: TableSpec, key: str, min_cell: int | None) -> ProtectedTable:
    """``table`` through the disclosure engine (an analysis declares, the engine decides)."""
    return protect_table(table, spec, resolve_policy(min_cell), name=key)


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    if "period" in out.columns:
        out["period"] = pd.to_datetime(out["period"]).dt.date
    rename = {codes.UNEMPLOYED: "unemployed"}
    return out.rename(columns=rename)


@dataclass(frozen=True)
class Monthly:
    """Monthly counts and activation rates with their provenance."""

    frame: pd.DataFrame  #: one row per (group or area, period)
    provenance: Provenance
    basis: Mapping[str, str] = field(default_factory=dict)  #: national basis per measure


def municipal_monthly(wh: Warehouse, start: date | None, end: date | None, *,
                      as_of: datetime | date | None = None) -> tuple[pd.DataFrame, Provenance]:
    """Per municipality and month: unemployed, the seven services, in_services, activation_rate,
    components and shares."""
    long = observations(wh, COUNTS, area_prefix="KU", start=start, end=end, as_of=as_of)
    t = with_activation(wide(long, COUNTS))
    return _tidy(t.to_pandas()).sort_values(["area_code", "period"]).reset_index(drop=True), provenance(long)


def national_monthly(wh: Warehouse, start: date | None, end: date | None, *,
                     as_of: datetime | date | None = None) -> Monthly:
    """The nation: published ``SSS`` values per measure where present, municipal sums otherwise."""
    sss = observations(wh, COUNTS, areas=[codes.NATION], start=start, end=end, as_of=as_of)
    ku_long = observations(wh, COUNTS, area_prefix="KU", start=start, end=end, as_of=as_of)
    t = with_activation(national(sss, wide(ku_long, COUNTS), COUNTS))
    df = _tidy(t.to_pandas()).sort_values("period").reset_index(drop=True)
    basis = {}
    for m in COUNTS:
        col = df[f"basis_{m}"].dropna()
        parts = []
        for kind in ("published", "municipal_sum"):
            periods = df.loc[df[f"basis_{m}"] == kind, "period"]
            if len(periods):
                parts.append(f"{kind} {periods.min():%Y-%m}…{periods.max():%Y-%m}")
        basis[m] = "; ".join(parts) if len(col) else "none"
    return Monthly(df, provenance(sss) | provenance(ku_long), basis)


def group_monthly(wh: Warehouse, start: date | None, end: date | None, *, on: date = PILOT_START,
                  pilots_csv: Path | None = None, as_of: datetime | date | None = None,
                  mapping: pd.DataFrame | None = None) -> Monthly:
    """Pilot and comparison groups (mainland; or the groups of ``mapping``) summed per month,
    with rates from the sums."""
    long = observations(wh, COUNTS, area_prefix="KU", start=start, end=end, as_of=as_of)
    groups = membership("pilot_group", on, pilots_csv=pilots_csv) if mapping is None else mapping
    agg = with_activation(aggregate(wide(long, COUNTS), groups, COUNTS))
    df = _tidy(agg.to_pandas()).rename(columns={"group_code": "group", f"n_missing_{codes.UNEMPLOYED}": "n_missing"})
    return Monthly(df.sort_values(["group", "period"]).reset_index(drop=True), provenance(long))


def groups_and_nation(wh: Warehouse, start: date | None, end: date | None, *, on: date = PILOT_START,
                      pilots_csv: Path | None = None, as_of: datetime | date | None = None) -> Monthly:
    """Pilot, comparison and nation stacked, columns ``group``, ``period``, counts and rates."""
    g = group_monthly(wh, start, end, on=on, pilots_csv=pilots_csv, as_of=as_of)
    n = national_monthly(wh, start, end, as_of=as_of)
    nat = n.frame.assign(group=NATION)
    cols = ["group", "period", "unemployed", *codes.SERVICES, "in_services", "activation_rate", "synthetic",
            *[f"share_{s}" for s in codes.SERVICES], *[f"rate_{s}" for s in codes.SERVICES]]
    frame = pd.concat([g.frame[[*cols, "n_areas", "n_missing"]], nat[cols]], ignore_index=True)
    order = {PILOT: 0, COMPARISON: 1, NATION: 2}
    frame = frame.sort_values(["group", "period"], key=lambda s: s.map(order) if s.name == "group" else s)
    return Monthly(frame.reset_index(drop=True), g.provenance | n.provenance, n.basis)


def resolve_pilot_area(query: str, pilots_csv: Path | None = None) -> ProgrammeArea:
    """A pilot area by code or name; a unique prefix also matches (``Etelä-Pohjanmaa`` →
    ``Etelä-Pohjanmaan seutu``)."""
    reg = programme_registry(pilots_csv)
    try:
        return reg.area(query)
    except KuvaLookupError:
        key = slug(query)
        hits = [a for a in reg.areas() if a.code.startswith(key[: max(len(key) - 1, 3)])]
        if len(hits) == 1:
            return hits[0]
        names = [a.name for a in reg.areas()]
        raise KuvaLookupError(f"unknown pilot area {query!r}; closest: "
                              f"{', '.join(closest(query, names)) or '(none)'}") from None


def national_basis_text(basis: Mapping[str, str]) -> str:
    """One line for the parameters: which national figures are published and which summed."""
    return "; ".join(f"{m}: {b}" for m, b in basis.items())


def params(**kwargs: object) -> dict[str, str]:
    """Parameters as strings for the appendix (None → empty)."""
    return {k: "" if v is None else (v.isoformat() if isinstance(v, date) else str(v)) for k, v in kwargs.items()}


def fmt_value(value: object, lang: str, decimals: int = 1) -> str:
    """A value for a text in ``lang``: numbers localised, months named, label keys translated."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return fmt_number(int(value), lang, 0)
    if isinstance(value, numbers.Real):
        return fmt_number(float(value), lang, decimals)
    if isinstance(value, date):
        return fmt_month(value, lang)
    if value is None:
        return "–"
    text = str(value)
    return label(text, lang) if has_label(text) else text


def texter(key: str, values: Mapping[str, object], synthetic: bool, decimals: int = 1) -> Callable[[str], str]:
    """A ``text(lang)`` callable: the template ``key`` filled with ``values`` formatted per language."""

    def text(lang: str) -> str:
        check_lang(lang)
        body = label(key, lang).format(**{k: fmt_value(v, lang, decimals) for k, v in values.items()})
        return f"{body} {label('synthetic_note', lang)}" if synthetic else body

    return text


def titler(key: str) -> Callable[[str], str]:
    def title(lang: str) -> str:
        return label(f"title.{key}", lang)

    return title


def no_data_text(lang: str) -> str:
    return label("text.no_data", lang)


def source_line(prov: Provenance) -> str:
    return ", ".join(prov.sources)


def series_names(keys: Sequence[str], lang: str) -> list[str]:
    return [label(k, lang) for k in keys]
