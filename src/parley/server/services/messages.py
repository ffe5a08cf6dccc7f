"""Messages and the other per-chat traffic: send, history, catch-up, read markers, typing."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from ... import errors
from ..storage import chats as chat_store
from ..storage import events as store
from .context import Context, Principal
from .groupcommit import GroupCommit
from .shapes import ack_out, event_out

TYPING_EXPIRES = 6.0  # seconds a "typing" lasts unless renewed
TYPING_THROTTLE = 2.0  # at most one "typing: true" per user and chat this often


@dataclass(frozen=True)
class Send:
    who: Principal
    chat_id: int
    client_id: str
    text: str


@dataclass
class Sent:
    ack: dict[str, Any]
    event: dict[str, Any] | None  # None when this was a resend of a stored message
    recipients: list[int]


class Messages:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.writer: GroupCommit[Send, Sent] = GroupCommit(ctx.db, self._store_message)
        self._typing: dict[tuple[int, int], float] = {}

    async def send(self, who: Principal, chat_id: int, client_id: str, text: str) -> dict[str, Any]:
        text = text.strip()
        if not text:
            raise errors.ValidationFailed("a message needs some text", code="message_empty")
        limit = self.ctx.settings.max_message_chars
        if len(text) > limit:
            raise errors.ValidationFailed(f"messages are at most {limit} characters", code="message_too_long")
        sent = await self.writer.submit(Send(who, chat_id, client_id, text))
        if sent.event is not None:
            await self.ctx.fanout.to_users(sent.recipients, "event", sent.event)
        return sent.ack

    def _store_message(self, conn: Connection, send: Send) -> Sent:
        """One send inside a group-commit transaction (synchronous: SQLite runs it on the writer thread)."""
        who = send.who
        existing = store.message_by_client_id_sync(conn, who.user_id, send.client_id)
        if existing is not None and int(existing["chat_id"]) == send.chat_id:
            return Sent(ack_out(existing), None, [])
        member = chat_store.membership_sync(conn, send.chat_id, who.user_id)
        if member is None or member["left_seq"] is not None:
            raise errors.NotAMember()
        if existing is not None:
            # Client ids are unique per sender: acking the other chat's message would silently drop this one.
            raise errors.InvalidOperation(
                "this client id was already used for a message in another chat", code="client_id_reused"
            )
        row = store.append_event_sync(
            conn, send.chat_id, "message", sender_id=who.user_id, text=send.text, client_id=send.client_id
        )
        chat_store.advance_read_sync(conn, send.chat_id, who.user_id, row["seq"])
        recipients = chat_store.active_member_ids_sync(conn, send.chat_id)
        sender = {"id": who.user_id, "username": who.username, "display_name": who.display_name}
        return Sent(ack_out(row), event_out(row, sender=sender), recipients)

    async def _require_member(self, conn: AsyncConnection, who: Principal, chat_id: int) -> None:
        member = await chat_store.membership(conn, chat_id, who.user_id)
        if member is None or member["left_seq"] is not None:
            raise errors.NotAMember()

    async def history(
        self, who: Principal, chat_id: int, before: int | None, after: int | None, limit: int
    ) -> list[dict[str, Any]]:
        """A page of the chat's visible history (messages and membership changes, not read markers)."""
        async with self.ctx.db.read() as conn:
            await self._require_member(conn, who, chat_id)
            rows = await store.page(conn, chat_id, before=before, after=after, limit=limit, exclude_kinds=("read",))
        return [event_out(r) for r in rows]

    async def sync(self, who: Principal, cursors: dict[int, int], limit: int) -> dict[str, Any]:
        """Everything after each cursor, from the database; chats the user has left end at their leaving."""
        out: list[dict[str, Any]] = []
        removed: list[int] = []
        has_more = False
        async with self.ctx.db.read() as conn:
            memberships = await chat_store.memberships_for(conn, who.user_id, sorted(cursors))
            for chat_id in sorted(cursors):
                member = memberships.get(chat_id)
                if member is None:
                    removed.append(chat_id)
                    continue
                left = member["left_seq"]
                if left is not None:
                    removed.append(chat_id)
                budget = limit - len(out)
                if budget <= 0:
                    has_more = True
                    break
                rows = await store.events_between(conn, chat_id, cursors[chat_id], left, budget + 1)
                if len(rows) > budget:
                    has_more = True
                    rows = rows[:budget]
                out.extend(event_out(r) for r in rows)
        return {"events": out, "removed": removed, "has_more": has_more}

    async def mark_read(self, who: Principal, chat_id: int, seq: int) -> None:
        async with self.ctx.db.write() as conn:
            await self._require_member(conn, who, chat_id)
            chat = await chat_store.chat_by_id(conn, chat_id)
            assert chat is not None
            seq = min(seq, int(chat["last_seq"]))
            if not await chat_store.advance_read(conn, chat_id, who.user_id, seq):
                return
            row = await store.append_event(
                conn, chat_id, "read", sender_id=who.user_id, data={"user": who.user_id, "up_to": seq}
            )
            recipients = await chat_store.active_member_ids(conn, chat_id)
        sender = {"id": who.user_id, "username": who.username, "display_name": who.display_name}
        await self.ctx.fanout.to_users(recipients, "event", event_out(row, sender=sender))

    async def typing(self, who: Principal, chat_id: int, typing: bool) -> None:
        key = (who.user_id, chat_id)
        now = time.monotonic()
        last = self._typing.get(key)
        async with self.ctx.db.read() as conn:
            # Checked before throttling, so a non-member always hears not_a_member, never a silent ok.
            await self._require_member(conn, who, chat_id)
            if typing and last is not None and now - last < TYPING_THROTTLE:
                return
            if not typing and last is None:
                return
            recipients = await chat_store.active_member_ids(conn, chat_id)
        if typing:
            if len(self._typing) > 100_000:
                self._typing = {k: t for k, t in self._typing.items() if now - t < TYPING_EXPIRES}
            self._typing[key] = now
        else:
            self._typing.pop(key, None)
        payload = {
            "chat_id": chat_id,
            "user": {"id": who.user_id, "username": who.username, "display_name": who.display_name},
            "typing": typing,
            "expires_in": TYPING_EXPIRES,
        }
        await self.ctx.fanout.to_users([u for u in recipients if u != who.user_id], "typing", payload)
