"""The load's side of the wire: raw python-socketio clients speaking Parley's Socket.IO protocol.

The SDK adds catch-up bookkeeping per client that would make the load generator, not the server, the
bottleneck; these helpers speak the same protocol (token in ``auth``, the same events and acks) directly.
Send time travels in the message text, so latency is measured where the message arrives.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import socketio

STAMP = "bench@"
CONNECT_ATTEMPTS = 4


class CallFailed(RuntimeError):
    pass


async def connect(url: str, token: str, handlers: dict[str, Any] | None = None, wait_s: float = 120) -> Any:
    """An authenticated Socket.IO connection over WebSocket, with ``handlers`` registered before connecting.

    A busy server may drop a handshake; the bench retries a few times (and reports any that still fail).
    """
    for attempt in range(CONNECT_ATTEMPTS):
        sio = socketio.AsyncClient(reconnection=False)
        for event, handler in (handlers or {}).items():
            sio.on(event, handler)
        try:
            await sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=wait_s)
            return sio
        except socketio.exceptions.ConnectionError:
            if attempt == CONNECT_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


async def call(sio: Any, event: str, payload: Any, wait_s: float = 120) -> Any:
    """A request and its ack; raises :class:`CallFailed` with the server's error."""
    reply = await sio.call(event, payload, timeout=wait_s)
    if not isinstance(reply, dict) or not reply.get("ok"):
        raise CallFailed(f"{event}: {reply!r}"[:300])
    return reply.get("data")


def stamped(label: str = "") -> str:
    """Message text carrying the send time (CLOCK_MONOTONIC is shared by all processes on Linux)."""
    return f"{label}{STAMP}{time.monotonic_ns()}"


def latency_ms(text: str | None) -> float | None:
    """Milliseconds since the stamp in ``text``, or None for a message without one."""
    if not text:
        return None
    _, sep, stamp = text.rpartition(STAMP)
    if not sep:
        return None
    return (time.monotonic_ns() - int(stamp)) / 1e6
