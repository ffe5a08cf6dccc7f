"""Socket.IO events: authenticate the connection, validate each payload, call a service, ack the result."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import socketio
from pydantic import BaseModel, ValidationError

from ... import errors, protocol
from ..services import Principal, Services
from .errors import internal, invalid

log = logging.getLogger(__name__)
Handler = Callable[[Principal, Any], Awaitable[Any]]


def user_room(user_id: int) -> str:
    return f"u:{user_id}"


def session_room(session_id: int) -> str:
    return f"s:{session_id}"


def refusal(exc: errors.ParleyError) -> socketio.exceptions.ConnectionRefusedError:
    """A refused connection whose reason carries our code: at the top level (Python client's
    connect_error data) and under ``data`` (the JavaScript client's ``err.data``)."""
    refused = socketio.exceptions.ConnectionRefusedError(exc.message)
    refused.error_args = {**exc.to_dict(), "data": exc.to_dict()}
    return refused


class SocketFanout:
    """The services' fan-out over python-socketio's client manager (in-process or Redis).

    With Redis, ended sessions are also published on a channel of our own, so that every process
    disconnects its sockets of that session (python-socketio can only address rooms, not close them).
    """

    CHANNEL = "parley:sessions-ended"

    def __init__(self, sio: socketio.AsyncServer, redis_url: str = "") -> None:
        self.sio = sio
        self.redis_url = redis_url
        self._redis: Any = None
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.redis_url:
            import redis.asyncio as redis

            self._redis = redis.from_url(self.redis_url)
            pubsub = self._redis.pubsub()
            await pubsub.subscribe(self.CHANNEL)
            self._listener = asyncio.create_task(self._listen(pubsub), name="sessions-ended")

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
        if self._redis is not None:
            await self._redis.aclose()

    async def _listen(self, pubsub: Any) -> None:
        async for message in pubsub.listen():
            if message.get("type") == "message":
                try:
                    await self._disconnect_local(int(message["data"]))
                except Exception:
                    log.exception("could not end session %r", message.get("data"))

    async def to_users(self, user_ids: Iterable[int], event: str, data: dict[str, Any]) -> None:
        rooms = [user_room(u) for u in user_ids]
        if rooms:
            await self.sio.emit(event, data, to=rooms)

    async def end_sessions(self, session_ids: Iterable[int]) -> None:
        for session_id in session_ids:
            await self.sio.emit("session_ended", {"session_id": session_id}, to=session_room(session_id))
            if self._redis is not None:
                await self._redis.publish(self.CHANNEL, str(session_id))
            else:
                await self._disconnect_local(session_id)

    async def _disconnect_local(self, session_id: int) -> None:
        for sid, _ in list(self.sio.manager.get_participants("/", session_room(session_id))):
            await self.sio.disconnect(sid)


class SocketTransport:
    def __init__(self, sio: socketio.AsyncServer, services: Services) -> None:
        self.sio = sio
        self.services = services
        self._checked: dict[str, float] = {}  # sid → when its session was last confirmed
        sio.on("connect", self.connect)
        sio.on("disconnect", self.disconnect)
        s = services
        handlers: dict[str, Handler] = {
            "send": lambda who, r: s.messages.send(who, r.chat_id, r.client_id, r.text),
            "history": lambda who, r: s.messages.history(who, r.chat_id, r.before, r.after, r.limit),
            "sync": lambda who, r: s.messages.sync(who, {int(k): v for k, v in r.cursors.items()}, r.limit),
            "read": lambda who, r: s.messages.mark_read(who, r.chat_id, r.seq),
            "typing": lambda who, r: s.messages.typing(who, r.chat_id, r.typing),
            "chats": lambda who, r: s.chats.chat_list(who),
            "chat": lambda who, r: s.chats.get(who, r.chat_id),
            "open_direct": lambda who, r: s.chats.open_direct(who, r.username),
            "create_group": lambda who, r: s.chats.create_group(who, r.title, r.members),
            "rename": lambda who, r: s.chats.rename(who, r.chat_id, r.title),
            "add_members": lambda who, r: s.chats.add_members(who, r.chat_id, r.usernames),
            "remove_member": lambda who, r: s.chats.remove_member(who, r.chat_id, r.username),
            "set_role": lambda who, r: s.chats.set_role(who, r.chat_id, r.username, r.role),
            "leave": lambda who, r: s.chats.leave(who, r.chat_id),
            "search_users": lambda who, r: s.accounts.search(r.prefix, r.limit),
            "edit": lambda who, r: s.messages.edit(who, r.chat_id, r.seq, r.text),
            "delete": lambda who, r: s.messages.delete(who, r.chat_id, r.seq),
        }
        assert handlers.keys() == protocol.SOCKET_REQUESTS.keys()
        for name, handler in handlers.items():
            model = protocol.SOCKET_REQUESTS[name][0]
            sio.on(name, self._wrap(name, model, handler))
        sio.on("*", self.unknown_event)

    async def unknown_event(self, event: str, sid: str, *_: Any) -> dict[str, Any]:
        """Events nobody handles still get an ack, so a client's call fails fast instead of timing out."""
        message = f"unknown event {event[:64]!r}" if isinstance(event, str) else "unknown event"
        return {"ok": False, "error": errors.ValidationFailed(message, code="unknown_event").to_dict()}

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            who = await self.services.accounts.authenticate(token)
        except errors.ParleyError as exc:
            raise refusal(exc) from None
        await self.sio.save_session(sid, who)
        await self.sio.enter_room(sid, user_room(who.user_id))
        await self.sio.enter_room(sid, session_room(who.session_id))
        self._checked[sid] = time.monotonic()
        await self.services.connections.opened(who)

    async def disconnect(self, sid: str, *_: Any) -> None:
        self._checked.pop(sid, None)
        try:
            who = await self.sio.get_session(sid)
        except KeyError:
            return
        if isinstance(who, Principal):
            await self.services.connections.closed(who)

    async def _recheck(self, sid: str, who: Principal) -> None:
        """Every ``session_recheck`` seconds, confirm the session still holds; if not, refuse and hang up.
        Catches sessions ended where no fan-out reaches, e.g. ``parley user disable`` in another process."""
        now = time.monotonic()
        if now - self._checked.get(sid, 0.0) < self.services.ctx.settings.session_recheck:
            return
        try:
            await self.services.accounts.check(who)
        except errors.ParleyError:
            self._checked.pop(sid, None)
            await self.sio.emit("session_ended", {"session_id": who.session_id}, to=sid)
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self.sio.disconnect(sid)))
            raise
        self._checked[sid] = now

    def _wrap(self, name: str, model: type[BaseModel] | None, handler: Handler) -> Callable[..., Awaitable[Any]]:
        async def on_event(sid: str, payload: Any = None, *_extra: Any) -> dict[str, Any]:
            try:
                who = await self.sio.get_session(sid)
                await self._recheck(sid, who)
                request = None
                if model is not None:
                    if not isinstance(payload, dict):
                        raise errors.ValidationFailed(f"{name} expects a JSON object")
                    request = model.model_validate(payload)
                result = await handler(who, request)
                return {"ok": True, "data": result}
            except ValidationError as exc:
                return {"ok": False, "error": invalid(exc).to_dict()}
            except errors.ParleyError as exc:
                return {"ok": False, "error": exc.to_dict()}
            except Exception as exc:
                return {"ok": False, "error": internal(exc, f"socket event {name!r}").to_dict()}

        return on_event
