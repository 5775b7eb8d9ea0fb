"""The warehouse's tables copied into a PostgreSQL started by the test itself (Debian's
postgresql, 127.0.0.1, a throw-away cluster), read back through Ibis: the process measures
equal DuckDB's. Marked ``postgres``; ``make test`` installs postgresql when missing."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kuva.warehouse import Warehouse
from kuva.warehouse.engines import EngineWarehouse, copy_tables
from tests.scale.test_spark_parity import _same

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _pg_bin() -> Path | None:
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / "initdb").exists():
            return base
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _run(args: list[str], owner: str | None) -> None:
    cmd = ["runuser", "-u", owner, "--", *args] if owner else args
    subprocess.run(cmd, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, object]]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL is missing: `make test` installs Debian's postgresql")
    # directly under the system temp folder: pytest's own is private to root, and the server
    # runs as the postgres user when the tests run as root
    root = Path(tempfile.mkdtemp(prefix="kuva-pg-"))
    data = root / "data"
    owner = "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root
    if owner:
        shutil.chown(root, user=owner)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    _run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "kuva"], owner)
    _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o",
          f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"], owner)
    try:
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield {"host": "127.0.0.1", "port": port, "user": "kuva", "database": "postgres"}
    finally:
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], owner)
        shutil.rmtree(root, ignore_errors=True)


def test_process_measures_are_identical_on_postgres(postgres: dict[str, object], tmp_path: Path) -> None:
    import ibis

    from kuva.process import kpis
    from kuva.process.rules import rulebooks
    from kuva.simulate.process import simulate_process_into

    with Warehouse(tmp_path / "kuva.duckdb") as duck:
        simulate_process_into(duck, scale=0.002, seed=9)
        con = ibis.postgres.connect(**postgres)
        copy_tables(duck, con)
        pg = EngineWarehouse(con)
        as_of = kpis.data_end(duck)
        assert kpis.data_end(pg) == as_of  # type: ignore[arg-type]
        _same(kpis.compliance_in_force(duck, rulebooks(), as_of=as_of),
              kpis.compliance_in_force(pg, rulebooks(), as_of=as_of),  # type: ignore[arg-type]
              ["rulebook", "rule", "area_code", "month"])
        _same(kpis.referral_routes(duck, as_of=as_of), kpis.referral_routes(pg, as_of=as_of),  # type: ignore[arg-type]
              ["area_code", "month", "origin_sector", "destination_sector"])
        _same(kpis.plan_debt(duck, level="nation"), kpis.plan_debt(pg, level="nation"),  # type: ignore[arg-type]
              ["area_code", "month_end"])
        _same(kpis.job_offer_debt(duck, level="nation"), kpis.job_offer_debt(pg, level="nation"),  # type: ignore[arg-type]
              ["area_code", "month_end"])
        _same(kpis.conformance(duck, rulebooks(), level="nation", as_of=as_of),
              kpis.conformance(pg, rulebooks(), level="nation", as_of=as_of),  # type: ignore[arg-type]
              ["rulebook", "area_code", "broken"])
        _same(kpis.directly_follows(duck, level="pilot_area"),
              kpis.directly_follows(pg, level="pilot_area"),  # type: ignore[arg-type]
              ["area_code", "from_event", "to_event"])
        _same(kpis.path_variants(duck, level="nation"), kpis.path_variants(pg, level="nation"),  # type: ignore[arg-type]
              ["area_code", "variant"])
        con.disconnect()


def test_the_cli_runs_the_process_measures_on_postgres(postgres: dict[str, object], tmp_path: Path) -> None:
    """`kuva export postgres URL` then `kuva --engine postgres --engine-url URL process …` prints
    what the DuckDB warehouse prints."""
    from typer.testing import CliRunner

    from kuva.cli import app
    from kuva.simulate.process import simulate_process_into

    path = tmp_path / "kuva.duckdb"
    with Warehouse(path) as duck:
        simulate_process_into(duck, scale=0.002, seed=4)
    url = f"postgres://{postgres['user']}@{postgres['host']}:{postgres['port']}/{postgres['database']}"
    runner = CliRunner()
    r = runner.invoke(app, ["-w", str(path), "export", "postgres", url])
    assert r.exit_code == 0, r.stderr
    for args in (("process", "routes", "--level", "nation", "-f", "csv"),
                 ("process", "map", "--level", "employment_area", "-f", "csv")):
        duck = runner.invoke(app, ["-w", str(path), *args])
        pg = runner.invoke(app, ["-w", str(path), "--engine", "postgres", "--engine-url", url, *args])
        assert duck.exit_code == 0 and pg.exit_code == 0, (duck.stderr, pg.stderr)
        assert sorted(pg.stdout.splitlines()) == sorted(duck.stdout.splitlines())
    r = runner.invoke(app, ["-w", str(path), "--engine", "postgres", "process", "routes"])
    assert r.exit_code == 1 and "needs --engine-url" in r.stderr


def test_the_portal_serves_the_process_routes_from_postgres(postgres: dict[str, object], tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`kuva serve --engine postgres`: a real server on 127.0.0.1 whose process routes and the
    area's process page (the report's chapter) read the event log from PostgreSQL answers exactly
    what the server on the DuckDB file answers (rows, disclosure note, hidden cells, the page),
    also for an area analyst; an engine it cannot serve from, a missing URL and a database
    without the copied tables are refused at start."""
    import httpx
    import ibis

    from kuva.errors import KuvaConfigError
    from kuva.simulate.process import simulate_process_into
    from kuva.web.app import create_app
    from tests.web.conftest import running

    path = tmp_path / "kuva.duckdb"
    with Warehouse(path) as duck:
        simulate_process_into(duck, scale=0.001, seed=5)
        con = ibis.postgres.connect(**postgres)
        try:  # closed whatever happens: a connection left to the collector warns in a later test
            for name in con.list_tables():  # an earlier test of this module may have copied other data
                con.raw_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
            with pytest.raises(KuvaConfigError, match="no process_events table"):
                create_app(path, engine="postgres", engine_url=_url(postgres))
            copy_tables(duck, con)
        finally:
            con.disconnect()
    analyst, area = "analyst-key-for-pg-tests-01", "area-analyst-key-for-pg-tests"
    monkeypatch.setenv("KUVA_API_KEYS", f"{analyst}:analyst,{area}:analyst@KU205")
    routes = ["process/kpis?level=employment_area", "process/plan-debt?level=municipality&by=age_group",
              "process/offer-debt?level=nation", "process/conformance?level=nation",
              "process/routes?level=pilot_area", "process/quality"]
    answers = []
    for kw in ({}, {"engine": "postgres", "engine_url": _url(postgres)}):
        app = create_app(path, audit_log=tmp_path / "audit.jsonl", **kw)  # type: ignore[arg-type]
        with running(app) as base:
            got = {}
            for key in (analyst, area):
                for route in routes if key == analyst else routes[:1]:  # the area analyst's scope: one route
                    r = httpx.get(f"{base}/api/v1/{route}", headers={"X-KuVa-Key": key}, timeout=120)
                    assert r.status_code == 200, (route, r.text)
                    body = r.json()
                    got[key, route] = (sorted(map(str, body["rows"])), body["disclosure"], body["hidden_cells"])
                page = httpx.get(f"{base}/area/KU205/process?lang=en", headers={"X-KuVa-Key": key}, timeout=120)
                assert page.status_code == 200 and page.text.count("<figure>") == 3, page.text[:300]  # 3 results
                got[key, "page"] = re.sub(r"<figure>.*?</figure>", "", page.text, flags=re.S)  # SVG ids are random
            answers.append(got)
    assert answers[0] == answers[1]
    assert sum(len(v[0]) for k, v in answers[0].items() if k[1] != "page") > 100
    with pytest.raises(KuvaConfigError, match="Spark runs batch jobs"):
        create_app(path, engine="spark")
    with pytest.raises(KuvaConfigError, match="needs --engine-url"):
        create_app(path, engine="postgres")


def _url(pg: dict[str, object]) -> str:
    return f"postgres://{pg['user']}@{pg['host']}:{pg['port']}/{pg['database']}"
