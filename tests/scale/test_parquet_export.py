"""The Parquet export that Spark (or any Ibis backend) reads: observations partitioned by year
and area level, the event log by year and month, read back — without the partition columns —
to exactly the warehouse's rows (here through Ibis's DuckDB backend, so no Java is needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from kuva.warehouse import Warehouse
from kuva.warehouse.engines import PARTITIONS, EngineWarehouse, export_parquet


def test_partitioned_export_reads_back_to_the_same_rows(bundled_warehouse_path: Path, tmp_path: Path) -> None:
    import ibis

    from kuva.simulate.process import simulate_process_into

    path = tmp_path / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    with Warehouse(path) as wh:
        simulate_process_into(wh, scale=0.001, seed=3)
        export_parquet(wh, tmp_path / "out", partitioned=False)  # an earlier, unpartitioned export ...
        paths = export_parquet(wh, tmp_path / "out")  # ... is replaced
        tables = {n: wh.table(n).to_pandas() for n in PARTITIONS}
    assert not (tmp_path / "out" / "observations.parquet").exists()
    years = {p.name for p in (tmp_path / "out" / "observations").iterdir()}
    assert {"year=2006", "year=2019", "year=2023"} <= years
    assert {p.name for p in (tmp_path / "out" / "observations" / "year=2023").iterdir()} >= {
        "area_level=KU", "area_level=SS"}
    assert (tmp_path / "out" / "process_events" / "year=2023" / "month=1").is_dir()
    assert paths["sources"].suffix == ".parquet"
    engine = EngineWarehouse(ibis.duckdb.connect(), tmp_path / "out")
    for name, want in tables.items():
        got = engine.table(name).to_pandas()
        assert list(got.columns) == list(want.columns), name
        keys = list(want.columns)
        pd.testing.assert_frame_equal(got.sort_values(keys).reset_index(drop=True),
                                      want.sort_values(keys).reset_index(drop=True), check_dtype=False)


def test_an_empty_table_keeps_its_schema_in_one_file(empty_wh: Warehouse, tmp_path: Path) -> None:
    import ibis

    paths = export_parquet(empty_wh, tmp_path / "out")
    assert paths["process_events"] == tmp_path / "out" / "process_events.parquet"
    assert not (tmp_path / "out" / "process_events").exists()
    got = EngineWarehouse(ibis.duckdb.connect(), tmp_path / "out").table("process_events")
    assert list(got.columns) == list(empty_wh.table("process_events").columns)
    assert int(got.count().to_pandas()) == 0
