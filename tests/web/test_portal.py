"""The portal and API on a real HTTP server (uvicorn on 127.0.0.1) over a real warehouse file,
and the pages in a real browser (Playwright driving Debian's chromium)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from kuva.warehouse import Warehouse
from tests.web.conftest import ANALYST_KEY, AREA_KEY

ROOT = Path(__file__).resolve().parents[2]




def test_openapi_routes_are_served_and_documented(server: tuple[str, Path]) -> None:
    base, _ = server
    spec = httpx.get(f"{base}/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for route in spec["paths"]:
        assert f"`GET {route}`" in doc, f"{route} missing from docs/api.md"
    assert httpx.get(f"{base}/api/v1/health").json()["status"] == "ok"


def test_the_language_switch_keeps_the_page_and_its_choices(server: tuple[str, Path]) -> None:
    base, _ = server
    page = httpx.get(f"{base}/table", params=[("measure", "TYOTTOMATLOPUSSA"), ("area", "KU205"), ("from", "2023-01"),
                                              ("to", "2023-02"), ("lang", "fi")], timeout=120)
    assert 'href="?measure=TYOTTOMATLOPUSSA&amp;area=KU205&amp;from=2023-01&amp;to=2023-02&amp;lang=sv"' in page.text
    login = httpx.get(f"{base}/login", params={"next": "/map", "lang": "en"}, timeout=60)
    assert 'href="?next=%2Fmap&amp;lang=fi"' in login.text


def test_every_page_is_documented(portal_warehouse: Path) -> None:
    from kuva.web.app import create_app
    from kuva.web.security import route_table

    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    app = create_app(portal_warehouse, audit_log=portal_warehouse.with_name("unused.jsonl"))
    pages = {p.replace("{code}", "CODE") for p, _ in route_table(app.routes)
             if not p.startswith(("/api/", "/static")) and p != "/"}
    missing = [p for p in sorted(pages) if f"`{p}`" not in doc and f"`{p} " not in doc]
    assert not missing, f"pages missing from docs/api.md: {missing}"
    assert len(pages) >= 9


def test_observations_pass_the_disclosure_engine(server: tuple[str, Path]) -> None:
    base, _ = server
    # every municipality's coaching count (synthetic, confidential) for three months
    r = httpx.get(f"{base}/api/v1/observations", params={"measure": "VALMENNUSLOP", "from": "2023-01", "to": "2023-03"})
    body = r.json()
    values = [row["value"] for row in body["rows"] if row["value"] is not None]
    assert body["hidden_cells"] > 0 and all(v == 0 or v >= 5 for v in values)
    assert "synthetic:panel" in body["synthetic_sources"]
    # public StatFin figures pass unchanged: the same numbers as read from the warehouse file
    from kuva.warehouse import query_observations

    r = httpx.get(f"{base}/api/v1/observations", params={"measure": "TYOTTOMATLOPUSSA", "area": "KU091",
                                                          "from": "2020-01", "to": "2020-03"})
    with Warehouse(_warehouse_of(server), read_only=True) as wh:
        direct = query_observations(wh, ["TYOTTOMATLOPUSSA"], areas=["KU091"], start=date(2020, 1, 1),
                                    end=date(2020, 3, 1))
    assert [row["value"] for row in r.json()["rows"]] == direct["value"].tolist()
    assert len(direct) == 3


def _warehouse_of(server: tuple[str, Path]) -> Path:
    return server[1].with_name("kuva.duckdb")


def test_roles_and_the_audit_trail(server: tuple[str, Path]) -> None:
    base, audit = server
    assert httpx.get(f"{base}/api/v1/process/kpis").status_code == 403
    assert httpx.get(f"{base}/api/v1/process/kpis", headers={"X-KuVa-Key": "wrong-key-000000000000"}).status_code == 401
    r = httpx.get(f"{base}/api/v1/process/routes", params={"level": "nation"}, headers={"X-KuVa-Key": ANALYST_KEY})
    assert r.status_code == 200 and r.json()["rows"]
    lines = [json.loads(x) for x in audit.read_text().splitlines()]
    assert {"role": "analyst", "path": "/api/v1/process/routes", "status": 200}.items() <= lines[-1].items()
    assert any(x["status"] == 403 and x["role"] == "public" for x in lines)
    assert ANALYST_KEY not in audit.read_text()  # the key itself is never written
    assert httpx.get(f"{base}/api/v1/observations", params={"measure": "NOPE"}).status_code == 404
    # client groups of the routes and the benchmark's other outcomes reach the API
    head = {"X-KuVa-Key": ANALYST_KEY}
    by = httpx.get(f"{base}/api/v1/process/routes", params={"level": "nation", "by": "language"}, headers=head)
    assert by.status_code == 200 and {r["client_group"] for r in by.json()["rows"]} >= {"total", "fi"}
    bench = httpx.get(f"{base}/api/v1/benchmark", params={"outcome": "plan_debt_share", "level": "employment_area",
                                                          "period": "2023-06"}, headers=head)
    assert bench.status_code == 200, bench.text
    rows = bench.json()["rows"]
    assert rows and {r["outcome"] for r in rows} == {"plan_debt_share"} and "plan_debt" in rows[0]
    assert all(r["plan_debt"] is None or r["plan_debt"] == 0 or r["plan_debt"] >= 5 for r in rows)
    offers = httpx.get(f"{base}/api/v1/process/offer-debt", params={"level": "nation"}, headers=head)
    assert offers.status_code == 200 and {"eligible", "job_offer_debt"} <= set(offers.json()["rows"][0])
    conf = httpx.get(f"{base}/api/v1/process/conformance", params={"level": "nation"}, headers=head)
    assert conf.status_code == 200 and any(r["broken"] == "none" for r in conf.json()["rows"])
    assert httpx.get(f"{base}/api/v1/process/conformance").status_code == 403
    bad = httpx.get(f"{base}/api/v1/benchmark", params={"outcome": "happiness"}, headers=head)
    assert bad.status_code == 422 and bad.json()["error"]["code"]


def test_pages_in_three_languages_fetch_nothing_from_outside(server: tuple[str, Path]) -> None:
    base, _ = server
    for lang, word in (("fi", "Suomi nyt"), ("sv", "Finland nu"), ("en", "Finland now")):
        html = httpx.get(f"{base}/", params={"lang": lang}, timeout=120).text
        assert f'<html lang="{lang}">' in html and word in html
        external = [u for u in re.findall(r'(?:src|href)="(https?://[^"]+)"', html)]
        assert external == []
    home = httpx.get(f"{base}/", params={"lang": "en"}, timeout=120).text  # pilot vs comparison paths, as in the report
    assert "Unemployed jobseekers and activation rate by month" in home and 'aria-labelledby="section-1"' in home
    area = httpx.get(f"{base}/area/KU091", params={"lang": "sv"}, timeout=120).text
    assert "Helsingfors" in area and "<caption>" in area and 'role="img"' in area
    assert httpx.get(f"{base}/static/kuva.css", timeout=120).status_code == 200


def test_a_pilot_area_page_has_its_kykyviisari_summary_in_the_audit_trail(server: tuple[str, Path]) -> None:
    """A pilot area's page shows the Kykyviisari means and change against the comparison area
    (person-level answers, through the disclosure engine), and the request is in the audit trail
    with its confidential cells; a municipality's page has no Kykyviisari section."""
    base, log = server
    page = httpx.get(f"{base}/area/kainuun_seutu", params={"lang": "en"}, timeout=120)
    assert page.status_code == 200
    assert "Kykyviisari: means by area" in page.text and "Kykyviisari: change between repeated answers" in page.text
    assert "Service mix: Kainuun seutu" in page.text
    # no synthetic control: the portal's panel starts in 2021, two months before the pilots
    # (kuva.report.effects_chapter.pilot_area_synth is tested on a panel from 2017)
    assert "Synthetic control" not in page.text
    last = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines() if '"/area/kainuun_seutu"' in x][-1]
    assert last["confidential_cells"] > 0 and last["hidden_cells"] > 0
    municipality = httpx.get(f"{base}/area/KU205", params={"lang": "en"}, timeout=120).text
    assert "Kykyviisari" not in municipality and "Synthetic control" not in municipality


