"""Raw-protocol helpers for the server's access, bad-input and account tests.

These talk Socket.IO and HTTP directly (not through the SDK) so that tests can send exactly the bytes a
misbehaving or malicious client would.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import socketio
from tests.conftest import PASSWORD, unique_name
from tests.support.server import ServerProcess


@dataclass
class Account:
    username: str
    token: str
    user_id: int


async def register(proc: ServerProcess, username: str | None = None) -> Account:
    name = username or unique_name()
    async with httpx.AsyncClient(base_url=proc.url, timeout=30) as http:
        r = await http.post("/api/register", json={"username": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    body = r.json()
    return Account(name, body["token"], body["user"]["id"])


def api(proc: ServerProcess, token: str | None = None) -> httpx.AsyncClient:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=proc.url, headers=headers, timeout=30)


@dataclass
class RawSocket:
    """One Socket.IO connection that records every server→client event it receives."""

    sio: socketio.AsyncClient
    received: list[tuple[str, Any]] = field(default_factory=list)
    disconnected: asyncio.Event = field(default_factory=asyncio.Event)

    async def call(self, event: str, *payload: Any, wait: float = 15) -> Any:
        data: Any = payload[0] if len(payload) == 1 else (payload if payload else None)
        return await self.sio.call(event, data, timeout=wait)

    async def ok(self, event: str, payload: Any = None) -> Any:
        reply = await self.call(event, payload) if payload is not None else await self.call(event)
        assert reply["ok"] is True, reply
        return reply["data"]

    async def error(self, event: str, *payload: Any) -> dict[str, Any]:
        reply = await self.call(event, *payload)
        assert_error_reply(reply)
        return reply["error"]

    def events(self, name: str | None = None) -> list[Any]:
        return [data for ev, data in self.received if name is None or ev == name]

    def chat_traffic(self, chat_id: int) -> list[tuple[str, Any]]:
        """Everything received that mentions ``chat_id`` (events, typing, chat summaries)."""
        out = []
        for ev, data in self.received:
            if not isinstance(data, dict):
                continue
            if data.get("chat_id") == chat_id or (ev == "chat" and data.get("id") == chat_id):
                out.append((ev, data))
        return out

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()


def assert_error_reply(reply: Any) -> None:
    """A well-formed error ack: ``{"ok": false, "error": {"code": str, "message": str}}``, never internal."""
    assert isinstance(reply, dict) and reply.get("ok") is False, reply
    err = reply["error"]
    assert isinstance(err, dict) and isinstance(err.get("code"), str) and isinstance(err.get("message"), str), reply
    assert err["code"] != "internal_error", reply


async def open_socket(proc: ServerProcess, token: str | None) -> RawSocket:
    sio = socketio.AsyncClient(reconnection=False)
    raw = RawSocket(sio)

    async def catch_all(event: str, data: Any = None) -> None:
        raw.received.append((event, data))

    async def on_disconnect(*_: Any) -> None:
        raw.disconnected.set()

    sio.on("*", catch_all)
    sio.on("disconnect", on_disconnect)
    await sio.connect(proc.url, auth={"token": token}, transports=["websocket"], wait_timeout=15)
    return raw


@pytest.fixture
async def sockets() -> AsyncIterator[Callable[..., Any]]:
    """``await sockets(server, token)`` → a connected :class:`RawSocket`, closed after the test."""
    opened: list[RawSocket] = []

    async def make(proc: ServerProcess, token: str | None) -> RawSocket:
        raw = await open_socket(proc, token)
        opened.append(raw)
        return raw

    yield make
    for raw in opened:
        await raw.close()


async def settle(*conns: RawSocket) -> None:
    """Let in-flight broadcasts arrive: a round trip on each connection is ordered after them."""
    for raw in conns:
        await raw.ok("chats")
    await asyncio.sleep(0.2)


def new_client_id() -> str:
    return uuid.uuid4().hex
