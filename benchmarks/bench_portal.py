"""Portal and API latency under load (issue 14): p50/p95/p99 at 20 concurrent clients over a
realistic mix of pages and API calls, against a real ``kuva serve`` (uvicorn, one process) on a
whole-country warehouse (the bundled StatFin data, a simulated Finland at scale 0.01 and its
service-process log), with ``/api/v1/health`` (opens the warehouse, reads one value; never
cached) measured in the same run as the baseline. Every URL is requested once first (its cold
time is printed: the answer is computed and enters the server's answer cache); the loaded phase
then measures what managers opening the same pages see. "Cached data call" repeats a call with
the ETag of its first answer (304).

    .venv/bin/python benchmarks/bench_portal.py [--clients 20] [--requests 30] [--warehouse FILE]

Targets (issue 14): p95 < 100 ms for cached pages and data calls, < 500 ms for map and area pages.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

KEY = "bench-analyst-key-0123456789"
MIX: dict[str, list[str]] = {
    "baseline": ["/api/v1/health"],
    "data call": ["/api/v1/observations?measure=TYOTTOMATLOPUSSA&area=KU091&from=2023-01",
                  "/api/v1/observations?measure=AKTASTE&area=SSS",
                  "/api/v1/areas"],
    "cached data call": ["/api/v1/observations?measure=TYOTTOMATLOPUSSA&area=KU205&from=2022-01"],
    "page": ["/?lang=fi", "/indicator/AKTASTE?lang=sv", "/table?measure=TYOTTOMATLOPUSSA&area=Kajaani&lang=en"],
    "area page": ["/area/KU205?lang=fi", "/area/kainuu_koillismaan_tyollisyysalue?lang=sv"],
    "map page": ["/map?lang=fi", "/map?measure=TYOTTOMATLOPUSSA&month=2023-06&lang=en"],
    "process (analyst)": ["/api/v1/process/plan-debt?level=employment_area&from=2024-01"],
}


def build(path: Path) -> None:
    from kuva.simulate import simulate_into
    from kuva.simulate.process import simulate_process_into
    from kuva.sources.bundled import load_bundled
    from kuva.warehouse import Warehouse

    with Warehouse(path) as wh:
        load_bundled(wh)
        simulate_into(wh, scale=0.01, seed=1)
        simulate_process_into(wh, scale=0.01, seed=1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=30, help="requests per client")
    ap.add_argument("--warehouse", type=Path)
    ap.add_argument("--warm", action="store_true",
                    help="serve with --warm: wait for the public pages to be precomputed, then time the first "
                         "public request of each page (what the first visitor after a load sees)")
    a = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = a.warehouse or Path(tmp.name) / "kuva.duckdb"
    if not path.exists():
        t0 = time.perf_counter()
        build(path)
        print(f"built {path} in {time.perf_counter() - t0:.0f} s")
    port = free_port()
    env = {**os.environ, "KUVA_API_KEYS": f"{KEY}:analyst", "KUVA_RATE_LIMIT": "0"}
    kuva = Path(sys.executable).with_name("kuva")
    server = subprocess.Popen([str(kuva), "-w", str(path), "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--warm" if a.warm else "--no-warm"],
                              env=env, stdout=subprocess.PIPE if a.warm else subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        if a.warm:
            assert server.stdout is not None
            t0 = time.perf_counter()
            for line in server.stdout:
                if line.startswith("Precomputed") and "pages in" in line:
                    print(f"{line.strip()} (server start to warm: {time.perf_counter() - t0:.0f} s)")
                    break
            for u in [*MIX["page"], *MIX["area page"], *MIX["map page"]]:
                t0 = time.perf_counter()
                r = httpx.get(base + u, timeout=120)
                print(f"first public request after warming {u:60s} {1000 * (time.perf_counter() - t0):7.1f} ms "
                      f"({r.status_code})")
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        # warm-up: every URL once (and the ETag of the cached call)
        etags, cold = {}, {}
        for kind, urls in MIX.items():
            for u in urls:
                t0 = time.perf_counter()
                r = httpx.get(base + u, headers={"X-KuVa-Key": KEY}, timeout=120)
                cold[u] = time.perf_counter() - t0
                assert r.status_code == 200, (u, r.status_code, r.text[:200])
                if kind == "cached data call":
                    etags[u] = r.headers["ETag"]
        times: dict[str, list[float]] = {k: [] for k in MIX}
        lock = threading.Lock()
        kinds = list(MIX)

        def client(seed: int) -> None:
            rng = random.Random(seed)
            with httpx.Client(base_url=base, timeout=120, headers={"X-KuVa-Key": KEY}) as c:
                for _ in range(a.requests):
                    kind = rng.choice(kinds)
                    u = rng.choice(MIX[kind])
                    headers = {"If-None-Match": etags[u]} if kind == "cached data call" else {}
                    t0 = time.perf_counter()
                    r = c.get(u, headers=headers)
                    dt = time.perf_counter() - t0
                    assert r.status_code in (200, 304), (u, r.status_code)
                    with lock:
                        times[kind].append(dt)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)
        tmp.cleanup()
    print("first request of each URL, one client (computed, then cached):")
    for u, dt in cold.items():
        print(f"  {1000 * dt:7.0f} ms  {u}")
    n = sum(len(v) for v in times.values())
    print(f"{a.clients} concurrent clients, {n} requests in {wall:.1f} s ({n / wall:.1f} requests/s)")
    base_p50 = float(np.percentile(times["baseline"], 50)) if times["baseline"] else float("nan")
    print(f"{'kind':<20s} {'n':>4s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'p50/baseline':>13s}")
    for kind, v in times.items():
        if not v:
            continue
        p50, p95, p99 = (1000 * float(np.percentile(v, q)) for q in (50, 95, 99))
        print(f"{kind:<20s} {len(v):4d} {p50:8.0f} {p95:8.0f} {p99:8.0f} {p50 / 1000 / base_p50:13.1f}")


if __name__ == "__main__":
    main()
