"""Portal users and browser sessions, in a small SQLite database of their own (never in code,
never in the warehouse the analyses read).

A user has a name, a role (``analyst`` or ``admin``), for an area analyst an area, and an
Argon2id password hash (argon2-cffi, its RFC 9106 low-memory profile; a hash made with older
parameters is upgraded at the next sign-in). Passwords are at least :data:`MIN_PASSWORD`
characters. After :data:`MAX_FAILURES` wrong passwords in a row a name is locked for
:data:`LOCK_MINUTES` minutes; an unknown name costs the same hashing time as a known one.

A session is a random 256-bit token in the ``kuva_session`` cookie (HttpOnly, SameSite=Strict,
Secure over HTTPS); the database keeps only its SHA-256, the user, a CSRF token, and when it
started and was last used. A session ends on sign-out, after :data:`IDLE_MINUTES` minutes
without a request, after :data:`MAX_HOURS` hours in any case, and when its user is removed or
gets a new password.

``KUVA_USERS`` names the database (default ``kuva-users.sqlite`` beside the warehouse);
``kuva users add|list|remove`` manages it.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kuva.errors import KuvaConfigError, KuvaInputError, KuvaLookupError

MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCK_MINUTES = 15
IDLE_MINUTES = 30
MAX_HOURS = 8
ROLES = ("analyst", "admin")
NAME = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, role TEXT NOT NULL, area TEXT, password_hash TEXT NOT NULL,
    created TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0, locked_until TEXT);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL, started TEXT NOT NULL, last_seen TEXT NOT NULL);
"""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    area: str | None
    created: str


@dataclass(frozen=True)
class Session:
    """A live session: its user, and the CSRF token the session's forms carry."""

    user: User
    csrf: str


def users_path(warehouse: Path, environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    text = env.get("KUVA_USERS", "")
    return Path(text) if text else warehouse.with_name("kuva-users.sqlite")


def _now() -> datetime:
    return datetime.now(UTC)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserStore:
    """The users and sessions database at ``path`` (created on first use)."""

    def __init__(self, path: Path | str) -> None:
        from argon2 import PasswordHasher
        from argon2.profiles import RFC_9106_LOW_MEMORY

        self.path = Path(path)
        self._hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self.path.parent.is_dir():
            raise KuvaConfigError(f"KUVA_USERS: {self.path.parent} is not a directory")
        with closing(sqlite3.connect(self.path, timeout=10)) as con:
            con.execute("PRAGMA foreign_keys = ON")
            con.executescript(_SCHEMA)
            with con:  # one transaction: committed on success, rolled back on an error
                yield con

    # -- users ---------------------------------------------------------------------------------
    def add(self, name: str, password: str, role: str, area: str | None = None) -> User:
        if not NAME.match(name):
            raise KuvaInputError(f"user name {name!r}: 2-64 letters, digits or . _ @ -")
        if role not in ROLES:
            raise KuvaInputError(f"--role: one of {', '.join(ROLES)}, got {role!r}")
        if area and role != "analyst":
            raise KuvaInputError("--area: only an analyst is bound to an area (an area analyst)")
        _check_password(password)
        user = User(name, role, area or None, _now().isoformat(timespec="seconds"))
        with self._db() as con:
            if con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise KuvaInputError(f"user {name!r} exists already (a new password: kuva users password)")
            con.execute("INSERT INTO users (name, role, area, password_hash, created) VALUES (?, ?, ?, ?, ?)",
                        (user.name, user.role, user.area, self._hasher.hash(password), user.created))
        return user

    def set_password(self, name: str, password: str) -> None:
        """A new password; the user's sessions end."""
        _check_password(password)
        with self._db() as con:
            if con.execute("UPDATE users SET password_hash = ?, failures = 0, locked_until = NULL WHERE name = ?",
                           (self._hasher.hash(password), name)).rowcount == 0:
                raise KuvaLookupError(f"no user {name!r} (kuva users list)")
            con.execute("DELETE FROM sessions WHERE name = ?", (name,))

    def remove(self, name: str) -> None:
        with self._db() as con:
            if con.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise KuvaLookupError(f"no user {name!r} (kuva users list)")

    def users(self) -> list[User]:
        with self._db() as con:
            rows = con.execute("SELECT name, role, area, created FROM users ORDER BY name").fetchall()
        return [User(*r) for r in rows]

    # -- signing in ----------------------------------------------------------------------------
    def verify(self, name: str, password: str) -> User | None:
        """The user when the password is right and the name not locked; None otherwise (an
        unknown name is hashed against a dummy so it takes as long)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        now = _now()
        with self._db() as con:
            row = con.execute("SELECT name, role, area, created, password_hash, failures, locked_until FROM users "
                              "WHERE name = ?", (name,)).fetchone()
            if row is None:
                with suppress(VerificationError):
                    self._hasher.verify(self._dummy, password)
                return None
            user, stored, failures, locked = User(*row[:4]), row[4], row[5], row[6]
            if locked and datetime.fromisoformat(locked) > now:
                return None
            try:
                self._hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                failures += 1
                until = (now + timedelta(minutes=LOCK_MINUTES)).isoformat() if failures >= MAX_FAILURES else None
                con.execute("UPDATE users SET failures = ?, locked_until = ? WHERE name = ?",
                            (0 if until else failures, until, name))
                return None
            new_hash = self._hasher.hash(password) if self._hasher.check_needs_rehash(stored) else stored
            con.execute("UPDATE users SET failures = 0, locked_until = NULL, password_hash = ? WHERE name = ?",
                        (new_hash, name))
        return user

    def locked(self, name: str) -> bool:
        with self._db() as con:
            row = con.execute("SELECT locked_until FROM users WHERE name = ?", (name,)).fetchone()
        return bool(row and row[0] and datetime.fromisoformat(row[0]) > _now())

    # -- sessions ------------------------------------------------------------------------------
    def open_session(self, user: User) -> tuple[str, str]:
        """A new session of ``user``: (token for the cookie, CSRF token for its forms)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = _now().isoformat()
        with self._db() as con:
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (_hash_token(token), user.name, csrf, now, now))
        return token, csrf

    def session(self, token: str) -> Session | None:
        """The live session of a cookie's token (its last use is updated at most once a minute);
        None for an unknown, ended or expired one (an expired one is deleted)."""
        key = _hash_token(token)
        now = _now()
        with self._db() as con:
            row = con.execute("SELECT u.name, u.role, u.area, u.created, s.csrf, s.started, s.last_seen "
                              "FROM sessions s JOIN users u ON u.name = s.name WHERE s.token_hash = ?",
                              (key,)).fetchone()
            if row is None:
                return None
            started, seen = datetime.fromisoformat(row[5]), datetime.fromisoformat(row[6])
            if now - seen > timedelta(minutes=IDLE_MINUTES) or now - started > timedelta(hours=MAX_HOURS):
                con.execute("DELETE FROM sessions WHERE token_hash = ?", (key,))
                return None
            if now - seen > timedelta(minutes=1):
                con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now.isoformat(), key))
        return Session(User(*row[:4]), row[4])

    def close_session(self, token: str) -> None:
        with self._db() as con:
            con.execute("DELETE FROM sessions WHERE token_hash = ?", (_hash_token(token),))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise KuvaInputError(f"a password has at least {MIN_PASSWORD} characters")


__all__ = ["IDLE_MINUTES", "LOCK_MINUTES", "MAX_FAILURES", "MAX_HOURS", "MIN_PASSWORD", "ROLES", "Session", "User",
           "UserStore", "users_path"]
