"""Property: whatever the file holds, import-json either imports it or names what is wrong, and an error
leaves the database exactly as it was. Runs the importer in-process against a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests.cli.conftest import PROTOTYPE, snapshot

from parley.config import Settings
from parley.server.services import Context
from parley.server.services.fanout import NullFanout
from parley.server.services.passwords import Passwords
from parley.server.services.presence import MemoryPresence
from parley.server.services.prototype import PrototypeInvalid, load
from parley.server.services.transfer import import_prototype
from parley.server.storage.db import Database
from parley.server.storage.migrate import upgrade

NAMES = ["alice", "Bob", "bob", "carol.c", "d-e_f", "x", "bad name", "Ünïcode", "a" * 33, ""]

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@st.composite
def mostly_valid_files(draw: st.DrawFn) -> dict[str, Any]:
    """A file in the prototype's shape, often valid, with invalid names from time to time."""
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=6))
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(names), st.sampled_from(names)), max_size=5)
        if len(names) > 1
        else st.just([])
    )
    pairs = [p for p in dict.fromkeys(tuple(sorted(p)) for p in pairs if p[0] != p[1])]
    chats = []
    for chat_id, pair in enumerate(pairs):
        texts = draw(st.lists(st.tuples(st.sampled_from(pair), st.text(max_size=30)), max_size=6))
        chats.append({"ID": chat_id * 7, "users": list(pair), "messages": [{"user": u, "text": t} for u, t in texts]})
    users = [
        {
            "ID": i,
            "username": name,
            "password": draw(st.text(max_size=12)),
            "chats": [c["ID"] for c in chats if name in c["users"]],
        }
        for i, name in enumerate(names)
    ]
    return {"users": users, "chats": chats}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _paths(child, (*prefix, index))
    return out


@st.composite
def damaged(draw: st.DrawFn, files: st.SearchStrategy[dict[str, Any]]) -> Any:
    """A file with a few parts replaced by arbitrary JSON or removed."""
    document: Any = draw(files)
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_paths(document)))
        if not path:
            document = draw(json_values)
            continue
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()):
            parent[path[-1]] = draw(json_values)
        elif isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.pop(path[-1])
    return document


@st.composite
def raw_files(draw: st.DrawFn) -> bytes:
    document = draw(st.one_of(mostly_valid_files(), damaged(mostly_valid_files()), json_values))
    raw = json.dumps(document, ensure_ascii=draw(st.booleans())).encode()
    if draw(st.integers(0, 9)) == 0:
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database that already holds the real prototype's data (so errors have something to spoil)."""
    data_dir = tmp_path_factory.mktemp("properties")
    url = Settings(data_dir=data_dir).db_url
    upgrade(url)
    asyncio.run(_import(url, PROTOTYPE.read_bytes()))
    return data_dir


async def _import(url: str, raw: bytes) -> None:
    ctx = Context(Settings(), Database(url), NullFanout(), MemoryPresence(), Passwords(time_cost=1, memory_kib=8))
    try:
        await import_prototype(ctx, load(raw))
    finally:
        await ctx.db.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=raw_files())
def test_any_file_imports_or_fails_cleanly_without_writing(seeded_db: Path, raw: bytes) -> None:
    url = Settings(data_dir=seeded_db).db_url
    before = snapshot(seeded_db)
    try:
        asyncio.run(_import(url, raw))
    except PrototypeInvalid as exc:
        event("refused")
        assert exc.message, "an error must say what is wrong"
        assert snapshot(seeded_db) == before
        return
    event("imported")
    after = snapshot(seeded_db)
    # A successful import is idempotent: the same file again changes nothing.
    asyncio.run(_import(url, raw))
    assert snapshot(seeded_db) == after


def test_a_failure_half_way_through_the_writes_leaves_nothing_behind(tmp_path: Path) -> None:
    url = Settings(data_dir=tmp_path).db_url
    upgrade(url)
    before = snapshot(tmp_path)

    class Exploding:
        def phase(self, description: str, total: int) -> None:
            self.description = description

        def advance(self, amount: int = 1) -> None:
            if self.description == "importing messages":
                raise RuntimeError("disk on fire")

    async def run() -> None:
        passwords = Passwords(time_cost=1, memory_kib=8)
        ctx = Context(Settings(), Database(url), NullFanout(), MemoryPresence(), passwords)
        try:
            await import_prototype(ctx, load(PROTOTYPE.read_bytes()), progress=Exploding())
        finally:
            await ctx.db.close()

    with pytest.raises(RuntimeError, match="disk on fire"):
        asyncio.run(run())
    assert snapshot(tmp_path) == before
