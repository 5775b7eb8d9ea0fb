"""Provenance of a load: the content checksum and the ``sources`` and ``loads`` rows.

Both loaders (statistics in :mod:`kuva.warehouse.load`, person-level data in
:mod:`kuva.warehouse.persons`) record their loads here, inside their own transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kuva import __version__
from kuva.warehouse.connection import utcnow

if TYPE_CHECKING:
    import duckdb

    from kuva.warehouse.load import SourceInfo


def content_checksum(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    """SHA-256 of the rows' content in ``columns``, independent of row order."""
    hashed = pd.util.hash_pandas_object(frame[list(columns)].astype(str), index=False).to_numpy()
    return hashlib.sha256(np.sort(hashed).tobytes()).hexdigest()


def record_load(
    con: duckdb.DuckDBPyConnection, source: SourceInfo, *, checksum: str, rows_in: int, inserted: int,
    revised: int, unchanged: int,
) -> int:
    """Upsert the source and append its ``loads`` row; returns the new load id."""
    row = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()
    load_id = int(row[0]) if row else 1
    con.execute(
        """INSERT INTO sources (source_id, kind, title, publisher, license, synthetic, sensitivity)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (source_id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
           publisher = excluded.publisher, license = excluded.license, synthetic = excluded.synthetic,
           sensitivity = excluded.sensitivity""",
        [source.source_id, source.kind, source.title, source.publisher, source.license, source.synthetic,
         source.classification],
    )
    con.execute(
        "INSERT INTO loads (load_id, source_id, location, query, retrieved_at, loaded_at, vintage, checksum, "
        "rows_in, rows_inserted, rows_revised, rows_unchanged, kuva_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [load_id, source.source_id, source.location, source.query,
         (source.retrieved_at or utcnow()).replace(tzinfo=None), utcnow(), source.vintage.replace(tzinfo=None),
         checksum, rows_in, inserted, revised, unchanged, __version__],
    )
    return load_id
