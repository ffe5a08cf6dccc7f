"""The open conversation: history and paging, sending through a persisted outbox, receipts, typing."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from ..client import Ack, ChatEvent, ConnectionLost, Message, ParleyError
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

    # --- edit and delete ----------------------------------------------------------------------------

    def can_edit(self, row: MessageRow) -> bool:
        """Only the sender edits, and only a stored message that is still there."""
        return row.kind == "message" and row.mine and row.seq is not None and not row.deleted

    def can_delete(self, row: MessageRow) -> bool:
        """The sender deletes; in a group, owners and admins may delete anyone's message too."""
        if row.kind != "message" or row.seq is None or row.deleted:
            return False
        chat = self.chats.get(row.chat_id)
        return row.mine or (chat is not None and chat.kind == "group" and chat.my_role in ("owner", "admin"))

    def edit_message(self, ref: str | int, text: str, then: Callable[[], None] | None = None) -> bool:
        """Change a message of the open chat (by row key or seq); False (with ``error`` set) when refused here.

        The row shows the new text once the server has stored it; the server decides who may edit.
        """
        row = self._stored_row(ref)
        text = text.strip()
        if row is None:
            return False
        if not text:
            self._fail(ParleyError("A message needs some text: delete it instead.", code="message_empty"))
            return False
        client, chat_id, seq = self._client(), row.chat_id, row.seq
        assert seq is not None
        if text == row.text:
            if then:
                then()
            return True

        def done(message: Message) -> None:
            self._message_changed(chat_id, message.seq, message.text)
            if then:
                then()

        failed = partial(self._change_failed, "edit")
        self._run(lambda: client.edit(chat_id, seq, text), done, failed)
        return True

    def delete_message(self, ref: str | int, then: Callable[[], None] | None = None) -> bool:
        """Delete a message of the open chat (by row key or seq); False (with ``error`` set) when refused here."""
        row = self._stored_row(ref)
        if row is None:
            return False
        client, chat_id, seq = self._client(), row.chat_id, row.seq
        assert seq is not None

        def done(_none: None) -> None:
            self._message_changed(chat_id, seq, None)
            if then:
                then()

        failed = partial(self._change_failed, "delete")
        self._run(lambda: client.delete(chat_id, seq), done, failed)
        return True

    def _stored_row(self, ref: str | int) -> MessageRow | None:
        """The open chat's message ``ref`` (key or seq), if it can be changed at all; else an error."""
        conv = self.conversation
        row = None if conv is None else (conv.by_seq(ref) if isinstance(ref, int) else conv.find(ref))
        if row is None or row.kind != "message":
            self._fail(ParleyError("That message is not in this chat.", code="message_not_found"))
        elif row.deleted:
            self._fail(ParleyError("That message was deleted.", code="message_deleted"))
        elif row.seq is None:
            self._fail(ParleyError("Wait until the message is sent.", code="pending"))
        else:
            return row
        return None

    def _message_changed(self, chat_id: int, seq: int, text: str | None) -> None:
        """Our own edit or deletion was stored (its event may come later, or already came: both are safe)."""
        if self.conversation is not None and self.conversation.chat_id == chat_id:
            self.conversation.change_message(seq, text)
        chat = self.chats.get(chat_id)
        if chat is not None:
            chat.change_message(seq, text)
        self._notify("conversation", "chats")

    def _change_failed(self, action: str, exc: BaseException) -> None:
        if isinstance(exc, ParleyError) and exc.code == "forbidden":
            who = "" if action == "edit" else " (in a group, owners and admins can delete any)"
            exc = ParleyError(f"You can only {action} your own messages{who}.", code="forbidden")
        self._fail(exc)

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
