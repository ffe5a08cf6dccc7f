"""The desktop client's view-model: session, chat list and open conversation, driven by SDK events.

Commands are called on the UI thread and return at once; their network work runs on the
:class:`~parley.desktop.bridge.AsyncBridge` loop and comes back through ``dispatch`` (Kivy's Clock in the
app, a :class:`~parley.desktop.bridge.QueueDispatch` in tests), so every state change happens on one thread.
Listeners get a topic: ``session``, ``connection``, ``chats``, ``conversation``, ``older``, ``typing``,
``error``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import partial

from ..client import (
    Chat,
    ChatAdded,
    ChatEvent,
    ChatRemoved,
    Client,
    ConnectionLost,
    ConnectionState,
    Event,
    MessageDeleted,
    MessageEdited,
    ParleyError,
    Presence,
    ReadMarker,
    Typing,
)
from .conversation import Conversations
from .core import RECONNECT_DELAYS
from .state import ChatRow, MessageRow


class ParleyModel(Conversations):
    """Session and chat list; folds SDK events into the state (see the module docstring)."""

    # --- session --------------------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return self.client is not None

    def resume(self) -> bool:
        """Reconnect with the remembered token; False when there is none (show the login screen)."""
        if not self.settings.token:
            return False
        client = Client(self.settings.server_url, token=self.settings.token, user_agent="parley-desktop")
        self._begin(client)
        self._connect_forever(client)
        return True

    def login(self, server_url: str, username: str, password: str) -> None:
        self._authenticate(server_url, username, password, register=False)

    def register(self, server_url: str, username: str, password: str, display_name: str | None = None) -> None:
        self._authenticate(server_url, username, password, register=True, display_name=display_name)

    def _authenticate(
        self, server_url: str, username: str, password: str, *, register: bool, display_name: str | None = None
    ) -> None:
        url, username = server_url.strip().rstrip("/"), username.strip()
        if not url or not username or not password:
            self._fail(ParleyError("Fill in the server address, username and password.", code="invalid_payload"))
            return
        if "://" not in url:
            url = "http://" + url
        self.busy, self.error = True, ""
        self._notify("session")
        client = Client(url, user_agent="parley-desktop")

        async def work() -> list[Chat]:
            if register:
                await client.register(username, password, display_name=display_name or None)
            else:
                await client.login(username, password)
            return await client.chats()

        def failed(exc: BaseException) -> None:
            self._submit(client.close())
            self._fail(exc)

        def done(chats: list[Chat]) -> None:
            self.settings.server_url, self.settings.username, self.settings.token = url, username, client.token
            self.store.save(self.settings)
            self._begin(client)
            self._connected(chats)

        self._run(work, done, failed)

    def _begin(self, client: Client) -> None:
        self._generation += 1
        self.client, self.user, self.busy, self.error = client, client.user, False, ""
        self.connection = "connecting"
        self.chats, self.conversation = {}, None
        self._notify("session", "connection", "chats", "conversation")

    def _connect_forever(self, client: Client) -> None:
        """Connect a resumed session, retrying while the server is unreachable."""

        async def work() -> list[Chat]:
            for attempt in range(1_000_000):
                try:
                    await client.connect()
                    return await client.chats()
                except ConnectionLost:
                    self.dispatch(partial(self._set_connection, "offline", self._generation))
                    await asyncio.sleep(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
            raise ConnectionLost()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ParleyError) and exc.code == "unauthorized":
                self._end_session("Your session has ended: please log in again.")
            else:
                self._fail(exc)

        self._run(work, self._connected, failed)

    def _set_connection(self, state: str, generation: int) -> None:
        if generation == self._generation and self.connection != state:
            self.connection = state
            self._notify("connection")

    def _connected(self, chats: list[Chat]) -> None:
        assert self.client is not None
        self.user = self.client.user
        self.connection = "connected"
        self._load_chats(chats)
        self._start_pump(self.client)
        self._resend_outbox()
        self._notify("session", "connection", "chats")

    def _load_chats(self, chats: list[Chat]) -> None:
        self.chats = {c.id: ChatRow.from_chat(c, self.user) for c in chats}
        for chat in chats:
            for member in chat.members:
                self.presence.setdefault(member.id, member.online)
        if self.conversation is not None and self.conversation.chat_id in self.chats:
            self.chats[self.conversation.chat_id].unread = 0

    def _start_pump(self, client: Client) -> None:
        generation = self._generation

        async def pump() -> None:
            async for event in client.events():
                self.dispatch(partial(self._apply_if_current, generation, event))

        if self._pump is not None:
            self._pump.cancel()
        self._pump = self._submit(pump())

    def logout(self) -> None:
        client = self.client
        if client is not None:
            self._submit(client.logout())
        self._end_session("")

    def _end_session(self, message: str) -> None:
        client = self.client
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        if client is not None:
            self._submit(client.close())
        self._generation += 1
        self.client, self.user, self.conversation = None, None, None
        self.chats = {}
        self.connection = "signed_out"
        self.settings.token = None
        self.store.save(self.settings)
        self.error = message
        self._notify("session", "connection", "chats", "conversation", "error")

    def shutdown(self) -> None:
        """Disconnect (keeping the token: the next start resumes) and stop the SDK loop."""
        client = self.client
        if client is not None:
            try:
                self._submit(client.close()).result(5)
            except Exception:
                pass
        self.bridge.stop()

    def set_theme(self, theme: str) -> None:
        self.settings.theme = theme
        self.store.save(self.settings)

    # --- chat list ------------------------------------------------------------------------------

    def sorted_chats(self) -> list[ChatRow]:
        return sorted(self.chats.values(), key=lambda r: r.sort_key, reverse=True)

    def start_direct(self, username: str, then: Callable[[], None] | None = None) -> None:
        """Open (or find) the direct chat with ``username``; a clear error when there is no such user."""
        username = username.strip().lstrip("@")
        if not username:
            self._fail(ParleyError("Type a username.", code="invalid_payload"))
            return
        client = self._client()
        self._run(lambda: client.open_direct(username), self._show_new(then), lambda exc: self._fail(exc, username))

    def create_group(self, title: str, usernames: list[str], then: Callable[[], None] | None = None) -> None:
        title, names = title.strip(), [n.strip().lstrip("@") for n in usernames if n.strip()]
        if not title:
            self._fail(ParleyError("Give the group a name.", code="invalid_payload"))
            return
        client = self._client()
        missing = names[0] if len(names) == 1 else ""
        self._run(lambda: client.create_group(title, names), self._show_new(then), lambda exc: self._fail(exc, missing))

    def _show_new(self, then: Callable[[], None] | None) -> Callable[[Chat], None]:
        """What to do with a chat just opened or created: list it, open it, then ``then``."""

        def done(chat: Chat) -> None:
            self._add_chat(chat)
            self.open_chat(chat.id)
            if then:
                then()

        return done

    def add_member(self, username: str, then: Callable[[], None] | None = None) -> None:
        chat_id, client, name = self._active_id(), self._client(), username.strip().lstrip("@")

        def done(chat: Chat) -> None:
            self._add_chat(chat)
            if then:
                then()

        self._run(lambda: client.add_members(chat_id, [name]), done, lambda exc: self._fail(exc, name))

    def remove_member(self, username: str) -> None:
        chat_id, client = self._active_id(), self._client()
        self._run(lambda: client.remove_member(chat_id, username), self._add_chat)

    def set_role(self, username: str, role: str) -> None:
        chat_id, client = self._active_id(), self._client()
        self._run(lambda: client.set_role(chat_id, username, role), self._add_chat)

    def rename_chat(self, title: str) -> None:
        chat_id, client = self._active_id(), self._client()
        self._run(lambda: client.rename(chat_id, title.strip()), self._add_chat)

    def leave_chat(self) -> None:
        chat_id, client = self._active_id(), self._client()
        self._run(lambda: client.leave(chat_id), lambda _none: self._remove_chat(chat_id))

    def _add_chat(self, chat: Chat) -> None:
        row = ChatRow.from_chat(chat, self.user)
        old = self.chats.get(chat.id)
        if old is not None and old.last_seq > row.last_seq:  # keep what live events already told us
            row.last_seq, row.last_text, row.last_sender, row.last_time, row.last_message_seq = (
                old.last_seq,
                old.last_text,
                old.last_sender,
                old.last_time,
                old.last_message_seq,
            )
        if self.conversation is not None and self.conversation.chat_id == chat.id:
            row.unread = 0
        self.chats[chat.id] = row
        for member in chat.members:
            self.presence.setdefault(member.id, member.online)
        self._notify("chats", "conversation")

    def _remove_chat(self, chat_id: int) -> None:
        self.chats.pop(chat_id, None)
        if self.conversation is not None and self.conversation.chat_id == chat_id:
            self.conversation = None
            self._notify("conversation")
        self._notify("chats")

    # --- events ---------------------------------------------------------------------------------

    def _apply_if_current(self, generation: int, event: Event) -> None:
        if generation == self._generation:
            self.apply(event)

    def apply(self, event: Event) -> None:
        """Fold one SDK event into the state (UI thread)."""
        if isinstance(event, ConnectionState):
            self._on_connection(event)
        elif isinstance(event, ChatAdded):
            self._add_chat(event.chat)
        elif isinstance(event, ChatRemoved):
            self._remove_chat(event.chat_id)
        elif isinstance(event, ReadMarker):
            self._on_read(event)
        elif isinstance(event, MessageEdited | MessageDeleted):
            self._on_changed(event)
        elif isinstance(event, ChatEvent):
            self._on_chat_event(event)
        elif isinstance(event, Typing):
            self._on_typing(event)
        elif isinstance(event, Presence):
            self.presence[event.user_id] = event.online
            self._notify("chats", "typing")

    def _on_connection(self, event: ConnectionState) -> None:
        if event.state == "ended":
            self._end_session("This session was ended (logged out elsewhere).")
            return
        self.connection = "connected" if event.state == "connected" else "offline"
        self._notify("connection")
        if event.state == "connected" and self.client is not None:
            client = self.client
            self._run(client.chats, self._refresh_chats, failed=lambda exc: None)

    def _refresh_chats(self, chats: list[Chat]) -> None:
        for chat in chats:
            self._add_chat(chat)
        for gone in set(self.chats) - {c.id for c in chats}:
            self._remove_chat(gone)

    def _on_read(self, event: ReadMarker) -> None:
        mine = self.user is not None and event.sender is not None and event.sender.id == self.user.id
        chat = self.chats.get(event.chat_id)
        if mine:
            if chat is not None and event.up_to >= chat.last_seq:
                chat.unread = 0
                self._notify("chats")
            return
        conv = self.conversation
        if conv is not None and conv.chat_id == event.chat_id and event.up_to > conv.read_up_to:
            conv.read_up_to = event.up_to
            self._notify("conversation")

    def _on_chat_event(self, event: ChatEvent) -> None:
        chat = self.chats.get(event.chat_id)
        conv = self.conversation
        active = conv is not None and conv.chat_id == event.chat_id
        mine = self.user is not None and event.sender is not None and event.sender.id == self.user.id
        if mine and event.client_id:
            self._drop_from_outbox(event.client_id)  # stored: the ack may still be on its way
        if chat is not None:
            chat.show_last(event, self.user)
            if event.kind == "message" and not mine and not active:
                chat.unread += 1
        if active and conv is not None:
            conv.upsert(MessageRow.from_event(event, self.user))
            if event.sender is not None:
                conv.typing.pop(event.sender.display_name, None)
            if not mine and event.kind == "message":
                conv.read_up_to = max(conv.read_up_to, event.seq)  # the server marks a sender's chat read
                self._mark_read(event.chat_id)
        if event.kind != "message" and self.client is not None:
            client, chat_id = self.client, event.chat_id
            self._run(lambda: client.chat(chat_id), self._add_chat, failed=lambda exc: None)
        self._notify("chats", "conversation")

    def _on_changed(self, event: MessageEdited | MessageDeleted) -> None:
        """An edit or deletion: the shown message and the list's preview follow; no row, no unread."""
        text = event.new_text if isinstance(event, MessageEdited) else None
        chat = self.chats.get(event.chat_id)
        if chat is not None:
            chat.last_seq = max(chat.last_seq, event.seq)
            chat.change_message(event.target_seq, text)
        conv = self.conversation
        if conv is not None and conv.chat_id == event.chat_id:
            conv.change_message(event.target_seq, text)
        elif text is None and chat is not None and chat.unread and self.client is not None:
            # A deleted message no longer waits to be read: take the count from the server.
            client, chat_id = self.client, event.chat_id
            self._run(lambda: client.chat(chat_id), self._set_unread, failed=lambda exc: None)
        self._notify("chats", "conversation")

    def _set_unread(self, chat: Chat) -> None:
        row = self.chats.get(chat.id)
        if row is not None and (self.conversation is None or self.conversation.chat_id != chat.id):
            row.unread = chat.unread
            self._notify("chats")

    def _on_typing(self, event: Typing) -> None:
        conv = self.conversation
        if conv is None or conv.chat_id != event.chat_id or (self.user and event.user.id == self.user.id):
            return
        if event.typing:
            conv.typing[event.user.display_name] = time.monotonic() + event.expires_in
        else:
            conv.typing.pop(event.user.display_name, None)
        self._notify("typing")
