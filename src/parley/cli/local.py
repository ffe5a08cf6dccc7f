"""What the administrative commands share: settings from flags, a migrated database, clean errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from ..config import Settings
from ..errors import ParleyError

T = TypeVar("T")

console = Console()
err = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="data directory [env PARLEY_DATA_DIR]")]
DbUrl = Annotated[str | None, typer.Option("--database-url", help="PostgreSQL URL [env PARLEY_DATABASE_URL]")]


def settings_from(data_dir: Path | None = None, database_url: str | None = None, **extra: object) -> Settings:
    """Environment settings, overridden by the flags that were given."""
    settings = Settings()
    changes: dict[str, object] = {k: v for k, v in extra.items() if v is not None}
    if data_dir is not None:
        changes["data_dir"] = data_dir
    if database_url is not None:
        changes["database_url"] = database_url
    return settings.replace(**changes) if changes else settings


def fail(message: str) -> NoReturn:
    """Red text on stderr, exit status 1; never a traceback for a problem the user can fix."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(1)


def clean_errors(command: Callable[..., T]) -> Callable[..., T]:
    """Turn the errors a user can act on into :func:`fail`."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return command(*args, **kwargs)
        except ParleyError as exc:
            fail(exc.message)
        except OSError as exc:
            fail(str(exc))

    return wrapper


def run_with_services(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Migrate the database, then run ``work(services)`` against it without a server."""
    from ..server.storage.migrate import upgrade

    try:
        upgrade(settings.db_url)
    except Exception as exc:  # alembic/driver errors: the database cannot be opened or migrated
        fail(f"cannot open the database {settings.db_url}: {exc}")

    async def main() -> T:
        async with local_services(settings) as services:
            return await work(services)

    return asyncio.run(main())


@asynccontextmanager
async def local_services(settings: Settings) -> AsyncIterator[Any]:
    """Services over the database with no fan-out: for commands that run beside (or without) a server."""
    from ..server.services import Context, Services
    from ..server.services.fanout import NullFanout
    from ..server.services.passwords import Passwords
    from ..server.services.presence import MemoryPresence
    from ..server.storage.db import Database

    ctx = Context(
        settings=settings,
        db=Database(settings.db_url),
        fanout=NullFanout(),
        presence=MemoryPresence(),
        passwords=Passwords(settings.argon2_time_cost, settings.argon2_memory_kib),
    )
    services = Services(ctx)
    try:
        yield services
    finally:
        await services.close()
