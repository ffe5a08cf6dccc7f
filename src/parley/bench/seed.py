"""Seeding: users with login tokens, chats and stored history.

With a server the bench started, rows go straight in through the storage layer (the issue allows this:
registering 5,000 users through argon2 or appending a million messages one send at a time would measure
seeding, not the server). Against ``--url``, users register over HTTP and chats open over Socket.IO.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from .server import BenchError, Target
from .wire import call, connect

BENCH_PASSWORD = "bench-password-123"
HISTORY_BATCH = 20_000


@dataclass(frozen=True)
class Account:
    user_id: int
    username: str
    token: str


class Seeder(Protocol):
    async def users(self, n: int, prefix: str = "u") -> list[Account]: ...
    async def direct(self, a: Account, b: Account) -> int: ...
    async def group(self, owner: Account, members: list[Account], title: str = "bench") -> int: ...
    async def close(self) -> None: ...


def seeder_for(target: Target) -> Seeder:
    return StorageSeeder(target.db_url) if target.managed else RemoteSeeder(target.url)


def _token_hash(token: str) -> str:
    # The same hash as services/accounts.py: the server stores sha256(token) only.
    return hashlib.sha256(token.encode()).hexdigest()


class StorageSeeder:
    """Writes rows through ``parley.server.storage`` into the database of a server the bench owns."""

    def __init__(self, db_url: str) -> None:
        from ..server.storage.db import Database

        self.db = Database(db_url)
        self.run = uuid.uuid4().hex[:5]

    async def users(self, n: int, prefix: str = "u") -> list[Account]:
        from ..server.storage import users as user_store

        out: list[Account] = []
        # A placeholder hash: these users never log in with a password, only with their token.
        placeholder = "$argon2id$bench-seeded-no-password"
        async with self.db.write() as conn:
            for i in range(n):
                name = f"{prefix}{self.run}_{i}"[:32]
                user_id = await user_store.create_user(conn, name, name, placeholder)
                token = secrets.token_urlsafe(24)
                await user_store.create_session(conn, user_id, _token_hash(token), "parley-bench")
                out.append(Account(user_id, name, token))
        return out

    async def direct(self, a: Account, b: Account) -> int:
        from ..server.storage import chats as chat_store

        lo, hi = sorted((a.user_id, b.user_id))
        async with self.db.write() as conn:
            chat_id = await chat_store.create_chat(conn, "direct", None, f"{lo}:{hi}")
            await chat_store.add_member(conn, chat_id, a.user_id, "member")
            await chat_store.add_member(conn, chat_id, b.user_id, "member")
        return chat_id

    async def group(self, owner: Account, members: list[Account], title: str = "bench") -> int:
        from ..server.storage import chats as chat_store

        async with self.db.write() as conn:
            chat_id = await chat_store.create_chat(conn, "group", title)
            await chat_store.add_member(conn, chat_id, owner.user_id, "owner")
            for m in members:
                if m.user_id != owner.user_id:
                    await chat_store.add_member(conn, chat_id, m.user_id, "member")
        return chat_id

    async def add_members(self, chat_id: int, members: list[Account]) -> None:
        from ..server.storage import chats as chat_store

        async with self.db.write() as conn:
            for m in members:
                await chat_store.add_member(conn, chat_id, m.user_id, "member")

    async def history(self, chat_id: int, sender: Account, count: int, on_batch: Any = None) -> int:
        """Append ``count`` already-sequenced messages to the chat; returns its new last seq."""
        from sqlalchemy import select, update

        from ..server.storage import events as event_store
        from ..server.storage.db import now_ms
        from ..server.storage.tables import chats

        async with self.db.write() as conn:
            last = int((await conn.execute(select(chats.c.last_seq).where(chats.c.id == chat_id))).scalar_one())
        done = 0
        while done < count:
            n = min(HISTORY_BATCH, count - done)
            now = now_ms()
            rows = [
                {
                    "chat_id": chat_id,
                    "seq": last + i + 1,
                    "kind": "message",
                    "sender_id": sender.user_id,
                    "client_id": f"seed-{last + i + 1}",
                    "text": f"seeded message number {last + i + 1} with a typical short length",
                    "data": None,
                    "created_at": now,
                }
                for i in range(n)
            ]
            async with self.db.write() as conn:
                await event_store.insert_imported(conn, rows)
                await conn.execute(
                    update(chats)
                    .where(chats.c.id == chat_id)
                    .values(last_seq=last + n, last_message_seq=last + n, last_activity_at=now)
                )
            last += n
            done += n
            if on_batch is not None:
                on_batch(n)
        await self.checkpoint()
        return last

    async def checkpoint(self) -> None:
        """Fold the write-ahead log into the database, as a server that grew its history slowly would have."""
        import sqlite3

        from sqlalchemy.engine import make_url

        def fold() -> None:
            with contextlib.closing(sqlite3.connect(str(make_url(self.db.url).database), timeout=30)) as raw:
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

        await asyncio.to_thread(fold)

    async def close(self) -> None:
        await self.db.close()


class RemoteSeeder:
    """Registers users over HTTP and opens chats over Socket.IO: works against any running server."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.run = uuid.uuid4().hex[:5]

    async def users(self, n: int, prefix: str = "u") -> list[Account]:
        limit = asyncio.Semaphore(16)

        async with httpx.AsyncClient(base_url=self.url, timeout=60) as http:

            async def one(i: int) -> Account:
                name = f"{prefix}{self.run}_{i}"[:32]
                async with limit:
                    r = await http.post("/api/register", json={"username": name, "password": BENCH_PASSWORD})
                if r.status_code >= 400:
                    raise BenchError(f"register {name}: HTTP {r.status_code} {r.text[:200]}")
                body = r.json()
                return Account(int(body["user"]["id"]), name, body["token"])

            return list(await asyncio.gather(*(one(i) for i in range(n))))

    async def _as(self, who: Account, event: str, payload: dict[str, Any]) -> Any:
        sio = await connect(self.url, who.token)
        try:
            return await call(sio, event, payload)
        finally:
            await sio.disconnect()

    async def direct(self, a: Account, b: Account) -> int:
        return int((await self._as(a, "open_direct", {"username": b.username}))["id"])

    async def group(self, owner: Account, members: list[Account], title: str = "bench") -> int:
        names = [m.username for m in members if m.user_id != owner.user_id]
        return int((await self._as(owner, "create_group", {"title": title, "members": names}))["id"])

    async def close(self) -> None:
        return None
