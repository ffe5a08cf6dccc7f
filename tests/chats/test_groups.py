"""Groups: roles, renames, membership changes, leaving — and what each member observes."""

from __future__ import annotations

import asyncio

import pytest
from tests.support.events import next_where, no_event_where

from parley.client import ChatAdded, ChatEvent, ChatRemoved, Message, ParleyError


async def group_of(make_client, server, n):
    clients = [await make_client(server) for _ in range(n)]
    owner = clients[0]
    group = await owner.create_group("Team", members=[c.user.username for c in clients[1:]])
    for c in clients[1:]:
        added = await next_where(c, lambda e: isinstance(e, ChatAdded))
        assert added.chat.id == group.id and added.chat.title == "Team"
    return group, clients


async def test_create_group_gives_roles_and_members(server, make_client):
    group, (owner, bob, carol) = await group_of(make_client, server, 3)
    assert group.kind == "group" and group.my_role == "owner"
    assert {m.username: m.role for m in group.members} == {
        owner.user.username: "owner",
        bob.user.username: "member",
        carol.user.username: "member",
    }
    assert (await bob.chat(group.id)).my_role == "member"


async def test_group_with_unknown_member_is_refused_and_creates_nothing(server, make_client):
    owner = await make_client(server)
    with pytest.raises(ParleyError) as info:
        await owner.create_group("x", members=["nobody-at-all"])
    assert info.value.code == "user_not_found"
    assert await owner.chats() == []


async def test_rename_is_an_event_every_member_sees(server, make_client):
    group, (owner, bob, carol) = await group_of(make_client, server, 3)
    renamed = await owner.rename(group.id, "  Dream team ")
    assert renamed.title == "Dream team"
    for c in (owner, bob, carol):
        event = await next_where(c, lambda e: isinstance(e, ChatEvent) and e.kind == "renamed")
        assert event.data["title"] == "Dream team"
    with pytest.raises(ParleyError) as info:
        await bob.rename(group.id, "mine now")
    assert info.value.code == "forbidden"


async def test_added_member_sees_history_from_the_start_and_live_messages(server, make_client):
    group, (owner, bob) = await group_of(make_client, server, 2)
    await owner.send(group.id, "before dave")
    dave = await make_client(server)
    await owner.add_members(group.id, [dave.user.username])
    added = await next_where(dave, lambda e: isinstance(e, ChatAdded))
    assert added.chat.id == group.id
    history = [e.text for e in await dave.history(group.id) if isinstance(e, Message)]
    assert history == ["before dave"]
    event = await next_where(bob, lambda e: isinstance(e, ChatEvent) and e.kind == "member_added")
    assert event.data["user"]["username"] == dave.user.username
    await owner.send(group.id, "welcome")
    message = await next_where(dave, lambda e: isinstance(e, Message))
    assert message.text == "welcome"


async def test_removed_member_stops_receiving_at_once(server, make_client):
    group, (owner, bob, carol) = await group_of(make_client, server, 3)
    await owner.remove_member(group.id, carol.user.username)
    removal = await next_where(carol, lambda e: isinstance(e, ChatEvent) and e.kind == "member_removed")
    assert removal.data["user"]["id"] == carol.user.id
    assert isinstance(await carol.next_event(5), ChatRemoved)
    await owner.send(group.id, "carol must not see this")
    await bob.typing(group.id)
    await no_event_where(carol, lambda e: True)
    for call in (carol.history(group.id), carol.send(group.id, "hi"), carol.chat(group.id)):
        with pytest.raises(ParleyError) as info:
            await call
        assert info.value.code == "not_a_member"
    assert group.id not in [c.id for c in await carol.chats()]


async def test_members_cannot_manage_and_admins_cannot_remove_owners(server, make_client):
    group, (owner, bob, carol) = await group_of(make_client, server, 3)
    with pytest.raises(ParleyError) as info:
        await bob.remove_member(group.id, carol.user.username)
    assert info.value.code == "forbidden"
    await owner.set_role(group.id, bob.user.username, "admin")
    with pytest.raises(ParleyError) as info:
        await bob.remove_member(group.id, owner.user.username)
    assert info.value.code == "forbidden"
    chat = await bob.remove_member(group.id, carol.user.username)
    assert carol.user.username not in [m.username for m in chat.members]


async def test_last_owner_cannot_leave_without_handing_over(server, make_client):
    group, (owner, bob) = await group_of(make_client, server, 2)
    with pytest.raises(ParleyError) as info:
        await owner.leave(group.id)
    assert info.value.code == "invalid_operation"
    with pytest.raises(ParleyError) as info:
        await owner.set_role(group.id, owner.user.username, "member")
    assert info.value.code == "invalid_operation"
    await owner.set_role(group.id, bob.user.username, "owner")
    await owner.leave(group.id)
    left = await next_where(bob, lambda e: isinstance(e, ChatEvent) and e.kind == "member_left")
    assert left.sender.id == owner.user.id
    assert [m.username for m in (await bob.chat(group.id)).members] == [bob.user.username]


async def test_direct_chats_cannot_be_left_or_managed(server, make_client):
    a, b = await make_client(server), await make_client(server)
    chat = await a.open_direct(b.user.username)
    assert chat.kind == "direct" and chat.title == b.user.display_name
    for call in (a.leave(chat.id), a.rename(chat.id, "x"), a.add_members(chat.id, [b.user.username])):
        with pytest.raises(ParleyError) as info:
            await call
        assert info.value.code == "invalid_operation"


