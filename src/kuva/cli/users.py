"""``kuva users …``: the portal's users (browser sign-in), in their own small database
(``KUVA_USERS``, default ``kuva-users.sqlite`` beside the warehouse)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kuva.cli.app import state, users_app
from kuva.cli.output import out

if TYPE_CHECKING:
    from kuva.warehouse.users import UserStore

PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of "
                                                                      "standard input (scripts) instead of asking.")]


def _store(ctx: typer.Context) -> UserStore:
    from kuva.warehouse.users import UserStore, users_path

    return UserStore(users_path(Path(state(ctx).settings().warehouse)))


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name (2-64 letters, digits or . _ @ -).")],
    role: Annotated[str, typer.Option("--role", help="analyst or admin.")] = "analyst",
    area: Annotated[str | None, typer.Option("--area", help="Bind an analyst to one area (code, slug or name): an "
                                                            "area analyst.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a portal user with a password (at least 12 characters, stored as an Argon2id hash)."""
    store = _store(ctx)
    user = store.add(name, _password(password_stdin), role, area)
    out.print(f"Added {user.name} ({user.role}{' @ ' + user.area if user.area else ''}) to {store.path}")


@users_app.command("password")
def password(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Give a user a new password; the user's open sessions end."""
    store = _store(ctx)
    store.set_password(name, _password(password_stdin))
    out.print(f"New password for {name}; their sessions ended")


@users_app.command("remove")
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Remove a user (and end their sessions)."""
    store = _store(ctx)
    store.remove(name)
    out.print(f"Removed {name}")


@users_app.command("list")
def list_users(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Output format: table, csv or json.")] = "table",
) -> None:
    """List the portal's users: name, role, area, created (never a password or hash)."""
    import pandas as pd

    from kuva.cli.output import OUTPUT_FORMATS, choice, emit

    choice("--format", fmt, OUTPUT_FORMATS)
    store = _store(ctx)
    rows = [{"name": u.name, "role": u.role, "area": u.area or "", "created": u.created} for u in store.users()]
    emit(pd.DataFrame(rows, columns=["name", "role", "area", "created"]), fmt)
