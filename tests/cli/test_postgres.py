"""The database commands on PostgreSQL: the same import/export guarantees as on SQLite."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator

import pytest
from tests.cli.conftest import PROTOTYPE, assert_clean_failure, run_parley
from tests.cli.prototypes import real_prototype, shape
from tests.conftest import postgres_url

pytestmark = pytest.mark.postgres


def _admin(url: str, statement: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of this test's own on the test server (other suites reset the shared one)."""
    base = postgres_url()
    name = f"parley_cli_{uuid.uuid4().hex[:10]}"
    _admin(base, f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + "/" + name
    _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_import_export_and_users_on_postgres(own_database, tmp_path):
    db = ["--database-url", own_database]
    assert run_parley("import-json", str(PROTOTYPE), *db).returncode == 0
    again = run_parley("import-json", str(PROTOTYPE), *db)
    assert "messages: 0 new, 39 already present" in again.stdout, again.stderr
    exported = run_parley("export-json", "-", *db)
    assert exported.returncode == 0, exported.stderr
    assert shape(json.loads(exported.stdout)) == shape(real_prototype())

    assert run_parley("user", "add", "pgalice", "--password", "correct-horse", *db).returncode == 0
    assert_clean_failure(run_parley("user", "add", "PGALICE", "--password", "correct-horse", *db), "taken")
    assert "5 users" in run_parley("user", "list", *db).stdout
