"""The analyst's views in the portal: the area report made and downloaded in the browser's
route, and the service-process section of the area page — both only for analysts, an area
analyst only in their own area, and in the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import ANALYST_KEY, AREA, AREA_KEY

ANALYST = {"X-KuVa-Key": ANALYST_KEY}
AREA_ANALYST = {"X-KuVa-Key": AREA_KEY}


def test_an_analyst_downloads_the_area_report(server: tuple[str, Path]) -> None:
    base, log = server
    params = {"area": AREA, "format": "html", "report_lang": "en", "chapter": ["own_area", "process"]}
    r = httpx.get(f"{base}/report/download", params=params, headers=ANALYST, timeout=300)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-disposition"] == f'attachment; filename="kuva-report-{AREA}-en.html"'
    assert r.headers["x-kuva-synthetic"] == "yes"
    assert "Kajaani" in r.text and '<html lang="en"' in r.text
    pdf = httpx.get(f"{base}/report/download", params={**params, "format": "pdf", "chapter": "own_area"},
                    headers=AREA_ANALYST, timeout=300)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf"
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert any(e["path"] == "/report/download" and e["area"] == AREA and e["status"] == 200 for e in entries)


def test_report_refusals(server: tuple[str, Path]) -> None:
    base, _ = server
    ok = {"area": AREA, "format": "html", "chapter": "own_area"}
    assert httpx.get(f"{base}/report", timeout=60).status_code == 403
    assert httpx.get(f"{base}/report/download", params=ok, timeout=60).status_code == 403
    other = httpx.get(f"{base}/report/download", params={**ok, "area": "KU091"}, headers=AREA_ANALYST, timeout=60)
    assert other.status_code == 403 and "own area" in other.text
    assert httpx.get(f"{base}/report/download", params={**ok, "area": ""}, headers=AREA_ANALYST,
                     timeout=60).status_code == 403  # the whole country is not their area
    bad = httpx.get(f"{base}/report/download", params={**ok, "chapter": "gossip"}, headers=ANALYST, timeout=60)
    assert bad.status_code == 400 and "gossip" in bad.text
    assert httpx.get(f"{base}/report/download", params={**ok, "format": "docx"}, headers=ANALYST,
                     timeout=60).status_code == 400
    assert httpx.get(f"{base}/report/download", params={**ok, "area": "Atlantis"}, headers=ANALYST,
                     timeout=60).status_code == 404
    form = httpx.get(f"{base}/report", params={"lang": "sv"}, headers=AREA_ANALYST, timeout=60)
    assert form.status_code == 200 and f'value="{AREA}"' in form.text and "Kapitel" in form.text


def test_the_service_process_page_is_for_analysts_in_scope(server: tuple[str, Path]) -> None:
    base, log = server
    public = httpx.get(f"{base}/area/{AREA}", params={"lang": "en"}, timeout=120)
    analyst = httpx.get(f"{base}/area/{AREA}", params={"lang": "en"}, headers=ANALYST, timeout=120)
    elsewhere = httpx.get(f"{base}/area/KU091", params={"lang": "en"}, headers=AREA_ANALYST, timeout=120)
    link = f'href="/area/{AREA}/process?lang=en"'
    assert link in analyst.text and link not in public.text and "/process" not in elsewhere.text
    page = httpx.get(f"{base}/area/{AREA}/process", params={"lang": "en"}, headers=AREA_ANALYST, timeout=120)
    assert page.status_code == 200 and page.text.count("<h2>") >= 3  # milestones, plan debt, routes
    assert "Kajaani" in page.text and "<svg" in page.text
    assert httpx.get(f"{base}/area/{AREA}/process", timeout=60).status_code == 403
    other = httpx.get(f"{base}/area/KU091/process", headers=AREA_ANALYST, timeout=60)
    assert other.status_code == 403 and "own area" in other.text
    ministry = httpx.get(f"{base}/area/KU091/process", params={"lang": "sv"}, headers=ANALYST, timeout=120)
    assert ministry.status_code == 200 and '<html lang="sv"' in ministry.text
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    seen = [e for e in entries if e["path"] == f"/area/{AREA}/process" and e["area"] == AREA]
    assert seen and seen[-1]["confidential_cells"] > 0


def test_the_person_level_page_is_for_analysts_in_scope(server: tuple[str, Path]) -> None:
    """The area's person-level page: the report's person chapter for the area's clients, linked
    from the area page for analysts who see the area, 403 for others; what the portal's 2023–2024
    log cannot give (the pilots' cohort DiD) is listed with the reason, and the confidential cells
    reach the audit trail."""
    base, log = server
    analyst = httpx.get(f"{base}/area/{AREA}", params={"lang": "en"}, headers=ANALYST, timeout=120)
    public = httpx.get(f"{base}/area/{AREA}", params={"lang": "en"}, timeout=120)
    link = f'href="/area/{AREA}/person?lang=en"'
    assert link in analyst.text and link not in public.text
    page = httpx.get(f"{base}/area/{AREA}/person", params={"lang": "en"}, headers=AREA_ANALYST, timeout=120)
    assert page.status_code == 200 and "Time to exit to work" in page.text and "<svg" in page.text
    assert "The effect of starting a service on exits to work" in page.text
    assert "Analyses that could not be produced" in page.text and "pilot areas" in page.text
    assert httpx.get(f"{base}/area/{AREA}/person", timeout=60).status_code == 403
    assert httpx.get(f"{base}/area/KU091/person", headers=AREA_ANALYST, timeout=60).status_code == 403
    pilot = httpx.get(f"{base}/area/kainuun_seutu/person", params={"lang": "fi"}, headers=ANALYST, timeout=120)
    assert pilot.status_code == 200 and "no cohorts before the start" in pilot.text
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    seen = [e for e in entries if e["path"] == f"/area/{AREA}/person"]
    assert seen and seen[-1]["confidential_cells"] > 0


def test_person_level_effects_route(server: tuple[str, Path]) -> None:
    base, log = server
    assert httpx.get(f"{base}/api/v1/effects/person", timeout=60).status_code == 403
    r = httpx.get(f"{base}/api/v1/effects/person", headers=ANALYST, timeout=300)
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert body["hidden"] is False and body["synthetic"] is True and body["horizon_days"] == 180
    assert body["ci_low"] < body["estimate"] < body["ci_high"]
    assert body["estimate"] == pytest.approx(body["treated_incidence"] - body["comparison_incidence"], abs=1e-12)
    assert body["n_treated"] >= 5 and body["cox"]["ci_low"] < body["cox"]["hazard_ratio"] < body["cox"]["ci_high"]
    assert httpx.get(f"{base}/api/v1/effects/person", params={"horizon": 100}, headers=ANALYST,
                     timeout=60).status_code == 422
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert any(e["path"] == "/api/v1/effects/person" and e["status"] == 200 and e["confidential_cells"] == 1
               for e in entries)