def test_the_benchmark_page(server: tuple[str, Path]) -> None:
    """A ministry analyst sees the employment areas' gaps, rank sets and model for the chosen
    outcome; an area analyst only their own area's row (Kajaani is no employment area: a note);
    an unknown outcome is refused."""
    base, log = server
    page = httpx.get(f"{base}/benchmark", params={"lang": "en", "level": "employment_area"},
                     headers={"X-KuVa-Key": ANALYST_KEY}, timeout=120)
    assert page.status_code == 200
    assert "Employment areas: actual vs expected (activation rate)" in page.text
    assert "confidence sets for ranks" in page.text and page.text.count('role="img"') == 2
    assert '<option value="employment_area" selected>' in page.text
    last = [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines() if '"/benchmark"' in x][-1]
    assert last["role"] == "analyst" and last["area"] is None
    mine = httpx.get(f"{base}/benchmark", params={"lang": "en"}, headers={"X-KuVa-Key": AREA_KEY}, timeout=120)
    assert mine.status_code == 200 and 'role="img"' not in mine.text
    assert "Your area is not among the areas of this level." in mine.text
    bad = httpx.get(f"{base}/benchmark", params={"outcome": "happiness"}, headers={"X-KuVa-Key": ANALYST_KEY})
    assert bad.status_code == 400 and "outcome must be one of" in bad.text
    half = httpx.get(f"{base}/benchmark", params={"lang": "en", "period": "2023-H1"},
                     headers={"X-KuVa-Key": ANALYST_KEY}, timeout=120)
    assert half.status_code == 200 and "1–6/2023" in half.text and 'value="2023-H1"' in half.text
    wrong = httpx.get(f"{base}/benchmark", params={"period": "2023-H3"}, headers={"X-KuVa-Key": ANALYST_KEY})
    assert wrong.status_code == 400 and "YYYY-H1" in wrong.text


