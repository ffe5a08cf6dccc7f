"""Waiting for what an SDK client observes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from parley.client import Client


async def next_where(client: Client, predicate: Callable[[Any], bool], timeout: float = 10) -> Any:
    """The next event matching ``predicate`` (others are skipped); TimeoutError if none comes."""
    while True:
        event = await client.next_event(timeout)
        if predicate(event):
            return event


async def next_of(client: Client, kind: type, timeout: float = 10) -> Any:
    """The next event of this type."""
    return await next_where(client, lambda e: isinstance(e, kind), timeout)


async def no_event_where(client: Client, predicate: Callable[[Any], bool], wait: float = 0.5) -> None:
    """Nothing matching arrives within ``wait`` seconds."""
    try:
        event = await next_where(client, predicate, timeout=wait)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected event {event!r}")
