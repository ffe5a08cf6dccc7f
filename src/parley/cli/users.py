"""``parley user …``: create, list, reset the password of, and disable accounts, straight in the database."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from .local import DataDir, DbUrl, clean_errors, console, run_with_services, settings_from

app = typer.Typer(help="Manage accounts (works with or without a running server).", no_args_is_help=True)

Username = Annotated[str, typer.Argument(help="the account's username")]


def _new_password(password: str | None) -> str:
    if password is not None:
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("add")
@clean_errors
def add(
    username: Username,
    display_name: Annotated[str | None, typer.Option("--display-name", help="shown instead of the username")] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="the password (prompted for when omitted)", show_default=False)
    ] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Create an account (username: 3-32 letters, digits, _ . -; password: at least 8 characters)."""
    settings = settings_from(data_dir, database_url)
    secret = _new_password(password)

    async def work(services: Any) -> int:
        return int(await services.accounts.create_user(username, secret, display_name))

    user_id = run_with_services(settings, work)
    console.print(f"[green]created[/] {escape(username)} (id {user_id})")


@app.command("list")
@clean_errors
def list_(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Every account, oldest first."""
    from ..server.storage import users as store
    from ..server.storage.db import iso

    async def work(services: Any) -> list[Any]:
        async with services.ctx.db.read() as conn:
            return await store.list_users(conn)

    rows = run_with_services(settings_from(data_dir, database_url), work)
    table = Table(title=f"{len(rows)} users")
    for column in ("id", "username", "display name", "status", "created", "last seen"):
        table.add_column(column, justify="right" if column == "id" else "left", no_wrap=column != "display name")
    for row in rows:
        table.add_row(
            str(row["id"]),
            escape(row["username"]),
            escape(row["display_name"]),
            "[red]disabled[/]" if row["disabled"] else "active",
            (iso(row["created_at"]) or "")[:19].replace("T", " "),
            (iso(row["last_seen_at"]) or "never")[:19].replace("T", " "),
        )
    console.print(table)


@app.command("passwd")
@clean_errors
def passwd(
    username: Username,
    password: Annotated[
        str | None, typer.Option("--password", help="the new password (prompted for when omitted)", show_default=False)
    ] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Set a new password and end all of the user's sessions (they log in again)."""
    settings = settings_from(data_dir, database_url)
    secret = _new_password(password)

    async def work(services: Any) -> None:
        await services.accounts.set_password(username, secret)

    run_with_services(settings, work)
    console.print(f"[green]password changed[/] for {escape(username)}; their sessions have ended")


@app.command("disable")
@clean_errors
def disable(
    username: Username,
    enable: Annotated[bool, typer.Option("--enable", help="enable the account again instead")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Disable an account (it cannot log in; its sessions end), or enable it again with --enable."""

    async def work(services: Any) -> None:
        await services.accounts.set_disabled(username, not enable)

    run_with_services(settings_from(data_dir, database_url), work)
    console.print(f"[green]{'enabled' if enable else 'disabled'}[/] {escape(username)}")
