"""Roles and the audit trail of the portal and API.

``KUVA_API_KEYS``: ``key:role`` pairs separated by commas (roles ``analyst``, ``admin``); a
request without ``X-KuVa-Key`` is ``public``; an unknown key is refused (401), a known key
without the role a route needs gets 403. Every API request is appended to the audit log
(``KUVA_AUDIT_LOG``, JSON lines: time, role, a hash of the key, method, path, query, status) —
never the key itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from fastapi import HTTPException, Request

from kuva.errors import KuvaConfigError

Role = Literal["public", "analyst", "admin"]
RANK: dict[str, int] = {"public": 0, "analyst": 1, "admin": 2}
KEY_HEADER = "X-KuVa-Key"


def api_keys(environ: dict[str, str] | None = None) -> dict[str, Role]:
    env = os.environ if environ is None else environ
    out: dict[str, Role] = {}
    for part in filter(None, (p.strip() for p in env.get("KUVA_API_KEYS", "").split(","))):
        key, sep, role = part.rpartition(":")
        if not sep or role not in ("analyst", "admin") or len(key) < 16:
            raise KuvaConfigError("KUVA_API_KEYS: each entry is key:role with a key of at least 16 characters and "
                                  f"role analyst or admin; got {part.split(':')[-1]!r} as a role")
        out[key] = role  # type: ignore[assignment]
    return out


def key_id(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def role_of(request: Request) -> Role:
    key = request.headers.get(KEY_HEADER)
    if key is None:
        return "public"
    role = request.app.state.keys.get(key)
    if role is None:
        raise HTTPException(401, f"unknown {KEY_HEADER}")
    return role  # type: ignore[no-any-return]


def require(minimum: Role) -> Callable[[Request], Role]:
    def check(request: Request) -> Role:
        role = role_of(request)
        if RANK[role] < RANK[minimum]:
            raise HTTPException(403, f"this route needs the {minimum} role (send {KEY_HEADER})")
        return role

    return check


def audit(path: Path, request: Request, status: int) -> None:
    key = request.headers.get(KEY_HEADER)
    try:
        role = role_of(request)
    except HTTPException:
        role = "refused"  # type: ignore[assignment]
    entry = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "role": role,
             "key": key_id(key) if key else None, "method": request.method, "path": request.url.path,
             "query": str(request.url.query), "status": status}
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


__all__ = ["KEY_HEADER", "Role", "api_keys", "audit", "key_id", "require", "role_of"]
