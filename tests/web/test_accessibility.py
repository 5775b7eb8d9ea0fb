"""WCAG 2.1 A/AA of the main portal pages (issue 14; Finnish public-sector sites must meet AA):
axe-core, bundled with the PyPI package ``axe-playwright-python`` (no CDN), run in Debian's
Chromium against a real server, in Finnish, Swedish and English. A serious or critical
violation fails the test with the rule, its impact and the offending elements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import ANALYST_KEY, CHROMIUM

PAGES = ("/", "/area/KU205", "/area/kainuu_koillismaan_tyollisyysalue", "/area/kainuun_seutu", "/indicator/AKTASTE",
         "/table?measure=TYOTTOMATLOPUSSA&measure=AKTASTE&area=Kajaani&area=SSS&from=2023-01&to=2023-03", "/map",
         "/login")
#: pages only analysts see: the report form, an area's service process, the benchmark
ANALYST_PAGES = ("/report", "/area/KU205/process", "/benchmark")
BLOCKING = ("serious", "critical")
#: the WCAG 2.0/2.1 level A and AA rules
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="chromium missing: `make test` installs it")]


def test_main_pages_have_no_serious_or_critical_violations(server: tuple[str, Path], browser: Any) -> None:
    import httpx
    from axe_playwright_python.sync_playwright import Axe

    base, _ = server
    axe = Axe()
    found: list[str] = []
    checked = 0
    public = browser.new_page()
    analyst = browser.new_page(extra_http_headers={"X-KuVa-Key": ANALYST_KEY})
    for page, path in [(public, p) for p in PAGES] + [(analyst, p) for p in ANALYST_PAGES]:
        if httpx.get(f"{base}{path.split('?')[0]}", timeout=120).status_code == 404:
            continue  # a page not in this build (the map) is checked where it exists
        for lang in ("fi", "sv", "en"):
            sep = "&" if "?" in path else "?"
            page.goto(f"{base}{path}{sep}lang={lang}")
            result = axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
            checked += 1
            for v in result.response["violations"]:
                if v["impact"] in BLOCKING:
                    nodes = "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
                    found.append(f"{path} [{lang}] {v['id']} ({v['impact']}): {v['help']} — {nodes}")
    page = public
    # the harness finds what it should: a page with an unlabelled input and unreadable text
    page.set_content('<html lang="en"><body><main><h1>x</h1><input type="text">'
                     '<p style="color:#bbb;background:#fff">faint</p></main></body></html>')
    control = {v["id"] for v in axe.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
               .response["violations"] if v["impact"] in BLOCKING}
    assert {"label", "color-contrast"} <= control
    assert checked >= 15
    assert not found, "\n".join(found)
