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
) -> None:
    """Serve the portal (Finland now, area and indicator pages in fi/sv/en) and the JSON API
    (/api/v1, OpenAPI at /api/v1/openapi.json) on the warehouse, read-only. API keys and roles
    from KUVA_API_KEYS; every API request is written to the audit trail."""
    import uvicorn

    from kuva.web.app import create_app

    s = state(ctx).settings()
    application = create_app(s.warehouse, audit_log=audit_log)
    out.print(f"KuVa portal on http://{host}:{port}/ (API: http://{host}:{port}/api/v1/openapi.json)")
    uvicorn.run(application, host=host, port=port, log_level="warning")
