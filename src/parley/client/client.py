"""The async Python SDK: one object per logged-in session, with reconnect, catch-up and resend built in."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import socketio

from ..errors import ConnectionLost, ParleyError
from .models import (
    Ack,
    Chat,
    ChatAdded,
    ChatEvent,
    ChatRemoved,
    ConnectionState,
    Event,
    Message,
    Presence,
    Session,
    Typing,
    User,
)

log = logging.getLogger("parley.client")
GAP_WAIT = 0.3  # seconds to let an out-of-order live event's predecessor arrive before asking for catch-up


def error_from(body: Any, status: int | None = None) -> ParleyError:
    """A :class:`ParleyError` carrying the server's ``code`` from ``{code, message}`` (or ``{error: {...}}``)."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    if isinstance(body, dict) and "code" in body:
        details = {k: v for k, v in body.items() if k not in ("code", "message")}
        return ParleyError(str(body.get("message", body["code"])), code=str(body["code"]), **details)
    return ParleyError(f"unexpected reply (HTTP {status}): {body!r}"[:300], code="bad_reply")


class Client:
    """``async with Client(url) as c: await c.login(...); ...`` — see the README for a full example.

    Requests travel over the Socket.IO connection and raise :class:`ParleyError` with the server's code.
    The client remembers, per chat, the last sequence number it delivered; after every (re)connect it asks
    the server for what came after, so :meth:`events` yields each chat event exactly once, in order.
    :meth:`send` keeps its client id across reconnects and retries until the server acknowledges.
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        cursors: dict[int, int] | None = None,
        request_timeout: float = 15.0,
        reconnect: bool = True,
        user_agent: str = "parley-sdk",
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.user: User | None = None
        self.request_timeout = request_timeout
        self.reconnect = reconnect
        self.user_agent = user_agent
        self._cursors: dict[int, int] = dict(cursors or {})
        self._buffered: dict[int, dict[int, dict[str, Any]]] = {}
        self._gap_tasks: dict[int, asyncio.Task[None]] = {}
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._sio: socketio.AsyncClient | None = None
        self._connected = asyncio.Event()
        self._lost: asyncio.Future[None] | None = None
        self._sync_lock = asyncio.Lock()
        self._closing = False
        self._was_connected = False
        self._ended: ParleyError | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- lifecycle ------------------------------------------------------------------------------

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def cursors(self) -> dict[int, int]:
        """Last delivered seq per chat: persist it to resume exactly where you left off."""
        return dict(self._cursors)

    async def _http(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"user-agent": self.user_agent}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        try:
            async with httpx.AsyncClient(timeout=self.request_timeout) as http:
                response = await http.request(method, self.url + path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ConnectionLost(f"cannot reach {self.url}: {exc}") from exc
        if response.status_code == 204:
            return None
        try:
            data = response.json()
        except ValueError:
            data = response.text
        if response.status_code >= 400:
            raise error_from(data, response.status_code)
        return data

    async def register(self, username: str, password: str, *, display_name: str | None = None) -> User:
        """Create an account, log in and connect."""
        body = {"username": username, "password": password, "display_name": display_name}
        return await self._authenticated(await self._http("POST", "/api/register", body))

    async def login(self, username: str, password: str) -> User:
        """Log in and connect."""
        return await self._authenticated(
            await self._http("POST", "/api/login", {"username": username, "password": password})
        )

    async def _authenticated(self, reply: dict[str, Any]) -> User:
        self.token = reply["token"]
        self.user = User.from_json(reply["user"])
        await self.connect()
        return self.user

    async def logout(self) -> None:
        """End this session on the server and disconnect."""
        if self.token:
            with contextlib.suppress(ParleyError):
                await self._http("POST", "/api/logout")
        await self.close()
        self.token = None

    async def connect(self) -> None:
        """Connect with the current token (done by register/login); catches up before returning."""
        if self._sio is not None:
            return
        if not self.token:
            raise ParleyError("log in or register first", code="unauthorized")
        if self.user is None:
            self.user = User.from_json(await self._http("GET", "/api/me"))
        self._closing = False
        sio = socketio.AsyncClient(
            reconnection=self.reconnect,
            reconnection_delay=0.2,
            reconnection_delay_max=3,
            randomization_factor=0.3,
        )
        refused: dict[str, Any] = {}
        sio.on("connect", self._on_connect)
        sio.on("disconnect", self._on_disconnect)
        sio.on("connect_error", lambda data: refused.update(data if isinstance(data, dict) else {"message": data}))
        sio.on("event", self._on_event)
        sio.on("chat", self._on_chat)
        sio.on("typing", lambda d: self._events.put_nowait(Typing.from_json(d)))
        sio.on("presence", lambda d: self._events.put_nowait(Presence.from_json(d)))
        sio.on("session_ended", self._on_session_ended)
        self._sio = sio
        try:
            await sio.connect(
                self.url,
                auth={"token": self.token},
                transports=["websocket"],
                wait_timeout=self.request_timeout,
                headers={"User-Agent": self.user_agent},
            )
        except socketio.exceptions.ConnectionError as exc:
            self._sio = None
            if refused.get("code"):
                raise error_from(refused) from exc
            raise ConnectionLost(f"cannot connect to {self.url}: {exc}") from exc
        try:
            await asyncio.wait_for(self._connected.wait(), self.request_timeout)
        except TimeoutError:
            raise ConnectionLost("connected, but catching up did not finish in time; still trying") from None

    async def close(self) -> None:
        """Disconnect and stop reconnecting; unacknowledged sends fail with ``connection_lost``."""
        self._closing = True
        sio, self._sio = self._sio, None
        for task in list(self._tasks) + list(self._gap_tasks.values()):
            task.cancel()
        if sio is not None:
            with contextlib.suppress(Exception):
                await sio.disconnect()
        self._connected.clear()
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)

    async def wait_connected(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _on_connect(self) -> None:
        self._lost = asyncio.get_running_loop().create_future()
        # Catch up before anyone may send: requests wait for _connected.
        self._spawn(self._after_connect())

    async def _after_connect(self) -> None:
        try:
            fresh = not self._cursors and not self._was_connected
            for chat in await self._call_raw("chats", None):
                if fresh:
                    # First connection with no remembered cursors: start from the present of each chat.
                    self._cursors.setdefault(int(chat["id"]), int(chat["last_seq"]))
                else:
                    await self._on_chat(chat)  # chats we were added to while away
            self._was_connected = True
            await self._catch_up(None)
        except ConnectionLost:
            return
        except ParleyError as exc:
            log.warning("catch-up failed: %s", exc)
        self._connected.set()
        self._events.put_nowait(ConnectionState("connected"))

    async def _on_disconnect(self, *reason: Any) -> None:
        was = self._connected.is_set()
        self._connected.clear()
        if self._lost is not None and not self._lost.done():
            self._lost.set_result(None)
        if was:
            self._events.put_nowait(ConnectionState("disconnected", str(reason[0]) if reason else None))

    async def _on_session_ended(self, _data: Any = None) -> None:
        self._ended = ParleyError("this session was ended", code="unauthorized")
        self._events.put_nowait(ConnectionState("ended", "session revoked"))
        self._spawn(self.close())

    # --- requests -------------------------------------------------------------------------------

    async def _call_raw(self, event: str, payload: Any) -> Any:
        """One request over the current connection; ConnectionLost when it drops before the ack."""
        sio, lost = self._sio, self._lost
        if sio is None or lost is None or lost.done():
            raise ConnectionLost()
        call = asyncio.ensure_future(sio.call(event, payload, timeout=self.request_timeout))
        try:
            done, _ = await asyncio.wait({call, lost}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            call.cancel()
            raise
        if call not in done:
            call.cancel()
            raise ConnectionLost()
        try:
            reply = call.result()
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError) as exc:
            raise ConnectionLost(f"no reply to {event!r}") from exc
        if not isinstance(reply, dict) or "ok" not in reply:
            raise error_from(reply)
        if not reply["ok"]:
            raise error_from(reply.get("error"))
        return reply.get("data")

    async def _call(self, event: str, payload: Any = None) -> Any:
        """A request once connected (waits for the connection up to ``request_timeout``)."""
        if self._ended is not None:
            raise self._ended
        if self._sio is None:
            raise ConnectionLost("not connected: log in first")
        try:
            await asyncio.wait_for(self._connected.wait(), self.request_timeout)
        except TimeoutError:
            raise ConnectionLost() from None
        return await self._call_raw(event, payload)

    async def send(self, chat_id: int, text: str, *, client_id: str | None = None) -> Ack:
        """Send a message; returns once it is stored. Retries with the same client id across reconnects."""
        payload = {"chat_id": chat_id, "client_id": client_id or uuid.uuid4().hex, "text": text}
        while True:
            try:
                return Ack.from_json(await self._call("send", payload))
            except ConnectionLost:
                if self._closing or not self.reconnect:
                    raise
                await self._connected.wait()

    async def edit(self, chat_id: int, seq: int, text: str) -> Message:
        """Change the text of your message at ``seq``; returns the message as it now is."""
        data = await self._call("edit", {"chat_id": chat_id, "seq": seq, "text": text})
        message = ChatEvent.from_json(data)
        assert isinstance(message, Message)
        return message

    async def delete(self, chat_id: int, seq: int) -> None:
        """Delete your message at ``seq`` (in groups, owners and admins may delete anyone's)."""
        await self._call("delete", {"chat_id": chat_id, "seq": seq})

    async def history(
        self, chat_id: int, *, before: int | None = None, after: int | None = None, limit: int = 50
    ) -> list[ChatEvent]:
        body = {"chat_id": chat_id, "limit": limit}
        if before is not None:
            body["before"] = before
        if after is not None:
            body["after"] = after
        return [ChatEvent.from_json(e) for e in await self._call("history", body)]

    async def chats(self) -> list[Chat]:
        return [Chat.from_json(c) for c in await self._call("chats")]

    async def chat(self, chat_id: int) -> Chat:
        return Chat.from_json(await self._call("chat", {"chat_id": chat_id}))

    async def open_direct(self, username: str) -> Chat:
        return self._known(Chat.from_json(await self._call("open_direct", {"username": username})))

    async def create_group(self, title: str, members: list[str] | None = None) -> Chat:
        return self._known(Chat.from_json(await self._call("create_group", {"title": title, "members": members or []})))

    async def rename(self, chat_id: int, title: str) -> Chat:
        return Chat.from_json(await self._call("rename", {"chat_id": chat_id, "title": title}))

    async def add_members(self, chat_id: int, usernames: list[str]) -> Chat:
        return Chat.from_json(await self._call("add_members", {"chat_id": chat_id, "usernames": usernames}))

    async def remove_member(self, chat_id: int, username: str) -> Chat:
        return Chat.from_json(await self._call("remove_member", {"chat_id": chat_id, "username": username}))

    async def set_role(self, chat_id: int, username: str, role: str) -> Chat:
        body = {"chat_id": chat_id, "username": username, "role": role}
        return Chat.from_json(await self._call("set_role", body))

    async def leave(self, chat_id: int) -> None:
        await self._call("leave", {"chat_id": chat_id})

    async def mark_read(self, chat_id: int, seq: int) -> None:
        await self._call("read", {"chat_id": chat_id, "seq": seq})

    async def typing(self, chat_id: int, typing: bool = True) -> None:
        await self._call("typing", {"chat_id": chat_id, "typing": typing})

    async def search_users(self, prefix: str, limit: int = 20) -> list[User]:
        return [User.from_json(u) for u in await self._call("search_users", {"prefix": prefix, "limit": limit})]

    async def sessions(self) -> list[Session]:
        return [Session.from_json(s) for s in await self._http("GET", "/api/sessions")]

    async def revoke_session(self, session_id: int) -> None:
        await self._http("DELETE", f"/api/sessions/{session_id}")

    async def change_password(self, old_password: str, new_password: str) -> None:
        await self._http("POST", "/api/password", {"old_password": old_password, "new_password": new_password})

    def _known(self, chat: Chat) -> Chat:
        """A chat we opened: deliver its events from here on."""
        self._cursors.setdefault(chat.id, chat.last_seq)
        return chat

    # --- events ---------------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[Event]:
        """Every event for this session, in order per chat, each chat event exactly once."""
        while True:
            yield await self._events.get()

    async def next_event(self, timeout: float | None = None) -> Event:
        return await asyncio.wait_for(self._events.get(), timeout)

    async def _on_chat(self, data: dict[str, Any]) -> None:
        chat = Chat.from_json(data)
        if chat.id not in self._cursors:
            self._cursors[chat.id] = chat.last_seq
            self._events.put_nowait(ChatAdded(chat))
            self._apply_buffered(chat.id)

    async def _on_event(self, data: dict[str, Any]) -> None:
        self._accept(data)

    def _accept(self, data: dict[str, Any]) -> None:
        """Deliver a chat event once and in order; hold it back while an earlier one is missing."""
        chat_id, seq = int(data["chat_id"]), int(data["seq"])
        cursor = self._cursors.get(chat_id)
        if cursor is not None and seq <= cursor:
            return  # already delivered (live and catch-up overlap)
        self._buffered.setdefault(chat_id, {})[seq] = data
        if cursor is None:
            return  # a chat we have not heard of yet: its "chat" summary will set the cursor
        self._apply_buffered(chat_id)
        if self._buffered.get(chat_id) and chat_id not in self._gap_tasks:
            self._gap_tasks[chat_id] = self._spawn(self._fill_gap(chat_id))

    def _apply_buffered(self, chat_id: int) -> None:
        buffered = self._buffered.get(chat_id, {})
        cursor = self._cursors[chat_id]
        for seq in [s for s in buffered if s <= cursor]:
            del buffered[seq]
        while cursor + 1 in buffered:
            cursor += 1
            data = buffered.pop(cursor)
            self._cursors[chat_id] = cursor
            self._events.put_nowait(ChatEvent.from_json(data))
            if data["kind"] in ("member_removed", "member_left") and self._is_me((data.get("data") or {}).get("user")):
                self._forget(chat_id)
                return
        if not buffered:
            self._buffered.pop(chat_id, None)

    def _is_me(self, user: Any) -> bool:
        return self.user is not None and isinstance(user, dict) and user.get("id") == self.user.id

    def _forget(self, chat_id: int) -> None:
        self._cursors.pop(chat_id, None)
        self._buffered.pop(chat_id, None)
        self._events.put_nowait(ChatRemoved(chat_id))

    async def _fill_gap(self, chat_id: int) -> None:
        try:
            await asyncio.sleep(GAP_WAIT)
            if self._buffered.get(chat_id):
                await self._catch_up([chat_id])
        except (ConnectionLost, ParleyError):
            pass  # the next connect catches up everything
        finally:
            self._gap_tasks.pop(chat_id, None)

    async def _catch_up(self, chat_ids: list[int] | None) -> None:
        """Ask the server for everything after our cursors (all chats, or some) until nothing is left."""
        async with self._sync_lock:
            while True:
                wanted = (
                    self._cursors if chat_ids is None else {c: self._cursors[c] for c in chat_ids if c in self._cursors}
                )
                if not wanted:
                    return
                reply = await self._call_raw("sync", {"cursors": {str(c): s for c, s in wanted.items()}})
                for data in reply["events"]:
                    self._accept(data)
                for chat_id in reply["removed"]:
                    if chat_id in self._cursors and not self._buffered.get(chat_id):
                        self._forget(chat_id)
                if not reply["has_more"]:
                    return
