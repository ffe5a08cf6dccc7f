"""``parley``: serve, migrate, administer users, import/export, and script chats through the SDK."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from . import bench, desktop, scripting, transfer, users
from .local import DataDir, DbUrl, console, err, settings_from

app = typer.Typer(help="Parley: a self-hosted real-time chat.", no_args_is_help=True, add_completion=False)

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)

__all__ = ["DataDir", "DbUrl", "app", "console", "err", "main", "settings_from"]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on [env PARLEY_HOST]")] = None,
    port: Annotated[int | None, typer.Option(help="port [env PARLEY_PORT]")] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
    redis_url: Annotated[
        str | None, typer.Option(help="Redis URL for several processes [env PARLEY_REDIS_URL]")
    ] = None,
) -> None:
    """Apply migrations, then serve the API, Socket.IO and the web client."""
    import uvicorn

    from ..server import create_app
    from ..server.storage.migrate import upgrade

    settings = settings_from(data_dir, database_url, host=host, port=port, redis_url=redis_url)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    upgrade(settings.db_url)
    console.print(f"[bold]Parley[/] on http://{settings.host}:{settings.port}  (API docs: /docs)")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=False,
        lifespan="on",
        ws="websockets-sansio" if _has_sansio() else "auto",
    )


def _has_sansio() -> bool:
    try:
        import uvicorn.protocols.websockets.websockets_sansio_impl  # noqa: F401
    except ImportError:
        return False
    return True


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Apply all database migrations."""
    from ..server.storage.migrate import upgrade

    settings = settings_from(data_dir, database_url)
    upgrade(settings.db_url)
    console.print("[green]database is up to date[/]")


# --- the other commands and groups (defined in their own modules); register new ones here ----------
app.add_typer(db_app, name="db")
app.add_typer(users.app, name="user")
app.command("import-json")(transfer.import_json)
app.command("export-json")(transfer.export_json)
app.command("send")(scripting.send)
app.command("listen")(scripting.listen)
app.add_typer(bench.app, name="bench")
app.command("desktop")(desktop.desktop)


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def main() -> None:
    app()
