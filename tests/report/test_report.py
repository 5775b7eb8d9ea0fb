"""The report: structure, self-contained HTML, PDF with every figure, languages, synthetic
labels, disclosure control and the CSV/Excel files."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kuva.analysis.result import AnalysisResult
from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.i18n import LANGS, Lang, catalogue, label
from kuva.report import (
    Chapter,
    ReportDisclosureError,
    ReportOutput,
    build_report,
    chapter_keys,
    register_chapter,
    unregister_chapter,
)
from kuva.report.pdfinfo import figure_count, is_pdf, page_count
from kuva.report.tables import check_table, control_table
from kuva.warehouse import Warehouse
from tests.report.conftest import make_chapter, make_result

EXPECTED_OUTLINE_EN = [
    "h1 Employment services: situation and impact",
    "h2 Summary",
    "h2 Definitions",
    "h2 Chapter first (en)",
    "h3 Unemployed by month (alpha)",
    "h3 Unemployed by month (beta)",
    "h2 Chapter second (en)",
    "h3 Unemployed by month (gamma)",
    "h2 Appendix: data and provenance",
    "h3 Sources",
    "h3 Loads",
    "h3 Figures and tables resting on synthetic data",
    "h3 Parameters used",
]


class _Html(HTMLParser):
    """Headings, every src/href value, and tags that would load something."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self._in: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "action", "poster", "data") and value:
                self.urls.append(value)
        if tag in ("h1", "h2", "h3"):
            self._in, self._buf = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self.headings.append(f"{tag} {''.join(self._buf).strip()}")
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buf.append(data)


def _parse(path: Path) -> _Html:
    p = _Html()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def report_en(bundled_warehouse_path: Path, tmp_path_factory: pytest.TempPathFactory) -> ReportOutput:
    chapters = [
        make_chapter("first", [make_result("alpha"), make_result("beta", figure=False)]),
        make_chapter("second", [make_result("gamma", rows=60)]),
    ]
    with Warehouse(bundled_warehouse_path, read_only=True) as wh:
        return build_report(wh, lang="en", out_dir=tmp_path_factory.mktemp("report_en"), chapters=chapters)


def test_outline_snapshot(report_en: ReportOutput) -> None:
    assert list(report_en.outline) == EXPECTED_OUTLINE_EN


def test_html_headings_follow_the_outline(report_en: ReportOutput) -> None:
    assert _parse(report_en.html).headings == EXPECTED_OUTLINE_EN


def test_html_is_self_contained(report_en: ReportOutput) -> None:
    page = _parse(report_en.html)
    remote = [u for u in page.urls if re.match(r"^(https?:)?//", u)]
    assert remote == []
    assert "link" not in page.tags and "script" not in page.tags and "img" not in page.tags
    html = report_en.html.read_text(encoding="utf-8")
    assert "@import" not in html and "url(http" not in html
    # every figure is inline SVG; local links only go to the table files beside the report
    assert html.count('class="figure-svg"') == report_en.figures == 2
    local = [u for u in page.urls if not u.startswith("#")]
    assert local and all(u.startswith("tables/") and (report_en.html.parent / u).is_file() for u in local)


def test_pdf_renders_with_every_figure(report_en: ReportOutput) -> None:
    assert report_en.pdf is not None
    pdf = report_en.pdf.read_bytes()
    assert is_pdf(pdf)
    assert page_count(pdf) == report_en.pages
    assert report_en.pages is not None and report_en.pages >= 5
    assert figure_count(pdf) == report_en.figures == 2


