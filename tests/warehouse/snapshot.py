"""A content fingerprint of every table of a warehouse file, to prove nothing changed."""

from __future__ import annotations

from pathlib import Path

import duckdb


def fingerprint(path: Path) -> dict[str, tuple[int, str]]:
    """Table name → (row count, md5 of all rows in a stable order)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]
        out: dict[str, tuple[int, str]] = {}
        for t in tables:
            row = con.execute(
                f"SELECT count(*), coalesce(md5(string_agg(CAST(x AS VARCHAR), '|' ORDER BY CAST(x AS VARCHAR))), '') "
                f"FROM {t} x"
            ).fetchone()
            assert row is not None
            out[t] = (int(row[0]), str(row[1]))
        return out
    finally:
        con.close()
