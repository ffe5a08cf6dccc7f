"""Engines and transactions. SQLite gets one writer connection (BEGIN IMMEDIATE) beside a reader pool."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, QueuePool

T = TypeVar("T")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control from the driver so BEGIN is ours (recipe from SQLAlchemy's docs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # FULL: an acknowledged message survives a power cut too, not only a killed process.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_engine(url: str, *, begin: str, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(
        url,
        poolclass=AsyncAdaptedQueuePool,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=60,
        connect_args={"timeout": 30},
    )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "begin", lambda conn: conn.exec_driver_sql(begin))
    return engine


def _sqlite_writer_engine(url: str) -> Engine:
    """A plain (sync) sqlite3 connection for the writer thread: a whole batch costs one thread hop."""
    engine = create_engine(
        make_url(url).set(drivername="sqlite+pysqlite"),
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        connect_args={"timeout": 30, "check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


class Database:
    """Both dialects behind one small interface: ``read()`` and ``write()`` transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        if self.is_sqlite:
            self.write_engine = _sqlite_engine(url, begin="BEGIN IMMEDIATE", pool_size=1)
            self.read_engine = _sqlite_engine(url, begin="BEGIN", pool_size=4)
        else:
            self.write_engine = self.read_engine = create_async_engine(url, pool_size=10, max_overflow=10)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        if self.is_sqlite:
            self._batch_engine: Engine | None = _sqlite_writer_engine(url)
            self._batch_thread: ThreadPoolExecutor | None = ThreadPoolExecutor(1, thread_name_prefix="parley-writer")
        else:
            self._batch_engine = self._batch_thread = None

    @property
    def engines(self) -> list[Engine]:
        """Every engine behind this database, as sync engines (for instrumentation: events, statistics)."""
        engines = [self.write_engine.sync_engine]
        if self.read_engine is not self.write_engine:
            engines.append(self.read_engine.sync_engine)
        if self._batch_engine is not None:
            engines.append(self._batch_engine)
        return engines

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A read-write transaction; committed when the block ends without an exception."""
        if self._write_lock is not None:
            async with self._write_lock, self.write_engine.begin() as conn:
                yield conn
        else:
            async with self.write_engine.begin() as conn:
                yield conn

    async def write_batch(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(conn)`` in one read-write transaction and commit: the group-commit path.

        ``work`` is plain synchronous SQLAlchemy. SQLite runs it on a dedicated writer thread (one hop for
        the whole batch instead of several per statement); PostgreSQL through ``run_sync``.
        """
        if self._batch_engine is None or self._batch_thread is None or self._write_lock is None:
            async with self.write_engine.begin() as conn:
                return await conn.run_sync(work)
        engine = self._batch_engine

        def in_transaction() -> T:
            with engine.begin() as conn:
                return work(conn)

        async with self._write_lock:
            return await asyncio.get_running_loop().run_in_executor(self._batch_thread, in_transaction)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        async with self.read_engine.connect() as conn:
            yield conn

    async def ping(self) -> None:
        async with self.read() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        if self._batch_engine is not None and self._batch_thread is not None:
            await asyncio.get_running_loop().run_in_executor(self._batch_thread, self._batch_engine.dispose)
            self._batch_thread.shutdown()
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()
