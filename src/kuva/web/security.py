"""Who sees what in the portal and API: roles, the access table, rate limits and the audit trail.

``KUVA_API_KEYS``: entries separated by commas, each ``key:role`` or ``key:role@AREA`` (roles
``analyst`` and ``admin``; keys of at least 16 characters). ``analyst@AREA`` is an area
analyst: the analyst routes answer only for that area (a municipality, pilot area, 2025
employment area or custom area: its own rows and its member municipalities' rows, plus the
nation), where a plain ``analyst`` (a ministry analyst) sees every area. A request without
``X-KuVa-Key`` is ``public``; an unknown key is refused (401), a known key without the role a
route needs gets 403.

Every route has one entry in :data:`ACCESS` (the minimum role); a route without an entry is
refused to everyone, and the authorisation-matrix test fails on it.

Every API request is appended to the audit log (JSON lines: time, role, area, a hash of the
key — never the key —, method, path, query, status, and for figures the number of
confidential and hidden cells); ``kuva audit`` lists it.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from fastapi import HTTPException, Request
from starlette.routing import Mount, Route

from kuva.errors import KuvaConfigError, KuvaInputError

Role = Literal["public", "analyst", "admin"]
RANK: dict[str, int] = {"public": 0, "analyst": 1, "admin": 2}
KEY_HEADER = "X-KuVa-Key"

#: The minimum role of every route (path templates as FastAPI declares them; a mount by its prefix).
ACCESS: dict[str, Role] = {
    "/": "public",
    "/area/{code}": "public",
    "/area/{code}/process": "analyst",
    "/area/{code}/person": "analyst",
    "/indicator/{code}": "public",
    "/table": "public",
    "/table.csv": "public",
    "/table.xlsx": "public",
    "/map": "public",
    "/report": "analyst",
    "/report/download": "analyst",
    "/benchmark": "analyst",
    "/login": "public",
    "/logout": "public",
    "/static": "public",
    "/api/v1/openapi.json": "public",
    "/api/v1/health": "public",
    "/api/v1/measures": "public",
    "/api/v1/areas": "public",
    "/api/v1/areas/{code}/comparison": "public",
    "/api/v1/observations": "public",
    "/api/v1/process/kpis": "analyst",
    "/api/v1/process/plan-debt": "analyst",
    "/api/v1/process/offer-debt": "analyst",
    "/api/v1/process/conformance": "analyst",
    "/api/v1/process/routes": "analyst",
    "/api/v1/process/quality": "analyst",
    "/api/v1/benchmark": "analyst",
    "/api/v1/effects/person": "analyst",
    "/api/v1/effects/pilot": "analyst",
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: a role, and for an area analyst the area the key is bound to."""

    role: Role
    area: str | None = None
    key_id: str | None = None
    user: str | None = None  #: a signed-in portal user (a browser session)

    @property
    def cache_id(self) -> str:
        """What an answer may depend on: the role, the area and the user (never a credential)."""
        return f"{self.role}|{self.area or ''}|{self.user or ''}"


def api_keys(environ: Mapping[str, str] | None = None) -> dict[str, Principal]:
    env = os.environ if environ is None else environ
    out: dict[str, Principal] = {}
    for part in filter(None, (p.strip() for p in env.get("KUVA_API_KEYS", "").split(","))):
        key, sep, grant = part.rpartition(":")
        role, _, area = grant.partition("@")
        if not sep or role not in ("analyst", "admin") or len(key) < 16 or (area and role != "analyst"):
            raise KuvaConfigError("KUVA_API_KEYS: each entry is key:role or key:analyst@AREA with a key of at least "
                                  f"16 characters and role analyst or admin; got {grant!r} as a role")
        out[key] = Principal(role, area or None, key_id(key))  # type: ignore[arg-type]
    return out


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


SESSION_COOKIE = "kuva_session"


def principal_of(request: Request) -> Principal:
    """The caller: an API key's role (``X-KuVa-Key``; an unknown key is 401), else a signed-in
    user's (the session cookie; an ended or unknown session is simply public), else public."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    key = request.headers.get(KEY_HEADER)
    if key is not None:
        found: Principal | None = request.app.state.keys.get(key)
        if found is None:
            raise HTTPException(401, f"unknown {KEY_HEADER}")
        who = found
    else:
        who = Principal("public")
        token = request.cookies.get(SESSION_COOKIE)
        session = request.app.state.users.session(token) if token else None
        if session is not None:
            u = session.user
            who = Principal(u.role, u.area, None, u.name)
            request.state.session = session
    request.state.principal = who
    return who


def route_template(request: Request) -> str | None:
    """The matched route's path template (``/area/{code}``), or a mount's prefix."""
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return None
    return str(path) if path else None


def authorise(request: Request) -> Principal:
    """The router-wide dependency: the route's rule in :data:`ACCESS` against the caller."""
    who = principal_of(request)
    template = route_template(request)
    minimum = ACCESS.get(template or "")
    if minimum is None:
        raise HTTPException(403, f"no access rule for {template or request.url.path}")
    if RANK[who.role] < RANK[minimum]:
        raise HTTPException(403, f"this route needs the {minimum} role (send {KEY_HEADER} or sign in)")
    request.state.principal = who
    return who


