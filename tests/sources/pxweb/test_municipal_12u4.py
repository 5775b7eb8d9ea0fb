"""Municipal 12u4 through the PxWeb client, and real values replacing synthetic ones downstream.

StatFin publishes 12u4 (activation rate, unemployed, persons in each activating service) for
every municipality; those values are not bundled, so the test server serves a CONSTRUCTED
municipal cube in StatFin's exact layout (:func:`tests.sources.pxweb.cubes.cube_12u4_municipal`:
real 12r5 unemployed, made-up service counts). What is tested is the path, not the numbers:
the pull in chunks across all areas, in both API versions, and that an analysis then uses the
public values instead of the simulator's and says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from kuva.analysis import monthly_paths
from kuva.indicators.groups import membership
from kuva.sources.pxweb import PxWebClient, pull_statfin
from kuva.warehouse import latest_observations
from kuva.warehouse.connection import Warehouse
from tests.sources.pxweb.cubes import cube_12u4_municipal
from tests.sources.pxweb.server import PxWebTestServer

MakeClient = Callable[..., PxWebClient]


def _cube_frame() -> pd.DataFrame:
    c = cube_12u4_municipal()
    areas, times, contents = (d.values for d in c.dims)
    idx = pd.MultiIndex.from_product([areas, times, contents], names=["area_code", "t", "measure"])
    f = pd.DataFrame({"value": c.values.reshape(-1)}, index=idx).reset_index()
    f["period"] = pd.to_datetime(f["t"].str.replace("M", "-") + "-01").dt.date
    return f.drop(columns="t")


@pytest.mark.parametrize("api", ["v2", "v1"])
def test_all_municipalities_are_pulled_in_chunks(api: str, server: PxWebTestServer, wh: Warehouse,
                                                 make_client: MakeClient) -> None:
    server.state.cubes["12u4"] = cube_12u4_municipal()
    server.state.max_cells = 20_000  # 310 areas × 70 months × 10 contents = 217,000 cells
    seen: list[tuple[str, int, int]] = []
    (report,) = pull_statfin(wh, client=make_client(server.v2 if api == "v2" else server.v1), tables=["12u4"],
                             progress=lambda t, i, n: seen.append((t, i, n)))
    assert report.outcome == "loaded" and max(n for _, _, n in seen) >= 11
    o = latest_observations(wh)
    got = o.filter(o.source_id == "statfin:12u4").select("area_code", "period", "measure", "value").to_pandas()
    got["period"] = pd.to_datetime(got["period"]).dt.date
    want = _cube_frame()
    assert got["area_code"].nunique() == 310
    merged = want.merge(got, on=["area_code", "period", "measure"], how="left", suffixes=("", "_got"))
    np.testing.assert_array_equal(merged["value_got"].to_numpy(), merged["value"].to_numpy())


def test_public_municipal_counts_replace_the_simulators(server: PxWebTestServer, wh: Warehouse,
                                                       make_client: MakeClient) -> None:
    """After the demo's simulation, a pull of municipal 12u4 makes the analyses real: the
    activation path of the pilot group is computed from the public counts and is not labelled
    synthetic."""
    from kuva.simulate import simulate_into

    simulate_into(wh, scale=0.0005, seed=3, years=(2019, 2022))
    before = monthly_paths(wh, start=date(2019, 1, 1), end=date(2022, 12, 1))
    assert before.synthetic
    server.state.cubes["12u4"] = cube_12u4_municipal()
    pull_statfin(wh, client=make_client(server.v2), tables=["12u4", "12r5"])
    after = monthly_paths(wh, start=date(2019, 1, 1), end=date(2022, 12, 1))
    assert not after.synthetic and "synthetic:panel" not in after.sources
    month = date(2022, 6, 1)
    pilots = set(membership("pilot_group").query("group_code == 'pilot'")["municipality_code"])
    cubef = _cube_frame()
    cubef = cubef[(cubef["period"] == month) & cubef["area_code"].isin(pilots)].pivot(
        index="area_code", columns="measure", values="value")
    u, s = cubef["TYOTTOMATLOPUSSA"].sum(), cubef["PALVELUISSAYHTEENSA"].sum()
    row = after.table[(after.table["group"] == "pilot") & (after.table["period"] == month)].iloc[0]
    assert row["activation_rate"] == pytest.approx(100 * s / (u + s), abs=1e-9)
    assert "Luvut perustuvat osin synteettiseen" not in after.text("fi")