def test_the_pilot_effect_route_says_why_it_cannot(server: tuple[str, Path]) -> None:
    """The portal's log starts in 2023: no cohort before the pilots, so the inflow-cohort DiD is
    not estimable and the answer says why instead of failing."""
    base, _ = server
    body = httpx.get(f"{base}/api/v1/effects/pilot", headers={"X-KuVa-Key": ANALYST_KEY}, timeout=120).json()
    assert body["estimable"] is False and body["reason"].startswith("cohort_did: no ")
    assert body["design"] == "difference-in-differences of inflow cohorts" and body["synthetic"]


def test_any_area_against_its_peers(server: tuple[str, Path]) -> None:
    """A municipality and a 2025 employment area: the comparison with peers and the nation, names
    (not codes) in the page's language, the peer list, an unknown area a 404."""
    base, _ = server

    def visible(html: str) -> str:
        html = re.sub(r"<svg.*?</svg>|<style.*?</style>", " ", html, flags=re.S)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    page = httpx.get(f"{base}/area/kainuu_koillismaan_tyollisyysalue", params={"lang": "sv"})
    assert page.status_code == 200
    text = visible(page.text)
    assert "Kainuu-Koillismaan työllisyysalue" in text and "Jämförelseområden (" in text
    assert "områden på samma nivå" in text and 'aria-label="Arbetslösa och aktiveringsgrad' in page.text
    muni = visible(httpx.get(f"{base}/area/KU205", params={"lang": "fi"}).text)
    assert "Kajaani: työttömiä työnhakijoita" in muni and "kokoluokka" in muni
    assert "Palvelurakenne: Kajaani" in muni and "Suurin ero koko maahan" in muni  # the service mix section
    assert not re.search(r"\bKU\d{3}\b", muni) and "nan" not in muni.split()
    assert httpx.get(f"{base}/area/Atlantis").status_code == 404
    api = httpx.get(f"{base}/api/v1/areas/kainuu_koillismaan_tyollisyysalue/comparison").json()
    assert api["area"]["kind"] == "employment_area" and "KU205" in api["area"]["members"]
    assert {r["group"] for r in api["rows"]} == {"kainuu_koillismaan_tyollisyysalue", "peers", "nation"}
    assert api["peers"]["rule"] == "peers.rule.same_level" and api["peers"]["areas"]
    shown = [r["in_services"] for r in api["rows"] if r["in_services"] is not None]
    assert all(v == 0 or v >= 5 for v in shown) and api["synthetic"]


