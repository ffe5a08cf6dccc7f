"""Plain data the screens render: chat rows, message rows, one open conversation. No Kivy, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..client import Chat, ChatEvent, Member, Message, User

DELETED_TEXT = "Message deleted"

SYSTEM_TEXT = {
    "chat_created": "{who} created the chat",
    "member_added": "{who} added {user}",
    "member_removed": "{who} removed {user}",
    "member_left": "{user} left",
    "renamed": "{who} renamed the chat to “{title}”",
    "role_changed": "{user} is now {role}",
}


def system_text(event: ChatEvent) -> str:
    """A one-line description of a non-message event (membership change, rename, …)."""
    data = event.data or {}
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    values = {
        "who": event.sender.display_name if event.sender else "someone",
        "user": (user or {}).get("display_name") or (user or {}).get("username") or "someone",
        "title": data.get("title") or "",
        "role": data.get("role") or "",
    }
    template = SYSTEM_TEXT.get(event.kind, event.kind.replace("_", " "))
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return event.kind.replace("_", " ")


@dataclass
class ChatRow:
    """One line of the chat list."""

    id: int
    kind: str
    title: str
    unread: int = 0
    last_seq: int = 0
    last_text: str = ""
    last_sender: str = ""
    last_time: datetime | None = None
    members: list[Member] = field(default_factory=list)
    my_role: str = "member"
    peer: User | None = None  # the other person of a direct chat
    last_message_seq: int | None = None  # the message the preview shows (None: a system line or nothing)

    @classmethod
    def from_chat(cls, chat: Chat, me: User | None) -> ChatRow:
        peer = None
        if chat.kind == "direct":
            others = [m for m in chat.members if me is None or m.id != me.id]
            peer = others[0] if others else None
        row = cls(
            id=chat.id,
            kind=chat.kind,
            title=(peer.display_name if peer else chat.title) or chat.title or "(untitled)",
            unread=chat.unread,
            last_seq=chat.last_seq,
            last_time=chat.last_activity,
            members=list(chat.members),
            my_role=chat.my_role,
            peer=peer,
        )
        if chat.last_message is not None:
            row.show_last(chat.last_message, me)
        return row

    def show_last(self, event: ChatEvent, me: User | None) -> None:
        self.last_seq = max(self.last_seq, event.seq)
        self.last_time = event.sent_at
        if event.kind == "message":
            gone = isinstance(event, Message) and event.deleted
            self.last_text = DELETED_TEXT if gone else (event.text or "")
            self.last_message_seq = event.seq
            mine = me is not None and event.sender is not None and event.sender.id == me.id
            self.last_sender = "You" if mine else (event.sender.display_name if event.sender else "")
        elif event.kind not in ("read", "edited", "deleted"):
            self.last_text, self.last_sender = system_text(event), ""
            self.last_message_seq = None

    def change_message(self, seq: int, text: str | None) -> None:
        """An edit (new ``text``) or deletion (``None``) of the message at ``seq``: the preview follows it."""
        if seq == self.last_message_seq and self.last_text != DELETED_TEXT:
            self.last_text = DELETED_TEXT if text is None else text

    @property
    def sort_key(self) -> float:
        return self.last_time.timestamp() if self.last_time else 0.0


@dataclass
class MessageRow:
    """One bubble (or a centred system line when ``kind`` is not ``message``)."""

    key: str  # client id for our own messages (stable from pending to stored), else the event id
    chat_id: int
    seq: int | None
    kind: str
    text: str
    sent_at: datetime
    sender_id: int | None = None
    sender_name: str = ""
    mine: bool = False
    status: str = ""  # own messages: pending, sent, failed ("read" is derived from the conversation)
    error: str = ""
    edited: bool = False
    deleted: bool = False  # then ``text`` is empty

    @classmethod
    def from_event(cls, event: ChatEvent, me: User | None) -> MessageRow:
        mine = me is not None and event.sender is not None and event.sender.id == me.id
        message = event if isinstance(event, Message) else None
        return cls(
            key=(event.client_id if mine and event.client_id else f"e{event.id}"),
            chat_id=event.chat_id,
            seq=event.seq,
            kind=event.kind,
            text=(event.text or "") if event.kind == "message" else system_text(event),
            sent_at=event.sent_at,
            sender_id=event.sender.id if event.sender else None,
            sender_name=event.sender.display_name if event.sender else "",
            mine=mine,
            status="sent" if mine else "",
            edited=message is not None and message.edited_at is not None,
            deleted=message is not None and message.deleted,
        )

    def change(self, text: str | None) -> bool:
        """Apply an edit (new ``text``) or a deletion (``None``); False when it changes nothing."""
        if self.kind != "message" or self.deleted:
            return False
        if text is None:
            self.text, self.deleted = "", True
        else:
            self.text, self.edited = text, True
        return True

    @classmethod
    def pending(cls, chat_id: int, client_id: str, text: str, me: User | None) -> MessageRow:
        return cls(
            key=client_id,
            chat_id=chat_id,
            seq=None,
            kind="message",
            text=text,
            sent_at=datetime.now(UTC),
            sender_id=me.id if me else None,
            sender_name=me.display_name if me else "",
            mine=True,
            status="pending",
        )


@dataclass
class Conversation:
    """The open chat: rows in sequence order (pending ones last), paging state, receipts, typing."""

    chat_id: int
    rows: list[MessageRow] = field(default_factory=list)
    loading: bool = False
    has_older: bool = True
    read_up_to: int = 0  # the highest seq another member has read
    typing: dict[str, float] = field(default_factory=dict)  # display name -> monotonic expiry

    def find(self, key: str) -> MessageRow | None:
        return next((r for r in self.rows if r.key == key), None)

    def by_seq(self, seq: int) -> MessageRow | None:
        return next((r for r in self.rows if r.seq == seq), None)

    def change_message(self, seq: int, text: str | None) -> bool:
        """An edit (new ``text``) or deletion (``None``) of the message at ``seq``, if it is shown."""
        row = self.by_seq(seq)
        return row is not None and row.change(text)

    def has_seq(self, seq: int) -> bool:
        return any(r.seq == seq for r in self.rows)

    def upsert(self, row: MessageRow) -> None:
        existing = self.find(row.key)
        if existing is not None:
            existing.seq, existing.sent_at, existing.status, existing.error = row.seq, row.sent_at, row.status, ""
            # never two bubbles for one stored event
            self.rows = [r for r in self.rows if r is existing or r.seq is None or r.seq != row.seq]
        elif row.seq is None or not self.has_seq(row.seq):
            self.rows.append(row)
        self.sort()

    def sort(self) -> None:
        self.rows.sort(key=lambda r: (r.seq is None, r.seq or 0, r.sent_at))

    @property
    def oldest_seq(self) -> int | None:
        seqs = [r.seq for r in self.rows if r.seq is not None]
        return min(seqs) if seqs else None

    @property
    def newest_seq(self) -> int:
        return max((r.seq for r in self.rows if r.seq is not None), default=0)

    def status_of(self, row: MessageRow) -> str:
        if row.mine and row.seq is not None and row.status == "sent" and row.seq <= self.read_up_to:
            return "read"
        return row.status
