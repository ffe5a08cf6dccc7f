"""Run the real ``parley`` command against SQLite files in temporary data directories."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.server import FAST_HASH

PROTOTYPE = Path("/work/shared/prototype/Users.json")
TABLES = ("users", "sessions", "chats", "members", "events")


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
    env.update(FAST_HASH)
    env.update({"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"})
    env.update(extra or {})
    return env


def run_parley(
    *args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m parley ARGS`` in a subprocess; stdout/stderr captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "parley", *args],
        input=input,
        capture_output=True,
        text=True,
        env=cli_env(env),
        timeout=timeout,
        start_new_session=True,  # no controlling terminal: prompts read stdin
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def parley(data_dir: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``parley("user", "list")`` runs against this test's data directory (``--data-dir`` appended)."""

    def run(
        *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return run_parley(*args, "--data-dir", str(data_dir), input=input, env=env)

    return run


def snapshot(data_dir: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, for "nothing changed" assertions."""
    db = data_dir / "parley.db"
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


def counts(data_dir: Path) -> dict[str, int]:
    return {table: len(rows) for table, rows in snapshot(data_dir).items()}


def assert_clean_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    text = " ".join((result.stderr + result.stdout).split())
    for needle in needles:
        assert needle in text, text
