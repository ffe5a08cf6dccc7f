"""The server under test: a ``parley serve`` subprocess the bench starts, or one it targets by URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .machine import raise_nofile_limit

# Registering thousands of users at production cost (t=3, 64 MiB) would dominate the run; the bench
# seeds through the storage layer anyway, and records this setting with every result.
BENCH_ENV = {"PARLEY_ARGON2_TIME_COST": "1", "PARLEY_ARGON2_MEMORY_KIB": "8192", "PARLEY_LOG_LEVEL": "warning"}
SQLITE_PRAGMAS = {"journal_mode": "WAL", "synchronous": "FULL", "foreign_keys": "ON", "busy_timeout": 30000}


class BenchError(RuntimeError):
    """The bench could not run a scenario (server failed, worker crashed, data lost)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Target:
    """Where the load goes. ``data_dir`` is set only for a server the bench started (seeding needs it)."""

    url: str
    data_dir: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def managed(self) -> bool:
        return self.data_dir is not None

    @property
    def db_url(self) -> str:
        if self.data_dir is None:
            raise BenchError("seeding through the storage layer needs a server the bench started (no --url)")
        return f"sqlite+aiosqlite:///{(self.data_dir / 'parley.db').resolve()}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def rss_bytes(self) -> int | None:
        """Resident memory of the server process (None when the bench does not own it)."""
        if self.pid is None:
            return None
        import psutil

        return int(psutil.Process(self.pid).memory_info().rss)

    def settings(self) -> dict[str, Any]:
        """The server's settings as the bench configured them (defaults for everything not listed)."""
        from ..config import Settings

        if not self.managed:
            return {"url": self.url, "managed": False}
        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            settings = Settings()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        out: dict[str, Any] = {k: str(v) for k, v in vars(settings).items()}
        out.update({"url": self.url, "managed": True, "database": "sqlite", "sqlite_pragmas": SQLITE_PRAGMAS})
        out["env"] = {k: v for k, v in self.env.items() if k != "PARLEY_DATA_DIR"}
        return out


def migrate(data_dir: Path) -> None:
    from ..server.storage.migrate import upgrade

    data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(f"sqlite+aiosqlite:///{(data_dir / 'parley.db').resolve()}")


def start_server(data_dir: Path, *, port: int | None = None, extra_env: dict[str, str] | None = None) -> Target:
    """Start ``python -m parley serve`` on a free loopback port and wait until /healthz answers."""
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    bench_env = {**BENCH_ENV, "PARLEY_DATA_DIR": str(data_dir), **(extra_env or {})}
    env.update(bench_env)
    log = (data_dir / "server.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "parley", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=raise_nofile_limit,
    )
    target = Target(f"http://127.0.0.1:{port}", data_dir, bench_env, proc)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"server exited with {proc.returncode}; see {data_dir / 'server.log'}")
        try:
            if httpx.get(target.url + "/healthz", timeout=1).status_code == 200:
                return target
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(target)
    raise BenchError(f"server did not become healthy; see {data_dir / 'server.log'}")


def stop_server(target: Target) -> None:
    proc = target.proc
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
