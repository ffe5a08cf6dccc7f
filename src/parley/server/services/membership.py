"""The one rule for who is in a chat: a member row counts while its ``left_seq`` is unset."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from ... import errors
from ..storage import chats as store


def is_active(member: Mapping[Any, Any] | None) -> bool:
    return member is not None and member["left_seq"] is None


def active_or_refuse(member: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    """The member row; ``not_a_member`` for someone who never joined, left or was removed (and no such chat)."""
    if member is None or not is_active(member):
        raise errors.NotAMember()
    return member


async def require_member(conn: AsyncConnection, chat_id: int, user_id: int) -> Mapping[Any, Any]:
    return active_or_refuse(await store.membership(conn, chat_id, user_id))


def require_member_sync(conn: Connection, chat_id: int, user_id: int) -> Mapping[Any, Any]:
    return active_or_refuse(store.membership_sync(conn, chat_id, user_id))
