"""Names, not codes, in what a person reads (CONVENTIONS #12): the report's HTML shows area,
pilot-area and service names in its language; the CSV and Excel files keep the codes beside them."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kuva.analysis.result import AnalysisResult
from kuva.i18n import Lang
from kuva.registry import area_registry, programme_registry, service_type
from kuva.report import build_report
from kuva.report.names import code_name, for_display, value_name, with_names
from kuva.warehouse import Warehouse
from tests.report.conftest import make_chapter

PILOT = programme_registry().areas()[0]


def _coded_result() -> AnalysisResult:
    table = pd.DataFrame({
        "area_code": ["KU091", "KU049", "SSS"],
        "pilot_area": [PILOT.code, PILOT.code, PILOT.code],
        "service": ["labour_market_training", "coaching", "subsidised_employment"],
        "group": ["pilot", "comparison", "nation"],
        "basic_situation": ["working", "student", "unemployed"],
        "activation_rate": [30.5, 28.25, 29.75],
    })
    return AnalysisResult(key="coded", title=lambda lang: "Coded", table=table, figure=None,
                          text=lambda lang: "Codes.")


def _html_table(html: str, key: str) -> tuple[list[str], list[list[str]]]:
    article = re.search(rf'<article[^>]*data-result="{key}".*?</article>', html, re.S)
    assert article is not None
    heads = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", article.group(0), re.S)
    body = re.search(r"<tbody>(.*?)</tbody>", article.group(0), re.S)
    assert body is not None
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]
    return [h.strip() for h in heads], [[c.strip() for c in r] for r in rows]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_html_shows_names_in_the_reports_language(bundled_wh: Warehouse, tmp_path: Path, lang: Lang) -> None:
    out = build_report(bundled_wh, lang=lang, out_dir=tmp_path, chapters=[make_chapter("c", [_coded_result()])],
                       pdf=False)
    html = out.html.read_text(encoding="utf-8")
    heads, rows = _html_table(html, "coded")
    reg = area_registry()
    first = rows[0]
    assert reg.area("KU091").name(lang) in first and reg.area("KU049").name(lang) in rows[1]
    assert PILOT.name in first
    assert service_type("labour_market_training").name(lang) in first
    assert {"fi": "Työssä", "sv": "I arbete", "en": "Working"}[lang] in first
    cells = " ".join(" ".join(r) for r in rows)
    for code in ("KU091", "KU049", "labour_market_training", "subsidised_employment", PILOT.code, "working"):
        assert code not in cells, code
    assert {"fi": "Alue", "sv": "Område", "en": "Area"}[lang] == heads[0]  # area_code names an area


def test_csv_and_excel_keep_the_codes_beside_the_names(bundled_wh: Warehouse, tmp_path: Path) -> None:
    build_report(bundled_wh, lang="sv", out_dir=tmp_path, chapters=[make_chapter("c", [_coded_result()])], pdf=False)
    csv = pd.read_csv(tmp_path / "tables" / "coded.csv")
    cols = list(csv.columns)
    assert cols[:6] == ["area_code", "area_name", "pilot_area", "pilot_area_name", "service", "service_name"]
    assert csv["area_code"].tolist() == ["KU091", "KU049", "SSS"]
    assert csv["area_name"].tolist() == ["Helsingfors", "Esbo", "Hela landet"]
    assert csv["service_name"][0] == service_type("labour_market_training").name("sv")
    book = openpyxl.load_workbook(tmp_path / "tables" / "coded.xlsx", read_only=True)
    sheet = book[book.sheetnames[0]]
    first = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    book.close()
    assert first[:2] == ["KU091", "Helsingfors"]


def test_names_stay_unchanged_when_the_table_already_has_them() -> None:
    table = pd.DataFrame({"area_code": [PILOT.code], "area": [PILOT.name], "persons": [12.0]})
    assert list(with_names(table, "fi").columns) == ["area_code", "area", "persons"]
    shown, headers = for_display(table, "fi")
    assert list(shown.columns) == ["area", "persons"] and headers == {}


def test_what_is_not_a_code_is_left_alone() -> None:
    assert code_name("comparison", "fi") is None
    assert value_name("Espoo and more", "en") == "Espoo and more"
    mixed = pd.DataFrame({"x": ["KU091", "free text"]})
    assert list(with_names(mixed, "fi").columns) == ["x"]
    assert value_name("pilot", "sv", "group") == "Försökskommuner"


def test_every_definition_is_translated_and_its_english_is_the_catalogues() -> None:
    """The definitions chapter reads in the report's language: every indicator, caveat and measure
    definition has Finnish and Swedish text, and the English equals the catalogue's (no drift)."""
    from kuva.i18n import data_files
    from kuva.indicators.catalogue import indicators
    from kuva.registry import measures

    table = data_files()["definitions"]
    expected = {}
    for code, ind in indicators().items():
        expected[f"definition.indicator.{code}"] = ind.definition
        if ind.caveats:
            expected[f"caveat.indicator.{code}"] = ind.caveats
    expected |= {f"definition.measure.{c}": m.definition for c, m in measures().items() if m.definition}
    assert set(table) == set(expected)
    for key, english in expected.items():
        assert table[key]["en"] == english, key
        words = re.sub(r"\b[A-Z0-9_]{3,}\b|`[^`]*`", "", english)  # a formula of codes reads the same
        if re.search(r"[a-z]{3,}", words):
            assert table[key]["fi"] != english and table[key]["sv"] != english, key


def test_years_print_without_a_thousands_separator() -> None:
    """A year is a label, not a quantity: "2020", never "2 020" (a tester found it in Table 3.1)."""
    import pandas as pd

    from kuva.report.tables import display_table

    for lang in ("fi", "sv", "en"):
        rows = display_table(pd.DataFrame({"year": [2020], "base_year": [2019.0], "n_pilot": [1180]}), lang, 5).rows
        assert rows[0][:2] == ("2020", "2019") and rows[0][2] != "1180"
