"""No answer switches silently between real and synthetic data."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd

from kuva.warehouse import SourceInfo, Warehouse, latest_observations, load_observations
from kuva.warehouse.query import synthetic_continuations


def test_a_real_series_continued_by_the_simulation_is_named() -> None:
    f = pd.DataFrame({
        "area_code": ["KU091"] * 4 + ["KU049"] * 2, "measure": "TYOTTOMATLOPUSSA", "breakdown": "",
        "period": [date(2023, 9, 1), date(2023, 10, 1), date(2023, 11, 1), date(2023, 12, 1), date(2023, 9, 1),
                   date(2023, 10, 1)],
        "source_id": ["statfin:12r5", "statfin:12r5", "synthetic:panel", "synthetic:panel", "statfin:12r5",
                      "statfin:12r5"]})
    lines = synthetic_continuations(f.to_dict("records"))
    assert lines == ["KU091 TYOTTOMATLOPUSSA: real 2023-09…2023-10 (statfin:12r5); "
                     "SYNTHETIC 2023-11…2023-12 (synthetic:panel)"]
    assert synthetic_continuations(f[f["area_code"] == "KU049"].to_dict("records")) == []


def test_real_beats_synthetic_whatever_the_load_order(tmp_path: Path) -> None:
    """A real value loaded after a synthetic one of the same key wins even with an older vintage
    (a StatFin pull after the demo's simulation), and a synthetic value fills only the gaps."""
    def frame(months: list[str], value: float) -> pd.DataFrame:
        return pd.DataFrame({"area_code": "KU091", "period": pd.to_datetime(months), "measure": "VALMENNUSLOP",
                             "value": value})

    synthetic = SourceInfo("synthetic:panel", "synthetic", "Synthetic", "KuVa", "CC0", True, "sim",
                           datetime(2030, 1, 1))
    real = SourceInfo("statfin:12u4", "statfin-pxweb", "12u4", "Statistics Finland", "CC BY 4.0", False, "api",
                      datetime(2026, 6, 1))
    with Warehouse(tmp_path / "k.duckdb") as wh:
        load_observations(wh, frame(["2025-01-01", "2025-02-01"], 7.0), synthetic)
        load_observations(wh, frame(["2025-01-01"], 100.0), real)
        o = latest_observations(wh)
        got = o.filter(o.area_code == "KU091").select("period", "value", "source_id").order_by("period").to_pandas()
    assert got["value"].tolist() == [100.0, 7.0]
    assert got["source_id"].tolist() == ["statfin:12u4", "synthetic:panel"]


def test_the_plain_sql_reader_gives_the_ibis_readers_rows(tmp_path: Path, bundled_wh: Warehouse) -> None:
    """``observation_records`` (what ``kuva query`` reads without pandas or Ibis) returns exactly
    ``query_observations``'s rows for every argument: revised vintages with ``as_of``, synthetic
    values beaten by real ones, every breakdown, areas and periods."""
    from kuva.warehouse.query import OBSERVATION_COLUMNS, observation_records, query_observations

    def same(wh: Warehouse, measures: list[str], **kw: object) -> int:
        want = query_observations(wh, measures, **kw)  # type: ignore[arg-type]
        got = observation_records(wh, measures, **kw)  # type: ignore[arg-type]
        assert list(want.columns) == list(OBSERVATION_COLUMNS)
        expect = [{c: (None if pd.isna(v) else v) for c, v in r.items()} for r in want.to_dict("records")]
        for r in expect:
            r["vintage"] = pd.Timestamp(r["vintage"]).to_pydatetime()
        assert got == expect
        return len(got)

    real = SourceInfo("statfin:12u4", "statfin-pxweb", "12u4", "Statistics Finland", "CC BY 4.0", False, "api",
                      datetime(2026, 6, 1))
    revised = SourceInfo("statfin:12u4", "statfin-pxweb", "12u4", "Statistics Finland", "CC BY 4.0", False, "api",
                         datetime(2026, 9, 1))
    synthetic = SourceInfo("synthetic:panel", "synthetic", "Synthetic", "KuVa", "CC0", True, "sim",
                           datetime(2030, 1, 1))
    f = pd.DataFrame({"area_code": ["KU091", "KU091", "KU049"], "period": pd.to_datetime(["2025-01-01"] * 3),
                      "measure": "VALMENNUSLOP", "value": [100.0, 5.0, 8.0], "breakdown": ["", "ika=1", ""]})
    with Warehouse(tmp_path / "k.duckdb") as wh:
        load_observations(wh, f, real)
        load_observations(wh, f.assign(value=f["value"] + 1), revised)
        load_observations(wh, pd.concat([f, f.assign(period=pd.Timestamp("2025-02-01"))]).assign(value=7.0),
                          synthetic)
        assert same(wh, ["VALMENNUSLOP"]) == 4  # two areas × two months, the second only synthetic
        assert same(wh, ["valmennuslop"], breakdown=None) == 6
        assert same(wh, ["VALMENNUSLOP"], as_of=date(2026, 7, 1), areas=["KU091"], breakdown=None) == 2
        assert same(wh, ["VALMENNUSLOP"], start=date(2025, 2, 1), end=date(2025, 2, 1)) == 2
    assert same(bundled_wh, ["TYOTTOMATLOPUSSA", "AKTASTE"], areas=["KU091", "SSS"], start=date(2020, 1, 1),
                end=date(2021, 12, 1)) > 40
    assert same(bundled_wh, ["TYOTTOMATLOPUSSA"], start=date(2023, 1, 1)) > 1000