def route_table(routes: Iterable[object], prefix: str = "") -> list[tuple[str, frozenset[str]]]:
    """(path template, methods) of every route, through included routers (FastAPI keeps them as
    ``_IncludedRouter`` objects since 0.16x; older versions flatten them) and mounts."""
    out: list[tuple[str, frozenset[str]]] = []
    for r in routes:
        included = getattr(r, "original_router", None)
        if included is not None:
            ctx = getattr(r, "include_context", None)
            out.extend(route_table(included.routes, prefix + str(getattr(ctx, "prefix", "") or "")))
        elif isinstance(r, Mount):
            out.append((prefix + r.path, frozenset({"GET"})))
        elif isinstance(r, Route):
            out.append((prefix + r.path, frozenset(r.methods or ())))
    return out


def area_scope(request: Request, frame: pd.DataFrame, allowed: frozenset[str] | None) -> pd.DataFrame:
    """Rows of an area analyst's own area (``area_code`` in ``allowed``); everything otherwise."""
    if allowed is None or "area_code" not in frame.columns:
        return frame
    return frame[frame["area_code"].astype(str).isin(allowed)].reset_index(drop=True)


class RateLimiter:
    """At most ``per_minute`` requests per caller (key, or client address without one) in any
    sliding minute; ``per_minute`` 0 switches it off. In memory, per server process."""

    def __init__(self, per_minute: int) -> None:
        if per_minute < 0:
            raise KuvaInputError(f"KUVA_RATE_LIMIT: requests per minute must be ≥ 0, got {per_minute}")
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, caller: str, now: float | None = None) -> int:
        """0 when the request may go ahead (and counts it), else the seconds to wait."""
        if not self.per_minute:
            return 0
        t = time.monotonic() if now is None else now
        with self._lock:
            q = self._seen.setdefault(caller, deque())
            while q and q[0] <= t - 60:
                q.popleft()
            if len(q) >= self.per_minute:
                return max(1, int(q[0] + 60 - t) + 1)
            q.append(t)
            return 0


def rate_limit_setting(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    text = env.get("KUVA_RATE_LIMIT", "600")
    try:
        return int(text)
    except ValueError:
        raise KuvaConfigError(f"KUVA_RATE_LIMIT: requests per minute per key, a whole number; got {text!r}") from None


def secure_cookies_setting(environ: Mapping[str, str] | None = None) -> bool:
    """``KUVA_SECURE_COOKIES``: ``yes`` marks the session cookies Secure even when the server
    sees plain HTTP (a TLS proxy in front that does not send X-Forwarded-Proto); ``auto``
    (default) marks them Secure on HTTPS requests."""
    env = os.environ if environ is None else environ
    text = env.get("KUVA_SECURE_COOKIES", "auto").strip().lower()
    if text not in ("auto", "yes"):
        raise KuvaConfigError(f"KUVA_SECURE_COOKIES: auto or yes; got {text!r}")
    return text == "yes"


def caller_of(request: Request) -> str:
    key = request.headers.get(KEY_HEADER)
    if key is not None:
        return "key:" + key_id(key)
    return "addr:" + (request.client.host if request.client else "unknown")


def audit(path: Path, request: Request, status: int) -> None:
    who: Principal | None = getattr(request.state, "principal", None)
    if who is None:
        try:
            who = principal_of(request)
        except HTTPException:
            who = None
    cells: dict[str, int] = getattr(request.state, "cells", {})
    entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"),
             "role": who.role if who else "refused", "area": who.area if who else None,
             "user": (who.user if who else None) or getattr(request.state, "attempted_user", None),
             "key": key_id(k) if (k := request.headers.get(KEY_HEADER)) else None,
             "method": request.method, "path": request.url.path, "query": str(request.url.query), "status": status,
             "confidential_cells": cells.get("confidential", 0), "hidden_cells": cells.get("hidden", 0)}
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")


AUDIT_COLUMNS = ("time", "role", "area", "user", "key", "method", "path", "query", "status", "confidential_cells",
                 "hidden_cells")


def read_audit(path: Path) -> pd.DataFrame:
    """The audit trail as a frame (one row per request, :data:`AUDIT_COLUMNS`)."""
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                raise KuvaInputError(f"{path}: line {i}: not a JSON audit entry ({exc.msg})") from None
            rows.append({c: entry.get(c) for c in AUDIT_COLUMNS})
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    for c in ("confidential_cells", "hidden_cells", "status"):
        frame[c] = pd.to_numeric(frame[c]).fillna(0).astype("int64")
    return frame


__all__ = ["ACCESS", "AUDIT_COLUMNS", "KEY_HEADER", "SESSION_COOKIE", "Principal", "RateLimiter", "Role", "api_keys",
           "area_scope", "audit", "authorise", "caller_of", "key_id", "principal_of", "rate_limit_setting",
           "read_audit", "route_table", "route_template", "secure_cookies_setting"]
