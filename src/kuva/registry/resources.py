"""Access to the reference files bundled inside the package (``kuva/registry/data``).

The package never reads ``../shared`` at run time: the files were copied in with their
provenance (``data/PROVENANCE.md``).
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from kuva.errors import BadRowError

if TYPE_CHECKING:
    import pandas as pd


def read_text(name: str) -> str:
    """The text of a bundled reference file."""
    return resources.files("kuva.registry").joinpath("data").joinpath(name).read_text(encoding="utf-8")


def read_csv(name: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Rows of a bundled CSV file, checking that the required columns are there."""
    return parse_csv(read_text(name), f"kuva/registry/data/{name}", required)


def delimiter_of(text: str) -> str:
    """The field separator of CSV text: ``;`` (the Finnish Excel default), ``,`` or tab,
    whichever the first line has most of."""
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def read_user_csv(path: Path, required: tuple[str, ...],
                  aliases: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Rows of a user's CSV file (UTF-8, with or without BOM; ``;``, ``,`` or tab separated).

    ``aliases`` maps other accepted column names to the canonical ones."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise BadRowError(str(path), None, None, "file not found") from exc
    except UnicodeDecodeError as exc:
        raise BadRowError(str(path), None, None, f"not UTF-8 text ({exc.reason})") from exc
    return parse_csv(text, str(path), required, aliases)


def parse_csv(text: str, source: str, required: tuple[str, ...],
              aliases: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Parse CSV text into dicts; missing columns raise an error that names them."""
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter_of(text))
    header = [(aliases or {}).get(h.strip(), h.strip()) for h in reader.fieldnames or []]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise BadRowError(source, None, None, f"column(s) {duplicated} given twice (directly or by an alias)")
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    if missing:
        raise BadRowError(source, None, None, f"missing column(s) {missing}; found {header}")
    rows: list[dict[str, str]] = []
    for i, row in enumerate(reader, start=1):
        if None in row:
            raise BadRowError(source, i, None, "more fields than the header has")
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _grid_frame(rows: list[list[str]], source: str) -> pd.DataFrame:
    import pandas as pd

    if not rows:
        raise BadRowError(source, None, None, "the file is empty (no header row)")
    header = [h.strip() for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise BadRowError(source, 1, None, "the header row is empty")
    records: list[list[str]] = []
    numbers: list[int] = []
    for i, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row]
        if len(cells) > len(header) and any(cells[len(header):]):
            raise BadRowError(source, i, None, f"{len(cells)} fields but the header has {len(header)}")
        cells = (cells + [""] * len(header))[: len(header)]
        if not any(cells):
            continue  # a blank line or an empty spreadsheet row
        records.append(cells)
        numbers.append(i)
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(columns=header)
    frame.insert(0, "_row", numbers)
    return frame


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="strict") if _cp1252_ok(raw) else raw.decode("latin-1")
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))]


def _cp1252_ok(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _read_excel(path: Path, sheet: str | None) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise BadRowError(str(path), None, None, f"not a readable Excel (.xlsx) file: {exc}") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise BadRowError(str(path), None, None, f"no sheet {sheet!r}; sheets: {wb.sheetnames}")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        return [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def read_user_table(path: Path | str, *, sheet: str | None = None) -> pd.DataFrame:
    """The raw cells of a user's table file as text, with its spreadsheet row number in ``_row``
    (the header is row 1); blank lines are skipped.

    ``.xlsx``/``.xlsm`` files are read with openpyxl (first sheet unless ``sheet``), anything
    else as CSV (UTF-8 with or without BOM, or Windows-1252; ``;``, ``,`` or tab separated).
    """
    p = Path(path)
    if not p.is_file():
        raise BadRowError(str(p), None, None, "file not found")
    rows = _read_excel(p, sheet) if p.suffix.lower() in (".xlsx", ".xlsm") else _read_csv(p)
    return _grid_frame(rows, str(p))
