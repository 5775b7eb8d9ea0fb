"""The client against the local misbehaving server: every failure mode is retried or reported,
and no unusable body ever becomes data or enters the cache."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from kuva.sources.pxweb import PxWebClient, tables
from kuva.sources.pxweb.errors import PxWebNotFoundError, PxWebRetryError
from kuva.sources.pxweb.mapping import build_selection, resolve, time_codes
from tests.sources.pxweb.cubes import cube
from tests.sources.pxweb.server import PxWebTestServer

MakeClient = Callable[..., PxWebClient]


def _fetch_12u4(c: PxWebClient) -> np.ndarray:
    spec = tables()["12u4"]
    meta = c.table_metadata(spec)
    res = resolve(spec, meta)
    sel = build_selection(res, meta, time_codes(res, meta, None)[:12])
    (chunk,) = c.fetch(meta, sel)
    assert chunk.dataset.values is not None
    return chunk.dataset.values


def _expected_12u4() -> np.ndarray:
    return cube("12u4").values[:, :12, :].reshape(-1)


def test_config_limits_are_read(server: PxWebTestServer, make_client: MakeClient) -> None:
    server.state.max_cells, server.state.max_calls, server.state.window = 5000, 7, 3
    for base in (server.v2, server.v1):
        lim = make_client(base).limits()
        assert (lim.max_cells, lim.max_calls, lim.window, lim.origin) == (5000, 7, 3.0, "config")


@pytest.mark.parametrize("fault", ["429", "500", "truncate", "badjson"])
def test_transient_faults_are_retried(fault: str, server: PxWebTestServer, make_client: MakeClient) -> None:
    server.state.faults = [fault, fault]
    c = make_client(server.v2)
    np.testing.assert_array_equal(_fetch_12u4(c), _expected_12u4())
    assert c.retries == 2
    assert server.state.count("data") == 3
    if fault == "429":  # Retry-After: 2 is honoured instead of the exponential backoff
        assert list(c.sleep)[-2:] == [2.0, 2.0]  # type: ignore[call-overload]
    else:  # exponential backoff 1 s, 2 s
        assert list(c.sleep)[-2:] == [1.0, 2.0]  # type: ignore[call-overload]


def test_timeout_is_retried(server: PxWebTestServer, make_client: MakeClient) -> None:
    server.state.faults = ["timeout"]
    server.state.timeout_sleep = 1.0
    c = make_client(server.v2, timeout=0.3)
    np.testing.assert_array_equal(_fetch_12u4(c), _expected_12u4())
    assert c.retries == 1


def test_truncated_body_is_never_data_nor_cached(server: PxWebTestServer, make_client: MakeClient) -> None:
    server.state.faults = ["truncate"] * 10
    c = make_client(server.v2, max_attempts=3)
    with pytest.raises(PxWebRetryError, match="3 attempt"):
        _fetch_12u4(c)
    assert c.cache is not None and len(c.cache) == 0
    assert not list(c.cache.directory.rglob("*.part"))


def test_retries_are_bounded(server: PxWebTestServer, make_client: MakeClient) -> None:
    server.state.faults = ["500"] * 10
    c = make_client(server.v2, max_attempts=4)
    with pytest.raises(PxWebRetryError, match="HTTP 500"):
        _fetch_12u4(c)
    assert server.state.count("data") == 4
    assert list(c.sleep) == [1.0, 2.0, 4.0]  # type: ignore[call-overload]


def test_cache_answers_a_repeated_query(server: PxWebTestServer, make_client: MakeClient) -> None:
    c = make_client(server.v2)
    first = _fetch_12u4(c)
    second = _fetch_12u4(c)
    np.testing.assert_array_equal(first, second)
    assert server.state.count("data") == 1 and c.cache_hits == 1


def test_a_new_vintage_is_not_served_from_the_cache(server: PxWebTestServer, make_client: MakeClient) -> None:
    c = make_client(server.v2)
    _fetch_12u4(c)
    server.state.updated = "2024-01-20T06:00:00Z"
    _fetch_12u4(c)
    assert server.state.count("data") == 2


def test_v2_get_and_v1_post_give_the_same_data(server: PxWebTestServer, make_client: MakeClient) -> None:
    a = _fetch_12u4(make_client(server.v2, data_method="GET", cache_dir=None))
    b = _fetch_12u4(make_client(server.v1, cache_dir=None))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, _expected_12u4())


def test_labels_follow_the_language(server: PxWebTestServer, make_client: MakeClient) -> None:
    for lang, label in (("fi", "Alue"), ("sv", "Område"), ("en", "Area")):
        meta = make_client(server.v2, lang=lang).table_metadata("12r5")
        assert meta.variable("alue_23_20260101").label == label


def test_unknown_table(server: PxWebTestServer, make_client: MakeClient) -> None:
    with pytest.raises(PxWebNotFoundError, match=r"table 99zz: not found.*tried"):
        make_client(server.v2).table_metadata("99zz")


def test_old_table_ids_are_found_when_the_server_uses_them(server: PxWebTestServer, make_client: MakeClient) -> None:
    server.state.form = "old"
    meta = make_client(server.v2).table_metadata("12r5")
    assert meta.data_url.endswith("/tables/statfin_tyonv_pxt_12r5/data")
    assert "Alue" in meta.codes


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.now += s


def test_rate_limit_from_config_is_respected(server: PxWebTestServer, make_client: MakeClient) -> None:
    """30 chunks against a server allowing 5 calls per 10 s: the client spaces them out (in
    virtual time) so no 10-s window holds more than 5 requests."""
    server.state.max_calls, server.state.window = 5, 10
    server.state.max_cells = 40  # 12u4 for 12 months = 120 cells -> 3 chunks; more below
    clock = FakeClock()
    c = make_client(server.v2, clock=clock, sleep=clock.sleep, cache_dir=None)
    stamps: list[float] = []
    acquire = c.limiter.acquire

    def logged() -> None:
        acquire()
        stamps.append(clock.now)

    c.limiter.acquire = logged  # type: ignore[method-assign]
    spec = tables()["12u4"]
    meta = c.table_metadata(spec)
    res = resolve(spec, meta)
    sel = build_selection(res, meta, time_codes(res, meta, None)[:40])  # 400 cells -> 10 chunks
    c.fetch(meta, sel, split_order=["timeperiod_m"])
    assert len(stamps) == c.requests_sent == 12  # metadata, config, 10 chunks
    for i, t in enumerate(stamps):
        assert sum(1 for s in stamps[i:] if s < t + 10) <= 5
    assert clock.now >= 20.0 and c.limiter.waited >= 20.0
