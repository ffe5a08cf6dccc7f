"""The chat event log: every change to a chat is a row with the chat's next sequence number."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, tuple_, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from .db import now_ms
from .tables import chats, events, users

_SENDER = users.alias("sender")
EVENT_COLUMNS = (
    events.c.id,
    events.c.chat_id,
    events.c.seq,
    events.c.kind,
    events.c.sender_id,
    events.c.client_id,
    events.c.text,
    events.c.data,
    events.c.created_at,
    _SENDER.c.username.label("sender_username"),
    _SENDER.c.display_name.label("sender_display_name"),
)


def _select_events() -> Any:
    return select(*EVENT_COLUMNS).outerjoin(_SENDER, _SENDER.c.id == events.c.sender_id)


# Events that do not move a chat up anyone's list: read markers, and changes to earlier messages.
QUIET_KINDS = ("read", "edited", "deleted")


# The send path's statements, built once: constructing and cache-keying them per call cost more CPU
# than executing them (py-spy, `parley bench throughput`).
def _bump_seq(kind: str) -> Any:
    values: dict[str, Any] = {"last_seq": chats.c.last_seq + 1}
    if kind not in QUIET_KINDS:
        values["last_activity_at"] = bindparam("now")
    if kind == "message":
        values["last_message_seq"] = chats.c.last_seq + 1
    return update(chats).where(chats.c.id == bindparam("chat")).values(**values).returning(chats.c.last_seq)


_BUMP_SEQ = {kind: _bump_seq(kind) for kind in ("message", *QUIET_KINDS, "other")}
_INSERT_EVENT = insert(events).returning(events.c.id)
_BY_CLIENT_ID = select(events.c.id, events.c.chat_id, events.c.seq, events.c.created_at, events.c.client_id).where(
    events.c.sender_id == bindparam("sender"), events.c.client_id == bindparam("client")
)


def append_event_sync(
    conn: Connection,
    chat_id: int,
    kind: str,
    *,
    sender_id: int | None,
    text: str | None = None,
    client_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Append an event inside the caller's transaction; the chat row's update makes ``seq`` gapless.

    On PostgreSQL the UPDATE takes the chat row's lock, so concurrent appends to one chat queue up and
    each gets the next number; on SQLite the single writer does the same.
    """
    now = now_ms()
    bump = _BUMP_SEQ.get(kind, _BUMP_SEQ["other"])
    params: dict[str, Any] = {"chat": chat_id} if kind in QUIET_KINDS else {"chat": chat_id, "now": now}
    seq = int(conn.execute(bump, params).scalar_one())
    row = {
        "chat_id": chat_id,
        "seq": seq,
        "kind": kind,
        "sender_id": sender_id,
        "client_id": client_id,
        "text": text,
        "data": json.dumps(data, separators=(",", ":")) if data else None,
        "created_at": now,
    }
    inserted = conn.execute(_INSERT_EVENT, row)
    return {"id": int(inserted.scalar_one()), **row}


async def append_event(conn: AsyncConnection, chat_id: int, kind: str, **fields: Any) -> dict[str, Any]:
    return await conn.run_sync(lambda sync: append_event_sync(sync, chat_id, kind, **fields))


def message_by_client_id_sync(conn: Connection, sender_id: int, client_id: str) -> RowMapping | None:
    return conn.execute(_BY_CLIENT_ID, {"sender": sender_id, "client": client_id}).mappings().first()


async def page(
    conn: AsyncConnection,
    chat_id: int,
    *,
    before: int | None,
    after: int | None,
    limit: int,
    exclude_kinds: Sequence[str] = (),
) -> list[RowMapping]:
    """A page of events in ascending seq order.

    The newest ``limit`` before ``before`` (or overall), or the oldest ``limit`` after ``after``.
    """
    query = _select_events().where(events.c.chat_id == chat_id)
    if exclude_kinds:
        query = query.where(events.c.kind.not_in(list(exclude_kinds)))
    if after is not None:
        query = query.where(events.c.seq > after)
    if before is not None:
        query = query.where(events.c.seq < before)
    if after is not None and before is None:
        query = query.order_by(events.c.seq.asc()).limit(limit)
        return list((await conn.execute(query)).mappings())
    query = query.order_by(events.c.seq.desc()).limit(limit)
    rows = list((await conn.execute(query)).mappings())
    rows.reverse()
    return rows


async def events_between(
    conn: AsyncConnection, chat_id: int, after: int, upto: int | None, limit: int
) -> list[RowMapping]:
    """Events with ``after < seq <= upto`` (no upper bound when ``upto`` is None), ascending."""
    query = _select_events().where(events.c.chat_id == chat_id, events.c.seq > after)
    if upto is not None:
        query = query.where(events.c.seq <= upto)
    return list((await conn.execute(query.order_by(events.c.seq).limit(limit))).mappings())


async def events_by_seq(conn: AsyncConnection, keys: Iterable[tuple[int, int]]) -> dict[int, RowMapping]:
    """One event per (chat_id, seq), keyed by chat id: the chat list's last-message previews."""
    keys = list(keys)
    if not keys:
        return {}
    query = _select_events().where(tuple_(events.c.chat_id, events.c.seq).in_(keys))
    return {int(row["chat_id"]): row for row in (await conn.execute(query)).mappings()}


async def message_at(conn: AsyncConnection, chat_id: int, seq: int) -> RowMapping | None:
    """The event at ``seq`` (with its sender's columns), or None."""
    query = _select_events().where(events.c.chat_id == chat_id, events.c.seq == seq)
    return (await conn.execute(query)).mappings().first()


async def rewrite_message(conn: AsyncConnection, event_id: int, text: str | None, data: dict[str, Any]) -> None:
    """Replace a stored message's text and data (edits and deletions; the change itself is a new event)."""
    await conn.execute(
        update(events).where(events.c.id == event_id).values(text=text, data=json.dumps(data, separators=(",", ":")))
    )


async def unread_count(conn: AsyncConnection, chat_id: int, user_id: int, after: int, cap: int = 1000) -> int:
    """Messages from others after the read marker; costs O(unread), capped, never O(history)."""
    inner = (
        select(events.c.id)
        .where(
            events.c.chat_id == chat_id,
            events.c.seq > after,
            events.c.kind == "message",
            events.c.text.is_not(None),  # deleted messages are not waiting to be read
            events.c.sender_id != user_id,
        )
        .limit(cap)
        .subquery()
    )
    return int((await conn.execute(select(func.count()).select_from(inner))).scalar_one())


async def insert_imported(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Bulk insert of already-sequenced events (import and benchmark seeding)."""
    if rows:
        await conn.execute(insert(events), rows)
