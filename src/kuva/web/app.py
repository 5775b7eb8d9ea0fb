"""The portal and API application (FastAPI): ``create_app(warehouse)``; ``kuva serve`` runs it
with uvicorn. Read-only on the warehouse; every static file is in the package.

Around every request, in this order: size limits (a query string above
:data:`MAX_QUERY` characters is 414, a body above :data:`MAX_BODY` bytes 413), the rate limit
per key or client address (429 with ``Retry-After``), who is asking (an API key, else a
browser session, else public; :mod:`kuva.web.security`), conditional requests on the API's data
(``ETag``/``Last-Modified`` from the warehouse file, which only changes with a load: 304 when
unchanged), the answer cache, and the audit trail (API requests, pages that showed
confidential-source figures, report downloads, signing in and out). Every error is one JSON shape
``{"error": {"code", "message", "status"}}`` with a stable ``code`` (pages get the same message
as a small HTML page); an unexpected failure is a 500 with a reference, never a stack trace.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from kuva import __version__
from kuva.errors import KuvaConfigError, KuvaError, KuvaLookupError
from kuva.warehouse.users import UserStore, users_path
from kuva.web import api, benchmarks, pages, reports, signin
from kuva.web.cache import Cached, ResponseCache
from kuva.web.errors import ERROR_CODES
from kuva.web.security import (
    RateLimiter,
    api_keys,
    audit,
    authorise,
    caller_of,
    principal_of,
    rate_limit_setting,
    secure_cookies_setting,
)

HERE = Path(__file__).parent
MAX_QUERY = 4096  #: characters of a query string
MAX_BODY = 64 * 1024  #: bytes of a request body (only the sign-in forms have one)
log = logging.getLogger("kuva.web")


def error_response(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    code = ERROR_CODES.get(status, f"http_{status}")
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"code": code, "message": message, "status": status}}, status_code=status,
                            headers=headers)
    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{status} — KuVa</title></head>'
            f'<body><main><h1>{status}: {escape(code)}</h1><p>{escape(message)}</p><p><a href="/">KuVa</a></p>'
            "</main></body></html>")
    return HTMLResponse(body, status_code=status, headers=headers)


def data_version(path: Path) -> tuple[str, float]:
    """A fingerprint of the warehouse's content and its last change (the file and its WAL)."""
    parts = []
    latest = 0.0
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        parts.append(f"{st.st_mtime_ns}:{st.st_size}")
        latest = max(latest, st.st_mtime)
    return "|".join(parts), latest


PORTAL_ENGINES = ("duckdb", "postgres")  #: Spark serves batch jobs, not requests


def check_engine(engine: str, url: str | None) -> None:
    """Refuse an engine the portal cannot serve from, and a PostgreSQL database that is not
    reachable or holds no copied event log — at start, not at the first request."""
    if engine not in PORTAL_ENGINES:
        raise KuvaConfigError(f"the portal reads from {list(PORTAL_ENGINES)}, got engine {engine!r} (Spark runs "
                              "batch jobs: `kuva --engine spark process …`)")
    if engine == "duckdb":
        return
    if not url:
        raise KuvaConfigError("the portal on postgres needs --engine-url (or KUVA_ENGINE_URL), e.g. "
                              "postgresql://kuva@localhost/kuva")
    import re

    import ibis

    shown = re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)  # never echo a password
    try:
        backend = ibis.connect(url)
    except Exception as exc:  # the driver's own error types differ by version
        raise KuvaConfigError(f"{shown}: cannot connect to PostgreSQL ({type(exc).__name__})") from exc
    try:
        if "process_events" not in backend.list_tables():
            raise KuvaConfigError(f"{shown}: no process_events table; copy the warehouse there first with "
                                  "`kuva export postgres URL`")
    finally:
        backend.disconnect()


