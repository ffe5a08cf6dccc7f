"""The original prototype's database file (``Users.json``): validate it whole, before anything is written.

Format::

    {"users": [{"ID": int, "username": str, "password": str, "chats": [chat ID, ...]}],
     "chats": [{"ID": int, "users": [username, username], "messages": [{"user": username, "text": str}]}]}

A structural problem anywhere makes the whole file invalid (:class:`PrototypeInvalid`, naming the place, e.g.
``chats[2].messages[5]: missing "text"``). A username that breaks Parley's rules is not an error: the user
and every chat they are in are *skipped* and reported, never renamed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ... import errors
from ...protocol import MAX_PASSWORD, USERNAME_RE


class PrototypeInvalid(errors.ParleyError):
    code = "import_invalid"
    default_message = "the file is not a valid prototype database"


@dataclass(frozen=True)
class ProtoUser:
    index: int
    id: int
    username: str
    password: str


@dataclass(frozen=True)
class ProtoMessage:
    sender: str
    text: str


@dataclass(frozen=True)
class ProtoChat:
    index: int
    id: int
    users: tuple[str, str]
    messages: list[ProtoMessage]


@dataclass(frozen=True)
class Skipped:
    where: str  # "users[3]" or "chats[7]"
    name: str
    reason: str


@dataclass
class PrototypeFile:
    """The importable part of a valid file, plus what is skipped and why."""

    users: list[ProtoUser] = field(default_factory=list)
    chats: list[ProtoChat] = field(default_factory=list)
    skipped_users: list[Skipped] = field(default_factory=list)
    skipped_chats: list[Skipped] = field(default_factory=list)

    @property
    def message_count(self) -> int:
        return sum(len(c.messages) for c in self.chats)


def _fail(where: str, problem: str) -> PrototypeInvalid:
    return PrototypeInvalid(f"{where}: {problem}" if where else problem, where=where)


def _field(obj: dict[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise _fail(where, f'missing "{key}"')
    return obj[key]


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f"expected an integer, got {_kind(value)}")
    if not -(2**62) <= value <= 2**62:
        raise _fail(where, "integer out of range")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"expected a string, got {_kind(value)}")
    if "\x00" in value:
        raise _fail(where, "contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail(where, "contains an unpaired surrogate (not valid Unicode)") from None
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(where, f"expected a list, got {_kind(value)}")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, f"expected an object, got {_kind(value)}")
    return value


_KINDS = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "an object"}


def _kind(value: Any) -> str:
    return "null" if value is None else _KINDS.get(type(value), type(value).__name__)


def decode(raw: bytes) -> Any:
    """Bytes → JSON value, with the place of a syntax error."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail("", f"not UTF-8 (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise _fail("", "invalid JSON: nested too deeply") from None


def parse(document: Any) -> PrototypeFile:
    """Check the whole document; raise :class:`PrototypeInvalid` at the first structural problem."""
    root = _object(document, "(top level)")
    raw_users = _list(_field(root, "users", "(top level)"), "users")
    raw_chats = _list(_field(root, "chats", "(top level)"), "chats")
    out = PrototypeFile()

    # Users: every entry is checked, valid or not, so a broken file fails the same way every time.
    user_ids: dict[int, int] = {}
    usable: dict[str, ProtoUser] = {}  # exact username → user
    unusable: set[str] = set()
    claimed: dict[str, int] = {}  # lower-cased username → users[] index
    user_chat_refs: list[tuple[str, int]] = []
    for i, raw in enumerate(raw_users):
        where = f"users[{i}]"
        user = _object(raw, where)
        user_id = _int(_field(user, "ID", where), f"{where}.ID")
        username = _str(_field(user, "username", where), f"{where}.username")
        password = _str(_field(user, "password", where), f"{where}.password")
        for j, ref in enumerate(_list(user.get("chats", []), f"{where}.chats")):
            user_chat_refs.append((f"{where}.chats[{j}]", _int(ref, f"{where}.chats[{j}]")))
        if user_id in user_ids:
            raise _fail(f"{where}.ID", f"{user_id} is also the ID of users[{user_ids[user_id]}]")
        user_ids[user_id] = i
        if username in usable or username in unusable:
            raise _fail(f"{where}.username", f"{username!r} appears twice")
        reason = None
        if not USERNAME_RE.fullmatch(username):
            reason = "usernames are 3-32 characters: letters, digits, '_', '.' or '-'"
        elif username.lower() in claimed:
            reason = (
                f"same name as users[{claimed[username.lower()]}] ignoring case (Parley names are case-insensitive)"
            )
        elif len(password) > MAX_PASSWORD:
            reason = f"password longer than {MAX_PASSWORD} characters"
        if reason:
            unusable.add(username)
            out.skipped_users.append(Skipped(where, username, reason))
            continue
        claimed[username.lower()] = i
        usable[username] = ProtoUser(i, user_id, username, password)
    out.users = list(usable.values())

    chat_ids: dict[int, int] = {}
    pairs: dict[frozenset[str], int] = {}
    for i, raw in enumerate(raw_chats):
        where = f"chats[{i}]"
        chat = _object(raw, where)
        chat_id = _int(_field(chat, "ID", where), f"{where}.ID")
        if chat_id in chat_ids:
            raise _fail(f"{where}.ID", f"{chat_id} is also the ID of chats[{chat_ids[chat_id]}]")
        chat_ids[chat_id] = i
        names = _list(_field(chat, "users", where), f"{where}.users")
        if len(names) != 2:
            raise _fail(f"{where}.users", f"a direct chat has exactly two users, found {len(names)}")
        for j, name in enumerate(names):
            _str(name, f"{where}.users[{j}]")
            if name not in usable and name not in unusable:
                raise _fail(f"{where}.users[{j}]", f"unknown user {name!r}")
        if names[0] == names[1]:
            raise _fail(f"{where}.users", f"both users are {names[0]!r}")
        messages: list[ProtoMessage] = []
        for j, raw_message in enumerate(_list(_field(chat, "messages", where), f"{where}.messages")):
            mwhere = f"{where}.messages[{j}]"
            message = _object(raw_message, mwhere)
            sender = _str(_field(message, "user", mwhere), f"{mwhere}.user")
            text = _str(_field(message, "text", mwhere), f"{mwhere}.text")
            if sender not in names:
                raise _fail(f"{mwhere}.user", f"{sender!r} is not in this chat")
            messages.append(ProtoMessage(sender, text))
        pair = frozenset(names)
        if pair in pairs:
            raise _fail(where, f"a second chat between {names[0]!r} and {names[1]!r} (first: chats[{pairs[pair]}])")
        pairs[pair] = i
        bad = [n for n in names if n in unusable]
        if bad:
            out.skipped_chats.append(
                Skipped(where, " & ".join(names), f"{', '.join(map(repr, bad))} cannot be imported")
            )
            continue
        out.chats.append(ProtoChat(i, chat_id, (names[0], names[1]), messages))

    for where, ref in user_chat_refs:
        if ref not in chat_ids:
            raise _fail(where, f"no chat has ID {ref}")
    return out


def load(raw: bytes) -> PrototypeFile:
    return parse(decode(raw))
