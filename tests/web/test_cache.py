"""The server's answer cache: a repeated request is served from memory with the same body and
still audited (with its disclosure counts), callers with different keys never share an answer,
and a change of the warehouse file invalidates everything."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import ANALYST_KEY, AREA, AREA_KEY, running


def test_answers_are_cached_per_caller_and_data_version(portal_warehouse: Path, tmp_path: Path) -> None:
    from kuva.web.app import create_app

    path = tmp_path / "kuva.duckdb"
    shutil.copy(portal_warehouse, path)
    mp = pytest.MonkeyPatch()
    mp.setenv("KUVA_API_KEYS", f"{ANALYST_KEY}:analyst,{AREA_KEY}:analyst@{AREA}")
    try:
        app = create_app(path, audit_log=tmp_path / "audit.jsonl")
        cache = app.state.cache
        url = "/api/v1/process/plan-debt"
        with running(app) as base:
            first = httpx.get(base + url, headers={"X-KuVa-Key": ANALYST_KEY}, timeout=120)
            again = httpx.get(base + url, headers={"X-KuVa-Key": ANALYST_KEY}, timeout=120)
            assert first.status_code == again.status_code == 200 and first.content == again.content
            assert cache.hits == 1
            area = httpx.get(base + url, headers={"X-KuVa-Key": AREA_KEY}, timeout=120)
            assert area.status_code == 200 and area.content != first.content and cache.hits == 1
            assert httpx.get(base + url).status_code == 403  # no key: refused, cache or not
            os.utime(path, ns=(0, 0))  # the file changed: a new data version
            httpx.get(base + url, headers={"X-KuVa-Key": ANALYST_KEY}, timeout=120)
            assert cache.hits == 1
        lines = [json.loads(x) for x in (tmp_path / "audit.jsonl").read_text().splitlines()]
        mine = [x for x in lines if x["path"] == url and x["role"] == "analyst" and x["area"] is None]
        assert len(mine) == 3 and mine[0]["hidden_cells"] == mine[1]["hidden_cells"]
        assert mine[0]["confidential_cells"] > 0 and mine[1]["confidential_cells"] == mine[0]["confidential_cells"]
    finally:
        mp.undo()
