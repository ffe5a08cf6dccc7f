"""Fixtures: real ``parley serve`` processes on loopback ports, and SDK clients logged into them."""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from tests.support.server import ServerProcess

from parley.client import Client

PASSWORD = "correct-horse-battery"
_names = itertools.count()


def unique_name(prefix: str = "u") -> str:
    """A username no other test uses (servers are shared within a session)."""
    return f"{prefix}{next(_names)}_{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One SQLite-backed server shared by the tests that do not restart or kill it."""
    with ServerProcess(tmp_path_factory.mktemp("server")) as proc:
        yield proc


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Start extra servers (own data dir unless given); all stopped after the test."""
    started: list[ServerProcess] = []

    def start(**kwargs: object) -> ServerProcess:
        data_dir = kwargs.pop("data_dir", None) or tmp_path / f"srv{len(started)}"
        proc = ServerProcess(data_dir, **kwargs).start()  # type: ignore[arg-type]
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


def postgres_url() -> str:
    url = os.environ.get("PARLEY_TEST_DATABASE_URL")
    if not url:
        pytest.skip("PARLEY_TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    return url


def redis_url() -> str:
    url = os.environ.get("PARLEY_TEST_REDIS_URL")
    if not url:
        pytest.skip("PARLEY_TEST_REDIS_URL is not set: Redis tests skipped")
    return url


@pytest.fixture
def fresh_postgres() -> str:
    """The test PostgreSQL database, emptied of Parley's tables (each test starts from migrations)."""
    import asyncio

    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    url = postgres_url()

    async def reset() -> None:
        engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        async with engine.begin() as conn:
            await conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            await conn.execute(sa.text("CREATE SCHEMA public"))
        await engine.dispose()

    # In a thread of its own: async tests call this while their event loop is running.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, reset()).result()
    return url


@pytest.fixture
async def make_client() -> AsyncIterator[Callable[..., object]]:
    """``await make_client(server)`` → a registered, connected :class:`Client` (closed after the test)."""
    clients: list[Client] = []

    async def make(proc: ServerProcess, username: str | None = None, *, login: bool = False, **kw: object) -> Client:
        client = Client(proc.url, **kw)  # type: ignore[arg-type]
        clients.append(client)
        name = username or unique_name()
        if login:
            await client.login(name, PASSWORD)
        else:
            await client.register(name, PASSWORD, display_name=name.title())
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client_behind_proxy() -> AsyncIterator[Callable[..., object]]:
    """``await client_behind_proxy(server)`` → (registered :class:`Client`, :class:`Proxy`): its network can be cut."""
    from tests.support.proxy import Proxy

    made: list[tuple[Client, Proxy]] = []

    async def make(proc: ServerProcess) -> tuple[Client, Proxy]:
        proxy = await Proxy(proc.port).start()
        client = Client(proxy.url)
        made.append((client, proxy))
        await client.register(unique_name("p"), PASSWORD)
        return client, proxy

    yield make
    for client, proxy in made:
        await client.close()
        await proxy.close()
