"""The JSON API (``/api/v1``): the warehouse's measures, areas and observations, the
service-process measures and the benchmark — every figure through the disclosure engine, with
its provenance and its disclosure note.

Who may call what is one table, :data:`kuva.web.security.ACCESS`, checked for every route by
the router's dependency. Measures derived from person-level data (the service process, the
benchmark's client counts) need at least ``analyst``, and an area analyst's key answers for its
own area only; public StatFin figures and protected observations are open.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from kuva.errors import KuvaInputError
from kuva.privacy.engine import ProtectedTable
from kuva.warehouse import Warehouse
from kuva.web.data import allowed_areas
from kuva.web.errors import ERROR_RESPONSES
from kuva.web.security import Principal, area_scope, authorise

router = APIRouter(prefix="/api/v1", dependencies=[Depends(authorise)], responses=ERROR_RESPONSES)
MAX_PAGE = 10_000  #: rows per page of /observations

LevelProcess = Literal["municipality", "employment_area", "pilot_area", "custom", "nation"]


def warehouse(request: Request) -> Iterator[Warehouse]:
    """A read-only connection per request (the server never writes the warehouse)."""
    with Warehouse(request.app.state.warehouse, read_only=True) as wh:
        yield wh


WH = Annotated[Warehouse, Depends(warehouse)]


def measures_warehouse(request: Request) -> Iterator[Any]:
    """Where the service-process routes read: the warehouse file, or its tables on the portal's
    engine (:func:`kuva.web.data.measures_engine`)."""
    from kuva.web.data import measures_engine

    with Warehouse(request.app.state.warehouse, read_only=True) as wh, measures_engine(request, wh) as engine:
        yield wh if engine is None else engine


MWH = Annotated[Any, Depends(measures_warehouse)]


def _month(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text)
    except ValueError:
        raise KuvaInputError(f"{name}: expected YYYY-MM or YYYY-MM-DD, got {text!r}") from None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if isinstance(v, float) and math.isnan(v):
                clean[str(k)] = None
            elif isinstance(v, date):
                clean[str(k)] = v.isoformat()
            elif hasattr(v, "item"):
                clean[str(k)] = v.item()
            else:
                clean[str(k)] = v
        out.append(clean)
    return out


def _published(request: Request, p: ProtectedTable, frame: pd.DataFrame | None = None,
               **meta: object) -> dict[str, Any]:
    """The JSON answer of a protected table (or of ``frame``, rows of it), its note counted in
    the audit trail."""
    request.state.cells = {"confidential": p.note.confidential_cells, "hidden": p.note.hidden_cells}
    rows = p.frame if frame is None else frame
    return {"rows": _records(rows), "disclosure": p.note.text(), "hidden_cells": p.note.hidden_cells, **meta}


def _principal(request: Request) -> Principal:
    who: Principal = request.state.principal
    return who


def _allowed(request: Request) -> frozenset[str] | None:
    """An area analyst's area codes (the area, its members, the nation); None for everyone else."""
    return allowed_areas(request)


@router.get("/health", summary="Service status and the warehouse's schema version")
def health(wh: WH) -> dict[str, Any]:
    v = wh.table("schema_migrations").version.max().to_pandas()
    return {"status": "ok", "schema_version": int(v) if v is not None else 0}


@router.get("/measures", summary="The measure catalogue (code, names, unit, definition, source table)")
def measures_route() -> list[dict[str, Any]]:
    from kuva.registry.measures import measures

    return [{"code": m.code, "name_fi": m.name_fi, "name_sv": m.name_sv, "name_en": m.name_en, "unit": m.unit,
             "frequency": m.frequency, "definition": m.definition, "source_table": m.table}
            for m in measures().values()]


@router.get("/areas", summary="Areas by level (country, municipality, sub_region, region, ely)")
def areas_route(level: Literal["country", "municipality", "sub_region", "region", "ely"] | None = None
                ) -> list[dict[str, str]]:
    from kuva.registry import area_registry

    return [{"code": a.code, "level": a.level, "name_fi": a.name_fi, "name_sv": a.name_sv, "name_en": a.name_en}
            for a in area_registry().areas(level)]


@router.get("/areas/{code}/comparison",
            summary="An area against its peers and the nation: unemployed and activation rate by month")
