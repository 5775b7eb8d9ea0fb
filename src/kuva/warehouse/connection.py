"""Opening the warehouse: one DuckDB file, migrated on open, with Ibis access for readers.

Only this package writes to the warehouse. Writers use :meth:`Warehouse.transaction`, which
commits all or nothing: a failed or killed write leaves the file exactly as it was (DuckDB does
not replay an uncommitted transaction from its write-ahead log).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb

from kuva.errors import KuvaWarehouseError
from kuva.warehouse.schema import LATEST_VERSION, MIGRATIONS, SCHEMA_TABLES

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends.duckdb import Backend as IbisDuckDB


def utcnow() -> datetime:
    """Current UTC time without tzinfo (DuckDB TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Warehouse:
    """An open warehouse. Use as a context manager or call :meth:`close`.

    ``Warehouse(path)`` opens for writing, creating and migrating the file when needed;
    ``Warehouse(path, read_only=True)`` opens an existing file for reading only.
    ``memory_limit`` (e.g. ``"6GB"``, the setting ``KUVA_MEMORY_LIMIT``) caps DuckDB's memory;
    beyond it DuckDB spills to ``<file>.tmp/`` (the 10× national event log's process measures
    run in 6.1 GiB with ``6GB``, faster than unbounded: docs/performance.md).
    """

    def __init__(self, path: Path | str, *, read_only: bool = False, pilots_csv: Path | None = None,
                 memory_limit: str | None = None) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.is_file():
            raise KuvaWarehouseError(
                f"no warehouse at {self.path}; build it with `kuva demo` or `kuva load bundled`"
            )
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            hint = ""
            if "read enough bytes" in str(exc) or "not a valid DuckDB" in str(exc) or "Corrupt" in str(exc):
                hint = (" — the file is truncated or damaged: move it aside and restore it from a backup, or "
                        "rebuild it with `kuva demo` (or `kuva load bundled` and your own loads)")
            raise KuvaWarehouseError(f"cannot open warehouse {self.path}: {exc}{hint}") from exc
        if memory_limit is not None:  # beyond it DuckDB spills to <file>.tmp/ (``KUVA_MEMORY_LIMIT``)
            try:
                self.con.execute(f"SET memory_limit = '{memory_limit.replace(chr(39), '')}'")  # SET takes no parameter
            except duckdb.Error as exc:
                self.con.close()
                raise KuvaWarehouseError(f"memory limit {memory_limit!r}: {exc}") from exc
        self._ibis: IbisDuckDB | None = None
        self._tables: dict[str, ir.Table] = {}  #: :meth:`table` of the schema's tables, looked up once
        self._depth = 0  #: nesting depth of :meth:`transaction`
        if read_only:
            version = self.schema_version()
            if version < LATEST_VERSION:
                self.close()
                raise KuvaWarehouseError(
                    f"warehouse {self.path} has schema version {version}, this KuVa needs "
                    f"{LATEST_VERSION}; run a writing command once (e.g. `kuva load bundled`) to migrate it"
                )
        else:
            try:
                self.migrate()
                self.sync_reference(pilots_csv)
            except BaseException:
                # e.g. a bad pilot list: close now, not when the traceback is collected (an open
                # connection makes the next opening of the file in this process fail)
                self.close()
                raise

    # -- lifecycle ----------------------------------------------------------------------------
    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing write: commits at the end of the block, rolls back on any error.

        Nested blocks join the outermost one, so several loads can be made one transaction
        (``kuva simulate`` writes its whole synthetic world or nothing)."""
        if self.read_only:
            raise KuvaWarehouseError(f"warehouse {self.path} is open read-only")
        if self._depth:
            self._depth += 1
            try:
                yield self.con
            finally:
                self._depth -= 1
            return
        self.con.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield self.con
        except BaseException:
            self._depth = 0
            self.con.execute("ROLLBACK")
            raise
        self._depth = 0
        self.con.execute("COMMIT")

    # -- schema ------------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchone()
        if not exists or exists[0] == 0:
            return 0
        row = self.con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
        return int(row[0]) if row else 0

    def migrate(self) -> list[int]:
        """Apply missing migrations, each in its own transaction. Returns the versions applied."""
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        current = self.schema_version()
        applied: list[int] = []
        for m in MIGRATIONS:
            if m.version <= current:
                continue
            with self.transaction() as con:
                for stmt in m.statements:
                    con.execute(stmt)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [m.version, m.description, utcnow()])
            applied.append(m.version)
        if applied:
            self._tables.clear()
        return applied

    # -- reference tables --------------------------------------------------------------------
    def sync_reference(self, pilots_csv: Path | None = None) -> bool:
        """Write the registry's reference tables if they differ from what is stored.

        Returns True when something was written.
        """
        from kuva.warehouse.reference import reference_frames

        digest = reference_digest(pilots_csv)
        if self._stored_digest() == digest:
            return False
        frames = reference_frames(pilots_csv)
        with self.transaction() as con:
            for table, frame in frames.items():
                con.execute(f"DELETE FROM {table}")
                con.register("_ref_frame", frame)
                cols = ", ".join(frame.columns)
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _ref_frame")
                con.unregister("_ref_frame")
            con.execute("DELETE FROM reference_meta")
            con.execute("INSERT INTO reference_meta VALUES (?, ?)", [digest, utcnow()])
        return True

    def reference_current(self, pilots_csv: Path | None = None) -> bool:
        """Whether the stored reference tables are those of this pilot list (None: the bundled one)."""
        return self._stored_digest() == reference_digest(pilots_csv)

    def _stored_digest(self) -> str | None:
        row = self.con.execute("SELECT checksum FROM reference_meta").fetchone()
        return None if row is None else str(row[0])

    # -- reading -----------------------------------------------------------------------------
    @property
    def ibis(self) -> IbisDuckDB:
        """An Ibis backend on this connection (indicator code is written against it)."""
        if self._ibis is None:
            import ibis

            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def table(self, name: str) -> ir.Table:
        """An Ibis table expression for a warehouse table. Those the migrations create
        (:data:`~kuva.warehouse.schema.SCHEMA_TABLES`, whose columns only a migration changes)
        are looked up once per connection; any other (temporary, user's) every time."""
        t = self._tables.get(name)
        if t is None:
            t = self.ibis.table(name)
            if name in SCHEMA_TABLES:
                self._tables[name] = t
        return t

    def sql(self, query: str, params: list[Any] | None = None) -> Any:
        """Run a read query and return a pandas DataFrame."""
        return self.con.execute(query, params or []).df()


def reference_digest(pilots_csv: Path | None = None) -> str:
    """A digest of everything the reference tables are built from — the registry's bundled files
    and code, the code that builds the tables, the user's pilot list — cheap enough for every
    command to check (no tables are built to compare)."""
    from importlib import resources

    h = hashlib.sha256()
    registry = resources.files("kuva.registry")
    for folder, suffixes in ((registry, (".py",)), (registry.joinpath("data"), (".csv", ".toml"))):
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(suffixes):
                h.update(entry.name.encode())
                h.update(entry.read_bytes())
    h.update(Path(__file__).with_name("reference.py").read_bytes())
    if pilots_csv is not None:
        try:
            h.update(b"user pilots:" + Path(pilots_csv).read_bytes())
        except OSError:
            h.update(b"unreadable")  # the sync reads it again and names the problem
    return h.hexdigest()
