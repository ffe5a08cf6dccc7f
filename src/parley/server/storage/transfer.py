"""Queries for bulk import and export (``parley import-json`` / ``export-json``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from .tables import chats, events, members, users

IMPORT_PREFIX = "import:"


async def imported_client_ids(conn: AsyncConnection, chat_id: int) -> set[str]:
    """Client ids of the messages an earlier import stored in this chat."""
    result = await conn.execute(
        select(events.c.client_id).where(
            events.c.chat_id == chat_id, events.c.kind == "message", events.c.client_id.startswith(IMPORT_PREFIX)
        )
    )
    return {str(c) for c in result.scalars()}


async def set_sequence(conn: AsyncConnection, chat_id: int, last_seq: int, at: int) -> None:
    """After a bulk insert of messages up to ``last_seq``: the chat's counters point at the last one."""
    await conn.execute(
        update(chats)
        .where(chats.c.id == chat_id)
        .values(last_seq=last_seq, last_message_seq=last_seq, last_activity_at=at)
    )


async def mark_all_read(conn: AsyncConnection, chat_id: int, seq: int) -> None:
    await conn.execute(
        update(members).where(members.c.chat_id == chat_id, members.c.last_read_seq < seq).values(last_read_seq=seq)
    )


async def direct_chats(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Every direct chat, oldest first, with its two member ids in the order the chat was opened."""
    rows = (
        await conn.execute(
            select(chats.c.id, events.c.data)
            .outerjoin(events, (events.c.chat_id == chats.c.id) & (events.c.kind == "chat_created"))
            .where(chats.c.kind == "direct")
            .order_by(chats.c.id)
        )
    ).all()
    member_rows = (
        await conn.execute(
            select(members.c.chat_id, members.c.user_id)
            .join(chats, chats.c.id == members.c.chat_id)
            .where(chats.c.kind == "direct")
            .order_by(members.c.chat_id, members.c.joined_at, members.c.user_id)
        )
    ).all()
    by_chat: dict[int, list[int]] = {}
    for chat_id, user_id in member_rows:
        by_chat.setdefault(int(chat_id), []).append(int(user_id))
    out = []
    for chat_id, data in rows:
        member_ids = by_chat.get(int(chat_id), [])
        opened = (json.loads(data) if data else {}).get("members") or []
        if sorted(opened) == sorted(member_ids):
            member_ids = [int(m) for m in opened]
        out.append({"id": int(chat_id), "members": member_ids})
    return out


async def direct_messages(conn: AsyncConnection) -> AsyncIterator[RowMapping]:
    """Messages of direct chats ordered by chat, then seq (streamed, so large databases stay cheap)."""
    query = (
        select(events.c.chat_id, events.c.seq, events.c.text, users.c.username)
        .join(chats, chats.c.id == events.c.chat_id)
        .join(users, users.c.id == events.c.sender_id)
        .where(chats.c.kind == "direct", events.c.kind == "message")
        .order_by(events.c.chat_id, events.c.seq)
    )
    result = await conn.stream(query)
    async for row in result.mappings():
        yield row