def create_app(warehouse: Path | str, *, audit_log: Path | str | None = None,
               rate_limit: int | None = None, cache_entries: int = 256, engine: str = "duckdb",
               engine_url: str | None = None) -> FastAPI:
    """The portal and API on ``warehouse``. With ``engine="postgres"`` the service-process
    routes read the event log from the PostgreSQL database at ``engine_url`` (its tables copied
    by ``kuva export postgres``), the rest from the file."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    path = Path(warehouse)
    if not path.is_file():
        raise KuvaLookupError(f"{path}: no warehouse; build one with `make demo` or `kuva load bundled`")
    check_engine(engine, engine_url)
    app = FastAPI(title="KuVa API", version=__version__, openapi_url="/api/v1/openapi.json", docs_url=None,
                  redoc_url=None, description="Employment-services statistics, service-process measures and "
                  "benchmarks; every figure through KuVa's disclosure engine. Errors are "
                  '`{"error": {"code", "message", "status"}}`.')
    app.state.warehouse = path
    app.state.engine, app.state.engine_url = engine, engine_url
    app.state.keys = api_keys()
    app.state.users = UserStore(users_path(path))
    app.state.secure_cookies = secure_cookies_setting()
    app.state.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                      autoescape=select_autoescape(["html"]))
    trail = Path(audit_log) if audit_log is not None else path.with_name("kuva-audit.jsonl")
    app.state.audit_log = trail
    limiter = RateLimiter(rate_limit_setting() if rate_limit is None else rate_limit)
    answers = ResponseCache(cache_entries)
    app.state.cache = answers

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        is_api = request.url.path.startswith("/api/")
        response = await _guarded(request, call_next, is_api)
        touched = getattr(request.state, "cells", {}).get("confidential", 0) > 0  # e.g. an analyst's area page
        if is_api or touched or request.url.path.startswith("/report/") or \
                (request.method == "POST" and request.url.path in ("/login", "/logout")):
            audit(trail, request, response.status_code)
        return response

    async def _guarded(request: Request, call_next: Callable[[Request], Awaitable[Response]],
                       is_api: bool) -> Response:
        if len(request.url.query) > MAX_QUERY:
            return error_response(request, 414, f"the query string is longer than {MAX_QUERY} characters")
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            return error_response(request, 413, f"a request body is at most {MAX_BODY} bytes")
        wait = limiter.retry_after(caller_of(request))
        if wait:
            return error_response(request, 429, f"more than {limiter.per_minute} requests a minute; retry in "
                                                f"{wait} s", headers={"Retry-After": str(wait)})
        cacheable = request.method == "GET" and not request.url.path.startswith("/static") and \
            not request.url.path.endswith("/health")
        caller = ""
        if cacheable:
            try:  # the answer depends on who asks (role, area, user), never on the credential itself
                caller = principal_of(request).cache_id + _session_id(request)
            except StarletteHTTPException as exc:
                return error_response(request, exc.status_code, str(exc.detail))
        conditional = is_api and cacheable
        if conditional:
            version, changed = data_version(path)
            seed = "|".join((version, __version__, request.url.path, request.url.query, caller))
            etag = 'W/"' + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32] + '"'
            last = format_datetime(_utc(changed), usegmt=True)
            cache = {"ETag": etag, "Last-Modified": last, "Cache-Control": "no-cache",
                     "Vary": "X-KuVa-Key, Cookie"}
            if _not_modified(request, etag, changed):
                return Response(status_code=304, headers=cache)
        key = "|".join((data_version(path)[0], __version__, request.url.path, request.url.query,
                        caller)) if cacheable else ""
        hit = answers.get(key) if cacheable else None
        if hit is not None:
            request.state.cells = dict(hit.cells)
            response = Response(hit.body, status_code=200, headers=dict(hit.headers), media_type=hit.media_type)
        else:
            try:
                response = await call_next(request)
            except Exception:  # the one place an unexpected failure becomes a 500 without a trace
                ref = uuid.uuid4().hex[:12]
                log.exception("internal error %s on %s %s", ref, request.method, request.url.path)
                return error_response(request, 500,
                                      f"internal error (reference {ref}); the server log has the details")
            if cacheable and response.status_code == 200 and "set-cookie" not in response.headers:
                body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
                headers = tuple((k, v) for k, v in response.headers.items() if k.lower() != "content-length")
                answers.put(key, Cached(body, headers, response.media_type,
                                        dict(getattr(request.state, "cells", {}))))
                response = Response(body, status_code=200, headers=dict(headers), media_type=response.media_type)
        if conditional and response.status_code == 200:
            response.headers.update(cache)
        return response

    @app.exception_handler(KuvaError)
    async def domain_error(request: Request, exc: KuvaError) -> Response:
        return error_response(request, 404 if isinstance(exc, KuvaLookupError) else 400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_parameter(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path"))
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        return error_response(request, 422, "; ".join(parts) or "invalid parameters")

    app.include_router(api.router)
    app.include_router(pages.router, dependencies=[Depends(authorise)])
    app.include_router(reports.router, dependencies=[Depends(authorise)])
    app.include_router(benchmarks.router, dependencies=[Depends(authorise)])
    app.include_router(signin.router, dependencies=[Depends(authorise)])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _session_id(request: Request) -> str:
    """A signed-in page holds its session's sign-out token, so it is kept per session."""
    session = getattr(request.state, "session", None)
    return "|" + hashlib.sha256(session.csrf.encode("utf-8")).hexdigest()[:16] if session is not None else ""


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), tz=UTC)


def _not_modified(request: Request, etag: str, changed: float) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        return etag in {t.strip() for t in match.split(",")} or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return int(changed) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False
    return False


__all__ = ["ERROR_CODES", "MAX_BODY", "MAX_QUERY", "create_app", "data_version", "error_response"]
