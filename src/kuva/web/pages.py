"""Server-rendered pages (Jinja2): Finland now, an area page and an indicator page, in Finnish,
Swedish or English (``?lang=``). Charts are drawn on the server as inline SVG, so the pages
need no JavaScript and fetch nothing from outside (a closed government network works); every
figure passes the disclosure engine as ``kuva query`` does.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from kuva.analysis.own_area import (
    OwnArea,
    own_area_paths,
    own_area_service_mix,
    peer_list,
    peer_names,
    resolve_own_area,
)
from kuva.config import load_settings
from kuva.errors import KuvaInputError
from kuva.i18n import check_lang, fmt_number, has_label, label
from kuva.registry import area_registry
from kuva.registry import measures as load_measures
from kuva.registry.measures import measure as lookup_measure
from kuva.registry.pilots import DEFAULT_PROGRAMME, EMPLOYMENT_AREAS
from kuva.warehouse import Warehouse, stored_memberships
from kuva.web.data import allowed_areas, measures_engine, protected_observations
from kuva.web.security import RANK, principal_of

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from kuva.analysis.result import AnalysisResult
    from kuva.report.chapters import ChapterBuilder

router = APIRouter()
LANGUAGES = (("fi", "suomi"), ("sv", "svenska"), ("en", "English"))
HOME_MEASURES = ("TYOTTOMATLOPUSSA", "AKTASTE", "AVPAIKATLOPUSSA")
AREA_MEASURES = ("TYOTTOMATLOPUSSA", "AVPAIKATLOPUSSA")


def page_lang(request: Request) -> str:
    return check_lang(request.query_params.get("lang", "fi"), name="lang")


def language_links(request: Request) -> dict[str, str]:
    """The query string of this page in each language: the same page with the same choices (a
    table's measures and areas, a map's month, where to go after signing in), only ``lang``
    changed."""
    from urllib.parse import urlencode

    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return {code: urlencode([*kept, ("lang", code)]) for code, _ in LANGUAGES}


def render(request: Request, template: str, lang: str, title: str, sources: str, **ctx: Any) -> HTMLResponse:
    env = request.app.state.templates
    session = getattr(request.state, "session", None)
    html = env.get_template(template).render(lang=lang, title=title, languages=LANGUAGES, sources=sources,
                                             t=lambda key, **kw: label(key, lang, **kw),
                                             who=principal_of(request), csrf=session.csrf if session else None,
                                             lang_links=language_links(request), **ctx)
    return HTMLResponse(html)


def _protected(wh: Warehouse, measures: list[str], areas: list[str], start: date) -> pd.DataFrame:
    p, _ = protected_observations(wh, measures, areas, start, None, name="page")
    return p.frame


def _svg(series: pd.DataFrame, title: str, alt: str) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 2.8), layout="constrained")
    ax = fig.subplots()
    ax.plot(pd.to_datetime(series["period"]), series["value"], color="#0b4f8a", linewidth=1.6)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    return f'<div role="img" aria-label="{alt}">{svg}</div>'


def _fmt(v: object, lang: str, unit: str) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "–"
    return fmt_number(float(v), lang, 1 if unit == "percent" else 0)  # type: ignore[arg-type]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    lang = page_lang(request)
    with Warehouse(request.app.state.warehouse, read_only=True) as wh:
        t = wh.table("observations")
        last = t.filter(t.area_code == "SSS").filter(t.measure == "TYOTTOMATLOPUSSA").period.max().to_pandas()
        end = pd.Timestamp(last).date() if last is not None else date.today()
        start = date(end.year - 3, end.month, 1)
        df = _protected(wh, list(HOME_MEASURES), ["SSS"], start)
        paths = _pilot_paths(wh, lang)
        area_lists = _area_lists(wh, lang)
    cards, charts = [], []
    sources = sorted(set(df["source_id"] if len(df) else ()) | set(paths["sources"] if paths else ()))
    for code in HOME_MEASURES:
        m = lookup_measure(code)
        s = df[df["measure"] == code].sort_values("period") if len(df) else df
        if s.empty:
            continue
        latest = s.iloc[-1]
        when: date = latest["period"]
        year_ago = s[s["period"] == date(when.year - 1, when.month, 1)]
        change = (float(latest["value"]) - float(year_ago["value"].iloc[0])) if len(year_ago) else None
        cards.append({"code": code, "name": m.name(lang), "value": _fmt(latest["value"], lang, m.unit),
                      "change": _fmt(change, lang, m.unit),
                      "synthetic": str(latest["source_id"]).startswith("synthetic:")})
        alt = label("web.chart_alt", lang, name=m.name(lang), area=label("web.nation", lang))
        charts.append({"svg": _svg(s, m.name(lang), alt), "caption": f"{m.name(lang)} — {label('web.nation', lang)}"})
    month = f"{end.month}/{end.year}"
    return render(request, "home.html", lang, label("web.finland_now", lang), ", ".join(sources), cards=cards,
                   charts=charts, area_lists=area_lists, month=month, sections=[paths] if paths else [])


def _area_lists(wh: Warehouse, lang: str) -> list[dict[str, Any]]:
    """The home page's links: the regions, the 2021–2024 pilot areas and the 2025 employment areas
    as loaded, each by the name that finds it (``pilot:helsinki``, not the municipality)."""
    regions = [{"ref": a.code, "name": a.name(lang)} for a in area_registry().areas("region")]
    lists = [{"id": "regions", "title": label("web.regions", lang), "areas": regions}]
    for key, kind, programme in (("pilot_areas", "pilot", DEFAULT_PROGRAMME),
                                 ("employment_areas", "employment", EMPLOYMENT_AREAS)):
        sm = stored_memberships(wh, programme)[["area_code", "area_name"]].drop_duplicates("area_code")
        areas = [{"ref": f"{kind}:{c}", "name": n} for c, n in sorted(zip(sm["area_code"], sm["area_name"],
                                                                          strict=True), key=lambda x: x[1])]
        if areas:
            lists.append({"id": key, "title": label(f"web.{key}", lang), "areas": areas})
    return lists


def _pilot_paths(wh: Warehouse, lang: str) -> dict[str, Any] | None:
    """The 2021–2024 pilot municipalities against the comparison municipalities and the nation by
    month (the report's ``monthly_paths``); none when the warehouse cannot make it."""
    from kuva.analysis.paths import monthly_paths

    try:
        return result_section(monthly_paths(wh, min_cell=load_settings().min_cell), lang)
    except KuvaInputError:
        return None


def _figure_svg(fig: Figure, alt: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    return f'<div role="img" aria-label="{alt}">{svg[svg.index("<svg"):]}</div>'


def _comparison(wh: Warehouse, code: str, lang: str) -> tuple[OwnArea, dict[str, Any] | None]:
    """The area (any registry, pilot, employment or custom area) and its comparison with its
    peers and the nation (:func:`kuva.analysis.own_area.own_area_paths`, disclosure-controlled)."""
    area = resolve_own_area(wh, code)
    try:
        r = own_area_paths(wh, area, min_cell=load_settings().min_cell)
    except KuvaInputError:
        return area, None
    peers = peer_list(area)
    names = peer_names(wh, area, lang)
    return area, {"svg": _figure_svg(r.figure(lang), r.title(lang)) if r.figure else "", "title": r.title(lang),
                  "text": r.text(lang), "peers_text": peers.text(lang), "peers": names, "synthetic": r.synthetic,
                  "sources": ", ".join(r.sources)}


def result_section(r: AnalysisResult, lang: str) -> dict[str, Any]:
    """An analysis result as a page section: title, figure, paragraph, synthetic flag, sources."""
    title = r.title(lang)
    return {"title": title, "svg": _figure_svg(r.figure(lang), title) if r.figure is not None else "",
            "text": r.text(lang), "synthetic": r.synthetic, "sources": r.sources}


def _service_mix(wh: Warehouse, own: OwnArea, lang: str) -> dict[str, Any] | None:
    """The area's service mix against its peers and the nation (none without service counts)."""
    try:
        return result_section(own_area_service_mix(wh, own, min_cell=load_settings().min_cell), lang)
    except KuvaInputError:
        return None


@router.get("/area/{code}", response_class=HTMLResponse, include_in_schema=False)
def area_page(request: Request, code: str) -> HTMLResponse:
    lang = page_lang(request)
    with Warehouse(request.app.state.warehouse, read_only=True) as wh:
        own, comparison = _comparison(wh, code, lang)
        mix = _service_mix(wh, own, lang)
        effect = _pilot_area_effect(wh, own, lang)
        wellbeing = _wellbeing_sections(request, wh, own, lang)
        registry = area_registry()
        area = registry.area(own.code) if registry.is_known(own.code) else None
        df = pd.DataFrame()
        if area is not None:
            t = wh.table("observations")
            last = t.filter(t.area_code == area.code).period.max().to_pandas()
            end = pd.Timestamp(last).date() if last is not None else date.today()
            df = _protected(wh, list(AREA_MEASURES), [area.code], date(end.year - 2, end.month, 1))
        sees = _sees_process(request, own)
        process_link = f"/area/{own.ref}/process?lang={lang}" if sees else None
        person_link = f"/area/{own.ref}/person?lang={lang}" if sees else None
    charts, rows = [], []
    if len(df):
        for code in AREA_MEASURES:
            s = df[df["measure"] == code].sort_values("period")
            if len(s):
                m = lookup_measure(code)
                alt = label("web.chart_alt", lang, name=m.name(lang), area=own.name(lang))
                charts.append({"svg": _svg(s, m.name(lang), alt), "caption": f"{m.name(lang)} — {own.name(lang)}"})
        ordered = df.sort_values(["measure", "period"], ascending=[True, False])
        for code, when, value in zip(ordered["measure"], ordered["period"], ordered["value"], strict=True):
            m = lookup_measure(str(code))
            rows.append([m.name(lang), f"{when.month}/{when.year}", _fmt(value, lang, m.unit)])
    header = [label("web.indicator", lang), label("web.month", lang), label("web.value", lang)]
    shown = [s for s in (mix, effect) if s]
    extra = {src for sec in shown + wellbeing for src in sec["sources"]}
    given = set(df["source_id"]) if len(df) else {x for x in (comparison or {}).get("sources", "").split(", ") if x}
    sources = ", ".join(sorted(given | extra))
    synthetic = bool(len(df)) and df["source_id"].astype(str).str.startswith("synthetic:").any()
    return render(request, "area.html", lang, own.name(lang), sources, charts=charts, rows=rows, header=header,
                   caption=f"{label('web.indicators', lang)} — {own.name(lang)}", comparison=comparison,
                   note=None if rows or comparison else label("web.no_data", lang), synthetic=synthetic,
                   process_link=process_link, person_link=person_link, sections=shown + wellbeing)


def _pilot_area_effect(wh: Warehouse, own: OwnArea, lang: str) -> dict[str, Any] | None:
    """A pilot area's synthetic control on the activation rate (area aggregates; none for other
    areas or without municipal service counts)."""
    from kuva.errors import KuvaError
    from kuva.report.builtin import SERVICE_COUNTS
    from kuva.report.effects_chapter import pilot_area_synth

    if own.kind != "pilot_area" or not SERVICE_COUNTS.met(wh):
        return None
    try:
        return result_section(pilot_area_synth(wh, own, pilots_csv=load_settings().pilots_csv), lang)
    except KuvaError:
        return None


def _sees_process(request: Request, own: OwnArea) -> bool:
    """An analyst whose scope holds the area: a ministry analyst anywhere, an area analyst in
    their own area (or one of its municipalities)."""
    allowed = allowed_areas(request)
    return RANK[principal_of(request).role] >= RANK["analyst"] and (allowed is None or own.ref in allowed)


@router.get("/area/{code}/process", response_class=HTMLResponse, include_in_schema=False)
def area_process_page(request: Request, code: str) -> HTMLResponse:
    """The area's service process for analysts: the report's process chapter for the area against
    the whole country (milestone compliance, plan debt, referral routes), through the disclosure
    engine. An area analyst sees their own area only."""
    from kuva.report.process_chapter import process_chapter

    return _chapter_page(request, code, process_chapter, "report.chapter.process")


@router.get("/area/{code}/person", response_class=HTMLResponse, include_in_schema=False)
def area_person_page(request: Request, code: str) -> HTMLResponse:
    """Person-level effects for analysts: the report's person chapter for the area's clients (time
    to exit to work, the services' effect) and, for a pilot area, the pilots' effect on exits to
    work against the non-pilot municipalities, through the disclosure engine; what the log cannot
    give is listed with the reason. An area analyst sees their own area only."""
    from kuva.report.person_chapter import person_chapter

    return _chapter_page(request, code, person_chapter, "report.chapter.person")


def _chapter_page(request: Request, code: str, builder: ChapterBuilder, title_key: str) -> HTMLResponse:
    """A report chapter built for the area as an analyst's page (``process.html``): its figures
    and texts, the analyses left out with their reasons, the disclosure counts in the audit
    trail."""
    from kuva.report.chapters import ReportParams

    lang = page_lang(request)
    with Warehouse(request.app.state.warehouse, read_only=True) as wh, measures_engine(request, wh) as measures:
        own = resolve_own_area(wh, code)
        if not _sees_process(request, own):
            raise HTTPException(403, "an area analyst sees the client-level results of their own area only")
        params = ReportParams(lang=check_lang(lang, name="lang"), area=own, min_cell=load_settings().min_cell,
                              measures=measures)
        chapter = builder(wh, params)
    sections: list[dict[str, Any]] = []
    omitted: list[str] = []
    if chapter is not None:
        record_cells(request, chapter.results)
        sections = [result_section(r, params.lang) for r in chapter.results]
        omitted = [f"{label(f'title.{k}', lang) if has_label(f'title.{k}') else k}: {why}"
                   for k, why in chapter.omitted]
    title = f"{label(title_key, lang)} — {own.name(lang)}"
    sources = ", ".join(sorted({src for r in sections for src in r["sources"]}))
    return render(request, "process.html", lang, title, sources, sections=sections, area=own.ref, omitted=omitted,
                  note=None if sections else label("web.no_data", lang))


def record_cells(request: Request, results: Sequence[AnalysisResult]) -> None:
    """Add the results' confidential and hidden cells to the request's audit record."""
    notes = [r.disclosure.note for r in results if r.disclosure is not None]
    cells = getattr(request.state, "cells", {})
    request.state.cells = {"confidential": cells.get("confidential", 0) + sum(n.confidential_cells for n in notes),
                           "hidden": cells.get("hidden", 0) + sum(n.hidden_cells for n in notes)}


#: the Kykyviisari results a pilot area's page shows (the report chapter has all of them)
WELLBEING_ON_AREA_PAGE: tuple[str, ...] = ("kykyviisari_score_means", "kykyviisari_change")


def _wellbeing_sections(request: Request, wh: Warehouse, own: OwnArea, lang: str) -> list[dict[str, Any]]:
    """A pilot area's Kykyviisari summary against the comparison area and all respondents (none
    for other areas or without answers), through the disclosure engine; the cells go to the audit
    trail."""
    from kuva.wellbeing.analyses import wellbeing_summary
    from kuva.wellbeing.data import wellbeing_data

    if own.kind != "pilot_area" or len(wellbeing_data(wh).answers) == 0:
        return []
    results = wellbeing_summary(wh, areas=[own.code], min_cell=load_settings().min_cell)
    record_cells(request, results)
    return [result_section(r, lang) for r in results if r.key in WELLBEING_ON_AREA_PAGE]


@router.get("/indicator/{code}", response_class=HTMLResponse, include_in_schema=False)
def indicator_page(request: Request, code: str) -> HTMLResponse:
    lang = page_lang(request)
    m = lookup_measure(code)
    key = f"definition.measure.{m.code}"
    definition = label(key, lang) if has_label(key) else m.definition
    return render(request, "indicator.html", lang, m.name(lang), m.table, m=m, definition=definition)


# -- the table builder ----------------------------------------------------------------------------
TABLE_COLUMNS = ("area", "period", "measure", "value", "source_id", "suppressed")


def _table_query(request: Request) -> tuple[list[str], list[str], date | None, date | None]:
    q = request.query_params
    measures = [m for m in q.getlist("measure") if m] or ["TYOTTOMATLOPUSSA"]
    areas = [a.strip() for value in q.getlist("area") for a in value.split(",") if a.strip()] or ["SSS"]
    return measures, areas, _month(q.get("from")), _month(q.get("to"))


def _month(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text)
    except ValueError:
        raise KuvaInputError(f"expected a month YYYY-MM, got {text!r}") from None


def _table_frame(request: Request, lang: str) -> tuple[pd.DataFrame, int]:
    """The protected table of the request's measures × areas × months, names in ``lang``."""
    measures, areas, start, end = _table_query(request)
    with Warehouse(request.app.state.warehouse, read_only=True) as wh:
        p, _ = protected_observations(wh, measures, areas, start, end, name="table_builder")
    f = p.frame
    reg = area_registry()
    out = pd.DataFrame({
        "area": [reg.area(str(a)).name(lang) for a in f["area_code"]],
        "period": [f"{d:%Y-%m}" for d in pd.to_datetime(f["period"])],
        "measure": [lookup_measure(str(m)).name(lang) for m in f["measure"]],
        "value": f["value"], "source_id": f["source_id"],
        "suppressed": f["suppressed"] if "suppressed" in f.columns else False,
    })
    return out, p.note.hidden_cells + p.note.hidden_derived


@router.get("/table", response_class=HTMLResponse, include_in_schema=False)
def table_page(request: Request) -> HTMLResponse:
    """The table builder: measures × areas × months, disclosure-controlled, with CSV and Excel
    downloads of exactly what is shown."""
    lang = page_lang(request)
    measures, areas, start, end = _table_query(request)
    frame, hidden = _table_frame(request, lang)
    note = label("web.table.hidden_cells", lang, n=str(hidden))
    options = [{"code": m.code, "name": m.name(lang), "selected": m.code in measures}
               for m in sorted(load_measures().values(), key=lambda m: m.name(lang))]
    query = request.url.query
    header = [label(f"web.table.{'measure_col' if c == 'measure' else c}", lang) for c in TABLE_COLUMNS]
    rows = [[r.area, r.period, r.measure, _fmt(r.value, lang, ""), r.source_id,
             label("report.yes" if r.suppressed else "report.no", lang)] for r in frame.itertuples(index=False)]
    synthetic = bool(frame["source_id"].astype(str).str.startswith("synthetic:").any())
    return render(request, "table.html", lang, label("web.table.title", lang), ", ".join(sorted(set(frame.source_id))),
                   options=options, areas=", ".join(areas), start=f"{start:%Y-%m}" if start else "",
                   end=f"{end:%Y-%m}" if end else "", header=header, rows=rows, note=note, synthetic=synthetic,
                   csv_url=f"/table.csv?{query}", xlsx_url=f"/table.xlsx?{query}")


@router.get("/table.csv", include_in_schema=False)
def table_csv(request: Request) -> Response:
    frame, _ = _table_frame(request, page_lang(request))
    return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="kuva-table.csv"'})


@router.get("/table.xlsx", include_in_schema=False)
def table_xlsx(request: Request) -> Response:
    lang = page_lang(request)
    frame, hidden = _table_frame(request, lang)
    note = label("web.table.hidden_cells", lang, n=str(hidden))
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name="KuVa")
        pd.DataFrame({"note": [note]}).to_excel(writer, index=False, sheet_name="disclosure")
    return Response(buf.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="kuva-table.xlsx"'})


# -- the map ------------------------------------------------------------------------------------
MAP_DEFAULT = "AKTASTE"


def _municipal_measures(wh: Warehouse) -> pd.DataFrame:
    """Measures with municipal values: ``measure`` and its latest ``period``."""
    t = wh.table("observations")
    t = t.filter(t.area_code.startswith("KU") & (t.breakdown == ""))
    out: pd.DataFrame = t.group_by("measure").aggregate(period=t.period.max()).to_pandas()
    return out


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request) -> HTMLResponse:
    """A choropleth of any measure with municipal values and any month (default: the activation
    rate in its latest month), drawn on the server; the data table below it is the text
    alternative. Values pass the disclosure engine; a hidden or missing one is drawn as such."""
    from kuva.web.maps import choropleth_svg

    lang = page_lang(request)
    q = request.query_params
    with Warehouse(request.app.state.warehouse, read_only=True) as wh:
        have = _municipal_measures(wh)
        available = set(have["measure"])
        code = lookup_measure(q.get("measure") or (MAP_DEFAULT if MAP_DEFAULT in available else
                                                    sorted(available)[0] if available else MAP_DEFAULT)).code
        if code not in available:
            raise KuvaInputError(f"{code} has no municipal values in this warehouse")
        latest = pd.Timestamp(have.loc[have["measure"] == code, "period"].iloc[0]).date()
        month = _month(q.get("month")) or latest
        munis = [m.code for m in area_registry().municipalities()]
        p, _ = protected_observations(wh, [code], munis, month, month, name="map")
    m = lookup_measure(code)
    f = p.frame
    values: dict[str, float | None] = {
        str(c): (None if pd.isna(v) else float(v)) for c, v in zip(f["area_code"], f["value"], strict=True)}
    reg = area_registry()
    names = {c: reg.area(c).name(lang) for c in munis}
    no_data = label("web.map.no_data", lang)
    title = f"{m.name(lang)}, {month.month}/{month.year}"
    svg, legend = choropleth_svg(values, names, lambda v: _fmt(v, lang, m.unit), title, no_data)
    rows = sorted(((names[c], _fmt(values.get(c), lang, m.unit) if values.get(c) is not None else no_data)
                   for c in munis), key=lambda r: r[0])
    options = [{"code": c, "name": lookup_measure(c).name(lang), "selected": c == code}
               for c in sorted(available, key=lambda c: lookup_measure(c).name(lang))]
    sources = sorted(set(f["source_id"].dropna().astype(str))) if len(f) else []
    return render(request, "map.html", lang, label("web.map.title", lang), ", ".join(sources), svg=svg,
                   legend=legend, rows=rows, options=options, month=f"{month:%Y-%m}", caption=title,
                   shown=sum(v is not None for v in values.values()), total=len(munis),
                   synthetic=any(s.startswith("synthetic:") for s in sources))


__all__ = ["LANGUAGES", "language_links", "page_lang", "render", "router"]
