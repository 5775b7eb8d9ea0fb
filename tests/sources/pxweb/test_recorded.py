"""The client against the recorded real responses (served through httpx.MockTransport)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np

from kuva.sources.pxweb import PxWebClient
from kuva.sources.pxweb.catalogue import ROLE_NAMES
from kuva.sources.pxweb.client import TableMetadata

RECORDED = Path(__file__).parent / "recorded"


def _transport(routes: dict[str, bytes]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        for suffix, body in routes.items():
            if request.url.path.endswith(suffix):
                return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})
        return httpx.Response(404)

    return httpx.MockTransport(handler)


def test_recorded_v2_config_sets_limits() -> None:
    t = _transport({"/config": (RECORDED / "config-response.json").read_bytes()})
    with PxWebClient("https://example.invalid/api/v2", transport=t, sleep=lambda s: None) as c:
        lim = c.limits()
    assert (lim.max_cells, lim.max_calls, lim.window, lim.origin) == (10_000, 30, 10.0, "config")
    assert (c.limiter.max_calls, c.limiter.window) == (30, 10.0)


def test_missing_config_endpoint_falls_back_to_statfin_defaults() -> None:
    with PxWebClient("https://example.invalid/api/v2", transport=_transport({}), sleep=lambda s: None) as c:
        lim = c.limits()
    assert (lim.max_cells, lim.max_calls, lim.window, lim.origin) == (100_000, 30, 10.0, "default")


def test_recorded_statfin_v2_data_through_the_client(tmp_path: Path) -> None:
    body = (RECORDED / "statfin_v2_response_population_three_cities.json").read_bytes()
    t = _transport(
        {
            "/config": b'{"maxDataCells": 100000, "maxCallsPerTimeWindow": 30, "timeWindow": 10}',
            "/tables/11re/data": body,
        }
    )
    meta = TableMetadata("11re", "v2", "", "https://example.invalid/api/v2/tables/11re/data", "", None, (), ())
    sel = (
        ("alue_23_20260101", ("KU049", "KU091", "KU092")),
        ("ikaryhma_10_20180101", ("SSS",)),
        ("sukupuoli_9_20180101", ("SSS",)),
        ("timeperiod_y", ("2025",)),
        ("contentscode", ("vaerak-vaesto",)),
    )
    with PxWebClient("https://example.invalid/api/v2", transport=t, cache_dir=tmp_path) as c:
        (res,) = c.fetch(meta, sel)
        again = c.fetch_chunk(meta, sel)
    np.testing.assert_array_equal(res.dataset.values, [325716, 694392, 252956])  # type: ignore[arg-type]
    assert again.from_cache and c.requests_sent == 2  # config + one data request
    assert ROLE_NAMES["area"].matches("alue_23_20260101") and ROLE_NAMES["time_A"].matches("timeperiod_y")


def test_v1_query_has_the_recorded_statfin_shape() -> None:
    real = json.loads((RECORDED / "sq-api_table_statfin_eot_pxt_132a.px.json").read_text())["queryObj"]
    meta = TableMetadata("132a", "v1", "", "", "", None, (), ())
    with PxWebClient("https://example.invalid/PXWeb/api/v1/fi/StatFin", sleep=lambda s: None) as c:
        q = c.data_query(meta, tuple((x["code"], tuple(x["selection"]["values"])) for x in real["query"]))
    assert q == real  # the same JSON text StatFin's own saved query sends
    assert ROLE_NAMES["time_A"].matches("Vuosi") and ROLE_NAMES["content"].matches("Tiedot")
