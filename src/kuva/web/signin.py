"""Signing in and out of the portal in a browser (:mod:`kuva.warehouse.users` keeps the users and
sessions). The two forms are the portal's only state-changing requests, and both are protected
against cross-site request forgery twice: the form carries a token that must equal the
``kuva_csrf`` cookie (signing in) or the session's own token (signing out), and a request whose
``Origin`` header names another site is refused. Every attempt is in the audit trail, with the
name tried (never the password).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kuva.i18n import check_lang, label
from kuva.warehouse.users import IDLE_MINUTES, LOCK_MINUTES, Session
from kuva.web.pages import LANGUAGES, language_links
from kuva.web.security import SESSION_COOKIE, principal_of

router = APIRouter()
CSRF_COOKIE = "kuva_csrf"
FORM = "application/x-www-form-urlencoded"


def _secure(request: Request) -> bool:
    """Secure cookies over HTTPS (uvicorn takes the scheme from a trusted proxy's
    X-Forwarded-Proto), or always with ``KUVA_SECURE_COOKIES=yes``."""
    return request.url.scheme == "https" or bool(request.app.state.secure_cookies)


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=_secure(request))


async def _form(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip() != FORM:
        raise HTTPException(415, f"send the form as {FORM}")
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(403, "cross-site form refused (Origin is another site)")
    try:
        fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True, max_num_fields=8,
                          strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "the form is not valid UTF-8 form data") from None
    return {k: v[0] for k, v in fields.items()}


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def _local(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _page(request: Request, lang: str, *, status: int = 200, failed: bool = False, target: str = "/") -> Response:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    env = request.app.state.templates
    ctx: dict[str, Any] = {"lang": lang, "title": label("web.signin", lang), "languages": LANGUAGES, "sources": "KuVa",
                           "t": lambda key, **kw: label(key, lang, **kw), "who": principal_of(request),
                           "csrf": token, "failed": failed, "target": target, "lock_minutes": LOCK_MINUTES,
                           "idle_minutes": IDLE_MINUTES, "lang_links": language_links(request)}
    response = HTMLResponse(env.get_template("login.html").render(**ctx), status_code=status)
    response.headers["Cache-Control"] = "no-store"
    _cookie(response, request, CSRF_COOKIE, token)
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request) -> Response:
    lang = check_lang(request.query_params.get("lang", "fi"), name="lang")
    return _page(request, lang, target=_local(request.query_params.get("next")))


@router.post("/login", include_in_schema=False)
async def login(request: Request) -> Response:
    form = await _form(request)
    lang = check_lang(form.get("lang", "fi"), name="lang")
    if not _same(form.get("csrf"), request.cookies.get(CSRF_COOKIE)):
        raise HTTPException(403, "the form's CSRF token does not match; open the sign-in page again")
    name = form.get("name", "").strip()
    request.state.attempted_user = name[:64]
    target = _local(form.get("next"))
    user = request.app.state.users.verify(name, form.get("password", "")) if name else None
    if user is None:
        return _page(request, lang, status=401, failed=True, target=target)
    token, _ = request.app.state.users.open_session(user)
    response = RedirectResponse(target, status_code=303)
    _cookie(response, request, SESSION_COOKIE, token)
    _cookie(response, request, CSRF_COOKIE, secrets.token_urlsafe(32))  # a new one after signing in
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    form = await _form(request)
    session: Session | None = getattr(request.state, "session", None)
    token = request.cookies.get(SESSION_COOKIE)
    if session is None or token is None:
        return RedirectResponse("/", status_code=303)  # nothing to end
    if not _same(form.get("csrf"), session.csrf):
        raise HTTPException(403, "the form's CSRF token does not match this session")
    request.app.state.users.close_session(token)
    response = RedirectResponse(f"/?lang={check_lang(form.get('lang', 'fi'), name='lang')}", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


__all__ = ["CSRF_COOKIE", "router"]
