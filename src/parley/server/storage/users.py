"""Users and login sessions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from .db import now_ms
from .tables import sessions, users

USER_COLUMNS = (users.c.id, users.c.username, users.c.display_name, users.c.disabled, users.c.last_seen_at)


class DuplicateUsername(Exception):
    pass


async def create_user(conn: AsyncConnection, username: str, display_name: str, password_hash: str) -> int:
    try:
        result = await conn.execute(
            insert(users)
            .values(
                username=username,
                username_key=username.lower(),
                display_name=display_name,
                password_hash=password_hash,
                disabled=False,
                created_at=now_ms(),
            )
            .returning(users.c.id)
        )
    except IntegrityError as exc:
        raise DuplicateUsername(username) from exc
    return int(result.scalar_one())


async def user_by_username(conn: AsyncConnection, username: str) -> RowMapping | None:
    result = await conn.execute(select(users).where(users.c.username_key == username.lower()))
    return result.mappings().first()


async def user_by_id(conn: AsyncConnection, user_id: int) -> RowMapping | None:
    result = await conn.execute(select(users).where(users.c.id == user_id))
    return result.mappings().first()


async def users_by_usernames(conn: AsyncConnection, usernames: list[str]) -> dict[str, RowMapping]:
    """Found users keyed by lower-cased username."""
    keys = sorted({u.lower() for u in usernames})
    if not keys:
        return {}
    result = await conn.execute(select(*USER_COLUMNS, users.c.username_key).where(users.c.username_key.in_(keys)))
    return {row["username_key"]: row for row in result.mappings()}


async def users_by_ids(conn: AsyncConnection, ids: list[int]) -> dict[int, RowMapping]:
    if not ids:
        return {}
    result = await conn.execute(select(*USER_COLUMNS).where(users.c.id.in_(sorted(set(ids)))))
    return {row["id"]: row for row in result.mappings()}


async def search_users(conn: AsyncConnection, prefix: str, limit: int) -> list[RowMapping]:
    key = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result = await conn.execute(
        select(*USER_COLUMNS)
        .where(users.c.username_key.like(key + "%", escape="\\"), users.c.disabled.is_(False))
        .order_by(users.c.username_key)
        .limit(limit)
    )
    return list(result.mappings())


async def list_users(conn: AsyncConnection) -> list[RowMapping]:
    result = await conn.execute(select(*USER_COLUMNS, users.c.created_at).order_by(users.c.id))
    return list(result.mappings())


async def update_user(conn: AsyncConnection, user_id: int, **values: Any) -> None:
    await conn.execute(update(users).where(users.c.id == user_id).values(**values))


async def count_users(conn: AsyncConnection) -> int:
    return int((await conn.execute(select(func.count()).select_from(users))).scalar_one())


# --- sessions ------------------------------------------------------------------------------------


async def create_session(conn: AsyncConnection, user_id: int, token_hash: str, user_agent: str | None) -> int:
    now = now_ms()
    result = await conn.execute(
        insert(sessions)
        .values(user_id=user_id, token_hash=token_hash, user_agent=user_agent, created_at=now, last_used_at=now)
        .returning(sessions.c.id)
    )
    return int(result.scalar_one())


async def session_by_token_hash(conn: AsyncConnection, token_hash: str) -> RowMapping | None:
    result = await conn.execute(
        select(
            sessions.c.id.label("session_id"),
            sessions.c.last_used_at,
            *USER_COLUMNS,
        )
        .join(users, users.c.id == sessions.c.user_id)
        .where(sessions.c.token_hash == token_hash)
    )
    return result.mappings().first()


async def touch_session(conn: AsyncConnection, session_id: int) -> None:
    await conn.execute(update(sessions).where(sessions.c.id == session_id).values(last_used_at=now_ms()))


async def list_sessions(conn: AsyncConnection, user_id: int) -> list[RowMapping]:
    result = await conn.execute(select(sessions).where(sessions.c.user_id == user_id).order_by(sessions.c.id))
    return list(result.mappings())


async def delete_session(conn: AsyncConnection, user_id: int, session_id: int) -> bool:
    result = await conn.execute(delete(sessions).where(sessions.c.id == session_id, sessions.c.user_id == user_id))
    return result.rowcount > 0


async def delete_sessions_except(conn: AsyncConnection, user_id: int, keep: int | None) -> list[int]:
    query = select(sessions.c.id).where(sessions.c.user_id == user_id)
    if keep is not None:
        query = query.where(sessions.c.id != keep)
    ids = [int(i) for i in (await conn.execute(query)).scalars()]
    if ids:
        await conn.execute(delete(sessions).where(sessions.c.id.in_(ids)))
    return ids
