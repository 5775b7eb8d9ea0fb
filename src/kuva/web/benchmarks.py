"""The benchmark page: the areas' actual against expected outcome, the rank intervals and the
model (the report's "Vertailu" chapter, :func:`kuva.report.process_chapter.benchmark_results`),
for an outcome and a level chosen on the page. A ministry analyst sees every area; an area
analyst sees only their own area's row (as in the API), since the figures show every area.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kuva.benchmark.run import OUTCOMES, parse_period
from kuva.config import load_settings
from kuva.errors import KuvaInputError
from kuva.i18n import fmt_number, label
from kuva.warehouse import Warehouse
from kuva.web.data import allowed_areas
from kuva.web.pages import page_lang, record_cells, render, result_section

router = APIRouter()


def _choice(request: Request, name: str, choices: tuple[str, ...], default: str) -> str:
    value = request.query_params.get(name, default)
    if value not in choices:
        raise KuvaInputError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def _num(v: object, lang: str, *, signed: bool = False) -> str:
    """A figure with one decimal, or "–" where the engine hid it."""
    x = float(v) if isinstance(v, int | float) else math.nan
    return "–" if math.isnan(x) else fmt_number(x, lang, 1, signed=signed)


@router.get("/benchmark", response_class=HTMLResponse, include_in_schema=False)
def benchmark_page(request: Request) -> HTMLResponse:
    from kuva.report.process_chapter import BENCHMARK_LEVELS, benchmark_results

    lang = page_lang(request)
    outcome = _choice(request, "outcome", OUTCOMES, "activation_rate")
    level = _choice(request, "level", BENCHMARK_LEVELS, "pilot_area")
    period_text = (request.query_params.get("period") or "").strip()
    start, months = parse_period(period_text) or (None, 1)
    with Warehouse(request.app.state.warehouse, read_only=True) as wh:
        results = benchmark_results(wh, period=start, outcome=outcome, level=level,
                                    min_cell=load_settings().min_cell, months=months)
    record_cells(request, results)
    allowed = allowed_areas(request)
    ranking = results[0]
    own: list[list[str]] = []
    if allowed is not None and ranking.disclosure is not None:
        f = ranking.disclosure.frame
        for r in f[f["area_code"].astype(str).isin(allowed)].to_dict("records"):
            own.append([str(r["area"]), _num(r["actual"], lang), _num(r["expected"], lang),
                        _num(r["gap_pp"], lang, signed=True), f"{r['rank']} ({r['rank_low']}–{r['rank_high']})"])
    choices: dict[str, Any] = {
        "outcomes": [(o, label(f"benchmark.outcome.{o}", lang)) for o in OUTCOMES],
        "levels": [(lv, label(f"benchmark.level.{lv}", lang)) for lv in BENCHMARK_LEVELS],
        "outcome": outcome, "level": level, "period": period_text}
    sections = [result_section(r, lang) for r in results] if allowed is None else []
    header = [label("web.benchmark.area", lang), label("web.benchmark.actual", lang),
              label("web.benchmark.expected", lang), label("gap_pp", lang), label("web.benchmark.rank", lang)]
    return render(request, "benchmark.html", lang, ranking.title(lang), ", ".join(ranking.sources),
                  sections=sections, own=own, header=header, scoped=allowed is not None, **choices)


__all__ = ["router"]
