"""The Parley Python SDK. Imports nothing from ``parley.server``."""

from __future__ import annotations

from ..errors import ConnectionLost, ParleyError
from .client import Client
from .models import (
    Ack,
    Chat,
    ChatAdded,
    ChatEvent,
    ChatRemoved,
    ConnectionState,
    Event,
    Member,
    Message,
    MessageDeleted,
    MessageEdited,
    Presence,
    ReadMarker,
    Session,
    Typing,
    User,
)

__all__ = [
    "Ack",
    "Chat",
    "ChatAdded",
    "ChatEvent",
    "ChatRemoved",
    "Client",
    "ConnectionLost",
    "ConnectionState",
    "Event",
    "Member",
    "Message",
    "MessageDeleted",
    "MessageEdited",
    "ParleyError",
    "Presence",
    "ReadMarker",
    "Session",
    "Typing",
    "User",
]
