"""Shared plumbing of the view-model: its state, listeners, and SDK calls run off the UI thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from functools import partial
from typing import Any, TypeVar

from ..client import (
    Client,
    ConnectionLost,
    ParleyError,
    User,
)
from .bridge import AsyncBridge, Dispatch
from .settings import DesktopSettings, SettingsStore
from .state import ChatRow, Conversation

log = logging.getLogger("parley.desktop")
T = TypeVar("T")
Listener = Callable[[str], None]
PAGE = 50
TYPING_EVERY = 3.0  # seconds between "still typing" notices we send
RECONNECT_DELAYS = (0.5, 1, 2, 3, 5)

FRIENDLY = {
    "invalid_credentials": "Wrong username or password.",
    "username_taken": "That username is taken.",
    "unauthorized": "Your session has ended: please log in again.",
    "rate_limited": "Too many attempts: wait a moment and try again.",
    "message_not_found": "That message is not in this chat.",
    "message_deleted": "That message was deleted.",
    "message_empty": "A message needs some text.",
}


def describe(exc: BaseException, *, subject: str = "") -> str:
    """A sentence a person can act on."""
    if isinstance(exc, ConnectionLost):
        return "Cannot reach the server. Check the address and your connection."
    if isinstance(exc, ParleyError):
        if exc.code == "user_not_found":
            return f"No user called “{subject}” on this server." if subject else "No such user."
        if exc.code == "message_too_long":  # the server's sentence names the limit
            return exc.message[:1].upper() + exc.message[1:] + "."
        return FRIENDLY.get(exc.code, exc.message)
    return f"Unexpected error: {exc}"


class ModelCore:
    """State and plumbing shared by the view-model's parts; mutate state only on the UI thread."""

    def __init__(self, store: SettingsStore, dispatch: Dispatch, bridge: AsyncBridge | None = None) -> None:
        self.store = store
        self.settings: DesktopSettings = store.load()
        self.dispatch = dispatch
        self.bridge = bridge or AsyncBridge()
        self.client: Client | None = None
        self.user: User | None = None
        self.connection = "signed_out"  # signed_out, connecting, connected, offline
        self.chats: dict[int, ChatRow] = {}
        self.conversation: Conversation | None = None
        self.presence: dict[int, bool] = {}
        self.error = ""
        self.busy = False
        self._listeners: list[Listener] = []
        self._pump: Future[None] | None = None
        self._last_typing_sent = 0.0
        self._generation = 0  # bumps on every session change: late replies from an old session are dropped

    # --- observing ------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _notify(self, *topics: str) -> None:
        for topic in topics:
            for listener in list(self._listeners):
                listener(topic)

    def _fail(self, exc: BaseException, subject: str = "") -> None:
        self.busy = False
        self.error = describe(exc, subject=subject)
        self._notify("error")

    def clear_error(self) -> None:
        self.error = ""

    def _run(
        self,
        work: Callable[[], Awaitable[T]],
        done: Callable[[T], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> Future[None]:
        """Run ``work()`` on the SDK loop; hand its result (or error) to the UI thread."""
        generation = self._generation

        def deliver(fn: Callable[[], None]) -> None:
            def guarded() -> None:
                if generation == self._generation:
                    fn()

            self.dispatch(guarded)

        async def job() -> None:
            try:
                result = await work()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("request failed: %r", exc)
                deliver(partial(failed or self._fail, exc))
                return
            if done is not None:
                deliver(partial(done, result))

        return self.bridge.submit(job())

    def _submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return self.bridge.submit(coro)

    def is_online(self, user_id: int) -> bool:
        return self.presence.get(user_id, False)

    def _client(self) -> Client:
        if self.client is None:
            raise RuntimeError("not signed in")
        return self.client

    def _active_id(self) -> int:
        if self.conversation is None:
            raise RuntimeError("no chat is open")
        return self.conversation.chat_id
