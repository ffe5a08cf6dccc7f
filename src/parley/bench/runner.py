"""Runs scenarios: owns the server under test, the progress display, and writing results."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from .fleet import Fleet
from .machine import machine_info, raise_nofile_limit
from .results import Result
from .seed import Seeder, seeder_for
from .server import Target, migrate, start_server, stop_server

T = TypeVar("T")


@dataclass
class Options:
    out: Path = Path("bench-results")
    url: str | None = None  # target a running server instead of starting one
    plot: bool = False
    keep_data: bool = False
    workers: int = 2  # load-generating processes
    quiet: bool = False


class Bench:
    """What a scenario gets: a server to load, seeding, worker fleets with progress bars."""

    def __init__(self, options: Options, console: Console | None = None) -> None:
        self.options = options
        self.console = console or Console(quiet=options.quiet, width=None if sys.stdout.isatty() else 160)
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
            disable=options.quiet,
        )
        self.server_settings: dict[str, Any] = {}
        self._dirs: list[Path] = []

    # --- server -----------------------------------------------------------------------------------

    def new_data_dir(self, name: str) -> Path:
        self.options.out.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.options.out))
        self._dirs.append(path)
        return path

    def start(self, data_dir: Path) -> Target:
        """A fresh server on ``data_dir`` (migrated first, so seeding may run before it starts)."""
        if self.options.url:
            target = Target(self.options.url)
        else:
            migrate(data_dir)
            target = start_server(data_dir)
        self.server_settings = target.settings()
        return target

    def stop(self, target: Target) -> None:
        stop_server(target)

    @contextlib.contextmanager
    def server(self, name: str) -> Iterator[Target]:
        target = self.start(self.new_data_dir(name))
        try:
            yield target
        finally:
            self.stop(target)

    def seeder(self, target: Target) -> Seeder:
        return seeder_for(target)

    def arun(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(coro)

    # --- load -------------------------------------------------------------------------------------

    def bar(self, description: str, total: int | None) -> Callable[[int], None]:
        task: TaskID = self.progress.add_task(description, total=total)
        return lambda n: self.progress.advance(task, n)

    def fleet(
        self,
        target: str,
        payloads: list[Any],
        bars: dict[str, tuple[str, int | None]],
        at_checkpoint: dict[str, Callable[[], None]] | None = None,
        timeout: float = 1800,
    ) -> list[Any]:
        """Run worker processes; ``bars`` maps a progress counter to (description, total)."""
        advance = {counter: self.bar(desc, total) for counter, (desc, total) in bars.items()}
        return Fleet(target, payloads).run(
            on_progress=lambda counter, n: advance[counter](n) if counter in advance else None,
            at_checkpoint=at_checkpoint,
            timeout=timeout,
        )

    def cleanup(self) -> None:
        if not self.options.keep_data:
            for d in self._dirs:
                shutil.rmtree(d, ignore_errors=True)
        self._dirs.clear()


def run_scenario(name: str, options: Options, params: dict[str, Any], console: Console | None = None) -> Result:
    """Run one scenario, then print, write (and plot) its result."""
    from .scenarios import SCENARIOS

    raise_nofile_limit()
    bench = Bench(options, console)
    started = time.monotonic()
    try:
        with bench.progress:
            result = SCENARIOS[name](bench, **params)
    finally:
        bench.cleanup()
    result.elapsed_s = round(time.monotonic() - started, 1)
    result.machine = machine_info()
    result.server = bench.server_settings
    result.params = {**result.params, "workers": options.workers}
    result.print(bench.console)
    path = result.write(options.out)
    bench.console.print(f"results: {path}")
    if options.plot:
        from .plot import plot

        bench.console.print(f"plot: {plot(result, options.out)}")
    return result
