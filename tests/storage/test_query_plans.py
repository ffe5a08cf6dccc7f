"""Every hot query is an index lookup: its cost does not grow with the number of stored messages.

Runs the real services against a real SQLite file, records each statement they issue, and asks SQLite
for its plan. A full scan of events, members or chats (``SCAN <table>``) anywhere is a failure.
"""

from __future__ import annotations

import re
import sqlite3

from sqlalchemy import event

from parley.config import Settings
from parley.server.services import Context, Principal, Services
from parley.server.services.fanout import NullFanout
from parley.server.services.passwords import Passwords
from parley.server.services.presence import MemoryPresence
from parley.server.storage.db import Database
from parley.server.storage.migrate import upgrade

HOT_TABLES = ("events", "members", "chats", "sessions")


async def test_hot_paths_use_indexes_only(tmp_path):
    settings = Settings(data_dir=tmp_path)
    upgrade(settings.db_url)
    db = Database(settings.db_url)
    services = Services(Context(settings, db, NullFanout(), MemoryPresence(), Passwords(1, 8192)))
    statements: list[tuple[str, tuple]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if re.match(r"\s*(SELECT|UPDATE|DELETE)", statement, re.I):
            statements.append((statement, tuple(parameters or ())))

    assert len(db.engines) == 3  # the reader pool, the writer, the group-commit writer
    for engine in db.engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        accounts, chats, messages = services.accounts, services.chats, services.messages
        a = await accounts.register("plan_a", "password-1", None, None)
        await accounts.register("plan_b", "password-1", None, None)
        await accounts.register("plan_c", "password-1", None, None)
        who = await accounts.authenticate(a["token"])
        assert isinstance(who, Principal)
        direct = await chats.open_direct(who, "plan_b")
        group = await chats.create_group(who, "g", ["plan_b", "plan_c"])
        for i in range(30):
            await messages.send(who, direct["id"], f"c{i}", f"text {i}")
        await messages.send(who, direct["id"], "c0", "text 0")  # idempotent resend
        await messages.history(who, direct["id"], None, None, 20)
        await messages.history(who, direct["id"], 10, None, 20)
        await messages.history(who, direct["id"], None, 5, 20)
        await messages.sync(who, {direct["id"]: 3, group["id"]: 0}, 1000)
        await messages.mark_read(who, direct["id"], 10)
        await messages.edit(who, direct["id"], 5, "edited")
        await messages.delete(who, direct["id"], 6)
        await messages.typing(who, direct["id"], True)
        await chats.chat_list(who)
        await chats.rename(who, group["id"], "renamed")
        await chats.remove_member(who, group["id"], "plan_c")
        await services.connections.opened(who)
        await services.connections.closed(who)
    finally:
        await services.close()

    assert len(statements) > 50
    assert any(s.startswith("UPDATE chats SET last_seq") for s, _ in statements)  # the send path is seen
    plans = {}
    with sqlite3.connect(tmp_path / "parley.db") as conn:
        for statement, params in statements:
            rows = conn.execute("EXPLAIN QUERY PLAN " + statement, params).fetchall()
            plans[statement] = [row[-1] for row in rows]
    scans = {
        statement: plan
        for statement, plan in plans.items()
        if any(re.match(rf"SCAN ({'|'.join(HOT_TABLES)})\b", step) for step in plan)
    }
    assert not scans, "full scans:\n" + "\n\n".join(f"{s}\n  -> {p}" for s, p in scans.items())
