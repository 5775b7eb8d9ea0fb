"""The attacker over everything the demo publishes: the report in Finnish, Swedish and English
(every table as CSV with its disclosure sidecar), audited per language and all together."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kuva.privacy.audit import audit_directory
from kuva.report import build_report
from kuva.simulate import DEMO_EFFECTS, simulate_into
from kuva.sources.bundled import load_bundled
from kuva.warehouse import Warehouse

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse (bundled StatFin + SYNTHETIC scale 0.01, seed 2021) and its reports."""
    root = tmp_path_factory.mktemp("demo")
    with Warehouse(root / "kuva.duckdb") as wh:
        load_bundled(wh)
        simulate_into(wh, scale=0.01, seed=2021, effects=DEMO_EFFECTS, years=(2017, 2024))
        for lang in ("fi", "sv", "en"):
            build_report(wh, lang=lang, out_dir=root / "published" / lang, pdf=False)  # type: ignore[arg-type]
    return root / "published"


def test_every_published_table_has_a_sidecar(published: Path) -> None:
    for csv in (published / "fi" / "tables").glob("*.csv"):
        side = csv.with_name(csv.stem + ".disclosure.json")
        assert side.is_file(), f"{csv.name} has no disclosure sidecar"
        meta = json.loads(side.read_text(encoding="utf-8"))
        assert meta["note"]["policy"]["min_cell"] == 5
        assert len(pd.read_csv(csv)) >= max([c["row"] + 1 for c in meta["cells"]], default=0)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_no_hidden_cell_can_be_narrowed_down(published: Path, lang: str) -> None:
    report = audit_directory(published / lang)
    assert report.tables >= 15 and report.hidden_cells > 0
    assert report.exposed == 0, [e.text() for e in report.exposures[:10]]


def test_the_three_languages_together_leak_nothing_more(published: Path) -> None:
    report = audit_directory(published)
    assert report.exposed == 0, [e.text() for e in report.exposures[:10]]
