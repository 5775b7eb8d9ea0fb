"""A municipality's own files (``kuva load file KIND PATH``), read into the warehouse's shapes.

Kinds (templates from ``kuva load template KIND``; CSV with ``;`` or ``,``, or Excel):

``service-counts``  monthly persons in each activating service, in the shape of StatFin table
                    12u4, for areas or months StatFin does not cover: columns ``area`` (code
                    or name: ``KU205``, ``Kajaani``, ``SK181``, ``SSS``), ``month``
                    (``2025-03``, ``3/2025``, ``2025M03``) and any of the 12u4 counts
                    :data:`SERVICE_MEASURES`. An ``AKTASTE`` column is checked against the
                    counts (± 0.05 points, StatFin rounds to 0.1) and not stored: the rate is
                    always computed from the counts. A blank cell is "not given"; ``.``, ``..``
                    or ``-`` is a missing value. When the total and all seven services are
                    given, the total must be their sum. A month StatFin publishes for the area
                    is refused (the file is for what public data do not cover); synthetic
                    values of the same month are superseded (real beats synthetic).
``kela``            Kela's labour-market-subsidy municipal-share file (:mod:`kuva.sources.kela`).
``areas``           a custom area definition, e.g. a 2025 employment area: columns
                    ``area_name`` and ``municipality`` (code or name), optionally ``area_code``
                    (default: the name as a slug). A later load of the same area replaces its
                    member list; ``kuva load undo`` brings the earlier list back.

Own figures are confidential (they pass the disclosure engine's cell rules); every load is one
transaction with provenance, and can be undone. The first bad row raises
:class:`~kuva.errors.BadRowError` naming the file, the row and the field.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from pathlib import Path
from typing import Final, Literal, get_args

import pandas as pd

from kuva.errors import BadRowError, KuvaInputError, KuvaLookupError
from kuva.registry import area_registry
from kuva.registry.names import normalise
from kuva.registry.pilots import slug
from kuva.registry.resources import read_user_table
from kuva.warehouse import LoadReport, SourceInfo, Warehouse, load_observations
from kuva.warehouse.areas import load_custom_areas, public_values_for

Kind = Literal["service-counts", "kela", "areas"]
KINDS: Final[tuple[str, ...]] = get_args(Kind)

UNEMPLOYED: Final = "TYOTTOMATLOPUSSA"
TOTAL: Final = "PALVELUISSAYHTEENSA"
RATE: Final = "AKTASTE"
#: The seven activating services of 12u4 whose sum is the total in services.
SERVICES: Final[tuple[str, ...]] = ("TYOLLISTETTYLOP", "TVKOULUTUSLOP", "VALMENNUSLOP", "KOKEILULOP",
                                    "KUNTTYOLOP", "OMAEHTLOP", "VUORVAPLOP")
SERVICE_MEASURES: Final[tuple[str, ...]] = (UNEMPLOYED, TOTAL, *SERVICES)

_AREA_COLUMNS = ("area", "alue", "area_code", "aluekoodi", "kunta", "municipality")
_MONTH_COLUMNS = ("month", "kuukausi", "period", "aika", "time")
_MISSING = frozenset({".", "..", "-", "…"})
_RATE_TOLERANCE = 0.05 + 1e-9

TEMPLATES: Final[dict[str, tuple[str, ...]]] = {
    "service-counts": ("area", "month", *SERVICE_MEASURES),
    "kela": ("KUNTANRO", "TILASTOVUOSI", "TILASTOKUUKAUSI", "AIKATYYPPI", "TYOMARKKINATUKIPAIVA_LUOKKA",
             "KUNTAOSUUS", "MAKSETUT_ETUUDET", "SAAJAT"),
    "areas": ("area_name", "municipality", "area_code"),
}


def check_kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise KuvaInputError(f"KIND must be one of {list(KINDS)}, got {kind!r}")
    return kind  # type: ignore[return-value]


def template_text(kind: str) -> str:
    """The header line of the template for ``kind`` (``;``-separated, the Finnish Excel default)."""
    return ";".join(TEMPLATES[check_kind(kind)]) + "\n"


# -- cells ------------------------------------------------------------------------------------------
def parse_month(text: str) -> date:
    """A month from ``2025-03``, ``2025-03-01``, ``3/2025``, ``03.2025`` or ``2025M03``."""
    t = text.strip()
    for pattern, year_first in ((r"(\d{4})-(\d{1,2})(?:-01)?", True), (r"(\d{4})M(\d{1,2})", True),
                                (r"(\d{1,2})[/.](\d{4})", False)):
        m = re.fullmatch(pattern, t, flags=re.IGNORECASE)
        if m:
            y, mo = (int(m[1]), int(m[2])) if year_first else (int(m[2]), int(m[1]))
            if 1 <= mo <= 12:
                return date(y, mo, 1)
    raise ValueError(f"not a month: {text!r} (use YYYY-MM)")


def parse_count(text: str) -> float | None:
    """A count: None for a blank cell (not given), NaN for a missing mark, else a whole number ≥ 0."""
    t = text.strip()
    if t == "":
        return None
    if t in _MISSING:
        return math.nan
    value = _number(t)
    if value < 0 or not value.is_integer():
        raise ValueError(f"{text!r} is not a count (a whole number 0 or more)")
    return value


def _number(text: str) -> float:
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a number")
    return value


def _column(frame: pd.DataFrame, options: tuple[str, ...], source: str, what: str) -> str:
    by_key = {normalise(str(c)): str(c) for c in frame.columns if c != "_row"}
    for o in options:
        if o in by_key:
            return by_key[o]
    raise BadRowError(source, 1, None, f"no {what} column; name one of {list(options)}")


# -- service counts -------------------------------------------------------------------------------
def read_service_counts(path: Path | str, *, sheet: str | None = None, today: date | None = None) -> pd.DataFrame:
    """Observations (``area_code, period, measure, value, status, row``) from a service-count file."""
    source = str(path)
    raw = read_user_table(path, sheet=sheet)
    area_col = _column(raw, _AREA_COLUMNS, source, "area")
    month_col = _column(raw, _MONTH_COLUMNS, source, "month")
    measure_cols: dict[str, str] = {}
    for col in raw.columns:
        code = str(col).strip().upper()
        if col in ("_row", area_col, month_col):
            continue
        if code not in (*SERVICE_MEASURES, RATE):
            raise BadRowError(source, 1, str(col), f"unknown column; the counts are {list(SERVICE_MEASURES)} "
                                                   f"(and {RATE}, checked)")
        measure_cols[code] = str(col)
    if not set(measure_cols) - {RATE}:
        raise BadRowError(source, 1, None, f"no count column; give any of {list(SERVICE_MEASURES)}")
    reg = area_registry()
    last = (today or date.today()).replace(day=1)
    seen: dict[tuple[str, date], int] = {}
    records: list[tuple[str, date, str, float, str | None, int]] = []
    for r in raw.to_dict("records"):
        row = int(r["_row"])
        try:
            area = reg.area(str(r[area_col])).code
        except KuvaLookupError as exc:
            raise BadRowError(source, row, area_col, str(exc)) from exc
        try:
            month = parse_month(str(r[month_col]))
        except ValueError as exc:
            raise BadRowError(source, row, month_col, str(exc)) from exc
        if month > last:
            raise BadRowError(source, row, month_col, f"{month:%Y-%m} is in the future")
        if (area, month) in seen:
            raise BadRowError(source, row, area_col,
                              f"{area} {month:%Y-%m} is already given on row {seen[area, month]}")
        seen[area, month] = row
        values: dict[str, float | None] = {}
        for code, col in measure_cols.items():
            try:
                values[code] = _number(str(r[col])) if code == RATE and str(r[col]).strip() else (
                    None if code == RATE else parse_count(str(r[col])))
            except ValueError as exc:
                raise BadRowError(source, row, col, str(exc)) from exc
        _check_row(values, measure_cols, source, row)
        records.extend((area, month, code, v, "." if math.isnan(v) else None, row)
                       for code, v in values.items() if code != RATE and v is not None)
    if not records:
        raise BadRowError(source, None, None, "no values: every count cell is blank")
    return pd.DataFrame(records, columns=["area_code", "period", "measure", "value", "status", "row"])


def _check_row(values: dict[str, float | None], cols: dict[str, str], source: str, row: int) -> None:
    parts = [values.get(s) for s in SERVICES]
    total = values.get(TOTAL)
    if total is not None and not math.isnan(total) and all(p is not None and not math.isnan(p) for p in parts):
        summed = sum(p for p in parts if p is not None)
        if summed != total:
            raise BadRowError(source, row, cols[TOTAL], f"the total {total:.0f} is not the sum of the seven "
                                                         f"services ({summed:.0f})")
    rate = values.get(RATE)
    if rate is None:
        return
    unemployed = values.get(UNEMPLOYED)
    if unemployed is None or total is None or math.isnan(unemployed) or math.isnan(total):
        raise BadRowError(source, row, cols[RATE], f"{RATE} needs {UNEMPLOYED} and {TOTAL} on the same row "
                                                   f"to be checked")
    computed = 100 * total / (unemployed + total) if unemployed + total > 0 else math.nan
    if not abs(computed - rate) <= _RATE_TOLERANCE:
        raise BadRowError(source, row, cols[RATE], f"{RATE} {rate:g} does not match the counts "
                                                   f"({computed:.2f} = {TOTAL} / ({UNEMPLOYED} + {TOTAL}) × 100)")


# -- area definitions -------------------------------------------------------------------------------
def read_area_definition(path: Path | str, *, sheet: str | None = None) -> pd.DataFrame:
    """Member rows (``area_code, area_name, municipality_code, row``) of a custom area file."""
    source = str(path)
    raw = read_user_table(path, sheet=sheet)
    name_col = _column(raw, ("area_name", "alue", "area", "alueen_nimi", "nimi", "name"), source, "area_name")
    muni_col = _column(raw, ("municipality", "kunta", "municipality_code", "kuntanumero", "kuntanro"), source,
                       "municipality")
    code_col = next((c for c in raw.columns if normalise(str(c)) in ("area_code", "aluekoodi")), None)
    reg = area_registry()
    known = {a.code for a in reg.areas()}
    rows: list[tuple[str, str, str, int]] = []
    where: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    for r in raw.to_dict("records"):
        row = int(r["_row"])
        name = str(r[name_col]).strip()
        if not name:
            raise BadRowError(source, row, name_col, "empty area name")
        code = (str(r[code_col]).strip() if code_col else "") or slug(name)
        if code.upper() in known:
            raise BadRowError(source, row, code_col or name_col,
                              f"{code!r} is the code of {reg.area(code).name_fi}; a custom area needs its own code")
        if names.setdefault(code, name) != name:
            raise BadRowError(source, row, name_col, f"area code {code!r} already names {names[code]!r}")
        try:
            muni = reg.municipality(str(r[muni_col]))
        except KuvaLookupError as exc:
            raise BadRowError(source, row, muni_col, str(exc)) from exc
        if (code, muni.code) in where:
            raise BadRowError(source, row, muni_col, f"{muni.code} {muni.name_fi} is already a member of "
                                                     f"{name!r} (row {where[code, muni.code]})")
        where[code, muni.code] = row
        rows.append((code, name, muni.code, row))
    if not rows:
        raise BadRowError(source, None, None, "no member rows")
    return pd.DataFrame(rows, columns=["area_code", "area_name", "municipality_code", "row"])


# -- loading --------------------------------------------------------------------------------------
def source_info(kind: Kind, path: Path | str, vintage: datetime | None = None) -> SourceInfo:
    """Provenance of an own file (vintage defaults to the file's modification time)."""
    p = Path(path)
    v = vintage or datetime.fromtimestamp(p.stat().st_mtime).replace(microsecond=0)
    titles = {"service-counts": "Own figures: persons in activating services by month (12u4 shape)",
              "areas": "Own area definition"}
    return SourceInfo(source_id=f"own:{kind}", kind="user-file", title=titles[kind],
                      publisher="the loading organisation", license="own data (confidential)", synthetic=False,
                      location=str(p), vintage=v, sensitivity="confidential")


def load_own_file(wh: Warehouse, kind: str, path: Path | str, *, sheet: str | None = None,
                  vintage: datetime | None = None) -> LoadReport:
    """Read ``path`` as ``kind`` and store it (one transaction with provenance)."""
    checked = check_kind(kind)
    if not Path(path).is_file():
        raise BadRowError(str(path), None, None, "file not found")
    if checked == "kela":
        from kuva.sources.kela import load_kela

        return load_kela(wh, path, vintage=vintage)
    if checked == "areas":
        return load_custom_areas(wh, read_area_definition(path, sheet=sheet), source_info(checked, path, vintage))
    frame = read_service_counts(path, sheet=sheet)
    published = public_values_for(wh, frame)
    if not published.empty:
        first = frame.merge(published, on=["area_code", "period", "measure"]).sort_values("row").iloc[0]
        raise BadRowError(str(path), int(first["row"]), str(first["measure"]),
                          f"{first['source_id']} publishes {first['area_code']} {first['period']:%Y-%m}; own "
                          f"figures are for areas or months public data do not cover")
    return load_observations(wh, frame, source_info(checked, path, vintage))