def test_tables_written_as_csv_and_excel(report_en: ReportOutput) -> None:
    tables = report_en.html.parent / "tables"
    names = sorted(p.name for p in tables.iterdir())
    # each table with its disclosure sidecar for `kuva privacy audit`
    assert names == sorted(f"{k}.{ext}" for k in ("alpha", "beta", "gamma")
                           for ext in ("csv", "xlsx", "disclosure.json"))
    assert sorted(p.name for p in report_en.tables) == [n for n in names if not n.endswith(".disclosure.json")]
    csv = pd.read_csv(tables / "gamma.csv")
    assert list(csv.columns) == ["group", "period", "n_persons", "activation_rate", "suppressed"]
    assert len(csv) == 60  # the files hold every row; the page shows the latest periods
    book = openpyxl.load_workbook(tables / "gamma.xlsx", read_only=True)
    sheet = book[book.sheetnames[0]]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[0] == "Group" and header[3] == "Activation rate, %"
    assert sheet.max_row == 61
    book.close()


def test_long_table_shows_latest_rows_and_says_so(report_en: ReportOutput) -> None:
    html = report_en.html.read_text(encoding="utf-8")
    assert "Showing 40 of 60 rows; full table: tables/gamma.csv" in html
    assert "2026-12" in html  # the latest month is shown


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_renders(bundled_wh: Warehouse, tmp_path: Path, lang: Lang) -> None:
    chapters = [make_chapter("one", [make_result("alpha", synthetic=True)])]
    out = build_report(bundled_wh, lang=lang, out_dir=tmp_path, chapters=chapters)
    html = out.html.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html
    for key in ("report.title", "report.summary", "report.provenance", "report.parameters"):
        assert label(key, lang) in html
    assert out.outline[0] == f"h1 {label('report.title', lang)}"
    assert out.pdf is not None and is_pdf(out.pdf.read_bytes())
    assert out.pages is not None and out.pages >= 4
    if shutil.which("pdftotext"):
        pdf_text = subprocess.run(["pdftotext", str(out.pdf), "-"], capture_output=True, check=True,
                                  text=True).stdout
        assert label("report.synthetic", lang) in pdf_text
        assert label("report.provenance", lang).split(":")[0] in pdf_text


def test_every_label_has_three_languages() -> None:
    """The one translation table (kuva.i18n) holds every word in fi, sv and en."""
    assert any(k.startswith("report.") for k in catalogue())
    for key, entry in catalogue().items():
        assert set(entry) == set(LANGS), key
        assert all(v.strip() for v in entry.values()), key


def test_synthetic_content_is_labelled_everywhere(bundled_wh: Warehouse, tmp_path: Path) -> None:
    chapters = [make_chapter("one", [make_result("real"), make_result("simulated", synthetic=True)])]
    out = build_report(bundled_wh, lang="fi", out_dir=tmp_path, chapters=chapters)
    html = out.html.read_text(encoding="utf-8")
    badge = label("report.synthetic", "fi")
    assert out.synthetic
    assert label("report.synthetic_note", "fi") in html  # title page and summary
    sim = html[html.index('data-result="simulated"'):]
    sim = sim[:sim.index("</article>")]
    real = html[html.index('data-result="real"'):]
    real = real[:real.index("</article>")]
    # heading, figure caption and table caption carry the badge; the figure itself has it drawn
    assert sim.count(f'<span class="badge" data-synthetic="true">{badge}</span>') == 3
    assert "kuva-synthetic-badge" in sim
    assert badge not in real and "kuva-synthetic-badge" not in real
    appendix = html[html.index('id="provenance"'):]
    listed = appendix[appendix.index(label("report.synthetic_items", "fi")):]
    listed = listed[:listed.index("</ul>")]
    assert 'href="#' in listed and "simulated" in listed and "real" not in listed  # only the synthetic one


def test_no_synthetic_label_without_synthetic_content(bundled_wh: Warehouse, tmp_path: Path) -> None:
    out = build_report(bundled_wh, lang="en", out_dir=tmp_path, chapters=[make_chapter("one", [make_result("a")])],
                       pdf=False)
    html = out.html.read_text(encoding="utf-8")
    assert not out.synthetic and out.pdf is None
    assert 'class="badge"' not in html
    assert label("report.no_synthetic", "en") in html


