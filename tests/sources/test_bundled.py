"""The bundled real StatFin data in the warehouse equal the raw files, value for value."""

from __future__ import annotations

import gzip
from datetime import date
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from kuva.errors import BadRowError
from kuva.sources.bundled import bundled_tables, load_bundled
from kuva.warehouse import Warehouse, query_observations


def raw_12r5() -> pd.DataFrame:
    data = resources.files("kuva.sources").joinpath("data").joinpath("statfin").joinpath(
        "tyonv_12r5_monthly_2006-01_2023-10.csv.gz").read_bytes()
    import io

    return pd.read_csv(io.BytesIO(gzip.decompress(data)), dtype={"alue": str})


RAW = raw_12r5()


def test_every_12r5_value_is_stored_unchanged(bundled_wh: Warehouse) -> None:
    stored = bundled_wh.sql(
        "SELECT area_code, period, measure, value FROM observations WHERE source_id = 'statfin:12r5'")
    stored["period"] = pd.to_datetime(stored["period"]).dt.strftime("%Y-%m-%d")
    for measure in ("TYOTTOMATLOPUSSA", "AVPAIKATLOPUSSA"):
        s = stored[stored.measure == measure].set_index(["area_code", "period"])["value"].sort_index()
        r = RAW.set_index(["alue", "time"])[measure].sort_index()
        r.index.names = s.index.names
        assert len(s) == len(r) == 88_596
        pd.testing.assert_series_equal(s, r, check_names=False)  # NaN where the publisher suppressed


def test_labour_force_is_stored_once_a_year(bundled_wh: Warehouse) -> None:
    df = query_observations(bundled_wh, ["TYOVOIMATK"], areas=["KU091"])
    assert [p.month for p in df["period"]] == [1] * 18
    jan = RAW[(RAW.alue == "KU091") & (RAW.time.str.endswith("-01-01"))]["TYOVOIMATK"].tolist()
    assert df["value"].tolist() == jan


def test_suppressed_cells_are_missing_not_zero(bundled_wh: Warehouse) -> None:
    n_empty = int(RAW["AVPAIKATLOPUSSA"].isna().sum())
    got = bundled_wh.sql("SELECT count(*) AS n FROM observations WHERE measure = 'AVPAIKATLOPUSSA' AND value IS NULL")
    assert n_empty == 10_143 and got["n"][0] == n_empty


def test_published_activation_rate_check(bundled_wh: Warehouse) -> None:
    """The data README's check: 2020-01, 115,863 / (251,682 + 115,863) = 31.5 %."""
    df = query_observations(bundled_wh, ["AKTASTE", "TYOTTOMATLOPUSSA", "PALVELUISSAYHTEENSA"], areas=["SSS"],
                            start=date(2020, 1, 1), end=date(2020, 1, 1))
    v = dict(zip(df.measure, df.value, strict=True))
    assert (v["TYOTTOMATLOPUSSA"], v["PALVELUISSAYHTEENSA"], v["AKTASTE"]) == (251_682, 115_863, 31.5)


def test_activation_rate_identity_holds_every_month(bundled_wh: Warehouse) -> None:
    """AKTASTE is published with one decimal: recomputed from counts it agrees within 0.05."""
    df = bundled_wh.sql(
        """SELECT period, measure, value FROM observations WHERE area_code = 'SSS' AND source_id = 'statfin:12u4'""")
    w = df.pivot(index="period", columns="measure", values="value")
    services = w[["TVKOULUTUSLOP", "VALMENNUSLOP", "TYOLLISTETTYLOP", "KOKEILULOP", "VUORVAPLOP", "KUNTTYOLOP",
                  "OMAEHTLOP"]].sum(axis=1)
    assert (services == w["PALVELUISSAYHTEENSA"]).all()
    rate = 100 * w["PALVELUISSAYHTEENSA"] / (w["TYOTTOMATLOPUSSA"] + w["PALVELUISSAYHTEENSA"])
    assert np.abs(rate - w["AKTASTE"]).max() <= 0.05 + 1e-9
    assert len(w) == 194


def test_breakdowns_keep_the_dimension_name(bundled_wh: Warehouse) -> None:
    df = query_observations(bundled_wh, ["TYOLLISTETTYLOP"], areas=["SSS"], breakdown="tyollistamisen_laji=40",
                            start=date(2019, 1, 1), end=date(2019, 1, 1))
    assert len(df) == 1 and df["source_id"][0] == "statfin:12u6"
    total = query_observations(bundled_wh, ["TYOLLISTETTYLOP"], areas=["SSS"], start=date(2019, 1, 1),
                               end=date(2019, 1, 1))
    assert total["value"].tolist() == [23_761.0]


def test_catalogue_lists_every_bundled_file() -> None:
    tables = bundled_tables()
    assert [t.table for t in tables][:3] == ["12r5", "12u1", "12u2"]
    assert len(tables) == 19
    assert "12u3" not in {t.table for t in tables}  # byte-identical to 12u2 in the origin


def test_unknown_table_is_refused(empty_wh: Warehouse) -> None:
    with pytest.raises(BadRowError, match=r"unknown bundled table\(s\) \['12zz'\]"):
        load_bundled(empty_wh, ["12zz"])


def test_reloading_changes_nothing(bundled_warehouse_path) -> None:  # type: ignore[no-untyped-def]
    with Warehouse(bundled_warehouse_path) as wh:
        before = wh.sql("SELECT count(*) AS n FROM loads")["n"][0]
        reports = load_bundled(wh, ["12u4", "12ur"])
        assert [r.changed for r in reports] == [False, False]
        assert wh.sql("SELECT count(*) AS n FROM loads")["n"][0] == before
