"""Kela's public CSV of the labour market subsidy that municipalities co-finance (työmarkkinatuen
kuntaosuus), read into observation frames.

Kela publishes the data in Kelasto and as open data (avoindata.fi, "Kunnan osarahoittaman
työmarkkinatuen saajat ja maksetut etuudet kunnittain"). Files exported from Kelasto and the
open-data CSV differ in details, so the reader accepts:

* delimiter ``;``, ``,`` or tab; UTF-8 (with or without BOM) or Windows-1252;
* numbers with a decimal comma or point and spaces as thousands separators;
* columns, matched case-insensitively (first hit wins):

  ============  ===========================================================================
  municipality  ``KUNTANRO``, ``KUNTA_NRO``, ``KUNTANUMERO``, ``KUNTA`` (number or name), ``ALUE``
  year          ``TILASTOVUOSI``, ``VUOSI``
  month         ``TILASTOKUUKAUSI``, ``KUUKAUSI`` (1–12, ``2021-03`` or ``2021M03``)
  time type     ``AIKATYYPPI`` — rows other than monthly (``Kuukausi``) are skipped
  day class     ``TYOMARKKINATUKIPAIVA_LUOKKA`` — only ``Yhteensä`` (total) rows are kept
  values        ``KUNTAOSUUS``/``KUNNAN_RAHOITUSOSUUS``/``KUNTAOSUUS_EUR`` → ``KELA_TMT_KUNTAOSUUS``;
                ``MAKSETUT_ETUUDET``/``MAKSETTU_EUR``/``MAKSETUT`` → ``KELA_TMT_MAKSETUT``;
                ``SAAJAT``/``SAAJIA``/``SAAJAT_LKM`` → ``KELA_TMT_SAAJAT``
  ============  ===========================================================================

Whole-country rows (``Koko maa``, ``000``, ``SSS``) become area ``SSS``. Historical municipality
codes are mapped to the municipality they merged into (values of merged codes in the same
month are summed, as Kela bills the receiving municipality). The first bad row raises
:class:`~kuva.errors.BadRowError` naming the file, row and field.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from kuva.errors import BadRowError, KuvaLookupError
from kuva.registry.resources import delimiter_of
from kuva.warehouse import LoadReport, SourceInfo, Warehouse, load_observations

SOURCE_ID = "kela:tmt_kuntaosuus"
PUBLISHER = "Kela (Social Insurance Institution of Finland)"
LICENSE = "CC BY 4.0 (Source: Kela, Kelasto)"

MUNICIPALITY_COLUMNS = ("kuntanro", "kunta_nro", "kuntanumero", "kunta", "alue")
YEAR_COLUMNS = ("tilastovuosi", "vuosi")
MONTH_COLUMNS = ("tilastokuukausi", "kuukausi")
TIME_TYPE_COLUMNS = ("aikatyyppi",)
CLASS_COLUMNS = ("tyomarkkinatukipaiva_luokka",)
VALUE_COLUMNS: dict[str, tuple[str, ...]] = {
    "KELA_TMT_KUNTAOSUUS": ("kuntaosuus", "kunnan_rahoitusosuus", "kuntaosuus_eur"),
    "KELA_TMT_MAKSETUT": ("maksetut_etuudet", "maksettu_eur", "maksetut"),
    "KELA_TMT_SAAJAT": ("saajat", "saajia", "saajat_lkm"),
}
NATION_NAMES = {"koko maa", "hela landet", "000", "sss", "whole country"}


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _pick(columns: dict[str, str], options: tuple[str, ...]) -> str | None:
    for o in options:
        if o in columns:
            return columns[o]
    return None


def _number(text: str) -> float | None:
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if t in ("", ".", "..", "-", "–"):
        return None
    if "," in t and "." in t:
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") else t.replace(",", "")
    else:
        t = t.replace(",", ".")
    return float(t)


def _month(year_text: str | None, month_text: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"\s*(\d{4})\s*(?:-|M|/)\s*(\d{1,2})\s*", month_text)
    if m:
        return int(m.group(1)), int(m.group(2))
    if month_text.strip().isdigit() and year_text and year_text.strip().isdigit():
        return int(year_text), int(month_text)
    return None


def read_kela_csv(path: Path | str) -> pd.DataFrame:
    """A Kela CSV as an observation frame (area_code, period, measure, breakdown, value, row)."""
    from kuva.registry import area_registry

    location = str(path)
    try:
        text = _decode(Path(path).read_bytes())
    except OSError as exc:
        raise BadRowError(location, None, None, f"cannot read the file: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter_of(text))
    if reader.fieldnames is None:
        raise BadRowError(location, None, None, "empty file")
    columns = {f.strip().lower(): f for f in reader.fieldnames}
    muni_col = _pick(columns, MUNICIPALITY_COLUMNS)
    month_col = _pick(columns, MONTH_COLUMNS)
    year_col = _pick(columns, YEAR_COLUMNS)
    type_col = _pick(columns, TIME_TYPE_COLUMNS)
    class_col = _pick(columns, CLASS_COLUMNS)
    values = {m: c for m, opts in VALUE_COLUMNS.items() if (c := _pick(columns, opts)) is not None}
    if muni_col is None:
        raise BadRowError(location, None, None, f"no municipality column (one of {list(MUNICIPALITY_COLUMNS)}); "
                                                f"found {reader.fieldnames}")
    if month_col is None:
        raise BadRowError(location, None, None, f"no month column (one of {list(MONTH_COLUMNS)}); "
                                                f"found {reader.fieldnames}")
    if not values:
        wanted = sorted(o for opts in VALUE_COLUMNS.values() for o in opts)
        raise BadRowError(location, None, None, f"no value column (one of {wanted}); found {reader.fieldnames}")
    reg = area_registry()
    records: list[dict[str, object]] = []
    for i, row in enumerate(reader, start=2):  # line 1 is the header
        if type_col is not None and not row[type_col].strip().lower().startswith(("kuukausi", "month", "månad")):
            continue
        if class_col is not None and row[class_col].strip().lower() not in ("yhteensä", "yhteensa", "total", "totalt"):
            continue
        where = _month(row[year_col] if year_col else None, row[month_col])
        if where is None or not 1 <= where[1] <= 12:
            raise BadRowError(location, i, month_col, f"not a month: {row[month_col]!r}")
        area_text = row[muni_col].strip()
        if area_text.lower() in NATION_NAMES:
            area = "SSS"
        else:
            try:
                area = reg.municipality(area_text).code
            except KuvaLookupError as exc:
                raise BadRowError(location, i, muni_col, str(exc)) from exc
        for measure, col in values.items():
            try:
                value = _number(row[col] or "")
            except ValueError as exc:
                raise BadRowError(location, i, col, f"not a number: {row[col]!r}") from exc
            records.append({"area_code": area, "period": f"{where[0]:04d}-{where[1]:02d}-01", "measure": measure,
                            "breakdown": "", "value": value, "row": i})
    frame = pd.DataFrame(records, columns=["area_code", "period", "measure", "breakdown", "value", "row"])
    if frame.empty:
        raise BadRowError(location, None, None, "no monthly total rows (AIKATYYPPI 'Kuukausi', class 'Yhteensä')")
    # merged municipalities: sum values of the same month
    summed = frame.groupby(["area_code", "period", "measure", "breakdown"], as_index=False).agg(
        value=("value", lambda s: s.sum(min_count=1)), row=("row", "min"))
    return summed


def source_info(path: Path | str, vintage: datetime | None = None) -> SourceInfo:
    """Provenance of a Kela file (vintage defaults to the file's modification time)."""
    p = Path(path)
    v = vintage or datetime.fromtimestamp(p.stat().st_mtime).replace(microsecond=0)
    return SourceInfo(source_id=SOURCE_ID, kind="user-file",
                      title="Kela: labour market subsidy co-financed by municipalities (municipal share)",
                      publisher=PUBLISHER, license=LICENSE, synthetic=False, location=str(p), vintage=v)


def load_kela(wh: Warehouse, path: Path | str, *, vintage: datetime | None = None) -> LoadReport:
    """Read a Kela CSV and store it in the warehouse (one transaction)."""
    return load_observations(wh, read_kela_csv(path), source_info(path, vintage))
