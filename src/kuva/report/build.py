"""``build_report``: chapters of analysis results -> one self-contained HTML file, a PDF (Typst)
and every table as CSV and Excel.

The pipeline builds one language-specific document model (:class:`ReportDocument`, plain
JSON-ready data) and renders it twice: with the Jinja2 template
``templates/report.html.j2`` (figures inline as SVG, CSS inline, no external requests) and with
the Typst template ``templates/report.typ``, which reads the same model as JSON and the figures
as SVG files. Typst comes from the ``typst`` Python package, which bundles the compiler and the
fonts used (Libertinus Serif, DejaVu Sans Mono); nothing is downloaded at run time.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from kuva import __version__
from kuva.analysis.own_area import resolve_own_area
from kuva.analysis.result import AnalysisResult
from kuva.config import DEFAULT_MIN_CELL
from kuva.errors import KuvaError, KuvaInputError
from kuva.i18n import Lang, check_lang, has_label, label
from kuva.report.chapters import Chapter, ReportParams, resolve_chapters
from kuva.report.definitions import definitions_for
from kuva.report.figures import render_svg, svg_for_html
from kuva.report.names import code_name, column_label
from kuva.report.pdfinfo import page_count
from kuva.report.provenance import Provenance, read_provenance
from kuva.report.tables import (
    check_table,
    declared_count_columns,
    display_table,
    format_cell,
    format_number,
    publish_result,
    safe_name,
    write_table_files,
)
from kuva.warehouse import Warehouse

MAX_TABLE_ROWS = 40  #: rows of a table shown in the report; the files hold every row
MAX_KEY_NUMBERS = 6  #: key numbers per analysis in the summary


class ReportRenderError(KuvaError, RuntimeError):
    """The PDF could not be rendered (the message carries Typst's diagnostics)."""


@dataclass(frozen=True)
class ReportOutput:
    """What :func:`build_report` wrote."""

    html: Path
    pdf: Path | None  #: None when ``pdf=False``
    tables: tuple[Path, ...]  #: every CSV and Excel file, in report order
    outline: tuple[str, ...]  #: the section headings, e.g. ``("h1 Summary", "h2 ...")``
    figures: int  #: figures shown (each in the HTML and the PDF)
    pages: int | None  #: pages of the PDF
    synthetic: bool  #: some content rests on synthetic data
    timings: dict[str, float] = field(default_factory=dict)  #: seconds per stage


@dataclass
class ReportDocument:
    """The language-specific report content, shared by the HTML and PDF renderers."""

    data: dict[str, Any]  #: JSON-ready; read by both templates
    svgs: dict[str, str]  #: result key -> SVG text (no prolog)
    tables: list[Path]

    def outline(self) -> list[str]:
        """Headings in order, as ``"h<level> <text>"`` (the report's structure for snapshots)."""
        d = self.data
        lab = d["labels"]
        out = [f"h1 {d['title']}", f"h2 {lab['summary']}"]
        if d["definitions"]:
            out.append(f"h2 {lab['definitions']}")
        for ch in d["chapters"]:
            out.append(f"h2 {ch['title']}")
            out.extend(f"h3 {r['title']}" for r in ch["results"])
        out += [f"h2 {lab['provenance']}", f"h3 {lab['sources']}", f"h3 {lab['loads']}",
                f"h3 {lab['synthetic_items']}", f"h3 {lab['parameters']}"]
        return out


def _omitted_name(key: str, lang: str) -> str:
    """What the reader sees for a left-out analysis or chapter: its title, else its key."""
    for candidate in (f"title.{key}", f"report.chapter.{key}"):
        if has_label(candidate):
            return label(candidate, lang)
    return key


def _fmt_value(value: object, lang: str) -> str:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return format_number(float(value), lang)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return format_cell(date.fromisoformat(value), lang)
    return format_cell(value, lang)


def _wrap(s: str, every: int = 16) -> str:
    """Allow line breaks in long unbroken strings (checksums, paths) in the PDF."""
    s = s.replace("/", "/\u200b").replace("_", "_\u200b")
    return re.sub(rf"[^\s/_\u200b]{{{every}}}", lambda m: m.group(0) + "\u200b", s)


def _dt(v: datetime | date | None) -> str:
    if v is None:
        return "–"
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    return v.isoformat()


def _result_entry(
    result: AnalysisResult, lang: str, params: ReportParams, tables_dir: Path, out_dir: Path,
    number: int, svgs: dict[str, str], files: list[Path],
) -> dict[str, Any]:
    declared = declared_count_columns(result)
    published = publish_result(result, params.min_cell)
    controlled = published.frame
    check_table(controlled, params.min_cell, declared, name=result.key)
    csv_path, xlsx_path = write_table_files(controlled, result.key, lang, tables_dir, sidecar=published.sidecar)
    files += [csv_path, xlsx_path]
    disp = display_table(controlled, lang, MAX_TABLE_ROWS)
    rel_csv = csv_path.relative_to(out_dir).as_posix()
    svg = render_svg(result, lang)
    fig_file = None
    if svg is not None:
        svgs[result.key] = svg
        fig_file = f"fig/{safe_name(result.key)}.svg"
    note = ""
    if disp.total_rows > len(disp.rows):
        note = label("report.rows_shown", lang, shown=len(disp.rows), total=disp.total_rows, file=rel_csv)
    return {
        "key": result.key,
        "anchor": f"r-{safe_name(result.key)}",
        "number": number,
        "title": result.title(lang),
        "text": result.text(lang),
        "synthetic": bool(result.synthetic),
        "figure": fig_file,
        "table": {
            "headers": list(disp.headers),
            "rows": [list(r) for r in disp.rows],
            "numeric": list(disp.numeric),
            "total_rows": disp.total_rows,
            "note": note,
            "suppressed_note": label("report.suppressed_note", lang, min_cell=params.min_cell)
            if disp.has_suppressed else "",
        },
        "files": [rel_csv, xlsx_path.relative_to(out_dir).as_posix()],
        "numbers": [
            {"label": column_label(k, lang), "value": _fmt_value(v, lang)}
            for k, v in list(result.numbers.items()) if column_label(k, lang) != k and v == v and v != ""
        ][:MAX_KEY_NUMBERS],
        "sources": list(result.sources),
        "parameters": [{"name": _param_name(k, lang), "value": _param_value(str(v), lang)}
                       for k, v in result.parameters.items()],
    }


def _labels(lang: str) -> dict[str, str]:
    keys = ["title", "subtitle", "generated", "contents", "summary", "key_numbers", "definitions",
            "provenance", "sources", "loads", "parameters", "synthetic", "synthetic_note",
            "synthetic_items", "no_synthetic", "figure", "table", "table_files", "empty_chapter",
            "empty_report", "omitted", "source_id", "source_title", "publisher", "license", "kind",
            "is_synthetic", "used", "load_id", "location", "vintage", "retrieved_at", "loaded_at",
            "checksum", "rows", "yes", "no", "parameter", "value", "analysis", "term",
            "definition", "page", "footer"]
    return {k: label(f"report.{k}", lang) for k in keys}


def _stored_text(key: str, stored: str, lang: str) -> str:
    """A source's title or publisher in the report's language from the translation table (keyed by
    the source id or the stored publisher); the stored (English) text otherwise and in English."""
    return label(key, lang) if lang != "en" and has_label(key) else stored


def _provenance_data(prov: Provenance, lang: str) -> dict[str, Any]:
    yes, no = label("report.yes", lang), label("report.no", lang)
    return {
        "sources": [
            {"source_id": s.source_id, "title": _stored_text(f"source.{s.source_id}", s.title, lang),
             "publisher": _stored_text(f"publisher.{s.publisher}", s.publisher, lang), "license": s.license,
             "kind": s.kind, "synthetic": s.synthetic, "synthetic_text": yes if s.synthetic else no,
             "used": yes if s.used else no,
             "periods": f"{_dt(s.first_period)} – {_dt(s.last_period)}" if s.first_period else "–",
             "observations": format_number(float(s.observations), lang, 0)}
            for s in prov.sources
        ],
        "loads": [
            {"load_id": str(ld.load_id), "source_id": ld.source_id, "location": ld.location,
             "location_wrapped": _wrap(ld.location), "vintage": _dt(ld.vintage),
             "retrieved_at": _dt(ld.retrieved_at), "loaded_at": _dt(ld.loaded_at),
             "checksum": ld.checksum, "checksum_wrapped": _wrap(ld.checksum),
             "rows": format_number(float(ld.rows_in), lang, 0), "kuva_version": ld.kuva_version}
            for ld in prov.loads
        ],
    }


def build_document(
    wh: Warehouse, chapters: Sequence[Chapter], params: ReportParams, out_dir: Path,
    *, generated_at: datetime | None = None, chapter_keys: Sequence[str] = (),
) -> ReportDocument:
    """Render every result (tables controlled and written, figures to SVG) into the model."""
    lang = params.lang
    tables_dir = out_dir / "tables"
    svgs: dict[str, str] = {}
    files: list[Path] = []
    chapters_data: list[dict[str, Any]] = []
    seen: set[str] = set()
    all_results: list[AnalysisResult] = []
    number = 0
    for ch in chapters:
        entries = []
        for res in ch.results:
            if res.key in seen:
                raise KuvaInputError(f"two results share the key {res.key!r}; keys must be unique in a report")
            seen.add(res.key)
            number += 1
            entries.append(_result_entry(res, lang, params, tables_dir, out_dir, number, svgs, files))
            all_results.append(res)
        chapters_data.append({"key": ch.key, "anchor": f"c-{safe_name(ch.key)}", "title": ch.title(lang),
                              "intro": ch.intro(lang), "results": entries,
                              "omitted": [{"key": _omitted_name(k, lang), "reason": why} for k, why in ch.omitted]})
    used_sources = {s for r in all_results for s in r.sources}
    prov = read_provenance(wh, used_sources)
    synthetic_results = [r for r in all_results if r.synthetic]
    synthetic = bool(synthetic_results) or any(s.synthetic and s.used for s in prov.sources)

    def fmt_date(d: date | None) -> str:
        return d.isoformat() if d else label("report.all", lang)

    parameters = [
        {"name": label("report.param.lang", lang), "value": lang},
        {"name": label("report.param.start", lang), "value": fmt_date(params.start)},
        {"name": label("report.param.end", lang), "value": fmt_date(params.end)},
        {"name": label("report.param.areas", lang),
         "value": (", ".join(code_name(a, lang) or a for a in params.areas) if params.areas
                   else label("report.all", lang))},
        {"name": label("report.param.min_cell", lang), "value": str(params.min_cell)},
        {"name": label("report.param.chapters", lang),
         "value": ", ".join(chapter_keys or [c.key for c in chapters]) or "–"},
        {"name": label("report.param.warehouse", lang), "value": wh.path.name},
        {"name": label("report.param.kuva_version", lang), "value": __version__},
    ]
    analysis_parameters = [
        {"analysis": e["title"], "name": p["name"], "value": p["value"]}
        for ch in chapters_data for e in ch["results"] for p in e["parameters"]
    ]
    data: dict[str, Any] = {
        "lang": lang,
        "title": label("report.title", lang) + (f": {params.area.name(lang)}" if params.area else ""),
        "subtitle": label("report.subtitle", lang),
        "generated": (generated_at or datetime.now()).strftime("%Y-%m-%d %H:%M"),
        "labels": _labels(lang),
        "synthetic": synthetic,
        "summary": [
            {"key": e["key"], "anchor": e["anchor"], "title": e["title"], "text": e["text"],
             "synthetic": e["synthetic"], "numbers": e["numbers"]}
            for ch in chapters_data for e in ch["results"]
        ],
        "definitions": definitions_for(all_results, lang),
        "chapters": chapters_data,
        "provenance": _provenance_data(prov, lang),
        "synthetic_items": [
            {"anchor": e["anchor"], "number": e["number"], "title": e["title"]}
            for ch in chapters_data for e in ch["results"] if e["synthetic"]
        ],
        "parameters": parameters,
        "analysis_parameters": analysis_parameters,
        "min_cell": params.min_cell,
    }
    return ReportDocument(data=data, svgs=svgs, tables=files)


def render_html(doc: ReportDocument) -> str:
    """The report as one self-contained HTML page."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kuva.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    css = resources.files("kuva.report").joinpath("templates", "report.css").read_text(encoding="utf-8")
    svgs = {k: svg_for_html(v, f"f{i}") for i, (k, v) in enumerate(doc.svgs.items(), start=1)}
    return env.get_template("report.html.j2").render(d=doc.data, svgs=svgs, css=css)


def render_pdf(doc: ReportDocument) -> bytes:
    """The report as PDF bytes, compiled by the bundled Typst with its bundled fonts only."""
    import typst

    template = resources.files("kuva.report").joinpath("templates", "report.typ").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="kuva-report-") as tmp:
        root = Path(tmp)
        (root / "fig").mkdir()
        for key, svg in doc.svgs.items():
            (root / "fig" / f"{safe_name(key)}.svg").write_text(svg, encoding="utf-8")
        (root / "report.json").write_text(json.dumps(doc.data, ensure_ascii=False), encoding="utf-8")
        (root / "report.typ").write_text(template, encoding="utf-8")
        try:
            pdf: bytes = typst.compile(
                str(root / "report.typ"), root=str(root), format="pdf", ignore_system_fonts=True, font_paths=[],
            )
        except Exception as exc:  # typst raises its own TypstError with the diagnostics
            raise ReportRenderError(f"Typst could not render the PDF: {exc}") from exc
    return pdf


def _param_name(key: str, lang: str) -> str:
    return label(f"report.param.{key}", lang) if has_label(f"report.param.{key}") else column_label(key, lang)


def _param_value(value: str, lang: str) -> str:
    """A parameter value as shown: a label key translated, a code named, else the value."""
    if has_label(value):
        return label(value, lang)
    return code_name(value, lang) or value


def _check_period(wh: Warehouse, start: date | None, end: date | None) -> None:
    """Refuse a window with no monthly data, naming the months the warehouse has."""
    import pandas as pd

    if start is None and end is None:
        return
    o = wh.table("observations")
    row = o.filter(o.frequency == "M").aggregate(first=o.period.min(), last=o.period.max()).to_pandas()
    first, last = row["first"].iloc[0], row["last"].iloc[0]
    if first is None or first != first:  # no monthly data at all: the chapters say so
        return
    first, last = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    if (start is not None and start > last) or (end is not None and end < first):
        window = f"{start:%Y-%m}" if start else "…"
        window += f"–{end:%Y-%m}" if end else " on"
        raise KuvaInputError(f"no data in {window}; the warehouse has months {first:%Y-%m}–{last:%Y-%m}")


def build_report(
    wh: Warehouse,
    *,
    lang: Lang,
    out_dir: Path,
    start: date | None = None,
    end: date | None = None,
    areas: Sequence[str] | None = None,
    min_cell: int = DEFAULT_MIN_CELL,
    chapters: Sequence[Chapter | str] | None = None,
    pdf: bool = True,
    pilots_csv: Path | None = None,
    area: str | None = None,
    peers: Sequence[str] | None = None,
    on_stage: Callable[[str], None] | None = None,
    reference_months: Sequence[date] | None = None,
    measures: Any = None,
) -> ReportOutput:
    """Write ``report.html``, ``report.pdf`` and ``tables/*.csv|xlsx`` for ``lang`` into ``out_dir``.

    ``chapters`` is ``None`` (every registered chapter, see :mod:`kuva.report.chapters`) or a
    sequence of chapter keys and/or :class:`Chapter` objects. ``start``/``end``/``areas``
    restrict the analyses; ``min_cell`` is the smallest person count shown; ``pilots_csv`` is
    the pilot list of the settings (``KUVA_PILOTS_CSV``; default the bundled one). ``area`` makes
    the report for one area (any municipality, sub-region, region, pilot area or custom area; its
    chapter comes first and the title names it), against ``peers`` (default: see
    :mod:`kuva.analysis.own_area`). ``reference_months`` are the two months the comparing analyses
    compare (the seed's 10/2019 and 10/2021 by default). ``on_stage`` hears each stage as it starts
    (``chapter <key>``, ``document``, ``html``, ``pdf``). ``measures`` is where the service-process
    and benchmark chapters read their measures (``--engine``: the warehouse's tables on Spark or
    PostgreSQL, :func:`kuva.warehouse.engines.open_engine`); by default the warehouse itself.
    """
    import time

    lang = check_lang(lang, name="lang")
    if min_cell < 1:
        raise KuvaInputError(f"min_cell must be at least 1, got {min_cell}")
    if start is not None and end is not None and start > end:
        raise KuvaInputError(f"start {start} is after end {end}")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise KuvaInputError(f"--out {out_dir} is a file, not a folder; name a folder for the report")
    _check_period(wh, start, end)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables_dir = out_dir / "tables"
    if tables_dir.exists():
        shutil.rmtree(tables_dir)
    if peers and area is None:
        raise KuvaInputError("--peers needs --area")
    months: tuple[date, date] | None = None
    if reference_months:
        if len(reference_months) != 2 or reference_months[0] >= reference_months[1]:
            given = [f"{m:%Y-%m}" for m in reference_months]
            raise KuvaInputError("--reference-month: give two months, the earlier first (e.g. --reference-month "
                                 f"2019-10 --reference-month 2021-10); got {given}")
        months = (reference_months[0], reference_months[1])
    own = resolve_own_area(wh, area, peers) if area is not None else None
    params = ReportParams(lang=lang, start=start, end=end, areas=tuple(areas) if areas is not None else None,
                          min_cell=min_cell, pilots_csv=pilots_csv, area=own, reference_months=months,
                          measures=measures)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    stage = on_stage or (lambda _name: None)
    resolved = resolve_chapters(wh, params, chapters, on_stage=stage)
    timings["analyses"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    keys = [c if isinstance(c, str) else c.key for c in chapters] if chapters is not None else []
    stage("document")
    doc = build_document(wh, resolved, params, out_dir, chapter_keys=keys or [c.key for c in resolved])
    timings["document"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    stage("html")
    html_path = out_dir / "report.html"
    html_path.write_text(render_html(doc), encoding="utf-8")
    timings["html"] = time.perf_counter() - t0
    pdf_path: Path | None = None
    pages: int | None = None
    if pdf:
        t0 = time.perf_counter()
        stage("pdf")
        pdf_bytes = render_pdf(doc)
        pdf_path = out_dir / "report.pdf"
        pdf_path.write_bytes(pdf_bytes)
        pages = page_count(pdf_bytes)
        timings["pdf"] = time.perf_counter() - t0
    return ReportOutput(
        html=html_path, pdf=pdf_path, tables=tuple(doc.tables), outline=tuple(doc.outline()),
        figures=len(doc.svgs), pages=pages, synthetic=bool(doc.data["synthetic"]), timings=timings,
    )
