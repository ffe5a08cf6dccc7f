"""Import the prototype's database into Parley, and export Parley back to that format.

Import rules (the README's CLI section repeats them for operators):

- All-or-nothing: the file is validated whole first (:mod:`.prototype`); every write happens in one
  transaction, so a failure leaves the database as it was.
- Idempotent: users that already exist (case-insensitively) are kept as they are; a pair's direct chat is
  found by its ``direct_key``; each message carries the client id ``import:<Parley chat id>:<index in the
  file's chat>`` and is stored only if that chat does not hold it yet. (Not the prototype's chat ID: two
  files may give one ID to different pairs, and client ids are unique per sender across chats.)
  Importing the same file twice changes nothing; importing a file that grew appends only the new messages.
- A new chat gets a ``chat_created`` event (seq 1), then the messages in file order (seq 2..n+1). Both
  members' read markers are set to the end: old history does not show up as unread.
- Passwords are hashed with argon2id off the event loop; imported accounts keep them even when shorter
  than the minimum for new accounts, so their owners can still log in.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError

from ... import errors
from ..storage import chats as chat_store
from ..storage import events as event_store
from ..storage import transfer as store
from ..storage import users as user_store
from ..storage.db import now_ms
from .chats import direct_key
from .context import Context
from .prototype import PrototypeFile, Skipped

BATCH = 1000  # messages per INSERT


class Progress(Protocol):
    def phase(self, description: str, total: int) -> None: ...
    def advance(self, amount: int = 1) -> None: ...


class _Quiet:
    def phase(self, description: str, total: int) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None


@dataclass
class ImportReport:
    users_created: list[str] = field(default_factory=list)
    users_existing: list[str] = field(default_factory=list)
    chats_created: int = 0
    chats_existing: int = 0
    messages_added: int = 0
    messages_existing: int = 0
    skipped_users: list[Skipped] = field(default_factory=list)
    skipped_chats: list[Skipped] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.users_created or self.chats_created or self.messages_added)


class _DryRun(Exception):
    """Raised inside the transaction to roll back a dry run."""


async def import_prototype(
    ctx: Context, file: PrototypeFile, *, progress: Progress | None = None, dry_run: bool = False
) -> ImportReport:
    progress = progress or _Quiet()
    report = ImportReport(skipped_users=file.skipped_users, skipped_chats=file.skipped_chats, dry_run=dry_run)
    async with ctx.db.read() as conn:
        existing = await user_store.users_by_usernames(conn, [u.username for u in file.users])
    new_users = [u for u in file.users if u.username.lower() not in existing]
    report.users_existing = [u.username for u in file.users if u.username.lower() in existing]
    hashes = await _hash_all(ctx, [u.password for u in new_users], progress, dry_run)

    try:
        async with ctx.db.write() as conn:
            for user, password_hash in zip(new_users, hashes, strict=True):
                try:
                    await user_store.create_user(conn, user.username, user.username, password_hash)
                except user_store.DuplicateUsername:
                    raise errors.UsernameTaken(
                        f"{user.username!r} was registered while importing; run the import again"
                    ) from None
                report.users_created.append(user.username)
            ids = {
                key: int(row["id"])
                for key, row in (await user_store.users_by_usernames(conn, [u.username for u in file.users])).items()
            }
            progress.phase("importing messages", file.message_count)
            now = now_ms()
            for chat in file.chats:
                a, b = ids[chat.users[0].lower()], ids[chat.users[1].lower()]
                key = direct_key(a, b)
                row = await chat_store.chat_by_direct_key(conn, key)
                if row is None:
                    chat_id = await chat_store.create_chat(conn, "direct", None, key)
                    for user_id in (a, b):
                        await chat_store.add_member(conn, chat_id, user_id, "member")
                    created = await event_store.append_event(
                        conn, chat_id, "chat_created", sender_id=a,
                        data={"title": None, "members": [a, b], "imported_from": chat.id},
                    )  # fmt: skip
                    last_seq, have = int(created["seq"]), set[str]()
                    report.chats_created += 1
                else:
                    chat_id, last_seq = int(row["id"]), int(row["last_seq"])
                    have = await store.imported_client_ids(conn, chat_id)
                    report.chats_existing += 1
                rows: list[dict[str, Any]] = []
                for index, message in enumerate(chat.messages):
                    client_id = f"{store.IMPORT_PREFIX}{chat_id}:{index}"
                    if client_id in have:
                        report.messages_existing += 1
                        continue
                    last_seq += 1
                    rows.append(
                        {
                            "chat_id": chat_id,
                            "seq": last_seq,
                            "kind": "message",
                            "sender_id": ids[message.sender.lower()],
                            "client_id": client_id,
                            "text": message.text,
                            "data": None,
                            "created_at": now,
                        }
                    )
                for start in range(0, len(rows), BATCH):
                    await event_store.insert_imported(conn, rows[start : start + BATCH])
                    progress.advance(len(rows[start : start + BATCH]))
                progress.advance(len(chat.messages) - len(rows))
                if rows:
                    await store.set_sequence(conn, chat_id, last_seq, now)
                    report.messages_added += len(rows)
                    if row is None:
                        await store.mark_all_read(conn, chat_id, last_seq)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except IntegrityError as exc:
        raise errors.InvalidOperation(f"the database refused the import, nothing was written: {exc.orig}") from None
    return report


async def _hash_all(ctx: Context, passwords: list[str], progress: Progress, dry_run: bool) -> list[str]:
    """argon2id in worker threads (the C code releases the GIL), a few at a time."""
    progress.phase("hashing passwords", len(passwords))
    if dry_run:
        progress.advance(len(passwords))
        return ["" for _ in passwords]
    limit = asyncio.Semaphore(max(1, min(8, os.cpu_count() or 1)))

    async def one(password: str) -> str:
        async with limit:
            hashed = await ctx.passwords.hash(password)
        progress.advance()
        return hashed

    return list(await asyncio.gather(*(one(p) for p in passwords)))


async def export_prototype(ctx: Context) -> dict[str, Any]:
    """Every user and every direct chat in the prototype's format; passwords cannot leave, so they are ""."""
    async with ctx.db.read() as conn:
        user_rows = await user_store.list_users(conn)
        chat_rows = await store.direct_chats(conn)
        messages: dict[int, list[dict[str, str]]] = {c["id"]: [] for c in chat_rows}
        async for row in store.direct_messages(conn):
            messages[int(row["chat_id"])].append({"user": row["username"], "text": row["text"] or ""})
    names = {int(u["id"]): str(u["username"]) for u in user_rows}
    chats_of: dict[int, list[int]] = {user_id: [] for user_id in names}
    out_chats = []
    for chat in chat_rows:
        if len(chat["members"]) != 2:
            continue
        for user_id in chat["members"]:
            chats_of[user_id].append(chat["id"])
        out_chats.append(
            {"ID": chat["id"], "users": [names[m] for m in chat["members"]], "messages": messages[chat["id"]]}
        )
    out_users = [
        {"ID": user_id, "username": name, "password": "", "chats": chats_of[user_id]} for user_id, name in names.items()
    ]
    return {"users": out_users, "chats": out_chats}