def area_comparison_route(
    request: Request, wh: WH, code: str,
    peers: Annotated[list[str] | None, Query(description="Peer areas (repeatable; default: the area's rule)")] = None,
    start: Annotated[str | None, Query(alias="from", description="First month YYYY-MM")] = None,
    end: Annotated[str | None, Query(alias="to", description="Last month YYYY-MM")] = None,
) -> dict[str, Any]:
    """Any municipality, sub-region, region, pilot area, 2025 employment area or custom area
    (code, slug or name), as the report's "Oma alue" chapter and the portal's area page show it."""
    from kuva.analysis.own_area import own_area_paths, peer_names, resolve_own_area
    from kuva.config import load_settings

    area = resolve_own_area(wh, code, peers)
    r = own_area_paths(wh, area, start=_month(start, "from"), end=_month(end, "to"),
                       min_cell=load_settings().min_cell)
    if r.disclosure is None:  # pragma: no cover - the analysis always protects its table
        raise KuvaInputError("the comparison has no protected table")
    return _published(request, r.disclosure, area={"code": area.code, "ref": area.ref, "kind": area.kind,
                                          "name_fi": area.names[0], "name_sv": area.names[1], "name_en": area.names[2],
                                          "members": list(area.members)},
                      peers={"rule": area.peer_rule, "areas": peer_names(wh, area, "en"),
                             "municipalities": len(area.peers)},
                      numbers={k: (None if isinstance(v, float) and math.isnan(v) else v)
                               for k, v in r.numbers.items()},
                      synthetic=r.synthetic, sources=list(r.sources))


@router.get("/observations", summary="Observations of measures, protected like `kuva query`",
            responses={200: {"content": {"text/csv": {}}, "description": "JSON (default) or CSV (`format=csv`)"}})
