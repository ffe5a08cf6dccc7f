"""Pieces the scenarios share: counting stored messages, and pairing users into direct chats."""

from __future__ import annotations

from typing import Any

from ..seed import Account, Seeder
from ..server import Target


async def stored_messages(target: Target) -> int | None:
    """Messages in the server's database (None when the bench does not own the server)."""
    if not target.managed:
        return None
    from sqlalchemy import func, select

    from ...server.storage.db import Database
    from ...server.storage.tables import events

    db = Database(target.db_url)
    try:
        async with db.read() as conn:
            query = select(func.count()).select_from(events).where(events.c.kind == "message")
            return int((await conn.execute(query)).scalar_one())
    finally:
        await db.close()


async def seed_pairs(seeder: Seeder, pairs: int, prefix: str) -> list[dict[str, Any]]:
    """``pairs`` direct chats, each between a fresh sender and a fresh receiver."""
    users = await seeder.users(2 * pairs, prefix)
    out = []
    for i in range(pairs):
        a, b = users[2 * i], users[2 * i + 1]
        out.append({"sender": a, "receiver": b, "chat_id": await seeder.direct(a, b)})
    return out


def is_from_other(data: dict[str, Any], me: Account) -> bool:
    return data.get("kind") == "message" and (data.get("sender") or {}).get("id") != me.user_id