def test_small_counts_are_suppressed_in_every_output(bundled_wh: Warehouse, tmp_path: Path) -> None:
    chapters = [make_chapter("one", [make_result("small", small_count=True)])]
    out = build_report(bundled_wh, lang="en", out_dir=tmp_path, chapters=chapters, min_cell=5)
    csv = pd.read_csv(tmp_path / "tables" / "small.csv")
    assert bool(csv["suppressed"].iloc[0]) and not csv["suppressed"].iloc[1:].any()
    assert csv["n_persons"].isna().iloc[0] and csv["activation_rate"].isna().iloc[0]
    for path in (tmp_path / "tables").glob("*.csv"):
        frame = pd.read_csv(path)
        check_table(frame, 5, name=path.name)  # no count in [1, 5) anywhere
    html = out.html.read_text(encoding="utf-8")
    assert "Small cells (fewer than 5 persons) are suppressed" in html


def test_check_table_refuses_small_counts() -> None:
    frame = pd.DataFrame({"unemployed": [120.0, 3.0], "activation_rate": [20.0, 30.0]})
    with pytest.raises(ReportDisclosureError, match="unemployed"):
        check_table(frame, 5)
    controlled = control_table(frame, 5)
    check_table(controlled, 5)
    assert controlled["suppressed"].tolist() == [False, True]
    assert controlled["activation_rate"].isna().tolist() == [False, True]
    assert frame.loc[1, "unemployed"] == 3.0  # the caller's frame is untouched
    # counts of municipalities and long tables of person measures
    assert control_table(pd.DataFrame({"n_areas": [2, 3]}), 5)["n_areas"].tolist() == [2, 3]
    long = pd.DataFrame({"measure": ["TYOTTOMATLOPUSSA", "TYOTTOMATLOPUSSA"], "value": [2.0, 100.0]})
    with pytest.raises(ReportDisclosureError):
        check_table(long, 5)
    assert pd.isna(control_table(long, 5)["value"].iloc[0])


def test_chapters_are_pluggable(bundled_wh: Warehouse, tmp_path: Path) -> None:
    def effects(wh: Warehouse, params: object) -> Chapter:
        return make_chapter("effects_test", [make_result("did_estimate", synthetic=True)])

    register_chapter("effects_test", effects, order=40)
    try:
        assert "effects_test" in chapter_keys()
        with pytest.raises(KuvaInputError, match="already registered"):
            register_chapter("effects_test", lambda wh, p: None)
        out = build_report(bundled_wh, lang="en", out_dir=tmp_path, chapters=["effects_test"], pdf=False)
        assert "h2 Chapter effects_test (en)" in out.outline
        assert (tmp_path / "tables" / "did_estimate.csv").is_file()
    finally:
        unregister_chapter("effects_test")
    assert "effects_test" not in chapter_keys()
    with pytest.raises(KuvaLookupError, match="no report chapter"):
        build_report(bundled_wh, lang="en", out_dir=tmp_path, chapters=["effects_test"], pdf=False)


def test_bad_arguments(bundled_wh: Warehouse, tmp_path: Path, result_factory: Callable[..., AnalysisResult]) -> None:
    with pytest.raises(KuvaInputError, match="lang must be one of"):
        build_report(bundled_wh, lang="de", out_dir=tmp_path, chapters=[])  # type: ignore[arg-type]
    with pytest.raises(KuvaInputError, match="min_cell"):
        build_report(bundled_wh, lang="fi", out_dir=tmp_path, chapters=[], min_cell=0)
    dup = make_chapter("x", [result_factory("same"), result_factory("same")])
    with pytest.raises(KuvaInputError, match="share the key"):
        build_report(bundled_wh, lang="fi", out_dir=tmp_path, chapters=[dup], pdf=False)


def test_empty_report_still_renders(bundled_wh: Warehouse, tmp_path: Path) -> None:
    out = build_report(bundled_wh, lang="sv", out_dir=tmp_path, chapters=[])
    assert label("report.empty_report", "sv") in out.html.read_text(encoding="utf-8")
    assert out.pdf is not None and is_pdf(out.pdf.read_bytes()) and out.figures == 0


