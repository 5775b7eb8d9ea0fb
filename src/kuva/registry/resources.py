"""Access to the reference files bundled inside the package (``kuva/registry/data``).

The package never reads ``../shared`` at run time: the files were copied in with their
provenance (``data/PROVENANCE.md``).
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

from kuva.errors import BadRowError


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
