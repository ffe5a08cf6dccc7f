"""What every service shares: the database, settings, fan-out and ephemeral state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ...config import Settings
from ..storage.db import Database
from .fanout import Fanout
from .passwords import Passwords


class Presence(Protocol):
    async def connected(self, user_id: int) -> bool: ...
    async def disconnected(self, user_id: int) -> bool: ...
    async def online(self, user_ids: list[int]) -> set[int]: ...
    async def close(self) -> None: ...


@dataclass(frozen=True)
class Principal:
    """Who is speaking: always derived from the session token, never from a payload."""

    user_id: int
    session_id: int
    username: str
    display_name: str

    def ref(self) -> dict[str, Any]:
        """As the protocol's ``UserRef``."""
        return {"id": self.user_id, "username": self.username, "display_name": self.display_name}


@dataclass
class Context:
    settings: Settings
    db: Database
    fanout: Fanout
    presence: Presence
    passwords: Passwords
