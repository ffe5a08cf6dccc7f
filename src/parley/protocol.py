"""The wire protocol: one set of pydantic models for every Socket.IO event and HTTP payload.

Shared by the server (validation, OpenAPI, the README's protocol reference) and the SDK. Requests are
strict about unknown fields and types; replies are plain JSON objects built from these models.

Socket.IO: every client→server event is answered through the Socket.IO ack with either
``{"ok": true, "data": ...}`` or ``{"ok": false, "error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{3,32}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_TEXT_DEFAULT = 4000
MAX_PAGE = 100
MAX_GROUP_MEMBERS = 5000

# Chat event kinds; every one advances the chat's sequence and is replayed by catch-up.
EVENT_KINDS = (
    "message",  # text set; data: {"edited_at": iso} once edited, {"deleted": true} (and no text) once deleted
    "chat_created",  # data: {"title": str | None, "members": [user ids]}
    "member_added",  # data: {"user": UserRef, "role": str, "by": user id}
    "member_removed",  # data: {"user": UserRef, "by": user id}
    "member_left",  # data: {"user": UserRef}
    "role_changed",  # data: {"user": UserRef, "role": str, "by": user id}
    "renamed",  # data: {"title": str, "by": user id}
    "read",  # data: {"user": user id, "up_to": int}
    "edited",  # data: {"seq": the message's seq, "text": str, "edited_at": iso}
    "deleted",  # data: {"seq": the message's seq}
)

Username = Annotated[str, StringConstraints(min_length=3, max_length=32, pattern=USERNAME_RE.pattern)]
ChatId = Annotated[int, Field(ge=1, le=2**62)]
Seq = Annotated[int, Field(ge=0, le=2**62)]


def _chat_id_key(v: str) -> str:
    if int(v) > 2**62:
        raise ValueError("chat ids are at most 2**62")
    return v


# A chat id as a JSON object key: decimal digits without sign or leading zero, in ChatId's range.
ChatIdKey = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,18}$"), AfterValidator(_chat_id_key)]
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-:.]+$")]
Role = Literal["owner", "admin", "member"]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=False)


# --- accounts -----------------------------------------------------------------------------------


class RegisterRequest(Request):
    username: Username
    password: Annotated[str, StringConstraints(max_length=MAX_PASSWORD)]
    display_name: Annotated[str, StringConstraints(max_length=64)] | None = None


class LoginRequest(Request):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(max_length=MAX_PASSWORD)]


class ChangePasswordRequest(Request):
    old_password: Annotated[str, StringConstraints(max_length=MAX_PASSWORD)]
    new_password: Annotated[str, StringConstraints(max_length=MAX_PASSWORD)]


class UserRef(BaseModel):
    id: int
    username: str
    display_name: str


class UserOut(UserRef):
    online: bool = False
    last_seen: str | None = None


class AuthOut(BaseModel):
    token: str
    user: UserRef


class SessionOut(BaseModel):
    id: int
    created_at: str
    last_used_at: str
    user_agent: str | None
    current: bool


# --- chats ---------------------------------------------------------------------------------------


class OpenDirectRequest(Request):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]


def _not_blank(v: str) -> str:
    v = v.strip()
    if not v:
        raise ValueError("must not be blank")
    return v


Title = Annotated[str, StringConstraints(min_length=1, max_length=100)]
UsernameArg = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class CreateGroupRequest(Request):
    title: Title
    members: Annotated[list[UsernameArg], Field(max_length=MAX_GROUP_MEMBERS)] = []

    _title = field_validator("title")(_not_blank)


class ChatRef(Request):
    chat_id: ChatId


class TitleBody(Request):
    title: Title

    _title = field_validator("title")(_not_blank)


class UsernamesBody(Request):
    usernames: Annotated[list[UsernameArg], Field(min_length=1, max_length=500)]


class RoleBody(Request):
    role: Role


class RenameRequest(ChatRef, TitleBody):
    pass


class AddMembersRequest(ChatRef, UsernamesBody):
    pass


class MemberRequest(ChatRef):
    username: UsernameArg


class SetRoleRequest(MemberRequest, RoleBody):
    pass


class MemberOut(UserOut):
    role: Role
    last_read_seq: int = 0  # how far this member has read (for read receipts)


class EventOut(BaseModel):
    """One chat event. ``kind == "message"`` carries ``text``, ``sender`` and ``client_id``."""

    id: int
    chat_id: int
    seq: int
    kind: str
    sender: UserRef | None
    text: str | None = None
    client_id: str | None = None
    data: dict[str, Any] = {}
    sent_at: str


class ChatOut(BaseModel):
    id: int
    kind: Literal["direct", "group"]
    title: str
    members: list[MemberOut]
    last_seq: int
    last_message: EventOut | None
    unread: int
    last_read_seq: int
    last_activity: str
    my_role: Role


# --- messages ------------------------------------------------------------------------------------


class SendBody(Request):
    client_id: ClientId
    text: Annotated[str, StringConstraints(max_length=64_000)]


class SendRequest(ChatRef, SendBody):
    pass


class AckOut(BaseModel):
    id: int
    chat_id: int
    seq: int
    sent_at: str
    client_id: str


class TextBody(Request):
    text: Annotated[str, StringConstraints(max_length=64_000)]


class MessageRef(ChatRef):
    seq: Annotated[int, Field(ge=1, le=2**62)]


class EditRequest(MessageRef, TextBody):
    pass


class HistoryRequest(ChatRef):
    before: Seq | None = None
    after: Seq | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 50


class SeqBody(Request):
    seq: Seq


class ReadRequest(ChatRef, SeqBody):
    pass


class TypingRequest(ChatRef):
    typing: bool = True


class SyncRequest(Request):
    """``cursors`` maps chat id (as a string: JSON object keys) to the last seq the client has."""

    cursors: Annotated[dict[ChatIdKey, Seq], Field(max_length=10_000)] = {}
    limit: Annotated[int, Field(ge=1, le=5000)] = 1000


class SyncOut(BaseModel):
    events: list[EventOut]
    removed: list[int]
    has_more: bool


class UserSearchRequest(Request):
    prefix: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    limit: Annotated[int, Field(ge=1, le=50)] = 20


class TypingOut(BaseModel):
    chat_id: int
    user: UserRef
    typing: bool
    expires_in: float


class PresenceOut(BaseModel):
    user_id: int
    username: str
    online: bool
    last_seen: str | None


class SessionEndedOut(BaseModel):
    session_id: int


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody


# Socket.IO events, client → server: name → (request model, reply model or None).
SOCKET_REQUESTS: dict[str, tuple[type[Request] | None, Any]] = {
    "send": (SendRequest, AckOut),
    "history": (HistoryRequest, list[EventOut]),
    "sync": (SyncRequest, SyncOut),
    "read": (ReadRequest, None),
    "typing": (TypingRequest, None),
    "chats": (None, list[ChatOut]),
    "chat": (ChatRef, ChatOut),
    "open_direct": (OpenDirectRequest, ChatOut),
    "create_group": (CreateGroupRequest, ChatOut),
    "rename": (RenameRequest, ChatOut),
    "add_members": (AddMembersRequest, ChatOut),
    "remove_member": (MemberRequest, ChatOut),
    "set_role": (SetRoleRequest, ChatOut),
    "leave": (ChatRef, None),
    "search_users": (UserSearchRequest, list[UserOut]),
    "edit": (EditRequest, EventOut),  # your own message; replies with the message as it now is
    "delete": (MessageRef, None),  # your own message, or anyone's for a group's owners and admins
}

# Socket.IO events, server → client.
SOCKET_EVENTS: dict[str, Any] = {
    "event": EventOut,  # any chat event, live; the same objects catch-up returns
    "chat": ChatOut,  # you were added to a chat (or created one): its summary
    "typing": TypingOut,
    "presence": PresenceOut,
    "session_ended": SessionEndedOut,  # this session was revoked (logout elsewhere, password change)
}
