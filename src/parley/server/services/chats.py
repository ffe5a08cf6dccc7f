"""Chats: direct and group, membership rules, the chat list."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ... import errors
from ..storage import chats as store
from ..storage import events as event_store
from ..storage import users as user_store
from ..storage.db import iso
from .context import Context, Principal
from .membership import is_active, require_member
from .shapes import event_out, user_ref

log = logging.getLogger(__name__)
MANAGERS = ("owner", "admin")


def direct_key(a: int, b: int) -> str:
    return f"{min(a, b)}:{max(a, b)}"


class Chats:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --- reading --------------------------------------------------------------------------------

    async def chat_list(self, who: Principal) -> list[dict[str, Any]]:
        async with self.ctx.db.read() as conn:
            rows = await store.user_chats(conn, who.user_id)
            summaries = []
            for row in rows:
                shared = await self._shared_summary(conn, row)
                summaries.append(await self._summary(conn, shared, who.user_id, row["role"], row["last_read_seq"]))
            return summaries

    async def get(self, who: Principal, chat_id: int) -> dict[str, Any]:
        async with self.ctx.db.read() as conn:
            member = await require_member(conn, chat_id, who.user_id)
            chat = await store.chat_by_id(conn, chat_id)
            assert chat is not None
            shared = await self._shared_summary(conn, chat)
            return await self._summary(conn, shared, who.user_id, member["role"], member["last_read_seq"])

    async def _shared_summary(self, conn: Any, chat: Mapping[Any, Any]) -> dict[str, Any]:
        """The parts of a chat's summary that are the same for every member."""
        chat_id = int(chat["id"])
        member_rows = await store.active_members(conn, chat_id)
        online = await self.ctx.presence.online([int(m["id"]) for m in member_rows])
        members = [
            {
                **user_ref(m),
                "online": int(m["id"]) in online,
                "last_seen": iso(m["last_seen_at"]),
                "role": m["role"],
                "last_read_seq": int(m["last_read_seq"]),
            }
            for m in member_rows
        ]
        last_message = None
        if chat["last_message_seq"] is not None:
            found = await event_store.events_by_seq(conn, [(chat_id, int(chat["last_message_seq"]))])
            if chat_id in found:
                last_message = event_out(found[chat_id])
        return {
            "id": chat_id,
            "kind": chat["kind"],
            "title": chat["title"] or "",
            "members": members,
            "last_seq": int(chat["last_seq"]),
            "last_message": last_message,
            "last_activity": iso(chat["last_activity_at"]),
        }

    async def _summary(
        self, conn: Any, shared: dict[str, Any], user_id: int, role: str, last_read_seq: int
    ) -> dict[str, Any]:
        """One member's view: a direct chat is titled by the other person; unread and role are theirs."""
        title = shared["title"]
        if shared["kind"] == "direct":
            others = [m for m in shared["members"] if m["id"] != user_id]
            title = others[0]["display_name"] if others else title
        last_read = int(last_read_seq)
        return {
            **shared,
            "title": title,
            "unread": await event_store.unread_count(conn, shared["id"], user_id, last_read),
            "last_read_seq": last_read,
            "my_role": role,
        }

    async def _announce_chat(self, chat_id: int, user_ids: list[int]) -> None:
        """Send each user their own summary of a chat they just joined (titles and unread differ)."""
        async with self.ctx.db.read() as conn:
            chat = await store.chat_by_id(conn, chat_id)
            assert chat is not None
            shared = await self._shared_summary(conn, chat)
            membership = {m["id"]: m for m in shared["members"]}
            for user_id in user_ids:
                member = membership.get(user_id)
                if member is None:
                    continue  # left again before we got here
                summary = await self._summary(conn, shared, user_id, member["role"], member["last_read_seq"])
                await self.ctx.fanout.to_users([user_id], "chat", summary)

    async def _publish(self, events: list[dict[str, Any]], user_ids: list[int]) -> None:
        for event in events:
            await self.ctx.fanout.to_users(user_ids, "event", event)

    # --- creating -------------------------------------------------------------------------------

    async def open_direct(self, who: Principal, username: str) -> dict[str, Any]:
        async with self.ctx.db.read() as conn:
            other = await user_store.user_by_username(conn, username)
            if other is None or other["disabled"]:
                raise errors.UserNotFound(f"no user {username!r}")
            key = direct_key(who.user_id, int(other["id"]))
            existing = await store.chat_by_direct_key(conn, key)
        if existing is not None:
            return await self.get(who, int(existing["id"]))
        if int(other["id"]) == who.user_id:
            raise errors.InvalidOperation("a direct chat needs another person")
        try:
            async with self.ctx.db.write() as conn:
                # Re-checked inside the write transaction; the unique direct_key settles races across processes.
                existing = await store.chat_by_direct_key(conn, key)
                if existing is not None:
                    chat_id, created = int(existing["id"]), False
                else:
                    chat_id, created = await store.create_chat(conn, "direct", None, key), True
                    for user_id in (who.user_id, int(other["id"])):
                        await store.add_member(conn, chat_id, user_id, "member")
                    await event_store.append_event(
                        conn, chat_id, "chat_created", sender_id=who.user_id,
                        data={"title": None, "members": [who.user_id, int(other["id"])]},
                    )  # fmt: skip
        except store.DuplicateDirectChat:
            async with self.ctx.db.read() as conn:
                existing = await store.chat_by_direct_key(conn, key)
            assert existing is not None
            chat_id, created = int(existing["id"]), False
        if created:
            await self._announce_chat(chat_id, [int(other["id"]), who.user_id])
        return await self.get(who, chat_id)

    async def create_group(self, who: Principal, title: str, usernames: list[str]) -> dict[str, Any]:
        async with self.ctx.db.write() as conn:
            found = await user_store.users_by_usernames(conn, usernames)
            missing = sorted({u for u in usernames if u.lower() not in found})
            if missing:
                raise errors.UserNotFound(f"no such users: {', '.join(missing)}", usernames=missing)
            member_ids = [who.user_id, *sorted({int(r["id"]) for r in found.values()} - {who.user_id})]
            chat_id = await store.create_chat(conn, "group", title)
            for user_id in member_ids:
                await store.add_member(conn, chat_id, user_id, "owner" if user_id == who.user_id else "member")
            await event_store.append_event(
                conn, chat_id, "chat_created", sender_id=who.user_id, data={"title": title, "members": member_ids}
            )
        log.info("user %d created group %d with %d members", who.user_id, chat_id, len(member_ids))
        await self._announce_chat(chat_id, member_ids)
        return await self.get(who, chat_id)

    # --- managing -------------------------------------------------------------------------------

    async def _manager(self, conn: Any, who: Principal, chat_id: int) -> Mapping[str, Any]:
        """The chat row, after checking that ``who`` is an active owner or admin of a group."""
        member = await require_member(conn, chat_id, who.user_id)
        chat = await store.chat_by_id(conn, chat_id)
        assert chat is not None
        if chat["kind"] != "group":
            raise errors.InvalidOperation("direct chats have no members to manage")
        if member["role"] not in MANAGERS:
            raise errors.Forbidden("only the group's owners and admins may do this")
        return {**chat, "my_role": member["role"]}

    async def rename(self, who: Principal, chat_id: int, title: str) -> dict[str, Any]:
        async with self.ctx.db.write() as conn:
            await self._manager(conn, who, chat_id)
            await store.set_title(conn, chat_id, title)
            row = await event_store.append_event(
                conn, chat_id, "renamed", sender_id=who.user_id, data={"title": title, "by": who.user_id}
            )
            recipients = await store.active_member_ids(conn, chat_id)
        await self._publish([event_out(row, sender=who.ref())], recipients)
        return await self.get(who, chat_id)

    async def add_members(self, who: Principal, chat_id: int, usernames: list[str]) -> dict[str, Any]:
        published: list[dict[str, Any]] = []
        async with self.ctx.db.write() as conn:
            await self._manager(conn, who, chat_id)
            found = await user_store.users_by_usernames(conn, usernames)
            missing = sorted({u for u in usernames if u.lower() not in found})
            if missing:
                raise errors.UserNotFound(f"no such users: {', '.join(missing)}", usernames=missing)
            current = set(await store.active_member_ids(conn, chat_id))
            added: list[int] = []
            for user in sorted(found.values(), key=lambda r: int(r["id"])):
                user_id = int(user["id"])
                if user_id in current:
                    continue
                await store.add_member(conn, chat_id, user_id, "member")
                row = await event_store.append_event(
                    conn, chat_id, "member_added", sender_id=who.user_id,
                    data={"user": user_ref(user), "role": "member", "by": who.user_id},
                )  # fmt: skip
                published.append(event_out(row, sender=who.ref()))
                added.append(user_id)
        await self._publish(published, sorted(current))
        await self._announce_chat(chat_id, added)
        return await self.get(who, chat_id)

    async def remove_member(self, who: Principal, chat_id: int, username: str) -> dict[str, Any]:
        async with self.ctx.db.write() as conn:
            await self._manager(conn, who, chat_id)
            target = await user_store.user_by_username(conn, username)
            member = await store.membership(conn, chat_id, int(target["id"])) if target else None
            if target is None or member is None or not is_active(member):
                raise errors.UserNotFound(f"{username!r} is not in this chat")
            me = await store.membership(conn, chat_id, who.user_id)
            assert me is not None
            if int(target["id"]) == who.user_id:
                raise errors.InvalidOperation("use leave to leave a chat")
            if member["role"] in MANAGERS and me["role"] != "owner":
                raise errors.Forbidden("only an owner may remove an owner or admin")
            recipients = await store.active_member_ids(conn, chat_id)
            row = await event_store.append_event(
                conn, chat_id, "member_removed", sender_id=who.user_id,
                data={"user": user_ref(target), "by": who.user_id},
            )  # fmt: skip
            await store.mark_left(conn, chat_id, int(target["id"]), row["seq"])
        # The removed user gets this last event, then nothing more from the chat.
        await self._publish([event_out(row, sender=who.ref())], recipients)
        return await self.get(who, chat_id)

    async def set_role(self, who: Principal, chat_id: int, username: str, role: str) -> dict[str, Any]:
        async with self.ctx.db.write() as conn:
            chat = await self._manager(conn, who, chat_id)
            if chat["my_role"] != "owner":
                raise errors.Forbidden("only an owner may change roles")
            target = await user_store.user_by_username(conn, username)
            member = await store.membership(conn, chat_id, int(target["id"])) if target else None
            if target is None or member is None or not is_active(member):
                raise errors.UserNotFound(f"{username!r} is not in this chat")
            if member["role"] == role:
                return await self.get(who, chat_id)
            if member["role"] == "owner" and not await self._other_owner(conn, chat_id, int(target["id"])):
                raise errors.InvalidOperation("a group needs an owner: make someone else owner first")
            await store.set_role(conn, chat_id, int(target["id"]), role)
            row = await event_store.append_event(
                conn, chat_id, "role_changed", sender_id=who.user_id,
                data={"user": user_ref(target), "role": role, "by": who.user_id},
            )  # fmt: skip
            recipients = await store.active_member_ids(conn, chat_id)
        await self._publish([event_out(row, sender=who.ref())], recipients)
        return await self.get(who, chat_id)

    async def _other_owner(self, conn: Any, chat_id: int, user_id: int) -> bool:
        return any(m["role"] == "owner" and int(m["id"]) != user_id for m in await store.active_members(conn, chat_id))

    async def leave(self, who: Principal, chat_id: int) -> None:
        async with self.ctx.db.write() as conn:
            member = await require_member(conn, chat_id, who.user_id)
            chat = await store.chat_by_id(conn, chat_id)
            assert chat is not None
            if chat["kind"] == "direct":
                raise errors.InvalidOperation("you cannot leave a direct chat")
            recipients = await store.active_member_ids(conn, chat_id)
            if (
                member["role"] == "owner"
                and len(recipients) > 1
                and not await self._other_owner(conn, chat_id, who.user_id)
            ):
                raise errors.InvalidOperation("you are the last owner: make someone else owner before leaving")
            row = await event_store.append_event(
                conn, chat_id, "member_left", sender_id=who.user_id, data={"user": who.ref()}
            )
            await store.mark_left(conn, chat_id, who.user_id, row["seq"])
        await self._publish([event_out(row, sender=who.ref())], recipients)
