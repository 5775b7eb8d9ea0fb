"""Pulling the catalogue into a warehouse from the local server: same values as the bundled
real files, idempotent, revisions as new vintages, resumable, all-or-nothing per table."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.sources.pxweb import PxWebClient, PxWebPullError, pull_statfin, summarise
from kuva.sources.pxweb.catalogue import mapped_tables, tables
from kuva.sources.pxweb.errors import CatalogueMismatchError
from kuva.sources.pxweb.mapping import resolve
from kuva.warehouse.connection import Warehouse
from tests.sources.pxweb.conftest import warehouse_checksum
from tests.sources.pxweb.cubes import DATA, NATIONAL, national_frame
from tests.sources.pxweb.server import PxWebTestServer

MakeClient = Callable[..., PxWebClient]


def stored(wh: Warehouse, source_id: str, measures: list[str] | None = None) -> pd.DataFrame:
    """Latest vintage per key: of one source, or (``measures`` given) of those measures in any
    source (12u4's national TYOTTOMATLOPUSSA is the same observation as 12r5's SSS one, so the
    warehouse keeps it once, under whichever table stored it first)."""
    where, params = ("measure IN (SELECT unnest(?))", [measures]) if measures else ("source_id = ?", [source_id])
    return wh.sql(
        "SELECT area_code, period, measure, breakdown, value, status, vintage FROM observations "
        f"WHERE {where} QUALIFY row_number() OVER (PARTITION BY area_code, period, measure, "
        "breakdown ORDER BY vintage DESC) = 1",
        params,
    )


def compare_12r5(wh: Warehouse) -> int:
    """Every value of the bundled 12r5 file equals the stored one (NaN = NaN). Returns rows compared."""
    raw = pd.read_csv(DATA / "tyonv_12r5_monthly_2006-01_2023-10.csv.gz", dtype={"alue": str})
    raw["period"] = pd.to_datetime(raw["time"]).dt.date
    got = stored(wh, "statfin:12r5")
    got["period"] = pd.to_datetime(got["period"]).dt.date
    n = 0
    for m in ("TYOTTOMATLOPUSSA", "AVPAIKATLOPUSSA"):
        g = got[got.measure == m].set_index(["area_code", "period"])["value"]
        exp = raw.set_index(["alue", "period"])[m]
        assert len(g) == len(exp)
        np.testing.assert_array_equal(g.reindex(exp.index).to_numpy(), exp.to_numpy())
        n += len(exp)
    # TYOVOIMATK: annual, once per year at 1 January, the value StatFin repeats monthly
    lab = got[got.measure == "TYOVOIMATK"]
    assert {p.month for p in lab["period"]} == {1} and {p.day for p in lab["period"]} == {1}
    exp_y = raw.assign(y=raw["period"].map(lambda p: date(p.year, 1, 1))).groupby(["alue", "y"])["TYOVOIMATK"].last()
    g_y = lab.set_index(["area_code", "period"])["value"]
    np.testing.assert_array_equal(g_y.reindex(exp_y.index).to_numpy(), exp_y.to_numpy())
    return n + len(exp_y)


def compare_national(wh: Warehouse, table: str) -> int:
    raw = national_frame(table)
    bd = [c for c in raw.columns if c not in ("time", "tiedot", "value")]
    got = stored(wh, f"statfin:{table}", sorted(raw["tiedot"].unique()))
    got = got[got.area_code == "SSS"]
    got["period"] = pd.to_datetime(got["period"]).dt.strftime("%Y-%m-%d")
    got = got.set_index(["period", "measure", "breakdown"])["value"]
    key = pd.MultiIndex.from_arrays(
        [raw["time"], raw["tiedot"], (f"{bd[0]}=" + raw[bd[0]]) if bd else pd.Series([""] * len(raw))]
    )
    np.testing.assert_array_equal(got.reindex(key).to_numpy(), raw["value"].to_numpy())
    assert set(got.index.get_level_values("measure")) == set(raw["tiedot"])
    return len(raw)


@pytest.mark.slow
@pytest.mark.parametrize("api", ["v2", "v1"])
def test_full_pull_equals_bundled_real_values(
    api: str, server: PxWebTestServer, wh: Warehouse, make_client: MakeClient
) -> None:
    server.state.max_cells = 60_000  # forces 12r5 into several chunks
    c = make_client(server.v2 if api == "v2" else server.v1)
    seen: list[tuple[str, int, int]] = []
    reports = pull_statfin(wh, client=c, progress=lambda t, i, n: seen.append((t, i, n)))
    assert [r.table for r in reports] == [t.id for t in mapped_tables()]
    assert all(r.outcome == "loaded" for r in reports)
    assert ("12r5", 5, 5) in seen  # 265,788 cells / 60,000
    n = compare_12r5(wh)
    for table in NATIONAL:
        n += compare_national(wh, table)
    assert n > 200_000
    # provenance
    loads = wh.sql(
        "SELECT l.source_id, l.location, l.query, l.vintage, s.kind, s.publisher, s.license "
        "FROM loads l JOIN sources s USING (source_id) ORDER BY load_id"
    )
    assert list(loads["source_id"]) == [f"statfin:{r.table}" for r in reports]
    assert set(loads["kind"]) == {"statfin-pxweb"}
    assert set(loads["publisher"]) == {"Statistics Finland / TEM employment service statistics"}
    assert set(loads["license"]) == {"CC BY 4.0"}
    assert set(loads["vintage"]) == {datetime(2023, 11, 21, 6, 0)}
    assert loads["location"].iloc[0].startswith("http://127.0.0.1:")
    assert '"12r5"' in loads["query"].iloc[0]
    # suppressed cells are missing with their flag, never zero
    sup = wh.sql("SELECT value, status FROM observations WHERE status = '.'")
    assert len(sup) > 0 and sup["value"].isna().all()
    text = summarise(reports)
    assert "12r5: 2006-01…2023-10" in text and "total:" in text


def test_rerun_is_idempotent_and_only_asks_for_new_periods(
    server: PxWebTestServer, wh: Warehouse, make_client: MakeClient
) -> None:
    c = make_client(server.v2, cache_dir=None)
    first = pull_statfin(wh, client=c, tables=["12u4", "statfin_tyonv_pxt_12ur.px"])
    before = warehouse_checksum(wh)
    data0 = server.state.count("data")
    again = pull_statfin(wh, client=c, tables=["12u4", "12ur"])
    assert [r.outcome for r in again] == ["unchanged", "unchanged"]
    assert warehouse_checksum(wh) == before
    # the re-run asked only from the latest stored period: one month / one year
    bodies = server.state.data_bodies()[data0:]
    assert '"2022M02"' in bodies[0] and '"2022M01"' not in bodies[0]
    assert '"2021"' in bodies[1] and '"2020"' not in bodies[1]
    assert first[0].inserted == 1940 and again[0].unchanged == 10


def test_revision_is_stored_as_a_new_vintage(server: PxWebTestServer, wh: Warehouse, make_client: MakeClient) -> None:
    c = make_client(server.v2)
    pull_statfin(wh, client=c, tables=["12u4"])
    server.state.updated = "2024-01-20T06:00:00Z"
    server.state.revisions[("SSS", "2022M02", "AKTASTE", "12u4")] = 99.9
    (rep,) = pull_statfin(wh, client=c, tables=["12u4"])
    assert (rep.revised, rep.unchanged, rep.inserted) == (1, 9, 0)
    hist = wh.sql(
        "SELECT value, vintage FROM observations WHERE measure = 'AKTASTE' "
        "AND period = DATE '2022-02-01' ORDER BY vintage"
    )
    assert list(hist["vintage"]) == [datetime(2023, 11, 21, 6), datetime(2024, 1, 20, 6)]
    assert hist["value"].iloc[1] == 99.9 and hist["value"].iloc[0] != 99.9


def test_since_limits_the_request(server: PxWebTestServer, wh: Warehouse, make_client: MakeClient) -> None:
    (rep,) = pull_statfin(wh, client=make_client(server.v2), tables=["12r5"], since=date(2023, 7, 15))
    assert (rep.first_period, rep.last_period) == (date(2023, 1, 1), date(2023, 10, 1))  # TYOVOIMATK at Jan 1
    periods = set(stored(wh, "statfin:12r5")["period"].astype(str))
    assert periods == {"2023-01-01", "2023-07-01", "2023-08-01", "2023-09-01", "2023-10-01"}


def test_interrupted_pull_resumes_without_refetching(
    server: PxWebTestServer, wh: Warehouse, make_client: MakeClient
) -> None:
    server.state.max_cells = 30_000  # 12r5 in 9 chunks
    server.state.fail_data_after = 4  # the server breaks after 4 good chunks
    before = warehouse_checksum(wh)
    c = make_client(server.v2, max_attempts=2)
    with pytest.raises(PxWebPullError, match="table 12r5") as err:
        pull_statfin(wh, client=c, tables=["12r5"])
    assert err.value.reports == []
    assert warehouse_checksum(wh) == before  # nothing partial was written
    good = server.state.data_bodies()
    assert len(good) == 4
    server.state.fail_data_after = None
    c2 = make_client(server.v2)  # a new run, same cache directory
    (rep,) = pull_statfin(wh, client=c2, tables=["12r5"])
    assert rep.cache_hits == 4 and rep.chunks == 9
    resumed = server.state.data_bodies()[4:]
    assert len(resumed) == 5 and not set(resumed) & set(good)  # finished chunks not asked again
    compare_12r5(wh)


def test_failed_table_leaves_warehouse_unchanged(
    server: PxWebTestServer, wh: Warehouse, make_client: MakeClient
) -> None:
    c = make_client(server.v2, max_attempts=3)
    pull_statfin(wh, client=c, tables=["12u1"])
    before = warehouse_checksum(wh)
    server.state.faults = ["500", "truncate", "timeout"]
    server.state.timeout_sleep = 0.6
    c.http.timeout = c.http.timeout.__class__(0.2)
    with pytest.raises(PxWebPullError, match="gave up after 3") as err:
        pull_statfin(wh, client=c, tables=["12u2", "12u4"])
    assert err.value.table == "12u2"
    assert warehouse_checksum(wh) == before


def test_failure_after_a_finished_table_keeps_that_table(
    server: PxWebTestServer, wh: Warehouse, make_client: MakeClient
) -> None:
    c = make_client(server.v2, max_attempts=2)
    server.state.fail_data_after = 1
    with pytest.raises(PxWebPullError) as err:
        pull_statfin(wh, client=c, tables=["12u1", "12u2"])
    assert [r.table for r in err.value.reports] == ["12u1"]  # type: ignore[attr-defined]
    assert set(wh.sql("SELECT DISTINCT source_id FROM observations")["source_id"]) == {"statfin:12u1"}


@pytest.mark.parametrize(
    ("rename", "message"),
    [
        (
            {"alue_23_20260101": "region_24_20270101"},
            r"^table 12r5: area variable 'Alue' \(or 2026 form 'alue_…'\) not found; the table has "
            r"'region_24_20270101', 'timeperiod_m', 'contentscode' — StatFin renamed variables on "
            r"2026-06-08; update the catalogue mapping",
        ),
        ({"contentscode": "tiedot_2027"}, r"content variable 'Tiedot' .* not found.*'tiedot_2027'"),
        ({"timeperiod_m": "kuukausi_m"}, r"time variable 'Kuukausi' .* not found"),
    ],
)
def test_renamed_variable_says_what_changed(
    rename: dict[str, str], message: str, server: PxWebTestServer, wh: Warehouse, make_client: MakeClient
) -> None:
    server.state.rename = rename
    before = warehouse_checksum(wh)
    with pytest.raises(PxWebPullError, match=message) as err:
        pull_statfin(wh, client=make_client(server.v2), tables=["12r5"])
    assert isinstance(err.value.cause, CatalogueMismatchError)
    assert warehouse_checksum(wh) == before
    assert server.state.count("data") == 0


def test_breakdown_recoded_with_same_label_still_loads(
    server: PxWebTestServer, wh: Warehouse, make_client: MakeClient
) -> None:
    """A breakdown whose code changes but whose label stays is still the same breakdown (it is
    stored under its old name anyway); a label change too is an error naming the variables."""
    server.state.rename = {"tyollistamisen_laji_1_20260101": "tuki_1_20270101"}
    c = make_client(server.v2)
    (rep,) = pull_statfin(wh, client=c, tables=["12u6"])
    assert rep.inserted > 0
    meta = c.table_metadata("12u6")
    relabelled = dataclasses.replace(
        meta,
        variables=tuple(
            dataclasses.replace(v, label="Tukimuoto") if v.code == "tuki_1_20270101" else v for v in meta.variables
        ),
    )
    with pytest.raises(
        CatalogueMismatchError,
        match=r"table 12u6: breakdown variable 'tyollistamisen_laji' not found; the "
        r"table has 'alue_23_20260101', 'tuki_1_20270101', 'timeperiod_m'",
    ):
        resolve(tables()["12u6"], relabelled)


def test_lost_content_code_is_named(server: PxWebTestServer, make_client: MakeClient) -> None:
    c = make_client(server.v2)
    meta = c.table_metadata("12u4")
    cut = dataclasses.replace(
        meta,
        variables=tuple(
            dataclasses.replace(v, categories=v.categories[1:], category_labels=v.category_labels[1:])
            if v.code == "contentscode"
            else v
            for v in meta.variables
        ),
    )
    with pytest.raises(CatalogueMismatchError, match=r"content code\(s\) \['AKTASTE'\] not found"):
        resolve(tables()["12u4"], cut)


def test_table_selection_errors(wh: Warehouse, server: PxWebTestServer, make_client: MakeClient) -> None:
    c = make_client(server.v2)
    with pytest.raises(KuvaLookupError, match="unknown StatFin table"):
        pull_statfin(wh, client=c, tables=["12zz"])
    with pytest.raises(KuvaInputError, match="declared but not mapped"):
        pull_statfin(wh, client=c, tables=["12tf"])
    with pytest.raises(KuvaInputError, match="not verified"):
        pull_statfin(wh, client=c, tables=["11ra"])


@pytest.mark.slow
def test_pull_after_bundled_load_changes_no_value(
    server: PxWebTestServer, wh: Warehouse, make_client: MakeClient
) -> None:
    """Live pulls and the bundled data are the same observations: after ``kuva load bundled``,
    re-pulling the whole history from the server (newer vintage) revises no value; the only new
    vintages are missing cells that gain the publisher's status flag ('.')."""
    from kuva.sources import bundled

    bundled.load_bundled(wh)
    server.state.updated = "2024-01-15T06:00:00Z"  # after the bundled vintages
    reports = pull_statfin(wh, client=make_client(server.v2), since=date(2006, 1, 1))
    assert sum(r.inserted for r in reports) == 0
    changed = wh.sql(
        "SELECT n.value AS new, o.value AS old, n.status AS new_status, o.status AS old_status "
        "FROM observations n JOIN observations o USING (area_code, period, measure, breakdown) "
        "WHERE n.vintage = TIMESTAMP '2024-01-15 06:00:00' AND o.vintage < n.vintage"
    )
    assert len(changed) == sum(r.revised for r in reports) > 0
    assert changed["new"].isna().all() and changed["old"].isna().all()
    assert set(changed["new_status"]) == {"."} and changed["old_status"].isna().all()
