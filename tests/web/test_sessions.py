"""Browser sign-in: users with Argon2 hashes in their own database, sessions, CSRF protection,
lock-out, the audit trail, the answer cache across sign-out, the ``kuva users`` commands, and
the whole flow in a real Chromium."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from kuva.errors import KuvaInputError, KuvaLookupError
from kuva.warehouse.users import IDLE_MINUTES, MAX_FAILURES, UserStore
from kuva.web.app import create_app
from tests.web.conftest import AREA, running

PASSWORD = "correct horse battery staple"


@pytest.fixture
def store(tmp_path: Path) -> UserStore:
    return UserStore(tmp_path / "users.sqlite")


def test_passwords_are_argon2_hashes_and_verified(store: UserStore) -> None:
    store.add("aino", PASSWORD, "analyst", AREA)
    raw = store.path.read_bytes()
    assert PASSWORD.encode() not in raw
    with sqlite3.connect(store.path) as con:
        (stored,) = con.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$")
    user = store.verify("aino", PASSWORD)
    assert user is not None and (user.role, user.area) == ("analyst", AREA)
    assert store.verify("aino", PASSWORD + "x") is None
    assert store.verify("nobody", PASSWORD) is None


def test_bad_users_are_refused(store: UserStore) -> None:
    with pytest.raises(KuvaInputError, match="12 characters"):
        store.add("aino", "short", "analyst")
    with pytest.raises(KuvaInputError, match="--role"):
        store.add("aino", PASSWORD, "owner")
    with pytest.raises(KuvaInputError, match="area analyst"):
        store.add("aino", PASSWORD, "admin", AREA)
    with pytest.raises(KuvaInputError, match="user name"):
        store.add("a b", PASSWORD, "analyst")
    store.add("aino", PASSWORD, "analyst")
    with pytest.raises(KuvaInputError, match="exists already"):
        store.add("aino", PASSWORD, "admin")
    with pytest.raises(KuvaLookupError, match="no user"):
        store.remove("eino")
    assert [u.name for u in store.users()] == ["aino"]


def test_a_name_is_locked_after_repeated_failures(store: UserStore) -> None:
    store.add("aino", PASSWORD, "analyst")
    for _ in range(MAX_FAILURES - 1):
        assert store.verify("aino", "wrong password 123") is None
    assert not store.locked("aino")
    assert store.verify("aino", PASSWORD) is not None  # a success resets the count
    for _ in range(MAX_FAILURES):
        store.verify("aino", "wrong password 123")
    assert store.locked("aino")
    assert store.verify("aino", PASSWORD) is None  # even the right password, while locked
    store.set_password("aino", PASSWORD + "!")  # an administrator's reset unlocks
    assert store.verify("aino", PASSWORD + "!") is not None


def test_sessions_end_on_sign_out_idle_time_reset_and_removal(store: UserStore) -> None:
    user = store.add("aino", PASSWORD, "analyst")
    token, csrf = store.open_session(user)
    live = store.session(token)
    assert live is not None and live.user.name == "aino" and live.csrf == csrf
    with sqlite3.connect(store.path) as con:
        assert con.execute("SELECT count(*) FROM sessions WHERE token_hash = ?", (token,)).fetchone()[0] == 0
    store.close_session(token)
    assert store.session(token) is None
    token, _ = store.open_session(user)
    stale = (datetime.now(UTC) - timedelta(minutes=IDLE_MINUTES + 1)).isoformat()
    with sqlite3.connect(store.path) as con:
        con.execute("UPDATE sessions SET last_seen = ?", (stale,))
    assert store.session(token) is None
    token, _ = store.open_session(user)
    store.set_password("aino", PASSWORD + "?")
    assert store.session(token) is None
    token, _ = store.open_session(user)
    store.remove("aino")
    assert store.session(token) is None


@pytest.fixture(scope="module")
def portal(portal_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server of its own with two users (an area analyst and a ministry analyst)."""
    d = tmp_path_factory.mktemp("sessions")
    mp = pytest.MonkeyPatch()
    mp.setenv("KUVA_USERS", str(d / "users.sqlite"))
    mp.delenv("KUVA_API_KEYS", raising=False)
    users = UserStore(d / "users.sqlite")
    users.add("aino", PASSWORD, "analyst", AREA)
    users.add("ministry", PASSWORD, "analyst")
    log = d / "audit.jsonl"
    with running(create_app(portal_warehouse, audit_log=log)) as base:
        yield base, log
    mp.undo()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the form"
    return found.group(1)


