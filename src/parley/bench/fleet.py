"""Worker processes that carry the load, and the thin channel between them and the runner.

Each worker runs ``target(payload, link)`` under ``asyncio.run`` in a spawned process. Through its
:class:`Link` it reports progress, waits at named checkpoints (the runner may act while all workers wait
there, e.g. measure memory or store messages), and returns a JSON-able result.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing as mp
import queue as queue_mod
import time
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

from .machine import raise_nofile_limit
from .server import BenchError

WorkerFn = Callable[[Any, "Link"], Coroutine[Any, Any, Any]]
FLUSH_EVERY = 0.1


class Link:
    def __init__(self, wid: int, q: Any, released: Any) -> None:
        self.wid = wid
        self._q = q
        self._released = released
        self._pending: dict[str, int] = {}
        self._last_flush = time.monotonic()
        self._checkpoints = 0

    def progress(self, counter: str, n: int = 1) -> None:
        self._pending[counter] = self._pending.get(counter, 0) + n
        if time.monotonic() - self._last_flush > FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        for counter, n in self._pending.items():
            if n:
                self._q.put(("progress", self.wid, (counter, n)))
        self._pending.clear()
        self._last_flush = time.monotonic()

    def note(self, **values: Any) -> None:
        self._q.put(("note", self.wid, values))

    async def checkpoint(self, name: str) -> None:
        """Wait until every worker is here and the runner has done its part for ``name``."""
        self.flush()
        self._checkpoints += 1
        self._q.put(("arrive", self.wid, name))
        # A shared counter across processes: polling it keeps this loop (and its sockets) alive.
        while self._released.value < self._checkpoints:  # noqa: ASYNC110
            await asyncio.sleep(0.005)


def _worker_main(wid: int, target: str, payload: Any, q: Any, released: Any) -> None:
    raise_nofile_limit()
    module, _, name = target.rpartition(".")
    fn: WorkerFn = getattr(importlib.import_module(module), name)
    link = Link(wid, q, released)
    try:
        result: Any = asyncio.run(fn(payload, link))
        link.flush()
        q.put(("done", wid, result))
    except BaseException:
        q.put(("error", wid, traceback.format_exc()))


class Fleet:
    """Run ``target`` (a "module.function" path) once per payload, each in its own process."""

    def __init__(self, target: str, payloads: list[Any]) -> None:
        self.target = target
        self.payloads = payloads
        ctx = mp.get_context("spawn")
        self._q = ctx.Queue()
        self._released = ctx.Value("i", 0)
        self._procs = [
            ctx.Process(target=_worker_main, args=(i, target, p, self._q, self._released), daemon=True)
            for i, p in enumerate(payloads)
        ]
        self.notes: list[dict[str, Any]] = []

    def run(
        self,
        on_progress: Callable[[str, int], None] | None = None,
        at_checkpoint: dict[str, Callable[[], None]] | None = None,
        timeout: float = 1800,
    ) -> list[Any]:
        """Start the workers, relay progress and checkpoints, return their results in payload order."""
        for p in self._procs:
            p.start()
        results: dict[int, Any] = {}
        arrived: dict[str, int] = {}
        deadline = time.monotonic() + timeout
        try:
            while len(results) < len(self._procs):
                if time.monotonic() > deadline:
                    raise BenchError(f"workers did not finish within {timeout:.0f} s")
                try:
                    kind, wid, value = self._q.get(timeout=0.5)
                except queue_mod.Empty:
                    dead = [i for i, p in enumerate(self._procs) if not p.is_alive() and i not in results]
                    if dead and self._q.empty():
                        time.sleep(0.5)
                        if self._q.empty():
                            raise BenchError(f"worker {dead[0]} died without a result") from None
                    continue
                if kind == "progress" and on_progress is not None:
                    on_progress(*value)
                elif kind == "note":
                    self.notes.append({"worker": wid, **value})
                elif kind == "arrive":
                    arrived[value] = arrived.get(value, 0) + 1
                    if arrived[value] == len(self._procs):
                        action = (at_checkpoint or {}).get(value)
                        if action is not None:
                            action()
                        with self._released.get_lock():
                            self._released.value += 1
                elif kind == "done":
                    results[wid] = value
                elif kind == "error":
                    raise BenchError(f"worker {wid} failed:\n{value}")
        finally:
            self.stop()
        return [results[i] for i in range(len(self._procs))]

    def stop(self) -> None:
        for p in self._procs:
            p.join(timeout=5 if p.is_alive() else 0.1)
            if p.is_alive():
                p.kill()
                p.join(5)


def split(items: list[Any], parts: int) -> list[list[Any]]:
    """``items`` dealt round-robin into ``parts`` non-empty lists (fewer when there are fewer items)."""
    parts = max(1, min(parts, len(items)))
    return [items[i::parts] for i in range(parts)]
