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


def copy_tables(wh: Warehouse, backend: Any, tables: Sequence[str] = EXPORTED) -> None:
    """Copy the tables into another Ibis backend's database (e.g. PostgreSQL for the portal's
    multi-user store), replacing tables of the same name."""
    existing = set(backend.list_tables())
    for name in tables:
        if name in existing:
            backend.drop_table(name)
        backend.create_table(name, wh.table(name).to_pyarrow())


class EngineWarehouse:
    """Warehouse tables on another Ibis backend: read from a Parquet export (``directory``,
    e.g. by ``ibis.pyspark.connect``) or, without a directory, the backend's own tables of the
    same names (e.g. PostgreSQL after :func:`copy_tables`)."""

    def __init__(self, backend: Any, directory: Path | str | None = None, tables: Sequence[str] = EXPORTED) -> None:
        self.backend = backend
        self._tables: dict[str, ir.Table] = {}
        for name in tables:
            if directory is None:
                self._tables[name] = backend.table(name)
                continue
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


__all__ = ["EXPORTED", "EngineWarehouse", "copy_tables", "export_parquet"]
