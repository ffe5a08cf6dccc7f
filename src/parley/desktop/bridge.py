"""The SDK's asyncio loop, running in a daemon thread so that no network call ever blocks the UI."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

Dispatch = Callable[[Callable[[], None]], None]
"""Runs a callable on the UI thread (Kivy: ``Clock.schedule_once``); the view-model mutates state only there."""


class AsyncBridge:
    """``submit(coro)`` from any thread; the coroutine runs on the background loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="parley-sdk", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel what is still running, then stop the loop and join the thread."""
        if not self.loop.is_running():
            return

        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            self.submit(cancel_all()).result(timeout)
        except Exception:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)


class QueueDispatch:
    """A UI thread stand-in for running the view-model without Kivy: callables wait until pumped."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def __call__(self, fn: Callable[[], None]) -> None:
        self._queue.put(fn)

    def run_pending(self) -> int:
        ran = 0
        while True:
            try:
                fn = self._queue.get_nowait()
            except queue.Empty:
                return ran
            fn()
            ran += 1

    def run_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Pump until ``predicate()`` holds; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not reached")
            try:
                fn = self._queue.get(timeout=0.05)
            except queue.Empty:
                continue
            fn()
