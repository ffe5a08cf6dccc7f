"""Connection lifecycle: presence online/offline with last-seen, told to people who share a chat.

Presence is pushed to people who share a direct chat or a group of at most ``presence_max_group``
members. Pushing it through big groups would cost N² packets when N members come online together;
there, members see who is online in the chat summary (``ChatOut.members[].online``) when they look.
"""

from __future__ import annotations

from ..storage import chats as chat_store
from ..storage import users as user_store
from ..storage.db import iso, now_ms
from .context import Context, Principal


class Connections:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def opened(self, who: Principal) -> None:
        if await self.ctx.presence.connected(who.user_id):
            await self._announce(who, online=True, last_seen=None)

    async def closed(self, who: Principal) -> None:
        if await self.ctx.presence.disconnected(who.user_id):
            now = now_ms()
            async with self.ctx.db.write() as conn:
                await user_store.update_user(conn, who.user_id, last_seen_at=now)
            await self._announce(who, online=False, last_seen=iso(now))

    async def _announce(self, who: Principal, *, online: bool, last_seen: str | None) -> None:
        async with self.ctx.db.read() as conn:
            contacts = await chat_store.contacts_of(conn, who.user_id, self.ctx.settings.presence_max_group)
        payload = {"user_id": who.user_id, "username": who.username, "online": online, "last_seen": last_seen}
        await self.ctx.fanout.to_users([*contacts, who.user_id], "presence", payload)
