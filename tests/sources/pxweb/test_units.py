"""Chunking, rate limiting, the cache and the catalogue, without a server."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuva.registry import measures
from kuva.sources.pxweb.cache import ResponseCache, cache_key
from kuva.sources.pxweb.catalogue import (
    TABLES,
    breakdown_matches,
    declared_tables,
    mapped_tables,
    normalise_content_code,
    normalise_table_id,
    tables,
)
from kuva.sources.pxweb.chunking import cells, split_selection
from kuva.sources.pxweb.ratelimit import RateLimiter

RECORDED = Path(__file__).parent / "recorded"
PINNED = {  # sha256 of the recorded files (see recorded/PROVENANCE.md)
    "statfin_v2_response_population_three_cities.json": (
        "ca4a175ab2112c228f20393879a4c3bda4aa4065dab2556664a64c76fb5baf34"
    ),
    "table-metadata-example-jsonstat-nocomments.json": (
        "fd929fd8ff05abe53b9555843d59a228a184c2927a1ecf82e97c1aae905d2844"
    ),
    "sq-api_table_statfin_eot_pxt_132a.px.json": ("2cae1fefaca4f8d2e4f289c58c22e284c4e93309f913ecd049930c3e987126f4"),
    "config-response.json": "1109955de390bb2e26e91464c787dfdbb243902a008752f243fa096148945e49",
}


def test_recorded_files_unchanged() -> None:
    for name, digest in PINNED.items():
        assert hashlib.sha256((RECORDED / name).read_bytes()).hexdigest() == digest


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=4), st.integers(1, 200))
def test_chunks_cover_every_cell_once_under_the_limit(sizes: list[int], limit: int) -> None:
    sel = tuple((f"v{i}", tuple(f"v{i}_{j}" for j in range(s))) for i, s in enumerate(sizes))
    chunks = split_selection(sel, limit, ["v1", "v0"])
    assert all(cells(c) <= limit for c in chunks)
    seen: set[tuple[str, ...]] = set()
    for c in chunks:
        grid = [vals for _, vals in c]
        for idx in range(cells(c)):
            cell, rest = [], idx
            for vals in reversed(grid):
                cell.append(vals[rest % len(vals)])
                rest //= len(vals)
            key = tuple(cell)
            assert key not in seen
            seen.add(key)
    assert len(seen) == math.prod(sizes)


def test_chunking_splits_time_first() -> None:
    sel = (
        ("alue", tuple(f"a{i}" for i in range(400))),
        ("t", tuple(f"t{i}" for i in range(214))),
        ("c", ("x", "y", "z")),
    )
    chunks = split_selection(sel, 100_000, ["t", "alue"])
    assert len(chunks) == 3
    assert all(dict(c)["alue"] == sel[0][1] for c in chunks)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.slept.append(s)
        self.now += s


def test_rate_limiter_never_exceeds_calls_per_window() -> None:
    clock = FakeClock()
    lim = RateLimiter(30, 10.0, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(95):
        lim.acquire()
        stamps.append(clock.now)
        clock.now += 0.01  # each call takes 10 ms
    for i, t in enumerate(stamps):
        in_window = [s for s in stamps[i:] if s < t + 10.0]
        assert len(in_window) <= 30
    assert stamps[-1] - stamps[0] >= 30.0  # 95 calls need at least 3 full windows
    assert lim.waited == pytest.approx(sum(clock.slept))


def test_cache_is_atomic_and_keyed_by_url_query_and_vintage(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    k1 = cache_key("http://x/data", {"q": [1, 2]}, "2024-01-01")
    assert k1 == cache_key("http://x/data", {"q": [1, 2]}, "2024-01-01")
    assert k1 != cache_key("http://x/data", {"q": [1, 3]}, "2024-01-01")
    assert k1 != cache_key("http://x/data", {"q": [1, 2]}, "2024-02-01")
    assert cache.get(k1) is None
    cache.put(k1, b'{"a": 1}')
    assert cache.get(k1) == b'{"a": 1}'
    assert not list(tmp_path.rglob("*.part"))  # no temp files left behind


def test_catalogue_status_follows_the_measure_catalogue() -> None:
    known = measures()
    for spec in TABLES:
        complete = all(m in known for m in spec.measure_codes) and spec.verified
        assert spec.status == ("mapped" if complete else "declared")
    mapped = {t.id for t in mapped_tables()}
    assert {
        "12r5",
        "12u4",
        "12u1",
        "12u2",
        "12u6",
        "12u8",
        "12u9",
        "12ur",
        "12us",
        "12ut",
        "12uu",
        "12uv",
        "12uw",
        "12ux",
        "12v7",
        "12v8",
        "12v9",
        "12va",
    } <= mapped
    for spec in declared_tables():
        assert spec.declared_reason  # says why


def test_every_statfin_measure_has_a_table() -> None:
    pulled = {m for t in mapped_tables() for m in t.measure_codes}
    statfin = {c for c, m in measures().items() if m.catalogue == "measures.csv"}
    assert statfin <= pulled


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12r5", "12r5"),
        ("12R5", "12r5"),
        ("statfin_tyonv_pxt_12r5.px", "12r5"),
        ("12r5.px", "12r5"),
        ("statfin_tyonv_pxt_12u4", "12u4"),
    ],
)
def test_table_ids_in_both_forms(text: str, expected: str) -> None:
    assert normalise_table_id(text) == expected
    assert expected in tables()


def test_content_codes_in_both_forms() -> None:
    known = {"TYOTTOMATLOPUSSA", "TVKPAATTYNYT_TAJO"}
    assert normalise_content_code("TYOTTOMATLOPUSSA", known) == "TYOTTOMATLOPUSSA"
    assert normalise_content_code("tyonv_TYOTTOMATLOPUSSA", known) == "TYOTTOMATLOPUSSA"
    assert normalise_content_code("tyonv-tvkpaattynyt_tajo", known) == "TVKPAATTYNYT_TAJO"
    assert normalise_content_code("TVKPAATTYNYT_TAJO", known) == "TVKPAATTYNYT_TAJO"
    assert normalise_content_code("SOMETHING_ELSE", known) is None


def test_breakdown_names_in_both_forms() -> None:
    assert breakdown_matches("tyollistamisen_laji", "Työllistämisen laji", "Työllistämisen laji")
    assert breakdown_matches("valtionosuuskoulutus_vos", "valtionosuuskoulutus_vos_1_20260101", "x")
    assert not breakdown_matches("valmennus", "muut_palvelut_1_20260101", "Muut palvelut")
