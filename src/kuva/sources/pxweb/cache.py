"""On-disk cache of parsed-and-accepted PxWeb response bodies.

A body is stored only after it parsed completely, and atomically (temp file in the same
directory, then :func:`os.replace`), so an interrupted run never leaves a half file that a
later run would take for data. The key is a SHA-256 of (url, query, table vintage): the
vintage (the table's ``updated`` time) is part of the key so a republished table is fetched
again instead of served from an old cache entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def cache_key(url: str, query: object, vintage: str | None = None) -> str:
    """Hex SHA-256 of the URL, the canonical JSON of the query and the table vintage."""
    text = json.dumps(
        {"url": url, "query": query, "vintage": vintage},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ResponseCache:
    """A directory of ``<key>.json`` files."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        return self.directory / f"{key[:2]}" / f"{key}.json"

    def get(self, key: str) -> bytes | None:
        p = self.path(key)
        try:
            return p.read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, body: bytes) -> Path:
        """Write ``body`` atomically; call only after the body parsed completely."""
        p = self.path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=p.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(body)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return p

    def __len__(self) -> int:
        if not self.directory.is_dir():
            return 0
        return sum(1 for _ in self.directory.glob("*/*.json"))
