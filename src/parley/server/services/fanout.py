"""What services need from the transport to reach connected sessions (implemented there)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class Fanout(Protocol):
    async def to_users(self, user_ids: Iterable[int], event: str, data: dict[str, Any]) -> None:
        """Deliver ``event`` to every connected session of these users, on every server process."""

    async def end_sessions(self, session_ids: Iterable[int]) -> None:
        """Disconnect the connections of revoked sessions."""


class NullFanout:
    """For command-line tools that change the database without a running server."""

    async def to_users(self, user_ids: Iterable[int], event: str, data: dict[str, Any]) -> None:
        return None

    async def end_sessions(self, session_ids: Iterable[int]) -> None:
        return None
