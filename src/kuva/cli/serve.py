"""``kuva serve``: the web portal and JSON API on the warehouse (read-only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kuva.cli.app import app, state
from kuva.cli.output import out


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    audit_log: Annotated[Path | None, typer.Option("--audit-log", help="Audit trail file (JSON lines; default: "
                                                                       "kuva-audit.jsonl beside the warehouse).")]
    = None,
    warm: Annotated[bool, typer.Option("--warm/--no-warm", help="Precompute the public pages (home, map, regions, "
                                                                "employment areas; fi/sv/en) in the background at "
                                                                "start and after every load.")] = True,
) -> None:
    """Serve the portal (Finland now, area and indicator pages in fi/sv/en) and the JSON API
    (/api/v1, OpenAPI at /api/v1/openapi.json) on the warehouse, read-only. API keys and roles
    from KUVA_API_KEYS; every API request is written to the audit trail. With `--engine postgres`
    the service-process routes read the event log from PostgreSQL (copied there by `kuva export
    postgres URL`)."""
    import uvicorn

    from kuva.web.app import create_app

    s = state(ctx).settings()
    application = create_app(s.warehouse, audit_log=audit_log, engine=s.engine, engine_url=s.engine_url)
    out.print(f"KuVa portal on http://{host}:{port}/ (API: http://{host}:{port}/api/v1/openapi.json)")
    warmer = None
    if warm:
        from kuva.warehouse import Warehouse
        from kuva.web.app import data_version
        from kuva.web.warm import Warmer, warm_paths

        with Warehouse(s.warehouse, read_only=True) as wh:
            paths = warm_paths(wh)
        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        warmer = Warmer(f"http://{local}:{port}", paths, lambda: data_version(s.warehouse)[0],
                        on_round=lambda n, secs: out.print(f"Precomputed {n} public pages in {secs:.0f} s"))
        out.print(f"Precomputing {len(paths)} public pages in the background (--no-warm to skip)")
        warmer.start()
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        if warmer is not None:
            warmer.stop()


@app.command("audit")
def audit_trail(
    ctx: typer.Context,
    audit_log: Annotated[Path | None, typer.Option("--audit-log", help="Audit trail file (default: "
                                                                       "kuva-audit.jsonl beside the warehouse).")]
    = None,
    since: Annotated[str | None, typer.Option("--since", help="Only requests on or after this date (YYYY-MM-DD).")]
    = None,
    role: Annotated[str | None, typer.Option("--role", help="Only requests of this role (public, analyst, admin, "
                                                           "refused).")] = None,
    confidential: Annotated[bool, typer.Option("--confidential", help="Only requests that touched confidential "
                                                                      "cells.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")] = "table",
) -> None:
    """List the portal's and API's audit trail: who (role, area, key hash), when, what (path and
    query), the status, and how many confidential and hidden cells each answer held."""
    from datetime import date

    from kuva.cli.output import OUTPUT_FORMATS, choice, emit
    from kuva.errors import KuvaInputError
    from kuva.web.security import read_audit

    choice("--format", fmt, OUTPUT_FORMATS)
    path = audit_log if audit_log is not None else state(ctx).settings().warehouse.with_name("kuva-audit.jsonl")
    if not path.is_file():
        raise KuvaInputError(f"{path}: no audit trail (it is written by `kuva serve`)")
    df = read_audit(path)
    if since is not None:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            raise KuvaInputError(f"--since: expected YYYY-MM-DD, got {since!r}") from None
        df = df[df["time"].astype(str).str[:10] >= day.isoformat()]
    if role is not None:
        df = df[df["role"] == role]
    if confidential:
        df = df[df["confidential_cells"] > 0]
    emit(df.reset_index(drop=True), fmt)
