"""Who sees what, on the real server: the authorisation matrix generated from the route table,
the area analyst's scope, the JSON error shape, limits, conditional requests and the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kuva.web.app import create_app
from kuva.web.security import ACCESS, RANK, Principal, RateLimiter, api_keys, route_table
from tests.web.conftest import ADMIN_KEY, ANALYST_KEY, AREA, AREA_KEY, running

KEYS = {"public": None, "analyst": ANALYST_KEY, "area_analyst": AREA_KEY, "admin": ADMIN_KEY}
ROLE_OF = {"public": "public", "analyst": "analyst", "area_analyst": "analyst", "admin": "admin"}
#: An example request of each route template (a new route needs one only if its defaults fail).
EXAMPLES: dict[str, tuple[str, dict[str, str]]] = {
    "/area/{code}": ("/area/KU205", {}),
    "/area/{code}/process": ("/area/KU205/process", {}),
    "/area/{code}/person": ("/area/KU205/person", {}),
    "/indicator/{code}": ("/indicator/TYOTTOMATLOPUSSA", {}),
    "/table": ("/table", {"measure": "TYOTTOMATLOPUSSA", "area": "KU205", "from": "2023-01", "to": "2023-02"}),
    "/table.csv": ("/table.csv", {"measure": "TYOTTOMATLOPUSSA", "area": "KU205", "from": "2023-01", "to": "2023-02"}),
    "/table.xlsx": ("/table.xlsx", {"measure": "TYOTTOMATLOPUSSA", "area": "KU205", "from": "2023-01",
                                    "to": "2023-02"}),
    "/static": ("/static/kuva.css", {}),
    "/report/download": ("/report/download", {"area": "KU205", "format": "html", "chapter": "own_area"}),
    "/api/v1/areas/{code}/comparison": ("/api/v1/areas/KU205/comparison", {"from": "2022-01", "to": "2022-03"}),
    "/api/v1/observations": ("/api/v1/observations", {"measure": "TYOTTOMATLOPUSSA", "area": "KU205",
                                                      "from": "2023-01", "to": "2023-03"}),
}


@pytest.fixture(scope="module")
def app_routes(portal_warehouse: Path) -> list[str]:
    app = create_app(portal_warehouse, audit_log=portal_warehouse.with_name("unused.jsonl"))
    return [path for path, methods in route_table(app.routes) if "GET" in methods]


def test_every_route_has_an_access_rule(portal_warehouse: Path, app_routes: list[str]) -> None:
    app = create_app(portal_warehouse, audit_log=portal_warehouse.with_name("unused.jsonl"))
    missing = [p for p, _ in route_table(app.routes) if p not in ACCESS]
    assert not missing, f"routes without an entry in kuva.web.security.ACCESS: {missing}"
    assert len(app_routes) >= 15


@pytest.mark.slow
def test_authorisation_matrix(server: tuple[str, Path], app_routes: list[str]) -> None:
    """Every route × every role → 200 when the role reaches the route's rule, else 403; an
    unknown key → 401 everywhere but the static files."""
    base, _ = server
    checked = 0
    for template in app_routes:
        url, params = EXAMPLES.get(template, (template, {}))
        for who, key in KEYS.items():
            headers = {"X-KuVa-Key": key} if key else {}
            r = httpx.get(base + url, params=params, headers=headers, timeout=120)
            allowed = RANK[ROLE_OF[who]] >= RANK[ACCESS[template]]
            assert r.status_code == (200 if allowed else 403), (template, who, r.status_code, r.text[:200])
            if not allowed and url.startswith("/api/"):
                assert r.json()["error"]["code"] == "forbidden"
            elif not allowed:  # a page refuses with the same message as a small HTML page
                assert r.headers["content-type"].startswith("text/html") and "forbidden" in r.text
            checked += 1
        if template not in ("/static", "/api/v1/openapi.json"):
            bad = httpx.get(base + url, params=params, headers={"X-KuVa-Key": "not-a-key-0000000000"}, timeout=120)
            assert bad.status_code == 401, template
    assert checked == 4 * len(app_routes)


def test_the_area_analyst_sees_only_their_area(server: tuple[str, Path]) -> None:
    base, _ = server
    params = {"level": "municipality", "from": "2024-01", "to": "2024-12"}
    mine = httpx.get(f"{base}/api/v1/process/plan-debt", params=params, headers={"X-KuVa-Key": AREA_KEY},
                     timeout=120).json()
    everyone = httpx.get(f"{base}/api/v1/process/plan-debt", params=params, headers={"X-KuVa-Key": ANALYST_KEY},
                         timeout=120).json()
    codes = {r["area_code"] for r in mine["rows"]}
    assert codes == {AREA}
    assert len({r["area_code"] for r in everyone["rows"]}) > 50
    # the area's rows are the ministry analyst's rows of that area, figure for figure
    assert mine["rows"] == [r for r in everyone["rows"] if r["area_code"] == AREA]
    assert mine["hidden_cells"] == everyone["hidden_cells"]  # the same protection run, then filtered


def test_keys_are_parsed_strictly() -> None:
    keys = api_keys({"KUVA_API_KEYS": "k" * 16 + ":analyst@kainuu, " + "a" * 16 + ":admin"})
    assert keys["k" * 16] == Principal("analyst", "kainuu", keys["k" * 16].key_id)
    assert keys["a" * 16].area is None
    from kuva.errors import KuvaConfigError

    for bad in ("short:analyst", "k" * 16 + ":owner", "k" * 16 + ":admin@kainuu", "k" * 16):
        with pytest.raises(KuvaConfigError, match="KUVA_API_KEYS"):
            api_keys({"KUVA_API_KEYS": bad})


def test_one_error_shape_with_stable_codes(server: tuple[str, Path]) -> None:
    base, _ = server
    cases = [
        (httpx.get(f"{base}/api/v1/observations", params={"measure": "NOPE"}), 404, "not_found"),
        (httpx.get(f"{base}/api/v1/observations", params={"measure": "TYOTTOMATLOPUSSA", "from": "2023-13"}),
         400, "invalid_input"),
        (httpx.get(f"{base}/api/v1/observations", params={"measure": "TYOTTOMATLOPUSSA", "limit": "0"}),
         422, "invalid_parameter"),
        (httpx.get(f"{base}/api/v1/observations"), 422, "invalid_parameter"),
        (httpx.post(f"{base}/api/v1/observations"), 405, "method_not_allowed"),
        (httpx.get(f"{base}/api/v1/nowhere"), 404, "not_found"),
        (httpx.get(f"{base}/api/v1/areas", params={"x": "y" * 5000}), 414, "query_too_long"),
        (httpx.get(f"{base}/api/v1/process/kpis"), 403, "forbidden"),
        (httpx.get(f"{base}/api/v1/process/kpis", headers={"X-KuVa-Key": "wrong-key-000000000000"}), 401,
         "unknown_key"),
    ]
    for r, status, code in cases:
        assert r.status_code == status, (r.request.url, r.text[:200])
        body = r.json()
        assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["status"] == status
        assert body["error"]["message"]
    page = httpx.get(f"{base}/area/Atlantis")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Atlantis" in page.text and "Traceback" not in page.text


def test_an_unexpected_failure_is_a_500_without_a_trace(portal_warehouse: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(portal_warehouse, audit_log=portal_warehouse.with_name("boom.jsonl"))

    def boom() -> None:
        raise RuntimeError("secret internal detail /etc/kuva")

    app.router.add_api_route("/api/v1/boom", boom, methods=["GET"])
    monkeypatch.setitem(ACCESS, "/api/v1/boom", "public")
    with running(app) as base:
        r = httpx.get(f"{base}/api/v1/boom")
    assert r.status_code == 500
    err = r.json()["error"]
    assert err["code"] == "internal_error" and "reference" in err["message"]
    assert "secret" not in r.text and "Traceback" not in r.text


def test_conditional_requests_skip_unchanged_data(server: tuple[str, Path]) -> None:
    base, _ = server
    params = {"measure": "TYOTTOMATLOPUSSA", "area": "KU091", "from": "2022-01", "to": "2022-06"}
    first = httpx.get(f"{base}/api/v1/observations", params=params)
    etag, last = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
    again = httpx.get(f"{base}/api/v1/observations", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(f"{base}/api/v1/observations", params=params,
                     headers={"If-Modified-Since": last}).status_code == 304
    other = httpx.get(f"{base}/api/v1/observations", params={**params, "to": "2022-07"},
                      headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["etag"] != etag
    # an analyst's answer has its own tag (the same URL answers differently by role)
    analyst = httpx.get(f"{base}/api/v1/observations", params=params, headers={"X-KuVa-Key": ANALYST_KEY})
    assert analyst.headers["etag"] != etag


def test_pages_and_csv_of_observations(server: tuple[str, Path]) -> None:
    base, _ = server
    params = {"measure": "TYOTTOMATLOPUSSA", "area": ["KU091", "KU049"], "from": "2022-01", "to": "2022-06"}
    whole = httpx.get(f"{base}/api/v1/observations", params=params).json()
    assert whole["total"] == 12 and whole["next_offset"] is None
    pages = []
    offset: int | None = 0
    while offset is not None:
        part = httpx.get(f"{base}/api/v1/observations", params={**params, "limit": 5, "offset": offset}).json()
        pages.extend(part["rows"])
        offset = part["next_offset"]
    assert pages == whole["rows"]
    csv = httpx.get(f"{base}/api/v1/observations", params={**params, "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.headers["x-kuva-total-rows"] == "12"
    assert len(csv.text.strip().splitlines()) == 13
    # as of a date before any load: nothing had been published yet
    before = httpx.get(f"{base}/api/v1/observations", params={**params, "as_of": "2000-01-01"}).json()
    assert before["total"] == 0


def test_rate_limit_per_key(portal_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUVA_API_KEYS", f"{ANALYST_KEY}:analyst")
    app = create_app(portal_warehouse, audit_log=portal_warehouse.with_name("rate.jsonl"), rate_limit=3)
    with running(app) as base:
        statuses = [httpx.get(f"{base}/api/v1/health").status_code for _ in range(4)]
        keyed = httpx.get(f"{base}/api/v1/health", headers={"X-KuVa-Key": ANALYST_KEY})
        limited = httpx.get(f"{base}/api/v1/health")
    assert statuses == [200, 200, 200, 429]
    assert keyed.status_code == 200  # another caller has its own budget
    assert limited.json()["error"]["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1


def test_rate_limiter_window_slides() -> None:
    rl = RateLimiter(2)
    assert [rl.retry_after("a", now=t) for t in (0.0, 1.0, 2.0)] == [0, 0, 59]
    assert rl.retry_after("a", now=60.5) == 0  # the first request left the window
    assert RateLimiter(0).retry_after("a") == 0


def test_the_audit_trail_counts_confidential_cells(server: tuple[str, Path]) -> None:
    from kuva.cli import app as cli

    base, log = server
    r = httpx.get(f"{base}/api/v1/process/plan-debt", params={"level": "municipality", "from": "2024-01",
                                                               "to": "2024-03"},
                  headers={"X-KuVa-Key": AREA_KEY}, timeout=120)
    assert r.status_code == 200
    last = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    assert last["path"] == "/api/v1/process/plan-debt" and last["role"] == "analyst" and last["area"] == AREA
    assert last["confidential_cells"] > 0 and last["hidden_cells"] == r.json()["hidden_cells"]
    assert AREA_KEY not in log.read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["audit", "--audit-log", str(log), "--confidential", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert listed and all(x["confidential_cells"] > 0 for x in listed)
    assert any(x["path"] == "/api/v1/process/plan-debt" and x["area"] == AREA for x in listed)
    bad = CliRunner().invoke(cli, ["audit", "--audit-log", str(log.with_name("none.jsonl"))])
    assert bad.exit_code == 1 and "no audit trail" in bad.output
