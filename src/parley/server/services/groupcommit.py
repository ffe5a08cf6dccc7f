"""Group commit: concurrent sends share one transaction, and each is acknowledged only after it commits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from ... import errors
from ..storage.db import Database

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

Apply = Callable[[Connection, T], R]


class GroupCommit(Generic[T, R]):
    """Runs ``apply(conn, item)`` (synchronous SQLAlchemy) for queued items, many per transaction.

    ``apply`` checks its rules before writing, so a ParleyError leaves nothing behind and fails only
    its own item. Any other error rolls the batch back and its items are retried one transaction each,
    so one bad item cannot fail its neighbours.
    """

    def __init__(self, db: Database, apply: Apply[T, R], max_batch: int = 256) -> None:
        self.db = db
        self.apply = apply
        self.max_batch = max_batch
        self._queue: asyncio.Queue[tuple[T, asyncio.Future[R]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((item, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run(), name="group-commit")
        return await future

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            except Exception:
                log.warning("group commit of %d failed; retrying one by one", len(batch), exc_info=True)
                for entry in batch:
                    try:
                        await self._commit([entry])
                    except Exception as exc:
                        log.exception("send failed")
                        if not entry[1].done():
                            entry[1].set_exception(
                                errors.InternalError() if not isinstance(exc, errors.ParleyError) else exc
                            )

    async def _commit(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        def work(conn: Connection) -> list[tuple[asyncio.Future[R], Any, bool]]:
            # On SQLite this runs on the writer thread: it only reads the futures, never resolves them.
            outcomes: list[tuple[asyncio.Future[R], Any, bool]] = []
            for item, future in batch:
                try:
                    outcomes.append((future, self.apply(conn, item), True))
                except errors.ParleyError as exc:
                    outcomes.append((future, exc, False))
            return outcomes

        outcomes = await self.db.write_batch(work)
        # Committed: only now may anyone hear of it.
        for future, value, ok in outcomes:
            if future.done():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