async def test_chat_list_orders_by_activity_with_unread_and_preview(server, make_client):
    a, b, c = [await make_client(server) for _ in range(3)]
    with_b = await a.open_direct(b.user.username)
    with_c = await a.open_direct(c.user.username)
    await b.chat(with_b.id)
    await c.chat(with_c.id)
    await b.send(with_b.id, "from b 1")
    await b.send(with_b.id, "from b 2")
    await c.send(with_c.id, "from c")
    chats = await a.chats()
    assert [x.id for x in chats] == [with_c.id, with_b.id]
    assert [(x.unread, x.last_message.text) for x in chats] == [(1, "from c"), (2, "from b 2")]
    await b.send(with_b.id, "from b 3")
    chats = await a.chats()
    assert [x.id for x in chats] == [with_b.id, with_c.id]
    await a.mark_read(with_b.id, chats[0].last_message.seq)
    assert [x.unread for x in await a.chats()] == [0, 1]


async def test_read_marker_reaches_other_members_and_catch_up(server, make_client):
    a, b = await make_client(server), await make_client(server)
    chat = await a.open_direct(b.user.username)
    await b.chat(chat.id)
    ack = await a.send(chat.id, "read me")
    await b.mark_read(chat.id, ack.seq)
    receipt = await next_where(a, lambda e: isinstance(e, ChatEvent) and e.kind == "read")
    assert (receipt.sender.id, receipt.data["up_to"]) == (b.user.id, ack.seq)
    assert (await a.chat(chat.id)).members  # still fine
    # Marking read again (or backwards) is a no-op, not a new event.
    await b.mark_read(chat.id, ack.seq)
    await b.mark_read(chat.id, 1)
    await no_event_where(a, lambda e: isinstance(e, ChatEvent) and e.kind == "read")


async def test_history_pages_by_seq(server, make_client):
    a, b = await make_client(server), await make_client(server)
    chat = await a.open_direct(b.user.username)
    acks = [await a.send(chat.id, f"n{i}") for i in range(120)]
    newest = await a.history(chat.id, limit=100)
    assert [m.text for m in newest] == [f"n{i}" for i in range(20, 120)]
    older = await a.history(chat.id, before=newest[0].seq, limit=100)
    assert next(e.kind for e in older) == "chat_created"
    assert [m.text for m in older if isinstance(m, Message)] == [f"n{i}" for i in range(20)]
    after = await a.history(chat.id, after=acks[49].seq, limit=5)
    assert [m.text for m in after] == [f"n{i}" for i in range(50, 55)]
    with pytest.raises(ParleyError) as info:
        await a.history(chat.id, limit=101)
    assert info.value.code == "invalid_payload"


async def test_resend_with_same_client_id_returns_original_ack(server, make_client):
    a, b = await make_client(server), await make_client(server)
    chat = await a.open_direct(b.user.username)
    first = await a.send(chat.id, "once", client_id="fixed-id-1")
    again = await asyncio.gather(*(a.send(chat.id, "once", client_id="fixed-id-1") for _ in range(5)))
    assert all(x == first for x in again)
    assert [m.text for m in await b.history(chat.id) if isinstance(m, Message)] == ["once"]


async def test_typing_is_seen_by_others_and_throttled(server, make_client):
    from parley.client import Typing

    a, b = await make_client(server), await make_client(server)
    chat = await a.open_direct(b.user.username)
    await b.chat(chat.id)
    for _ in range(5):
        await a.typing(chat.id, True)
    typing = await next_where(b, lambda e: isinstance(e, Typing))
    assert typing.typing and typing.user.id == a.user.id and typing.expires_in > 0
    await no_event_where(b, lambda e: isinstance(e, Typing) and e.typing)  # throttled repeats
    await a.typing(chat.id, False)
    stopped = await next_where(b, lambda e: isinstance(e, Typing))
    assert not stopped.typing
    await no_event_where(a, lambda e: isinstance(e, Typing))  # not echoed to the typist


async def test_presence_goes_to_people_who_share_a_chat(server, make_client):
    from parley.client import Presence

    a, b, stranger = await make_client(server), await make_client(server), await make_client(server)
    chat = await a.open_direct(b.user.username)
    await b.chat(chat.id)
    b2 = await make_client(server, b.user.username, login=True)
    await b2.close()  # b is still online through another session: no offline event
    await b.close()
    offline = await next_where(a, lambda e: isinstance(e, Presence) and e.user_id == b.user.id)
    assert not offline.online and offline.last_seen is not None
    await no_event_where(stranger, lambda e: isinstance(e, Presence) and e.user_id == b.user.id)
    member = {m.id: m for m in (await a.chat(chat.id)).members}[b.user.id]
    assert not member.online and member.last_seen is not None


async def test_presence_is_not_pushed_through_groups_above_the_limit(server_factory, make_client):
    from parley.client import Presence

    proc = server_factory(env={"PARLEY_PRESENCE_MAX_GROUP": "3"})
    owner, a, b, c = [await make_client(proc) for _ in range(4)]
    big = await owner.create_group("big", members=[a.user.username, b.user.username, c.user.username])
    small = await a.create_group("small", members=[b.user.username])
    for client in (owner, b, c):
        await client.chat(big.id)
    await b.chat(small.id)
    await a.close()
    # b shares the small group with a: told at once. owner and c only share the big group: not pushed...
    offline = await next_where(b, lambda e: isinstance(e, Presence) and e.user_id == a.user.id)
    assert not offline.online
    for client in (owner, c):
        await no_event_where(client, lambda e: isinstance(e, Presence) and e.user_id == a.user.id)
    # ...but visible when they look.
    members = {m.id: m for m in (await owner.chat(big.id)).members}
    assert not members[a.user.id].online and members[a.user.id].last_seen is not None
