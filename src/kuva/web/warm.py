"""Precomputing the portal's public pages, so the first manager after a load does not wait for
them: a background thread of ``kuva serve`` requests the home page, the map and every region's,
2025 employment area's and 2021 pilot area's page in the three languages from the running
server, one at a time, once at start and again whenever the warehouse's data version changes (a
load). The answers land
in the server's answer cache (:mod:`kuva.web.cache`) exactly as a visitor's would; they are public
pages, so nothing confidential is precomputed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

import httpx

from kuva.warehouse import Warehouse

log = logging.getLogger("kuva.web")
LANGS = ("fi", "sv", "en")


def warm_paths(wh: Warehouse) -> list[str]:
    """The home page, the map, and every region's, 2025 employment area's and 2021 pilot area's
    page (as loaded in ``wh``, by qualified name — ``/area/pilot:helsinki`` is the pilot area; a
    pilot area's page computes its synthetic control), in fi, sv and en."""
    from kuva.registry import area_registry
    from kuva.registry.pilots import DEFAULT_PROGRAMME, EMPLOYMENT_AREAS
    from kuva.warehouse.reference import stored_memberships

    grouped = [f"{kind}:{c}" for kind, programme in (("employment", EMPLOYMENT_AREAS), ("pilot", DEFAULT_PROGRAMME))
               for c in stored_memberships(wh, programme)["area_code"].drop_duplicates()]
    areas = [a.code for a in area_registry().areas("region")] + list(dict.fromkeys(grouped))
    return [f"{p}?lang={lang}" for lang in LANGS for p in ("/", "/map", *(f"/area/{c}" for c in areas))]


class Warmer(threading.Thread):
    """Requests ``paths`` from ``base`` whenever ``version()`` changes (checked every
    ``interval`` seconds; the first round at start). ``rounds`` counts the finished rounds."""

    def __init__(self, base: str, paths: Sequence[str], version: Callable[[], str], *, interval: float = 60.0,
                 timeout: float = 300.0, on_round: Callable[[int, float], None] | None = None) -> None:
        super().__init__(name="kuva-warm", daemon=True)
        self.base, self.paths, self.version = base.rstrip("/"), list(paths), version
        self.interval, self.timeout = interval, timeout
        self.rounds = 0
        self.on_round = on_round  #: hears (pages warmed, seconds) after each round
        self.failed: list[str] = []
        self._halt = threading.Event()
        self._round = threading.Condition()

    def run(self) -> None:
        seen: str | None = None
        with httpx.Client(base_url=self.base, timeout=self.timeout) as client:
            while not self._halt.is_set() and not self._ready(client):
                self._halt.wait(0.2)  # the server is still starting
            while not self._halt.is_set():
                now = self.version()
                if now != seen:
                    t0 = time.perf_counter()
                    self._warm(client)
                    if self.on_round is not None:
                        self.on_round(len(self.paths) - len(self.failed), time.perf_counter() - t0)
                    seen = now
                    with self._round:
                        self.rounds += 1
                        self._round.notify_all()
                self._halt.wait(self.interval)

    @staticmethod
    def _ready(client: httpx.Client) -> bool:
        try:
            return client.get("/api/v1/health").status_code == 200
        except httpx.HTTPError:
            return False

    def _warm(self, client: httpx.Client) -> None:
        for path in self.paths:
            if self._halt.is_set():
                return
            try:
                status = client.get(path).status_code
            except httpx.HTTPError as exc:
                status = 0
                log.warning("warming %s failed: %s", path, exc)
            if status != 200:
                self.failed.append(f"{path}: {status}")

    def wait_rounds(self, n: int, timeout: float) -> bool:
        """Wait until ``n`` rounds have finished; False on a timeout."""
        with self._round:
            return self._round.wait_for(lambda: self.rounds >= n, timeout)

    def stop(self) -> None:
        self._halt.set()


__all__ = ["Warmer", "warm_paths"]
