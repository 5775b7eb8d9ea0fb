"""Report pages: an analyst makes the area report (``kuva report --area``) in the browser and
downloads it as one self-contained HTML file or a PDF. The report is built by the same code as on
the command line, so every figure passes the same disclosure engine; an area analyst can make it
for their own area only. One report is built at a time per server (the others wait), so a few
clicks cannot take all of a small server's cores.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from kuva.config import load_settings
from kuva.errors import KuvaInputError
from kuva.i18n import check_lang, label
from kuva.warehouse import Warehouse
from kuva.web.data import allowed_areas
from kuva.web.pages import page_lang, render

router = APIRouter()

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
_building = threading.Lock()


def _chapters(request: Request) -> list[str]:
    from kuva.report.chapters import chapter_keys

    known = chapter_keys()
    asked = request.query_params.getlist("chapter") or known
    unknown = [c for c in asked if c not in known]
    if unknown:
        raise KuvaInputError(f"chapter: unknown {unknown}; chapters: {known}")
    return asked


@router.get("/report", response_class=HTMLResponse, include_in_schema=False)
def report_page(request: Request) -> HTMLResponse:
    """The form: area, language, format and chapters."""
    from kuva.report.chapters import registered_chapters

    lang = page_lang(request)
    chosen = set(_chapters(request))
    chapters = [{"key": e.key, "name": label(e.label_key or f"report.chapter.{e.key}", lang),
                 "checked": e.key in chosen} for e in registered_chapters()]
    who_area = request.state.principal.area
    return render(request, "report.html", lang, label("web.report.title", lang), "KuVa",
                   area=request.query_params.get("area", who_area or ""), chapters=chapters,
                   formats=list(FORMATS), report_lang=request.query_params.get("report_lang", lang))


@router.get("/report/download", include_in_schema=False)
def report_download(request: Request) -> Response:
    """Build the report for ``area`` in ``report_lang`` and send it as ``format`` (html or pdf)."""
    from kuva.analysis.own_area import resolve_own_area
    from kuva.report import build_report

    q = request.query_params
    fmt = q.get("format", "pdf")
    if fmt not in FORMATS:
        raise KuvaInputError(f"format: html or pdf, got {fmt!r}")
    lang = check_lang(q.get("report_lang", q.get("lang", "fi")), name="report_lang")
    chapters = _chapters(request)
    area = (q.get("area") or "").strip() or None
    settings = load_settings()
    with Warehouse(request.app.state.warehouse, read_only=True) as wh:
        own = resolve_own_area(wh, area) if area else None
        allowed = allowed_areas(request)
        if allowed is not None and (own is None or own.ref not in allowed):
            raise HTTPException(403, "an area analyst makes reports for their own area only (area=)")
        with _building, tempfile.TemporaryDirectory(prefix="kuva-report-") as tmp:
            out = build_report(wh, lang=lang, out_dir=Path(tmp), chapters=chapters, pdf=fmt == "pdf",
                               min_cell=settings.min_cell, pilots_csv=settings.pilots_csv,
                               area=own.ref if own else None)
            path = out.pdf if fmt == "pdf" and out.pdf is not None else out.html
            body = path.read_bytes()
    name = f"kuva-report-{own.code if own else 'finland'}-{lang}.{fmt}"
    return Response(body, media_type=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-KuVa-Synthetic": "yes" if out.synthetic else "no"})


__all__ = ["FORMATS", "report_download", "report_page", "router"]
