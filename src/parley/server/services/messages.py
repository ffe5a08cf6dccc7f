"""Messages and the other per-chat traffic: send, history, catch-up, read markers, typing."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from ... import errors
from ..storage import chats as chat_store
from ..storage import events as store
from ..storage.db import iso, now_ms
from .context import Context, Principal
from .groupcommit import GroupCommit
from .membership import require_member, require_member_sync
from .shapes import ack_out, event_out

# Shown in history through their effect (read positions, the message's new text), not as entries.
HIDDEN_FROM_HISTORY = ("read", "edited", "deleted")
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
        text = self._message_text(text)
        sent = await self.writer.submit(Send(who, chat_id, client_id, text))
        if sent.event is not None:
            await self.ctx.fanout.to_users(sent.recipients, "event", sent.event)
        return sent.ack

    def _message_text(self, text: str) -> str:
        """A message's text as stored: trimmed, not empty, within the configured length."""
        text = text.strip()
        if not text:
            raise errors.ValidationFailed("a message needs some text", code="message_empty")
        limit = self.ctx.settings.max_message_chars
        if len(text) > limit:
            raise errors.ValidationFailed(f"messages are at most {limit} characters", code="message_too_long")
        return text

    def _store_message(self, conn: Connection, send: Send) -> Sent:
        """One send inside a group-commit transaction (synchronous: SQLite runs it on the writer thread)."""
        who = send.who
        existing = store.message_by_client_id_sync(conn, who.user_id, send.client_id)
        if existing is not None and int(existing["chat_id"]) == send.chat_id:
            return Sent(ack_out(existing), None, [])
        require_member_sync(conn, send.chat_id, who.user_id)
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
        return Sent(ack_out(row), event_out(row, sender=who.ref()), recipients)

    async def edit(self, who: Principal, chat_id: int, seq: int, text: str) -> dict[str, Any]:
        """Change the text of one's own message; everyone sees an ``edited`` event, history the new text."""
        text = self._message_text(text)
        async with self.ctx.db.write() as conn:
            await require_member(conn, chat_id, who.user_id)
            row, data = await self._message(conn, chat_id, seq)
            if row["sender_id"] != who.user_id:
                raise errors.Forbidden("you can only edit your own messages")
            data["edited_at"] = iso(now_ms())
            await store.rewrite_message(conn, int(row["id"]), text, data)
            event = await store.append_event(
                conn, chat_id, "edited", sender_id=who.user_id,
                data={"seq": seq, "text": text, "edited_at": data["edited_at"]},
            )  # fmt: skip
            recipients = await chat_store.active_member_ids(conn, chat_id)
        await self.ctx.fanout.to_users(recipients, "event", event_out(event, sender=who.ref()))
        return event_out({**row, "text": text, "data": json.dumps(data)})

    async def delete(self, who: Principal, chat_id: int, seq: int) -> None:
        """Delete one's own message (a group's owners and admins may delete anyone's); its text is gone."""
        async with self.ctx.db.write() as conn:
            member = await require_member(conn, chat_id, who.user_id)
            row, data = await self._message(conn, chat_id, seq, deleted_ok=True)
            if data.get("deleted"):
                return  # already gone: deleting twice changes nothing
            if row["sender_id"] != who.user_id:
                chat = await chat_store.chat_by_id(conn, chat_id)
                if chat is None or chat["kind"] != "group" or member["role"] not in ("owner", "admin"):
                    raise errors.Forbidden("you can only delete your own messages")
            await store.rewrite_message(conn, int(row["id"]), None, {"deleted": True})
            event = await store.append_event(conn, chat_id, "deleted", sender_id=who.user_id, data={"seq": seq})
            recipients = await chat_store.active_member_ids(conn, chat_id)
        await self.ctx.fanout.to_users(recipients, "event", event_out(event, sender=who.ref()))

    async def _message(
        self, conn: AsyncConnection, chat_id: int, seq: int, *, deleted_ok: bool = False
    ) -> tuple[Any, dict[str, Any]]:
        """The message at ``seq`` and its data; refuses other events and (unless ``deleted_ok``) deleted ones."""
        row = await store.message_at(conn, chat_id, seq)
        if row is None or row["kind"] != "message":
            raise errors.MessageNotFound()
        data = json.loads(row["data"]) if row["data"] else {}
        if data.get("deleted") and not deleted_ok:
            raise errors.InvalidOperation("this message was deleted", code="message_deleted")
        return row, data

    async def history(
        self, who: Principal, chat_id: int, before: int | None, after: int | None, limit: int
    ) -> list[dict[str, Any]]:
        """A page of the chat's visible history (messages and membership changes, not read markers)."""
        async with self.ctx.db.read() as conn:
            await require_member(conn, chat_id, who.user_id)
            rows = await store.page(
                conn, chat_id, before=before, after=after, limit=limit, exclude_kinds=HIDDEN_FROM_HISTORY
            )
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
            await require_member(conn, chat_id, who.user_id)
            chat = await chat_store.chat_by_id(conn, chat_id)
            assert chat is not None
            seq = min(seq, int(chat["last_seq"]))
            if not await chat_store.advance_read(conn, chat_id, who.user_id, seq):
                return
            row = await store.append_event(
                conn, chat_id, "read", sender_id=who.user_id, data={"user": who.user_id, "up_to": seq}
            )
            recipients = await chat_store.active_member_ids(conn, chat_id)
        await self.ctx.fanout.to_users(recipients, "event", event_out(row, sender=who.ref()))

    async def typing(self, who: Principal, chat_id: int, typing: bool) -> None:
        key = (who.user_id, chat_id)
        now = time.monotonic()
        last = self._typing.get(key)
        async with self.ctx.db.read() as conn:
            # Checked before throttling, so a non-member always hears not_a_member, never a silent ok.
            await require_member(conn, chat_id, who.user_id)
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
            "user": who.ref(),
            "typing": typing,
            "expires_in": TYPING_EXPIRES,
        }
        await self.ctx.fanout.to_users([u for u in recipients if u != who.user_id], "typing", payload)
