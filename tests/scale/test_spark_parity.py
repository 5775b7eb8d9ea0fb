"""The same process measures on DuckDB and on a local Apache Spark session (Ibis's PySpark
backend over the warehouse's Parquet export): identical counts, rates within 1e-9.
Marked ``spark``: needs Java (Debian's openjdk-17-jre-headless) and pyspark; ``make test``
installs both."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kuva.warehouse import Warehouse
from kuva.warehouse.engines import EngineWarehouse, export_parquet

pytestmark = [
    pytest.mark.spark,
    pytest.mark.slow,
    # PySpark 4.3 warns that its pandas 3 support is partial; the parity below is the check
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    # ... and its toPandas passes pandas' deprecated copy= keyword (PySpark's internals, not ours)
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated:pandas.errors.Pandas4Warning"),
]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Warehouse, EngineWarehouse]]:
    if shutil.which("java") is None:
        pytest.fail("java is missing: `make test` installs openjdk-17-jre-headless from Debian's packages")
    import ibis
    from pyspark.sql import SparkSession

    from kuva.simulate.process import simulate_process_into

    root = tmp_path_factory.mktemp("spark")
    wh = Warehouse(root / "kuva.duckdb")
    simulate_process_into(wh, scale=0.002, seed=9)
    export_parquet(wh, root / "parquet")
    session = (SparkSession.builder.master("local[2]").appName("kuva-parity")
               .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false").getOrCreate())
    spark = EngineWarehouse(ibis.pyspark.connect(session), root / "parquet")
    yield wh, spark
    session.stop()
    wh.close()


def _same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)[list(a.columns)]
    for c in a.columns:
        if pd.api.types.is_float_dtype(a[c]) or pd.api.types.is_float_dtype(b[c]):
            np.testing.assert_allclose(a[c].to_numpy(dtype=float), b[c].to_numpy(dtype=float), rtol=1e-9,
                                       equal_nan=True, err_msg=c)
        else:
            assert a[c].astype(str).tolist() == b[c].astype(str).tolist(), c


def test_process_measures_are_identical_on_spark(engines: tuple[Warehouse, EngineWarehouse]) -> None:
    from kuva.process import kpis
    from kuva.process.rules import rulebooks

    duck, spark = engines
    as_of = kpis.data_end(duck)
    assert kpis.data_end(spark) == as_of  # type: ignore[arg-type]
    _same(kpis.compliance_in_force(duck, rulebooks(), as_of=as_of),
          kpis.compliance_in_force(spark, rulebooks(), as_of=as_of),  # type: ignore[arg-type]
          ["rulebook", "rule", "area_code", "month"])
    _same(kpis.referral_routes(duck, as_of=as_of), kpis.referral_routes(spark, as_of=as_of),  # type: ignore[arg-type]
          ["area_code", "month", "origin_sector", "destination_sector"])
    _same(kpis.plan_debt(duck, level="nation"), kpis.plan_debt(spark, level="nation"),  # type: ignore[arg-type]
          ["area_code", "month_end"])
    _same(kpis.job_offer_debt(duck, level="nation"), kpis.job_offer_debt(spark, level="nation"),  # type: ignore[arg-type]
          ["area_code", "month_end"])
    _same(kpis.conformance(duck, rulebooks(), level="nation", as_of=as_of),
          kpis.conformance(spark, rulebooks(), level="nation", as_of=as_of),  # type: ignore[arg-type]
          ["rulebook", "area_code", "broken"])
    _same(kpis.data_quality(duck, as_of=as_of), kpis.data_quality(spark, as_of=as_of),  # type: ignore[arg-type]
          ["check", "municipality_code", "month"])
    for level in ("nation", "pilot_area"):  # the process map; pilot areas from the stored membership
        _same(kpis.directly_follows(duck, level=level), kpis.directly_follows(spark, level=level),  # type: ignore[arg-type]
              ["area_code", "from_event", "to_event"])
    _same(kpis.path_variants(duck, level="nation"), kpis.path_variants(spark, level="nation"),  # type: ignore[arg-type]
          ["area_code", "variant"])


def test_the_cli_runs_the_process_map_on_spark(engines: tuple[Warehouse, EngineWarehouse], tmp_path: Path) -> None:
    """`kuva --engine spark process map` (a local Spark session over the Parquet export) prints
    what the DuckDB warehouse prints."""
    from typer.testing import CliRunner

    from kuva.cli import app

    duck, _ = engines
    duck.con.execute("CHECKPOINT")
    path = tmp_path / "kuva.duckdb"  # the fixture holds its file open for writing
    shutil.copy(duck.path, path)
    args = ("process", "map", "--level", "nation", "-f", "csv")
    runner = CliRunner()
    a = runner.invoke(app, ["-w", str(path), *args])
    b = runner.invoke(app, ["-w", str(path), "--engine", "spark", *args])
    assert a.exit_code == 0 and b.exit_code == 0, (a.stderr, b.stderr)
    assert sorted(b.stdout.splitlines()) == sorted(a.stdout.splitlines())


def test_the_benchmark_is_identical_on_spark(engines: tuple[Warehouse, EngineWarehouse], tmp_path: Path,
                                            bundled_warehouse_path: Path) -> None:
    """The framework model, shrinkage and rank sets from observations read by Spark equal
    DuckDB's (the conditions and counts are Ibis expressions; only the small area frame returns)."""
    import ibis
    from pyspark.sql import SparkSession

    from kuva.benchmark.run import benchmark
    from kuva.simulate import simulate_into

    path = tmp_path / "kuva.duckdb"
    shutil.copy(bundled_warehouse_path, path)
    with Warehouse(path) as wh:
        simulate_into(wh, scale=0.001, seed=6, years=(2022, 2023))
        export_parquet(wh, tmp_path / "parquet")
        duck = benchmark(wh, date(2023, 6, 1), level="pilot_area").table
        duck_inputs = _indicator_inputs(wh)
    session = SparkSession.builder.getOrCreate()  # the module's local session
    engine = EngineWarehouse(ibis.pyspark.connect(session), tmp_path / "parquet")
    spark = benchmark(engine, date(2023, 6, 1), level="pilot_area").table  # type: ignore[arg-type]
    _same(duck, spark, ["area_code"])
    # the indicators' inputs: every municipality's counts, activation rate, components and shares,
    # the nation (published or municipal sums) and the pilot and comparison groups, from the
    # partitioned export
    assert (tmp_path / "parquet" / "observations").is_dir()
    for name, frame in _indicator_inputs(engine).items():  # type: ignore[arg-type]
        keys = ["group", "period"] if "group" in frame.columns else ["area_code", "period"]
        if name == "nation":
            keys = ["period"]
        _same(duck_inputs[name], frame, keys)


def _indicator_inputs(wh: Warehouse) -> dict[str, pd.DataFrame]:
    from kuva.analysis.inputs import group_monthly, municipal_monthly, national_monthly

    start, end = date(2021, 1, 1), date(2023, 12, 1)
    return {"municipal": municipal_monthly(wh, start, end)[0], "nation": national_monthly(wh, start, end).frame,
            "groups": group_monthly(wh, start, end).frame}
