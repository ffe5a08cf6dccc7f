"""The open conversation: history and paging, sending through a persisted outbox, receipts, typing."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from functools import partial

from ..client import Ack, ChatEvent, ConnectionLost
from .core import PAGE, TYPING_EVERY, ModelCore, describe, log
from .state import ChatRow, Conversation, MessageRow


class Conversations(ModelCore):
    """Commands on the open chat; :class:`~parley.desktop.model.ParleyModel` adds session and chat list."""

    @property
    def active_chat(self) -> ChatRow | None:
        return self.chats.get(self.conversation.chat_id) if self.conversation else None

    def open_chat(self, chat_id: int) -> None:
        """Show a chat: its latest page of history, then mark it read."""
        client = self._client()
        conv = Conversation(chat_id, loading=True)
        conv.rows.extend(self._outbox_rows(chat_id))
        self.conversation = conv
        self._notify("conversation")

        def done(events: list[ChatEvent]) -> None:
            if self.conversation is not conv:
                return
            conv.loading = False
            conv.has_older = len(events) >= PAGE and events[0].seq > 1
            for event in events:
                conv.upsert(MessageRow.from_event(event, self.user))
            chat = self.chats.get(chat_id)
            others_read = (
                [m.last_read_seq for m in chat.members if self.user is None or m.id != self.user.id] if chat else []
            )
            conv.read_up_to = max([conv.read_up_to, *others_read])
            self._mark_read(chat_id)
            self._notify("conversation", "chats")

        self._run(lambda: client.history(chat_id, limit=PAGE), done)

    def close_chat(self) -> None:
        self.conversation = None
        self._notify("conversation")

    def load_older(self) -> bool:
        """Fetch the page before the oldest shown; False when nothing (more) to fetch or already fetching."""
        conv, client = self.conversation, self.client
        if conv is None or client is None or conv.loading or not conv.has_older or conv.oldest_seq is None:
            return False
        before = conv.oldest_seq
        conv.loading = True

        def done(events: list[ChatEvent]) -> None:
            conv.loading = False
            conv.has_older = len(events) >= PAGE and events[0].seq > 1
            for event in events:
                conv.upsert(MessageRow.from_event(event, self.user))
            if self.conversation is conv:
                self._notify("older")

        def failed(exc: BaseException) -> None:
            conv.loading = False
            self._fail(exc)

        self._run(lambda: client.history(conv.chat_id, before=before, limit=PAGE), done, failed)
        return True

    def _mark_read(self, chat_id: int) -> None:
        row, client = self.chats.get(chat_id), self.client
        if row is None or client is None:
            return
        had_unread, row.unread = row.unread, 0
        if had_unread or row.last_seq:
            seq = row.last_seq
            self._run(lambda: client.mark_read(chat_id, seq), failed=lambda exc: log.debug("mark_read: %r", exc))

    def send(self, text: str) -> MessageRow | None:
        """Queue a message to the open chat: shown at once as pending, kept in the outbox until stored."""
        text = text.strip()
        if not text or self.conversation is None:
            return None
        chat_id, client_id = self.conversation.chat_id, uuid.uuid4().hex
        row = MessageRow.pending(chat_id, client_id, text, self.user)
        self.conversation.upsert(row)
        self.settings.outbox.append({"chat_id": chat_id, "client_id": client_id, "text": text})
        self.store.save(self.settings)
        self._deliver(row)
        if self._last_typing_sent and self.client is not None:
            client = self.client  # the message ends our typing notice for the others at once
            self._run(lambda: client.typing(chat_id, False), failed=lambda exc: None)
        self._last_typing_sent = 0.0
        self._notify("conversation")
        return row

    def retry(self, key: str) -> None:
        """Send a failed message again (same client id: the server stores it at most once)."""
        row = self.conversation.find(key) if self.conversation else None
        if row is None or row.status != "failed":
            return
        row.status, row.error = "pending", ""
        if not any(e["client_id"] == key for e in self.settings.outbox):
            self.settings.outbox.append({"chat_id": row.chat_id, "client_id": key, "text": row.text})
            self.store.save(self.settings)
        self._deliver(row)
        self._notify("conversation")

    def _deliver(self, row: MessageRow) -> None:
        client = self.client
        if client is None:
            return  # stays in the outbox; sent when a session starts

        async def work() -> Ack:
            return await client.send(row.chat_id, row.text, client_id=row.key)

        self._run(work, partial(self._acked, row.key, row.chat_id), partial(self._send_failed, row.key, row.chat_id))

    def _acked(self, client_id: str, chat_id: int, ack: Ack) -> None:
        self._drop_from_outbox(client_id)
        if self.conversation is not None and self.conversation.chat_id == chat_id:
            row = self.conversation.find(client_id)
            if row is not None:
                self.conversation.upsert(replace(row, seq=ack.seq, sent_at=ack.sent_at, status="sent"))
        chat = self.chats.get(chat_id)
        if chat is not None and ack.seq >= chat.last_seq:
            chat.last_seq, chat.last_time, chat.last_sender = ack.seq, ack.sent_at, "You"
            if self.conversation is not None and (row := self.conversation.find(client_id)) is not None:
                chat.last_text = row.text
        self._notify("conversation", "chats")

    def _send_failed(self, client_id: str, chat_id: int, exc: BaseException) -> None:
        if isinstance(exc, ConnectionLost):
            return  # the session was closed; the outbox keeps it for next time
        self._drop_from_outbox(client_id)
        if self.conversation is not None and (row := self.conversation.find(client_id)) is not None:
            row.status, row.error = "failed", describe(exc)
            self._notify("conversation")

    def _drop_from_outbox(self, client_id: str) -> None:
        kept = [e for e in self.settings.outbox if e["client_id"] != client_id]
        if len(kept) != len(self.settings.outbox):
            self.settings.outbox = kept
            self.store.save(self.settings)

    def _outbox_rows(self, chat_id: int) -> list[MessageRow]:
        return [
            MessageRow.pending(chat_id, e["client_id"], e["text"], self.user)
            for e in self.settings.outbox
            if e["chat_id"] == chat_id
        ]

    def _resend_outbox(self) -> None:
        for entry in list(self.settings.outbox):
            if entry["chat_id"] in self.chats:
                self._deliver(MessageRow.pending(entry["chat_id"], entry["client_id"], entry["text"], self.user))
            else:
                self._drop_from_outbox(entry["client_id"])

    def typing(self, text: str) -> None:
        """Call on every edit of the composer; tells the others at most every few seconds."""
        conv, client = self.conversation, self.client
        if conv is None or client is None or self.connection != "connected":
            return
        now = time.monotonic()
        if text and now - self._last_typing_sent >= TYPING_EVERY:
            self._last_typing_sent = now
            chat_id = conv.chat_id
            self._run(lambda: client.typing(chat_id, True), failed=lambda exc: None)

    def typing_text(self) -> str:
        conv = self.conversation
        if conv is None:
            return ""
        now = time.monotonic()
        names = sorted(n for n, until in conv.typing.items() if until > now)
        if not names:
            return ""
        if len(names) == 1:
            return f"{names[0]} is typing…"
        return f"{', '.join(names[:-1])} and {names[-1]} are typing…"

    def expire_typing(self) -> None:
        """Drop typing notices whose time ran out (the UI calls this on a timer)."""
        conv = self.conversation
        if conv is None:
            return
        now = time.monotonic()
        expired = [n for n, until in conv.typing.items() if until <= now]
        for name in expired:
            del conv.typing[name]
        if expired:
            self._notify("typing")

    def status_line(self) -> str:
        """Under the chat title: presence for a direct chat, members for a group."""
        chat = self.active_chat
        if chat is None:
            return ""
        if chat.peer is not None:
            return "online" if self.is_online(chat.peer.id) else "offline"
        online = sum(1 for m in chat.members if self.is_online(m.id))
        return f"{len(chat.members)} members, {online} online"