def _sign_in(base: str, name: str, password: str = PASSWORD, next_: str = "/") -> tuple[httpx.Client, httpx.Response]:
    c = httpx.Client(base_url=base, timeout=120)
    form = c.get("/login")
    r = c.post("/login", data={"csrf": _csrf(form.text), "name": name, "password": password, "next": next_})
    return c, r


def test_signing_in_gives_the_users_role_on_pages_and_api(portal: tuple[str, Path]) -> None:
    base, log = portal
    params = {"level": "municipality", "from": "2024-01", "to": "2024-06"}
    assert httpx.get(f"{base}/api/v1/process/plan-debt", params=params).status_code == 403
    c, r = _sign_in(base, "aino", next_="/area/KU205?lang=en")
    assert r.status_code == 303 and r.headers["location"] == "/area/KU205?lang=en"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("kuva_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = c.get("/area/KU205?lang=en")
    assert "aino (analyst)" in page.text and "Sign out" in page.text
    mine = c.get("/api/v1/process/plan-debt", params=params)
    assert mine.status_code == 200 and {row["area_code"] for row in mine.json()["rows"]} <= {AREA}
    m, _ = _sign_in(base, "ministry")
    everyone = m.get("/api/v1/process/plan-debt", params=params).json()
    assert len({row["area_code"] for row in everyone["rows"]}) > 50
    assert mine.json()["rows"] == [row for row in everyone["rows"] if row["area_code"] == AREA]
    # sign out: the session ends, the same cookie no longer reaches the analyst routes or pages
    old = dict(c.cookies)
    out = c.post("/logout", data={"csrf": _csrf(page.text), "lang": "en"})
    assert out.status_code == 303
    stale = httpx.Client(base_url=base, cookies=old, timeout=120)
    assert stale.get("/api/v1/process/plan-debt", params=params).status_code == 403
    again = stale.get("/area/KU205?lang=en")  # the page was cached for the session; not served to it now
    assert again.status_code == 200 and "aino" not in again.text and "Sign in" in again.text
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert PASSWORD not in log.read_text()
    signed = [e for e in entries if e["user"] == "aino"]
    assert {(e["method"], e["path"], e["status"]) for e in signed} >= {
        ("POST", "/login", 303), ("GET", "/api/v1/process/plan-debt", 200), ("POST", "/logout", 303)}
    assert all(e["area"] == AREA and e["key"] is None for e in signed if e["status"] == 200)
    for client in (c, m, stale):
        client.close()


def test_wrong_passwords_forged_forms_and_foreign_redirects_are_refused(portal: tuple[str, Path]) -> None:
    base, log = portal
    c, r = _sign_in(base, "aino", password="not the password")
    assert r.status_code == 401 and "kuva_session" not in r.headers.get("set-cookie", "")
    assert any(e["path"] == "/login" and e["status"] == 401 and e["user"] == "aino"
               for e in map(json.loads, log.read_text().splitlines()))
    form = c.get("/login")
    token = _csrf(form.text)
    fields = {"csrf": token, "name": "ministry", "password": PASSWORD}
    # no CSRF cookie (a cross-site form would not have it)
    bare = httpx.post(f"{base}/login", data=fields)
    assert bare.status_code == 403 and bare.headers["content-type"].startswith("text/html")
    # a form posted from another site
    assert c.post("/login", data=fields, headers={"Origin": "https://evil.example"}).status_code == 403
    # not a form
    assert c.post("/login", json=fields).status_code == 415
    # after signing in, only local paths
    r = c.post("/login", data={**fields, "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    # signing out needs the session's own token
    assert c.post("/logout", data={"csrf": token}).status_code == 403
    assert c.get("/api/v1/process/quality").status_code == 200  # still signed in
    c.close()


def test_kuva_users_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kuva.cli import app as cli

    monkeypatch.setenv("KUVA_USERS", str(tmp_path / "users.sqlite"))
    runner = CliRunner()
    added = runner.invoke(cli, ["users", "add", "aino", "--role", "analyst", "--area", AREA, "--password-stdin"],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    short = runner.invoke(cli, ["users", "add", "eino", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "12 characters" in short.output
    listed = runner.invoke(cli, ["users", "list", "--format", "json"])
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["role"], r["area"]) for r in rows] == [("aino", "analyst", AREA)]
    assert "argon2" not in listed.stdout
    assert runner.invoke(cli, ["users", "password", "aino", "--password-stdin"], input=PASSWORD + "!\n").exit_code == 0
    assert UserStore(tmp_path / "users.sqlite").verify("aino", PASSWORD + "!") is not None
    assert runner.invoke(cli, ["users", "remove", "aino"]).exit_code == 0
    assert runner.invoke(cli, ["users", "remove", "aino"]).exit_code == 1


def test_signing_in_and_out_in_a_real_browser(portal: tuple[str, Path], browser: Any) -> None:
    base, _ = portal
    page = browser.new_page()
    page.goto(f"{base}/?lang=en")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("User name").fill("aino")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    assert "aino" in page.locator("header").inner_text()
    answer = page.goto(f"{base}/api/v1/process/quality")
    assert answer is not None and answer.status == 200
    page.goto(f"{base}/?lang=en")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/\?lang=en$"))
    assert "Sign in" in page.locator("header").inner_text()
    answer = page.goto(f"{base}/api/v1/process/quality")
    assert answer is not None and answer.status == 403


def test_secure_cookies_setting_marks_the_session_cookie(portal_warehouse: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Over plain HTTP the cookies are not Secure by default (``auto``); KUVA_SECURE_COOKIES=yes
    marks them Secure anyway (a TLS proxy that does not say so) — so over plain HTTP the browser
    keeps them to itself and signing in fails; anything else is refused."""
    from kuva.errors import KuvaConfigError

    monkeypatch.setenv("KUVA_USERS", str(tmp_path / "users.sqlite"))
    UserStore(tmp_path / "users.sqlite").add("aino", PASSWORD, "analyst")
    flags = {}
    for setting in ("auto", "yes"):
        monkeypatch.setenv("KUVA_SECURE_COOKIES", setting)
        with running(create_app(portal_warehouse, audit_log=tmp_path / f"{setting}.jsonl")) as base:
            form = httpx.get(f"{base}/login", timeout=60)
            c, r = _sign_in(base, "aino")
            c.close()
        csrf = next(h for h in form.headers.get_list("set-cookie") if h.startswith("kuva_csrf="))
        flags[setting] = "Secure" in csrf
        if setting == "auto":
            session = next(h for h in r.headers.get_list("set-cookie") if h.startswith("kuva_session="))
            assert "Secure" not in session
        else:  # a Secure cookie never travels back over plain HTTP: the sign-in form is refused
            assert r.status_code == 403
    assert flags == {"auto": False, "yes": True}
    monkeypatch.setenv("KUVA_SECURE_COOKIES", "maybe")
    with pytest.raises(KuvaConfigError, match="KUVA_SECURE_COOKIES"):
        create_app(portal_warehouse, audit_log=tmp_path / "x.jsonl")
