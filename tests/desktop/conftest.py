"""View-model fixtures: a ParleyModel on its own SDK thread, pumped by the test as the UI thread would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from parley.desktop.bridge import QueueDispatch
from parley.desktop.model import ParleyModel
from parley.desktop.settings import SettingsStore


class Desktop:
    """A view-model plus the queue standing in for Kivy's main thread."""

    def __init__(self, config_dir: Path) -> None:
        self.dispatch = QueueDispatch()
        self.store = SettingsStore(config_dir)
        self.vm = ParleyModel(self.store, self.dispatch)
        self.topics: list[str] = []
        self.vm.subscribe(self.topics.append)

    async def until(self, predicate: Callable[[], object], within: float = 10.0, what: str = "") -> None:
        """Pump UI callbacks while letting the test's own SDK clients run, until ``predicate()``."""
        deadline = time.monotonic() + within
        while True:
            self.dispatch.run_pending()
            if predicate():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or predicate}; error={self.vm.error!r}")
            await asyncio.sleep(0.02)


@pytest.fixture
async def desktop(tmp_path: Path) -> AsyncIterator[Callable[..., Desktop]]:
    made: list[Desktop] = []

    def make(config_dir: Path | None = None) -> Desktop:
        d = Desktop(config_dir or tmp_path / f"config{len(made)}")
        made.append(d)
        return d

    yield make
    for d in made:
        await asyncio.to_thread(d.vm.shutdown)
