"""What the SDK hands to applications: small immutable objects built from the protocol's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    online: bool = False
    last_seen: datetime | None = None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> User:
        return cls(
            id=int(d["id"]),
            username=d["username"],
            display_name=d.get("display_name") or d["username"],
            online=bool(d.get("online", False)),
            last_seen=parse_time(d.get("last_seen")),
        )


@dataclass(frozen=True)
class Member(User):
    role: str = "member"
    last_read_seq: int = 0  # how far this member has read the chat

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Member:
        user = User.from_json(d)
        return cls(
            **{**user.__dict__, "role": d.get("role", "member"), "last_read_seq": int(d.get("last_read_seq", 0))}
        )


@dataclass(frozen=True)
class Ack:
    id: int
    chat_id: int
    seq: int
    sent_at: datetime
    client_id: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Ack:
        sent_at = parse_time(d["sent_at"])
        assert sent_at is not None
        return cls(int(d["id"]), int(d["chat_id"]), int(d["seq"]), sent_at, d["client_id"])


@dataclass(frozen=True)
class ChatEvent:
    """Any event of a chat's sequence (membership change, rename, chat created, …)."""

    id: int
    chat_id: int
    seq: int
    kind: str
    sender: User | None
    sent_at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    client_id: str | None = None

    @staticmethod
    def from_json(d: dict[str, Any]) -> ChatEvent:
        sent_at = parse_time(d["sent_at"])
        assert sent_at is not None
        kwargs: dict[str, Any] = {
            "id": int(d["id"]),
            "chat_id": int(d["chat_id"]),
            "seq": int(d["seq"]),
            "kind": d["kind"],
            "sender": User.from_json(d["sender"]) if d.get("sender") else None,
            "sent_at": sent_at,
            "data": d.get("data") or {},
            "text": d.get("text"),
            "client_id": d.get("client_id"),
        }
        kind_class = {
            "message": Message,
            "read": ReadMarker,
            "edited": MessageEdited,
            "deleted": MessageDeleted,
        }.get(d["kind"], ChatEvent)
        return kind_class(**kwargs)


@dataclass(frozen=True)
class Message(ChatEvent):
    """A text message; ``sender`` is always set. ``text`` is None once the message was deleted."""

    @property
    def edited_at(self) -> datetime | None:
        return parse_time(self.data.get("edited_at"))

    @property
    def deleted(self) -> bool:
        return bool(self.data.get("deleted"))


@dataclass(frozen=True)
class MessageEdited(ChatEvent):
    """``sender`` changed the text of the message at ``target_seq`` to ``new_text``."""

    @property
    def target_seq(self) -> int:
        return int(self.data["seq"])

    @property
    def new_text(self) -> str:
        return str(self.data["text"])


@dataclass(frozen=True)
class MessageDeleted(ChatEvent):
    """``sender`` deleted the message at ``target_seq``."""

    @property
    def target_seq(self) -> int:
        return int(self.data["seq"])


@dataclass(frozen=True)
class ReadMarker(ChatEvent):
    """``sender`` has read the chat up to ``up_to``."""

    @property
    def up_to(self) -> int:
        return int(self.data.get("up_to", 0))


@dataclass(frozen=True)
class Chat:
    id: int
    kind: str
    title: str
    members: list[Member]
    last_seq: int
    last_message: ChatEvent | None
    unread: int
    last_read_seq: int
    last_activity: datetime | None
    my_role: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Chat:
        return cls(
            id=int(d["id"]),
            kind=d["kind"],
            title=d["title"],
            members=[Member.from_json(m) for m in d.get("members", [])],
            last_seq=int(d["last_seq"]),
            last_message=ChatEvent.from_json(d["last_message"]) if d.get("last_message") else None,
            unread=int(d.get("unread", 0)),
            last_read_seq=int(d.get("last_read_seq", 0)),
            last_activity=parse_time(d.get("last_activity")),
            my_role=d.get("my_role", "member"),
        )


@dataclass(frozen=True)
class Session:
    id: int
    created_at: datetime | None
    last_used_at: datetime | None
    user_agent: str | None
    current: bool

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Session:
        return cls(
            int(d["id"]), parse_time(d["created_at"]), parse_time(d["last_used_at"]), d.get("user_agent"), d["current"]
        )


# --- events that are not part of a chat's sequence -------------------------------------------------


@dataclass(frozen=True)
class ChatAdded:
    """You joined (or created) a chat."""

    chat: Chat


@dataclass(frozen=True)
class ChatRemoved:
    """You are no longer in this chat (you left or were removed); nothing more will arrive from it."""

    chat_id: int


@dataclass(frozen=True)
class Typing:
    chat_id: int
    user: User
    typing: bool
    expires_in: float

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Typing:
        return cls(int(d["chat_id"]), User.from_json(d["user"]), bool(d["typing"]), float(d["expires_in"]))


@dataclass(frozen=True)
class Presence:
    user_id: int
    username: str
    online: bool
    last_seen: datetime | None

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Presence:
        return cls(int(d["user_id"]), d["username"], bool(d["online"]), parse_time(d.get("last_seen")))


@dataclass(frozen=True)
class ConnectionState:
    """``state`` is ``connected``, ``disconnected`` or ``ended`` (the session was revoked)."""

    state: str
    reason: str | None = None


Event = ChatEvent | ChatAdded | ChatRemoved | Typing | Presence | ConnectionState
