"""A small in-memory cache of rendered answers: pages and API answers only change when the
warehouse does, so each is computed once per data version and served from memory after that.

The key (made in :mod:`kuva.web.app`) holds the warehouse's data version (its file's size and
time), KuVa's version, the path, the query and who asks — role, area, signed-in user and session,
never a credential — so a load invalidates everything and no caller gets an answer computed for
another role or area. Only successful GET answers without a cookie to set are kept (at most
``max_entries``, each at most ``max_bytes``; least recently used first out). The caller is
identified, and the rate limit and the audit trail run, on every request, hit or not (the audit
entry gets the disclosure counts of the answer it was computed with).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cached:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    media_type: str | None
    cells: dict[str, int] = field(default_factory=dict)


class ResponseCache:
    def __init__(self, max_entries: int = 256, max_bytes: int = 2 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, Cached] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Cached | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: str, item: Cached) -> None:
        if self.max_entries <= 0 or len(item.body) > self.max_bytes:
            return
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


__all__ = ["Cached", "ResponseCache"]