@pytest.mark.slow
def test_default_chapters_on_bundled_data(bundled_wh: Warehouse, tmp_path: Path) -> None:
    """The built-in chapters (the real analyses) render on the bundled StatFin warehouse."""
    out = build_report(bundled_wh, lang="fi", out_dir=tmp_path)
    assert out.pdf is not None and is_pdf(out.pdf.read_bytes())
    assert figure_count(out.pdf.read_bytes()) == out.figures
    page = _parse(out.html)
    assert not [u for u in page.urls if re.match(r"^(https?:)?//", u)]
    for path in (tmp_path / "tables").glob("*.csv"):
        check_table(pd.read_csv(path), 5, name=path.name)


def _unusual_count_result() -> AnalysisResult:
    """A result whose person-count column has a name no heuristic knows (``henkiloita``)."""
    table = pd.DataFrame({"group": ["pilot", "comparison", "nation"], "henkiloita": [3.0, 120.0, 4500.0],
                          "activation_rate": [41.5, 27.25, 30.75]})
    return AnalysisResult(key="unusual", title=lambda lang: "Unusual", table=table, figure=None,
                          text=lambda lang: "Unusual count column.", count_columns=("henkiloita",))


def _html_rows(html: str, key: str) -> list[list[str]]:
    article = re.search(rf'<article[^>]*data-result="{key}".*?</article>', html, re.S)
    assert article is not None
    body = re.search(r"<tbody>(.*?)</tbody>", article.group(0), re.S)
    assert body is not None
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def test_declared_count_column_is_suppressed_in_every_output(bundled_wh: Warehouse, tmp_path: Path) -> None:
    result = _unusual_count_result()
    # the name alone is not recognised: only the declaration protects this column
    check_table(result.table, 5)
    with pytest.raises(ReportDisclosureError, match="henkiloita"):
        check_table(result.table, 5, result.count_columns, name="unusual")

    out = build_report(bundled_wh, lang="en", out_dir=tmp_path, chapters=[make_chapter("one", [result])],
                       min_cell=5, pdf=False)
    rows = _html_rows(out.html.read_text(encoding="utf-8"), "unusual")
    assert len(rows) == 3
    assert rows[0][1:3] == ["–", "–"]  # the count and the rate derived from it
    assert rows[1][1] == "120" and rows[2][1] == "4,500"
    assert "3" not in {c for row in rows for c in row}

    csv = pd.read_csv(tmp_path / "tables" / "unusual.csv")
    assert csv["henkiloita"].isna().tolist() == [True, False, False]
    assert csv["activation_rate"].isna().tolist() == [True, False, False]
    assert csv["suppressed"].tolist() == [True, False, False]
    check_table(csv, 5, ("henkiloita",), name="unusual.csv")

    book = openpyxl.load_workbook(tmp_path / "tables" / "unusual.xlsx", read_only=True)
    sheet = book[book.sheetnames[0]]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    book.close()
    assert [v[1] for v in values] == [None, 120, 4500]
    assert not any(v == 3 for row in values for v in row)
    xlsx = pd.read_excel(tmp_path / "tables" / "unusual.xlsx")
    check_table(xlsx.set_axis(list(csv.columns), axis=1), 5, ("henkiloita",), name="unusual.xlsx")


def test_check_table_refuses_a_declared_count_that_slipped_through() -> None:
    frame = pd.DataFrame({"henkiloita": [120.0, 3.0], "suppressed": [False, False]})
    check_table(frame, 5)  # unknown name: the guess misses it ...
    with pytest.raises(ReportDisclosureError, match="'henkiloita'"):
        check_table(frame, 5, ("henkiloita",))  # ... the declaration does not
    with pytest.raises(ReportDisclosureError):
        check_table(frame.assign(henkiloita=[120.0, 10.0]), 11, ("henkiloita",))
    controlled = control_table(frame, 5, ("henkiloita",))
    assert controlled["henkiloita"].isna().tolist() == [False, True]
    assert controlled["suppressed"].tolist() == [False, True]
