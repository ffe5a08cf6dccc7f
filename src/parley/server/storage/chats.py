"""Chats and memberships."""

from __future__ import annotations

from sqlalchemy import Connection, and_, bindparam, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from .db import now_ms
from .tables import chats, members, users


class DuplicateDirectChat(Exception):
    pass


# Statements every send runs, built once (see storage/events.py).
_MEMBERSHIP = select(members).where(members.c.chat_id == bindparam("chat"), members.c.user_id == bindparam("user"))
_ADVANCE_READ = (
    update(members)
    .where(
        members.c.chat_id == bindparam("chat"),
        members.c.user_id == bindparam("user"),
        members.c.last_read_seq < bindparam("seq"),
    )
    .values(last_read_seq=bindparam("seq"))
)
_ACTIVE_MEMBER_IDS = select(members.c.user_id).where(
    members.c.chat_id == bindparam("chat"), members.c.left_seq.is_(None)
)


async def create_chat(conn: AsyncConnection, kind: str, title: str | None, direct_key: str | None = None) -> int:
    now = now_ms()
    try:
        result = await conn.execute(
            insert(chats)
            .values(kind=kind, title=title, direct_key=direct_key, last_seq=0, created_at=now, last_activity_at=now)
            .returning(chats.c.id)
        )
    except IntegrityError as exc:
        raise DuplicateDirectChat(direct_key) from exc
    return int(result.scalar_one())


async def chat_by_id(conn: AsyncConnection, chat_id: int) -> RowMapping | None:
    return (await conn.execute(select(chats).where(chats.c.id == chat_id))).mappings().first()


async def chat_by_direct_key(conn: AsyncConnection, direct_key: str) -> RowMapping | None:
    return (await conn.execute(select(chats).where(chats.c.direct_key == direct_key))).mappings().first()


def membership_sync(conn: Connection, chat_id: int, user_id: int) -> RowMapping | None:
    """The member row, including one that has left (``left_seq`` set)."""
    return conn.execute(_MEMBERSHIP, {"chat": chat_id, "user": user_id}).mappings().first()


async def membership(conn: AsyncConnection, chat_id: int, user_id: int) -> RowMapping | None:
    return await conn.run_sync(membership_sync, chat_id, user_id)


async def add_member(conn: AsyncConnection, chat_id: int, user_id: int, role: str) -> None:
    """Add a user, or bring back one who left; their read marker stays where it was."""
    existing = await membership(conn, chat_id, user_id)
    if existing is None:
        await conn.execute(
            insert(members).values(
                chat_id=chat_id, user_id=user_id, role=role, joined_at=now_ms(), last_read_seq=0, left_seq=None
            )
        )
    else:
        await conn.execute(
            update(members)
            .where(members.c.chat_id == chat_id, members.c.user_id == user_id)
            .values(role=role, left_seq=None, joined_at=now_ms())
        )


async def mark_left(conn: AsyncConnection, chat_id: int, user_id: int, seq: int) -> None:
    await conn.execute(
        update(members).where(members.c.chat_id == chat_id, members.c.user_id == user_id).values(left_seq=seq)
    )


async def set_role(conn: AsyncConnection, chat_id: int, user_id: int, role: str) -> None:
    await conn.execute(
        update(members).where(members.c.chat_id == chat_id, members.c.user_id == user_id).values(role=role)
    )


async def set_title(conn: AsyncConnection, chat_id: int, title: str) -> None:
    await conn.execute(update(chats).where(chats.c.id == chat_id).values(title=title))


def advance_read_sync(conn: Connection, chat_id: int, user_id: int, seq: int) -> bool:
    """Move the read marker forward (never back); True when it moved."""
    return conn.execute(_ADVANCE_READ, {"chat": chat_id, "user": user_id, "seq": seq}).rowcount > 0


async def advance_read(conn: AsyncConnection, chat_id: int, user_id: int, seq: int) -> bool:
    return await conn.run_sync(advance_read_sync, chat_id, user_id, seq)


async def active_members(conn: AsyncConnection, chat_id: int) -> list[RowMapping]:
    result = await conn.execute(
        select(
            users.c.id,
            users.c.username,
            users.c.display_name,
            users.c.last_seen_at,
            members.c.role,
            members.c.last_read_seq,
        )
        .join(users, users.c.id == members.c.user_id)
        .where(members.c.chat_id == chat_id, members.c.left_seq.is_(None))
        .order_by(members.c.joined_at, users.c.id)
    )
    return list(result.mappings())


def active_member_ids_sync(conn: Connection, chat_id: int) -> list[int]:
    return [int(i) for i in conn.execute(_ACTIVE_MEMBER_IDS, {"chat": chat_id}).scalars()]


async def active_member_ids(conn: AsyncConnection, chat_id: int) -> list[int]:
    return await conn.run_sync(active_member_ids_sync, chat_id)


async def user_chats(conn: AsyncConnection, user_id: int) -> list[RowMapping]:
    """The user's current chats with their membership fields, most recently active first."""
    result = await conn.execute(
        select(chats, members.c.role, members.c.last_read_seq)
        .join(members, and_(members.c.chat_id == chats.c.id, members.c.user_id == user_id))
        .where(members.c.left_seq.is_(None))
        .order_by(chats.c.last_activity_at.desc(), chats.c.id.desc())
    )
    return list(result.mappings())


async def user_chat_ids(conn: AsyncConnection, user_id: int) -> list[int]:
    result = await conn.execute(
        select(members.c.chat_id).where(members.c.user_id == user_id, members.c.left_seq.is_(None))
    )
    return [int(i) for i in result.scalars()]


async def memberships_for(conn: AsyncConnection, user_id: int, chat_ids: list[int]) -> dict[int, RowMapping]:
    """Member rows (including past ones) of the user in the given chats."""
    if not chat_ids:
        return {}
    result = await conn.execute(select(members).where(members.c.user_id == user_id, members.c.chat_id.in_(chat_ids)))
    return {int(row["chat_id"]): row for row in result.mappings()}


async def contacts_of(conn: AsyncConnection, user_id: int, max_group: int) -> list[int]:
    """Everyone who shares a chat of at most ``max_group`` current members with the user."""
    mine = select(members.c.chat_id).where(members.c.user_id == user_id, members.c.left_seq.is_(None))
    small = (
        select(members.c.chat_id)
        .where(members.c.chat_id.in_(mine), members.c.left_seq.is_(None))
        .group_by(members.c.chat_id)
        .having(func.count() <= max_group)
    )
    result = await conn.execute(
        select(members.c.user_id)
        .where(members.c.chat_id.in_(small), members.c.left_seq.is_(None), members.c.user_id != user_id)
        .distinct()
    )
    return [int(i) for i in result.scalars()]