def observations_route(
    request: Request, wh: WH,
    measure: Annotated[list[str], Query(description="Measure code (repeatable)")],
    area: Annotated[list[str] | None, Query(description="Area code or name (repeatable)")] = None,
    start: Annotated[str | None, Query(alias="from", description="First month YYYY-MM")] = None,
    end: Annotated[str | None, Query(alias="to", description="Last month YYYY-MM")] = None,
    as_of: Annotated[str | None, Query(description="The figures as they stood on this date (YYYY-MM-DD): "
                                                   "earlier vintages of revised statistics")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Rows per page")] = 1000,
    offset: Annotated[int, Query(ge=0, description="Rows to skip (the next page's offset is in `next_offset`)")]
    = 0,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
) -> Any:
    """The whole answer is protected first, then paged: a page never reveals what the whole hides."""
    from kuva.warehouse.query import synthetic_continuations
    from kuva.web.data import protected_observations

    p, df = protected_observations(wh, measure, area, _month(start, "from"), _month(end, "to"),
                                   name="api_observations", as_of=_month(as_of, "as_of"))
    frame = p.frame
    page = frame.iloc[offset:offset + limit]
    if format == "csv":
        request.state.cells = {"confidential": p.note.confidential_cells, "hidden": p.note.hidden_cells}
        return Response(page.to_csv(index=False), media_type="text/csv; charset=utf-8",
                        headers={"X-KuVa-Disclosure": p.note.text(), "X-KuVa-Total-Rows": str(len(frame))})
    synthetic = sorted({s for s in df["source_id"].astype(str) if s.startswith("synthetic:")})
    nxt = offset + limit if offset + limit < len(frame) else None
    return _published(request, p, page, total=len(frame), limit=limit, offset=offset, next_offset=nxt,
                      synthetic_sources=synthetic,
                      synthetic_continuations=synthetic_continuations(df.to_dict("records")))


def _process(request: Request, wh: Any, measure: str, level: str, start: str | None,
             end: str | None, by: str | None = None) -> dict[str, Any]:
    from kuva.process import publish
    from kuva.process.rules import rulebooks

    kw: dict[str, Any] = {"level": level, "start": _month(start, "from"), "end": _month(end, "to")}
    if by is not None:
        kw["by"] = by
    if measure == "kpis":
        p = publish.compliance(wh, rulebooks(), **kw)
    elif measure == "conformance":
        p = publish.conformance(wh, rulebooks(), **kw)
    elif measure == "quality":
        p = publish.quality(wh)
    else:
        p = publish.MEASURES[measure](wh, **kw)
    return _published(request, p, area_scope(request, p.frame, _allowed(request)))


@router.get("/process/kpis", summary="Milestone compliance against the rulebook in force (analyst)")
def process_kpis(wh: MWH, request: Request, level: LevelProcess = "municipality",
                 start: Annotated[str | None, Query(alias="from")] = None,
                 end: Annotated[str | None, Query(alias="to")] = None,
                 by: Annotated[Literal["age_group", "language"] | None,
                               Query(description="Client group (the area's total is the group `total`)")] = None,
                 ) -> dict[str, Any]:
    return _process(request, wh, "kpis", level, start, end, by)


@router.get("/process/plan-debt", summary="Open client spells without a valid plan at month ends (analyst)")
def process_plan_debt(wh: MWH, request: Request,
                      level: LevelProcess = "municipality",
                      start: Annotated[str | None, Query(alias="from")] = None,
                      end: Annotated[str | None, Query(alias="to")] = None,
                      by: Annotated[Literal["age_group", "language", "duration"] | None,
                                    Query(description="Client group (the area's total is the group `total`)")] = None,
                      ) -> dict[str, Any]:
    return _process(request, wh, "plan-debt", level, start, end, by)


@router.get("/process/offer-debt", summary="Open spells without a job offer in the last 90 days (analyst)")
def process_offer_debt(wh: MWH, request: Request, level: LevelProcess = "municipality",
                       start: Annotated[str | None, Query(alias="from")] = None,
                       end: Annotated[str | None, Query(alias="to")] = None) -> dict[str, Any]:
    return _process(request, wh, "offer-debt", level, start, end)


@router.get("/process/conformance",
            summary="Registrations by the combination of rules they broke, rulebook in force (analyst)")
def process_conformance(wh: MWH, request: Request, level: LevelProcess = "municipality",
                        start: Annotated[str | None, Query(alias="from")] = None,
                        end: Annotated[str | None, Query(alias="to")] = None,
                        by: Annotated[Literal["age_group", "language"] | None,
                                      Query(description="Client group (the area's total is the group `total`)")]
                        = None) -> dict[str, Any]:
    return _process(request, wh, "conformance", level, start, end, by)


@router.get("/process/routes", summary="Referral routes: origin -> destination sector (analyst)")
def process_routes(wh: MWH, request: Request, level: LevelProcess = "municipality",
                   start: Annotated[str | None, Query(alias="from")] = None,
                   end: Annotated[str | None, Query(alias="to")] = None,
                   by: Annotated[Literal["age_group", "language"] | None,
                                 Query(description="Client group (the area's total is the group `total`)")] = None,
                   ) -> dict[str, Any]:
    return _process(request, wh, "routes", level, start, end, by)


@router.get("/process/quality", summary="Data-quality checks of the event log (analyst)")
def process_quality(wh: MWH, request: Request) -> dict[str, Any]:
    return _process(request, wh, "quality", "municipality", None, None)


@router.get("/benchmark", summary="Expected vs actual outcome, shrunk gaps and rank sets (analyst)")
def benchmark_route(wh: WH, request: Request,
                    outcome: Literal["activation_rate", "long_term_share", "plan_debt_share",
                                     "interview_in_time", "exit_work_180",
                                     "unemployed_after_services", "work_ability_improved"] = "activation_rate",
                    level: Literal["municipality", "pilot_area", "employment_area", "custom"] = "municipality",
                    period: Annotated[str | None, Query(description="Month YYYY-MM or half-year YYYY-H1 / YYYY-H2")
                                      ] = None) -> dict[str, Any]:
    from kuva.benchmark.run import benchmark, default_period, parse_period, publish

    start, months = parse_period(period) or (default_period(wh, outcome), 1)
    b = benchmark(wh, start, outcome=outcome, level=level, months=months)
    p = publish(b)
    return _published(request, p, area_scope(request, p.frame, _allowed(request)),
                      spec_version=b.table["spec_version"].iloc[0], synthetic=b.synthetic,
                      sources=list(b.sources))


@router.get("/effects/person",
            summary="Services' effect on clients' exits to work: dynamic matching and the Cox model (analyst)")
def effects_person(wh: WH, request: Request,
                   horizon: Annotated[Literal[90, 180, 365], Query(description="Days after the service start")] = 180,
                   ) -> dict[str, Any]:
    """Starting a service now rather than not yet (clients still unemployed and without a service
    on the same elapsed day, in the same age group and language) on exit to work within
    ``horizon`` days and on the days still unemployed, with the Cox hazard ratio of exit to work
    after a service starts, from the whole event log (docs/person-level.md). Hidden (``null``)
    when fewer treated clients than the minimum cell."""
    from kuva.config import load_settings
    from kuva.process.kpis import event_sources
    from kuva.process.outcomes import service_effect_matched, service_effect_on_exits

    m = service_effect_matched(wh, horizon=horizon)
    cox = service_effect_on_exits(wh)
    sources, synthetic = event_sources(wh)
    hidden = m.below_min_cell(load_settings().min_cell)
    request.state.cells = {"confidential": 1, "hidden": int(hidden)}
    lo, hi = m.conf_int()
    c_lo, c_hi = cox.conf_int()

    def shown(v: float) -> float | None:
        return None if hidden or not math.isfinite(v) else float(v)

    return {"design": "dynamic matching (Sianesi 2004), not-yet-treated comparison", "event": m.event,
            "horizon_days": m.horizon, "estimate": shown(m.estimate), "std_error": shown(m.std_error),
            "ci_low": shown(lo), "ci_high": shown(hi), "p_value": shown(m.p_value),
            "treated_incidence": shown(m.cif_treated), "comparison_incidence": shown(m.cif_comparison),
            "days_effect": shown(m.days_effect), "days_effect_se": shown(m.days_effect_se),
            "n_treated": None if hidden else m.n_treated, "n_trimmed": None if hidden else m.n_trimmed,
            "max_abs_smd": shown(m.max_abs_smd), "min_controls_at_horizon": None if hidden else
            m.min_controls_at_horizon, "hidden": hidden,
            "cox": {"hazard_ratio": shown(cox.hazard_ratio), "ci_low": shown(math.exp(c_lo)),
                    "ci_high": shown(math.exp(c_hi)), "n_events": None if hidden else cox.n_events},
            "synthetic": synthetic, "sources": list(sources)}


@router.get("/effects/pilot",
            summary="The pilots' effect on clients' exits to work: DiD of inflow cohorts (analyst)")
def effects_pilot(wh: WH, request: Request,
                  horizon: Annotated[Literal[90, 180, 365], Query(description="Days after the registration")] = 180,
                  ) -> dict[str, Any]:
    """Clients who registered in a month in the pilot municipalities against those of the others,
    cohorts before and from 3/2021 up to the pilots' end: the difference-in-differences of the
    share exiting to work within ``horizon`` days (CRV1 and wild-cluster-bootstrap intervals) and
    the event study by cohort quarter with its pre-trend test (docs/person-level.md).
    ``estimable`` is false, with the reason, when the log cannot give it (no cohorts before the
    pilots, or no untreated municipalities); the figures are hidden (``null``) when fewer treated
    clients than the minimum cell."""
    from kuva.config import load_settings
    from kuva.indicators.groups import PILOT_START
    from kuva.process.kpis import event_sources
    from kuva.process.outcomes import pilot_effect

    p = pilot_effect(wh, horizon_days=horizon)
    sources, synthetic = event_sources(wh)
    hidden = p.below_min_cell(load_settings().min_cell)
    request.state.cells = {"confidential": 1, "hidden": int(hidden)}
    base: dict[str, Any] = {"design": "difference-in-differences of inflow cohorts", "event": "exit_work",
                            "horizon_days": horizon, "start": PILOT_START.isoformat(), "synthetic": synthetic,
                            "sources": list(sources)}
    if p.did is None:
        return {**base, "estimable": False, "reason": p.did_reason, "hidden": hidden}
    r = p.did

    def shown(v: float) -> float | None:
        return None if hidden or not math.isfinite(v) else float(v)

    lo, hi = r.conf_int()
    out = {**base, "estimable": True, "hidden": hidden, "estimate": shown(r.estimate),
           "std_error": shown(r.std_error), "ci_low": shown(lo), "ci_high": shown(hi), "p_value": shown(r.p_value),
           "wcr_ci_low": shown(r.bootstrap.ci_low) if r.bootstrap else None,
           "wcr_ci_high": shown(r.bootstrap.ci_high) if r.bootstrap else None,
           "n_treated": None if hidden else p.n_treated, "n_municipalities": r.n_clusters, "pretrend": None,
           "quarters": []}
    es = p.event_study
    if es is None:
        out["pretrend"] = {"reason": p.event_study_reason}
        return out
    out["pretrend"] = {"f_statistic": shown(es.pretrend.f_statistic), "p_value": shown(es.pretrend.p_value_f),
                       "df": es.pretrend.df}
    out["quarters"] = [{"quarter": int(e), "estimate": shown(c), "std_error": shown(se)}
                       for e, c, se in zip(es.event_times, es.coefficients, es.std_errors, strict=True)]
    return out


__all__ = ["router"]
