"""The service-process KPIs on DuckDB and on Apache Spark over the same Parquet, at 1×, 3× and 10×
the whole-country event log (issue 17's scaling curve): time and peak memory per engine and
scale, each against a bare grouped scan of the same events on the same engine in the same run.

The log is simulated in parts of ``--clients`` clients (800,000 = two years of the simulator's
national inflow, about 6.5 million events), each with a seed of its own, loaded into one
warehouse, and exported to Parquet (``kuva.warehouse.engines.export_parquet``: the events in
Hive folders by year and month) whenever the number of parts reaches a scale. Each (engine,
scale) then runs in a fresh Python process of its own — DuckDB in memory with its default
threads (2 here), Spark ``local[2]`` with ``--spark-memory`` for the driver — reading that
export through Ibis (:class:`kuva.warehouse.engines.EngineWarehouse`) and computing rule
compliance against the rulebooks in force, plan debt at every month end, referral routes and
the data-quality checks at municipality level. The peak memory printed is the resident memory of
the child process and its descendants (Spark's JVM), sampled every 0.2 s. Run:

    .venv/bin/python benchmarks/bench_scale.py [--scales 1 3 10] [--engines duckdb spark]
        [--clients 800000] [--chunk 100000] [--keep DIR] [--duckdb-memory 6GB]

``--keep DIR`` keeps the exports in DIR (and reuses those already there; a killed build resumes
after its last loaded part), so the engines can be measured again without simulating;
``--build-only`` only builds, ``--no-build`` only measures the exports already there.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime
from pathlib import Path

import psutil

KPIS = ("compliance", "plan_debt", "routes", "quality")


def build(root: Path, scales: list[int], clients: int, chunk: int, seed: int) -> dict[int, Path]:
    """The exports ``root/x<scale>`` (made only where missing), one part of ``clients`` at a time."""
    from kuva.registry import area_registry
    from kuva.simulate.process import simulate_event_log, stored_frame
    from kuva.warehouse import SourceInfo, Warehouse
    from kuva.warehouse.engines import export_parquet
    from kuva.warehouse.persons import load_process_events

    out = {s: root / f"x{s}" for s in scales}
    if all((p / "process_events").is_dir() for p in out.values()):
        return out
    if (root / "k.duckdb").exists() and not (root / "parts_done").exists():
        raise SystemExit(f"{root / 'k.duckdb'}: a build of unknown progress; remove it to start again")
    munis = [m.code for m in area_registry().municipalities()]
    src = SourceInfo("bench:scale", "synthetic", "bench", "kuva", "none", True, "bench", datetime(2025, 1, 1))
    done_file = root / "parts_done"  # a killed build resumes after the last part it loaded
    done = int(done_file.read_text()) if done_file.exists() and (root / "k.duckdb").exists() else 0
    with Warehouse(root / "k.duckdb") as wh:
        for part in range(done, max(scales)):
            t0 = time.perf_counter()
            for k, first in enumerate(range(0, clients, chunk)):
                log = simulate_event_log(munis, clients=min(chunk, clients - first), start=date(2023, 1, 2),
                                         months=24, seed=seed * 100_000 + part * 1000 + k)
                load_process_events(wh, stored_frame(log), src)
                del log
            done_file.write_text(str(part + 1))
            print(f"part {part + 1}: simulated and loaded in {time.perf_counter() - t0:.0f} s", flush=True)
            if part + 1 in out:
                t0 = time.perf_counter()
                export_parquet(wh, out[part + 1])
                print(f"  exported ×{part + 1} in {time.perf_counter() - t0:.0f} s", flush=True)
    (root / "k.duckdb").unlink()
    done_file.unlink()
    return out


class PeakRss(threading.Thread):
    """The largest resident memory of this process and all its descendants (Spark's JVM),
    sampled every 0.2 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self._halt = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self._halt.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a process that has just ended
                    total += p.memory_info().rss
            self.peak = max(self.peak, total)
            self._halt.wait(0.2)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return self.peak / 1024**3


def measure(engine: str, directory: Path, spark_memory: str, duckdb_memory: str | None = None) -> dict[str, float]:
    """(In a child process.) The bare scan and every KPI on ``engine`` over ``directory``."""
    import ibis

    sampler = PeakRss()
    sampler.start()

    from kuva.process import kpis
    from kuva.process.rules import rulebooks
    from kuva.warehouse.engines import EngineWarehouse

    session = None
    if engine == "spark":
        from pyspark.sql import SparkSession

        session = (SparkSession.builder.master("local[2]").appName("kuva-bench")
                   .config("spark.driver.memory", spark_memory).config("spark.sql.session.timeZone", "UTC")
                   .config("spark.ui.enabled", "false").getOrCreate())
        backend = ibis.pyspark.connect(session)
    else:
        backend = ibis.duckdb.connect()
        if duckdb_memory:  # DuckDB spills what does not fit to its temporary folder
            tmp = tempfile.mkdtemp(prefix="kuva-duckdb-spill-")
            backend.raw_sql(f"SET memory_limit = '{duckdb_memory}'; SET temp_directory = '{tmp}'")
    wh = EngineWarehouse(backend, directory)
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    t = wh.table("process_events")
    out["events"] = float(t.count().to_pandas())
    out["count"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    t.group_by([t.municipality_code, t.event_date.truncate("M"), t.event_type]).aggregate(n=t.count()).to_pandas()
    out["bare"] = time.perf_counter() - t0
    as_of = kpis.data_end(wh)
    books = rulebooks()
    for name, fn in (("compliance", lambda: kpis.compliance_in_force(wh, books, as_of=as_of)),
                     ("plan_debt", lambda: kpis.plan_debt(wh)),
                     ("routes", lambda: kpis.referral_routes(wh, as_of=as_of)),
                     ("quality", lambda: kpis.data_quality(wh, as_of=as_of))):
        t0 = time.perf_counter()
        fn()
        out[name] = time.perf_counter() - t0
    out["peak_gib"] = sampler.stop()
    if session is not None:
        session.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 3, 10])
    ap.add_argument("--engines", nargs="+", choices=("duckdb", "spark"), default=["duckdb", "spark"])
    ap.add_argument("--clients", type=int, default=800_000, help="clients per part (1×)")
    ap.add_argument("--chunk", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spark-memory", default="8g")
    ap.add_argument("--duckdb-memory", default=None, help="DuckDB's memory_limit, e.g. 6GB (default: 80%% of RAM); "
                    "beyond it DuckDB spills to a temporary folder")
    ap.add_argument("--keep", type=Path, default=None)
    ap.add_argument("--build-only", action="store_true", help="simulate and export (into --keep), measure nothing")
    ap.add_argument("--no-build", action="store_true", help="measure the exports already in --keep")
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "DIR"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(measure(a.child[0], Path(a.child[1]), a.spark_memory, a.duckdb_memory)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = a.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        exports = ({s: root / f"x{s}" for s in a.scales} if a.no_build
                   else build(root, sorted(a.scales), a.clients, a.chunk, a.seed))
        if a.build_only:
            return
        print(f"{'engine':>7s} {'scale':>5s} {'events':>12s} {'bare s':>7s} "
              + " ".join(f"{k + ' s':>12s}" for k in KPIS) + f" {'KPIs s':>8s} {'× bare':>7s} {'peak GiB':>9s}")
        for scale in sorted(a.scales):
            for engine in a.engines:
                if not (exports[scale] / "process_events").is_dir():
                    continue
                extra = ["--duckdb-memory", a.duckdb_memory] if a.duckdb_memory else []
                run = subprocess.run([sys.executable, __file__, "--child", engine, str(exports[scale]),
                                      "--spark-memory", a.spark_memory, *extra], capture_output=True, text=True,
                                     check=False)
                if run.returncode != 0:
                    print(f"{engine:>7s} {scale:>4d}× failed: {run.stderr.strip().splitlines()[-1:]}", flush=True)
                    continue
                r = json.loads(run.stdout.strip().splitlines()[-1])
                total = sum(r[k] for k in KPIS)
                print(f"{engine:>7s} {scale:>4d}× {int(r['events']):>12,d} {r['bare']:7.2f} "
                      + " ".join(f"{r[k]:12.1f}" for k in KPIS)
                      + f" {total:8.1f} {total / r['bare']:7.0f} {r['peak_gib']:9.2f}",
                      flush=True)


if __name__ == "__main__":
    main()
