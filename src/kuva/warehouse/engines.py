"""The warehouse's tables on another engine: exported to Parquet and read through Ibis by
Apache Spark (or any Ibis backend), so the same indicator and process expressions run where
the national data live and only small results come back to Python (docs/scale.md).

:class:`EngineWarehouse` offers what the measures use of a :class:`~kuva.warehouse.Warehouse`
— ``table(name)`` returning an Ibis table — over any Ibis backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kuva.errors import KuvaInputError
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: the tables the measures read
EXPORTED: tuple[str, ...] = ("observations", "sources", "process_events", "programme_memberships",
                             "schema_migrations")


def export_parquet(wh: Warehouse, directory: Path | str, tables: Sequence[str] = EXPORTED) -> dict[str, Path]:
    """Write each table as ``<directory>/<table>.parquet`` (DuckDB's COPY); returns the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in tables:
        if not name.isidentifier():
            raise KuvaInputError(f"not a table name: {name!r}")
        path = out / f"{name}.parquet"
        wh.con.execute(f"COPY (SELECT * FROM {name}) TO '{path}' (FORMAT PARQUET)")
        paths[name] = path
    return paths


class EngineWarehouse:
    """Warehouse tables read from Parquet by an Ibis backend (e.g. ``ibis.pyspark.connect``)."""

    def __init__(self, backend: Any, directory: Path | str, tables: Sequence[str] = EXPORTED) -> None:
        self.backend = backend
        self._tables: dict[str, ir.Table] = {}
        for name in tables:
            path = Path(directory) / f"{name}.parquet"
            if not path.exists():
                raise KuvaInputError(f"{path}: no such Parquet export; run export_parquet first")
            self._tables[name] = backend.read_parquet(str(path), table_name=f"kuva_{name}")

    def table(self, name: str) -> ir.Table:
        try:
            return self._tables[name]
        except KeyError:
            have = sorted(self._tables)
            raise KuvaInputError(f"table {name!r} is not in this engine's export; have {have}") from None

    def close(self) -> None:
        """Nothing to close: the backend belongs to the caller."""

    def __enter__(self) -> EngineWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["EXPORTED", "EngineWarehouse", "export_parquet"]
