"""Accounts and sessions: register, log in, authenticate tokens, manage sessions and passwords."""

from __future__ import annotations

import hashlib
import logging
import secrets
from typing import Any

from ... import errors
from ...protocol import MIN_PASSWORD, USERNAME_RE
from ..storage import users as store
from ..storage.db import iso, now_ms
from .context import Context, Principal
from .ratelimit import SlidingWindow
from .shapes import user_ref

log = logging.getLogger(__name__)
TOUCH_EVERY_MS = 60_000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_username(username: str) -> None:
    if not USERNAME_RE.fullmatch(username):  # fullmatch: ``$`` alone would accept a trailing newline
        raise errors.ValidationFailed(
            "usernames are 3-32 characters: letters, digits, '_', '.' or '-'", code="invalid_username"
        )


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise errors.WeakPassword(f"passwords need at least {MIN_PASSWORD} characters")


class Accounts:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        s = ctx.settings
        self.by_username = SlidingWindow(s.login_per_username, s.login_window)
        self.by_address = SlidingWindow(s.login_per_address, s.login_window)

    async def create_user(
        self, username: str, password: str, display_name: str | None, *, weak_ok: bool = False
    ) -> int:
        check_username(username)
        if not weak_ok:
            check_password(password)
        name = (display_name or "").strip() or username
        password_hash = await self.ctx.passwords.hash(password)
        async with self.ctx.db.write() as conn:
            try:
                return await store.create_user(conn, username, name[:64], password_hash)
            except store.DuplicateUsername:
                raise errors.UsernameTaken(f"the username {username!r} is taken") from None

    async def register(
        self, username: str, password: str, display_name: str | None, user_agent: str | None
    ) -> dict[str, Any]:
        user_id = await self.create_user(username, password, display_name)
        log.info("registered user %s (id %d)", username, user_id)
        return await self._new_session(user_id, user_agent)

    async def login(self, username: str, password: str, address: str, user_agent: str | None) -> dict[str, Any]:
        key = username.lower()
        wait = max(self.by_username.retry_after(key), self.by_address.retry_after(address))
        if wait > 0:
            raise errors.RateLimited(
                f"too many login attempts; try again in {int(wait) + 1} s", retry_after=int(wait) + 1
            )
        self.by_username.hit(key)
        self.by_address.hit(address)
        async with self.ctx.db.read() as conn:
            row = await store.user_by_username(conn, username)
        ok = await self.ctx.passwords.verify(row["password_hash"] if row else None, password)
        if not ok or row is None:
            raise errors.InvalidCredentials()
        if row["disabled"]:
            raise errors.AccountDisabled()
        # Counted before verifying (parallel guesses cannot slip through), forgiven on success: only
        # failures use up the limits, so a busy shared address does not lock out its legitimate users.
        self.by_username.reset(key)
        self.by_address.forgive(address)
        return await self._new_session(int(row["id"]), user_agent)

    async def _new_session(self, user_id: int, user_agent: str | None) -> dict[str, Any]:
        token = secrets.token_urlsafe(32)
        async with self.ctx.db.write() as conn:
            await store.create_session(conn, user_id, token_hash(token), (user_agent or "")[:200] or None)
            row = await store.user_by_id(conn, user_id)
        assert row is not None
        return {"token": token, "user": user_ref(row)}

    async def authenticate(self, token: str | None) -> Principal:
        if not token or not isinstance(token, str) or len(token) > 200:
            raise errors.Unauthorized()
        async with self.ctx.db.read() as conn:
            row = await store.session_by_token_hash(conn, token_hash(token))
        if row is None:
            raise errors.Unauthorized("the session has ended; log in again")
        if row["disabled"]:
            raise errors.AccountDisabled()
        if now_ms() - row["last_used_at"] > TOUCH_EVERY_MS:
            async with self.ctx.db.write() as conn:
                await store.touch_session(conn, int(row["session_id"]))
        return Principal(int(row["id"]), int(row["session_id"]), row["username"], row["display_name"])

    async def check(self, who: Principal) -> None:
        """Raise unless ``who``'s session still exists and the account is enabled (for long-lived sockets:
        a session can end in another process, e.g. ``parley user disable``, that cannot reach them)."""
        async with self.ctx.db.read() as conn:
            user = await store.user_by_id(conn, who.user_id)
            sessions = await store.list_sessions(conn, who.user_id)
        if user is None or not any(int(s["id"]) == who.session_id for s in sessions):
            raise errors.Unauthorized("the session has ended; log in again")
        if user["disabled"]:
            raise errors.AccountDisabled()

    async def logout(self, who: Principal) -> None:
        await self.revoke(who, who.session_id)

    async def sessions(self, who: Principal) -> list[dict[str, Any]]:
        async with self.ctx.db.read() as conn:
            rows = await store.list_sessions(conn, who.user_id)
        return [
            {
                "id": int(r["id"]),
                "created_at": iso(r["created_at"]),
                "last_used_at": iso(r["last_used_at"]),
                "user_agent": r["user_agent"],
                "current": int(r["id"]) == who.session_id,
            }
            for r in rows
        ]

    async def revoke(self, who: Principal, session_id: int) -> None:
        async with self.ctx.db.write() as conn:
            if not await store.delete_session(conn, who.user_id, session_id):
                raise errors.SessionNotFound()
        await self.ctx.fanout.end_sessions([session_id])

    async def change_password(self, who: Principal, old: str, new: str) -> None:
        check_password(new)
        async with self.ctx.db.read() as conn:
            row = await store.user_by_id(conn, who.user_id)
        if row is None or not await self.ctx.passwords.verify(row["password_hash"], old):
            raise errors.InvalidCredentials("the current password is wrong")
        new_hash = await self.ctx.passwords.hash(new)
        async with self.ctx.db.write() as conn:
            await store.update_user(conn, who.user_id, password_hash=new_hash)
            ended = await store.delete_sessions_except(conn, who.user_id, keep=who.session_id)
        await self.ctx.fanout.end_sessions(ended)

    async def search(self, prefix: str, limit: int) -> list[dict[str, Any]]:
        async with self.ctx.db.read() as conn:
            rows = await store.search_users(conn, prefix, limit)
        online = await self.ctx.presence.online([int(r["id"]) for r in rows])
        return [{**user_ref(r), "online": int(r["id"]) in online, "last_seen": iso(r["last_seen_at"])} for r in rows]

    # --- administration (CLI) -------------------------------------------------------------------

    async def set_password(self, username: str, password: str) -> None:
        check_password(password)
        new_hash = await self.ctx.passwords.hash(password)
        async with self.ctx.db.write() as conn:
            row = await store.user_by_username(conn, username)
            if row is None:
                raise errors.UserNotFound(f"no user {username!r}")
            await store.update_user(conn, int(row["id"]), password_hash=new_hash)
            await store.delete_sessions_except(conn, int(row["id"]), keep=None)

    async def set_disabled(self, username: str, disabled: bool) -> None:
        async with self.ctx.db.write() as conn:
            row = await store.user_by_username(conn, username)
            if row is None:
                raise errors.UserNotFound(f"no user {username!r}")
            await store.update_user(conn, int(row["id"]), disabled=disabled)
            if disabled:
                await store.delete_sessions_except(conn, int(row["id"]), keep=None)
