"""Undoing a load: its rows leave every table, the ``loads`` row stays with ``undone_at``.

A load can be undone when nothing written later rests on it: no later load wrote rows to the
same tables (undo the later one first), and it did not replace the rows of an earlier load of
its source (those rows are gone; load that file again instead). Observations stored by the
load are the vintages it added, so undoing it brings back exactly the values seen before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kuva.errors import KuvaInputError
from kuva.warehouse.connection import utcnow
from kuva.warehouse.persons import VINTAGED, restore_latest

if TYPE_CHECKING:
    import duckdb

    from kuva.warehouse.connection import Warehouse


@dataclass(frozen=True)
class UndoReport:
    """What an undo removed."""

    load_id: int
    source_id: str
    location: str
    rows_deleted: dict[str, int]  #: table -> rows deleted


def loaded_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table whose rows carry the ``load_id`` of the load that wrote them."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'load_id' "
        "AND table_name <> 'loads' AND table_schema = 'main' ORDER BY table_name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def undo_load(wh: Warehouse, load_id: int) -> UndoReport:
    """Delete the rows of ``load_id`` and mark it undone, in one transaction (see the module)."""
    with wh.transaction() as con:
        row = con.execute("SELECT source_id, location, undone_at FROM loads WHERE load_id = ?", [load_id]).fetchone()
        if row is None:
            last = con.execute("SELECT max(load_id) FROM loads").fetchone()
            raise KuvaInputError(f"no load {load_id}; the loads are 1–{last[0] if last else 0} (see `kuva info`)")
        source_id, location, undone_at = str(row[0]), str(row[1]), row[2]
        if undone_at is not None:
            raise KuvaInputError(f"load {load_id} ({source_id}) was already undone at {undone_at:%Y-%m-%d %H:%M}")
        counts: dict[str, int] = {}
        for table in loaded_tables(con):
            n, later = con.execute(
                f"SELECT count(*) FILTER (WHERE load_id = ?), max(load_id) FILTER (WHERE load_id > ?) FROM {table}",
                [load_id, load_id],
            ).fetchone() or (0, None)
            if n and later is not None:
                raise KuvaInputError(f"load {later} wrote to {table} after load {load_id}; undo load {later} first")
            if n:
                counts[table] = int(n)
        replaced = con.execute(
            f"""SELECT l.load_id FROM loads l WHERE l.source_id = ? AND l.load_id < ? AND l.undone_at IS NULL
                AND l.rows_inserted + l.rows_revised > 0
                AND NOT EXISTS ({" UNION ALL ".join(f"SELECT 1 FROM {t} WHERE load_id = l.load_id"
                                                     for t in loaded_tables(con))})
                ORDER BY l.load_id DESC LIMIT 1""",
            [source_id, load_id],
        ).fetchone()
        if replaced is not None and counts:
            raise KuvaInputError(
                f"load {load_id} replaced the rows of load {replaced[0]} ({source_id}); undoing it cannot bring "
                f"them back: load that file again instead"
            )
        for table in counts:
            con.execute(f"DELETE FROM {table} WHERE load_id = ?", [load_id])
            if table in VINTAGED:
                restore_latest(con, table, source_id)
        con.execute("UPDATE loads SET undone_at = ? WHERE load_id = ?", [utcnow(), load_id])
    return UndoReport(load_id, source_id, location, counts)