def test_pilot_and_employment_areas_have_pages_of_their_own(server: tuple[str, Path]) -> None:
    """The home page links every pilot and employment area by a name that finds it: the pilot
    area Helsinki (``pilot:helsinki``) has a page of its own beside the municipality's."""
    base, _ = server
    home = httpx.get(f"{base}/", params={"lang": "en"}, timeout=120).text
    links = set(re.findall(r'href="/area/([^"?]+)\?lang=en"', home))
    assert {"MK01", "pilot:helsinki", "pilot:kainuun_seutu", "employment:helsingin_kaupunki"} <= links
    assert sum(x.startswith("pilot:") for x in links) == 25 and "Municipal employment pilot areas" in home
    pilot = httpx.get(f"{base}/area/pilot:helsinki", params={"lang": "en"}, timeout=120)
    municipality = httpx.get(f"{base}/area/helsinki", params={"lang": "en"}, timeout=120)
    assert pilot.status_code == 200 and municipality.status_code == 200
    assert "the other pilot areas" in pilot.text and "the other pilot areas" not in municipality.text
    api = httpx.get(f"{base}/api/v1/areas/pilot:helsinki/comparison").json()
    assert api["area"]["kind"] == "pilot_area" and api["area"]["ref"] == "pilot:helsinki"
    assert httpx.get(f"{base}/api/v1/areas/helsinki/comparison").json()["area"]["ref"] == "KU091"
    assert httpx.get(f"{base}/area/pilot:kajaani").status_code == 404


def test_table_builder_shows_and_downloads_the_same_protected_figures(server: tuple[str, Path]) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    base, _ = server
    params = {"measure": ["TYOTTOMATLOPUSSA", "VALMENNUSLOP"], "area": "Kajaani, KU005, SSS", "from": "2023-01",
              "to": "2023-03", "lang": "sv"}
    page = httpx.get(f"{base}/table", params=params)
    assert page.status_code == 200 and "Tabellverktyg" in page.text and "Kajana" in page.text
    rows = list(csv.DictReader(io.StringIO(httpx.get(f"{base}/table.csv", params=params).text)))
    assert {r["area"] for r in rows} == {"Kajana", "Alajärvi", "Hela landet"}
    api = httpx.get(f"{base}/api/v1/observations", params={"measure": params["measure"],
                                                           "area": ["KU205", "KU005", "SSS"],
                                                           "from": "2023-01", "to": "2023-03"}).json()["rows"]
    assert sorted(r["value"] or "" for r in rows) == sorted("" if r["value"] is None else str(float(r["value"]))
                                                            for r in api)
    small = [float(r["value"]) for r in rows if r["value"]]
    assert all(v == 0 or v >= 5 for v in small)  # coaching counts of a small municipality hidden
    book = load_workbook(io.BytesIO(httpx.get(f"{base}/table.xlsx", params=params).content))
    assert book.sheetnames == ["KuVa", "disclosure"] and book["KuVa"].max_row == len(rows) + 1
    assert "Personer i aktiverande tjänster" in httpx.get(f"{base}/indicator/AKTASTE", params={"lang": "sv"}).text


def test_the_portal_in_a_real_browser(server: tuple[str, Path], browser: Any) -> None:
    base, _ = server
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(f"{base}/?lang=fi")
    assert page.locator("h1").inner_text() == "Suomi nyt"
    page.keyboard.press("Tab")  # the first focusable element is the skip link
    assert page.evaluate("document.activeElement.className") == "skip"
    for chart in page.locator('[role="img"]').all():
        assert chart.get_attribute("aria-label")
    page.get_by_role("link", name="Uusimaa").click()
    page.wait_for_url(re.compile(r"/area/MK01"))
    assert page.locator("table caption").count() == 1
    page.get_by_role("link", name="svenska").click()
    assert page.evaluate("document.documentElement.lang") == "sv"
    assert all(u.startswith(base) for u in requests), [u for u in requests if not u.startswith(base)]
