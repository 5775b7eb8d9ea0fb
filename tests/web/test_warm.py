"""Precomputing the public pages: the warmer fills the server's answer cache at start and again
after the warehouse changes, so the next visitor's request is a cache hit."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from kuva.warehouse import Warehouse
from kuva.web.app import create_app, data_version
from kuva.web.warm import Warmer, warm_paths
from tests.web.conftest import running


def test_the_paths_cover_home_map_regions_and_employment_areas(portal_warehouse: Path) -> None:
    with Warehouse(portal_warehouse, read_only=True) as wh:
        paths = warm_paths(wh)
    assert {"/?lang=fi", "/map?lang=sv", "/area/MK01?lang=en"} <= set(paths)
    areas = {p.split("?")[0] for p in paths if p.startswith("/area/")}
    assert len(areas) >= 19 + 40 + 25  # 19 regions (mainland and Åland), the 2025 employment areas, the pilots
    assert {"/area/pilot:kainuun_seutu", "/area/pilot:helsinki", "/area/employment:helsingin_kaupunki"} <= areas
    assert len(paths) == 3 * (2 + len(areas))


def test_the_warmer_fills_the_cache_and_rewarms_after_a_load(portal_warehouse: Path, tmp_path: Path) -> None:
    import shutil

    path = tmp_path / "kuva.duckdb"
    shutil.copy(portal_warehouse, path)
    app = create_app(path, audit_log=tmp_path / "audit.jsonl")
    paths = ["/?lang=fi", "/map?lang=en"]
    with running(app) as base:
        warmer = Warmer(base, paths, lambda: data_version(path)[0], interval=0.2)
        warmer.start()
        try:
            assert warmer.wait_rounds(1, timeout=300)
            assert warmer.failed == []
            hits = app.state.cache.hits
            assert httpx.get(base + "/map", params={"lang": "en"}, timeout=60).status_code == 200
            assert app.state.cache.hits == hits + 1  # served from memory: the warmer computed it
            entries = len(app.state.cache)
            later = time.time() + 5
            os.utime(path, (later, later))  # a load changes the file: a new data version
            assert warmer.wait_rounds(2, timeout=300)
            assert len(app.state.cache) == entries + len(paths)  # recomputed under the new version
        finally:
            warmer.stop()
            warmer.join(timeout=30)
    assert not warmer.is_alive()
