"""The portal and API application (FastAPI): ``create_app(warehouse)``; ``kuva serve`` runs it
with uvicorn. Read-only on the warehouse; every static file is in the package."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from kuva import __version__
from kuva.errors import KuvaError, KuvaLookupError
from kuva.web import api, pages
from kuva.web.security import api_keys, audit

HERE = Path(__file__).parent


def create_app(warehouse: Path | str, *, audit_log: Path | str | None = None) -> FastAPI:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    path = Path(warehouse)
    if not path.is_file():
        raise KuvaLookupError(f"{path}: no warehouse; build one with `make demo` or `kuva load bundled`")
    app = FastAPI(title="KuVa API", version=__version__, openapi_url="/api/v1/openapi.json", docs_url=None,
                  redoc_url=None, description="Employment-services statistics, service-process measures and "
                  "benchmarks; every figure through KuVa's disclosure engine.")
    app.state.warehouse = path
    app.state.keys = api_keys()
    app.state.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                      autoescape=select_autoescape(["html"]))
    log = Path(audit_log) if audit_log is not None else path.with_name("kuva-audit.jsonl")
    app.state.audit_log = log

    @app.middleware("http")
    async def audit_trail(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if request.url.path.startswith("/api/"):
            audit(log, request, response.status_code)
        return response

    @app.exception_handler(KuvaError)
    async def domain_error(request: Request, exc: KuvaError) -> JSONResponse:
        status = 404 if isinstance(exc, KuvaLookupError) else 400
        return JSONResponse({"detail": str(exc)}, status_code=status)

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


__all__ = ["create_app"]
