"""The warehouse's tables on another engine: exported to Parquet and read through Ibis by
Apache Spark (or any Ibis backend), so the same indicator and process expressions run where
the national data live and only small results come back to Python (docs/scale.md).

:class:`EngineWarehouse` offers what the measures use of a :class:`~kuva.warehouse.Warehouse`
— ``table(name)`` returning an Ibis table — over any Ibis backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kuva.errors import KuvaInputError
from kuva.warehouse.connection import Warehouse

if TYPE_CHECKING:
    import ibis.expr.types as ir

#: the tables the measures read
EXPORTED: tuple[str, ...] = ("observations", "sources", "process_events", "programme_memberships", "custom_areas",
                             "schema_migrations")


#: how the big tables are partitioned in the export (Hive-style ``column=value`` folders), as
#: (partition column, DuckDB expression): observations by the period's year and the area level
#: (the code's letters: KU municipalities, SK sub-regions, MK regions, SSS the nation, ...), the
#: event log by the event's year and month. The partition columns exist only in the files:
#: :class:`EngineWarehouse` drops them, so the measures see the warehouse's own columns.
PARTITIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "observations": (("year", "year(period)"), ("area_level", "left(area_code, 2)")),
    "process_events": (("year", "year(event_date)"), ("month", "month(event_date)")),
}


def export_parquet(wh: Warehouse, directory: Path | str, tables: Sequence[str] = EXPORTED, *,
                   partitioned: bool = True) -> dict[str, Path]:
    """Write each table as Parquet under ``directory``: the tables of :data:`PARTITIONS` as a
    folder ``<table>/`` of Hive partitions (unless ``partitioned`` is False), the others as
    ``<table>.parquet``; whatever an earlier export left for the table is replaced. Returns the
    paths."""
    import shutil

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in tables:
        if not name.isidentifier():
            raise KuvaInputError(f"not a table name: {name!r}")
        folder, single = out / name, out / f"{name}.parquet"
        if folder.is_dir():
            shutil.rmtree(folder)
        single.unlink(missing_ok=True)
        parts = PARTITIONS.get(name) if partitioned else None
        if parts:
            extra = ", ".join(f"{expr} AS {col}" for col, expr in parts)
            by = ", ".join(col for col, _ in parts)
            wh.con.execute(f"COPY (SELECT *, {extra} FROM {name}) TO '{folder}' (FORMAT PARQUET, PARTITION_BY ({by}))")
            if not any(folder.rglob("*.parquet")):  # an empty table writes no partition: keep its schema
                shutil.rmtree(folder, ignore_errors=True)
                wh.con.execute(f"COPY (SELECT * FROM {name}) TO '{single}' (FORMAT PARQUET)")
            paths[name] = folder if folder.is_dir() else single
        else:
            wh.con.execute(f"COPY (SELECT * FROM {name}) TO '{single}' (FORMAT PARQUET)")
            paths[name] = single
    return paths


def copy_tables(wh: Warehouse, backend: Any, tables: Sequence[str] = EXPORTED) -> None:
    """Copy the tables into another Ibis backend's database (e.g. PostgreSQL for the portal's
    multi-user store), replacing tables of the same name."""
    existing = set(backend.list_tables())
    for name in tables:
        if not name.isidentifier():
            raise KuvaInputError(f"not a table name: {name!r}")
        if name in existing:
            # Ibis 12's drop_table / overwrite=True on PostgreSQL emits "DROP TABLE" without the name
            backend.raw_sql(f'DROP TABLE "{name}"')
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
            folder, single = Path(directory) / name, Path(directory) / f"{name}.parquet"
            if folder.is_dir():
                self._tables[name] = _read_partitioned(backend, folder, name)
            elif single.exists():
                self._tables[name] = backend.read_parquet(str(single), table_name=f"kuva_{name}")
            else:
                raise KuvaInputError(f"{single}: no such Parquet export; run export_parquet first")

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


def _read_partitioned(backend: Any, folder: Path, name: str) -> ir.Table:
    """A Hive-partitioned export read by ``backend``, without the partition columns."""
    if getattr(backend, "name", "") == "duckdb":
        t = backend.read_parquet(f"{folder}/**/*.parquet", table_name=f"kuva_{name}", hive_partitioning=True)
    else:  # Spark discovers the partitions of a folder itself
        t = backend.read_parquet(str(folder), table_name=f"kuva_{name}")
    return t.drop(*(col for col, _ in PARTITIONS[name] if col in t.columns))


@contextmanager
def open_engine(wh: Warehouse, engine: str, url: str | None = None) -> Iterator[EngineWarehouse]:
    """The warehouse's tables on ``engine``:

    * ``spark`` — exported to Parquet beside the warehouse file (``<file>.parquet/``, rewritten
      each time so it matches the file) and read by a Spark session: ``url`` is a master
      (default ``local[2]``) or a Spark Connect address (``sc://host:15002``);
    * ``postgres`` — the tables of the PostgreSQL database at ``url`` (filled by
      ``kuva export postgres URL``, i.e. :func:`copy_tables`).
    """
    import ibis

    if engine == "spark":
        from pyspark.sql import SparkSession

        directory = wh.path.with_suffix(".parquet")
        export_parquet(wh, directory)
        builder = SparkSession.builder.appName("kuva")
        builder = builder.remote(url) if url and url.startswith("sc://") else builder.master(url or "local[2]")
        session = (builder.config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
                   .getOrCreate())
        try:
            yield EngineWarehouse(ibis.pyspark.connect(session), directory)
        finally:
            session.stop()
        return
    if engine == "postgres":
        if not url:
            raise KuvaInputError("--engine postgres needs --engine-url (or KUVA_ENGINE_URL), e.g. "
                                 "postgresql://kuva@localhost/kuva")
        backend = ibis.connect(url)
        try:
            yield EngineWarehouse(backend)
        finally:
            backend.disconnect()
        return
    raise KuvaInputError(f"engine must be spark or postgres here (duckdb is the warehouse itself), got {engine!r}")


__all__ = ["EXPORTED", "PARTITIONS", "EngineWarehouse", "copy_tables", "export_parquet", "open_engine"]
