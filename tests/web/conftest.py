"""The portal's test server: a real uvicorn on 127.0.0.1 over a real warehouse file, shared by
the web tests (one per test package run)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI

from kuva.warehouse import Warehouse

#: Debian's Chromium, which Playwright drives (``make test`` installs it when missing)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

ANALYST_KEY = "analyst-key-for-tests-0123"
ADMIN_KEY = "admin-key-for-tests-456789"
AREA = "KU205"  #: the area of the area analyst's key (Kajaani)
AREA_KEY = "area-analyst-key-for-tests-kajaani"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free port of 127.0.0.1; yields the base URL."""
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="package")
def portal_warehouse(bundled_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled warehouse with a small synthetic Finland and event log."""
    from kuva.simulate import simulate_into
    from kuva.simulate.process import simulate_process_into

    path = tmp_path_factory.mktemp("portal") / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    with Warehouse(path) as wh:
        simulate_into(wh, scale=0.001, seed=3, years=(2021, 2023))
        simulate_process_into(wh, scale=0.002, seed=3)
    return path


@pytest.fixture(scope="package")
def server(portal_warehouse: Path) -> Iterator[tuple[str, Path]]:
    """(base URL, audit log) of the portal with an analyst, an admin and an area analyst key."""
    from kuva.web.app import create_app

    mp = pytest.MonkeyPatch()
    mp.setenv("KUVA_API_KEYS", f"{ANALYST_KEY}:analyst,{ADMIN_KEY}:admin,{AREA_KEY}:analyst@{AREA}")
    log = portal_warehouse.with_name("audit.jsonl")
    app = create_app(portal_warehouse, audit_log=log)
    with running(app) as base:
        yield base, log
    mp.undo()


@pytest.fixture
def browser() -> Iterator[object]:
    """A headless Chromium (Debian's, driven by Playwright), closed after the test; the test is
    skipped when Chromium is missing."""
    if CHROMIUM is None:
        pytest.skip("chromium missing: `make test` installs it from Debian's packages")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()
