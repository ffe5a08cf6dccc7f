"""Editing and deleting messages: who may, what everyone sees live, in history and after catch-up."""

from __future__ import annotations

import pytest
from tests.support.events import next_of

from parley.client import Message, MessageDeleted, MessageEdited, ParleyError


async def pair(make_client, server):
    a, b = await make_client(server), await make_client(server)
    chat = await a.open_direct(b.user.username)
    await b.chat(chat.id)
    return a, b, chat


async def test_sender_edits_and_everyone_sees_the_new_text(server, make_client):
    a, b, chat = await pair(make_client, server)
    ack = await a.send(chat.id, "helo")
    edited = await a.edit(chat.id, ack.seq, "  hello  ")
    assert (edited.seq, edited.text) == (ack.seq, "hello") and edited.edited_at is not None

    event = await next_of(b, MessageEdited)
    assert (event.target_seq, event.new_text, event.sender.id) == (ack.seq, "hello", a.user.id)
    history = [m for m in await b.history(chat.id) if isinstance(m, Message)]
    assert [(m.seq, m.text) for m in history] == [(ack.seq, "hello")]
    assert history[0].edited_at is not None
    assert (await b.chat(chat.id)).last_message.text == "hello"


async def test_only_the_sender_may_edit(server, make_client):
    a, b, chat = await pair(make_client, server)
    ack = await a.send(chat.id, "mine")
    with pytest.raises(ParleyError) as info:
        await b.edit(chat.id, ack.seq, "yours now")
    assert info.value.code == "forbidden"
    assert [m.text for m in await b.history(chat.id) if isinstance(m, Message)] == ["mine"]


async def test_deleting_removes_the_text_everywhere_and_twice_is_a_no_op(server, make_client):
    a, b, chat = await pair(make_client, server)
    ack = await a.send(chat.id, "oops, wrong chat")
    assert (await b.chat(chat.id)).unread == 1
    await a.delete(chat.id, ack.seq)
    await a.delete(chat.id, ack.seq)

    gone = await next_of(b, MessageDeleted)
    assert gone.target_seq == ack.seq
    [message] = [m for m in await b.history(chat.id) if isinstance(m, Message)]
    assert message.deleted and message.text is None
    summary = await b.chat(chat.id)
    assert summary.unread == 0 and summary.last_message.text is None
    with pytest.raises(ParleyError) as info:
        await a.edit(chat.id, ack.seq, "undo")
    assert info.value.code == "message_deleted"


async def test_group_admins_may_delete_anyones_message_members_may_not(server, make_client):
    owner, bob, carol = [await make_client(server) for _ in range(3)]
    group = await owner.create_group("g", members=[bob.user.username, carol.user.username])
    for c in (bob, carol):
        await c.chat(group.id)
    ack = await carol.send(group.id, "spam")
    with pytest.raises(ParleyError) as info:
        await bob.delete(group.id, ack.seq)
    assert info.value.code == "forbidden"
    await owner.delete(group.id, ack.seq)
    gone = await next_of(carol, MessageDeleted)
    assert (gone.target_seq, gone.sender.id) == (ack.seq, owner.user.id)


async def test_edits_and_deletes_are_caught_up_after_a_disconnect(server, make_client, client_behind_proxy):
    a = await make_client(server)
    b, proxy = await client_behind_proxy(server)
    chat = await a.open_direct(b.user.username)
    await b.chat(chat.id)
    first, second = await a.send(chat.id, "one"), await a.send(chat.id, "two")
    assert [(await next_of(b, Message)).text for _ in range(2)] == ["one", "two"]
    proxy.cut()
    await a.edit(chat.id, first.seq, "one, edited")
    await a.delete(chat.id, second.seq)
    proxy.restore()
    edited = await next_of(b, MessageEdited, timeout=15)
    deleted = await next_of(b, MessageDeleted, timeout=15)
    assert (edited.target_seq, edited.new_text, deleted.target_seq) == (first.seq, "one, edited", second.seq)


async def test_unknown_messages_and_other_peoples_chats(server, make_client):
    a, b, chat = await pair(make_client, server)
    stranger = await make_client(server)
    ack = await a.send(chat.id, "private")
    for call, code in [
        (a.edit(chat.id, ack.seq + 100, "x"), "message_not_found"),
        (a.edit(chat.id, 1, "x"), "message_not_found"),  # seq 1 is the chat's creation, not a message
        (a.delete(chat.id, ack.seq + 100), "message_not_found"),
        (a.edit(chat.id, ack.seq, "   "), "message_empty"),
        (stranger.edit(chat.id, ack.seq, "x"), "not_a_member"),
        (stranger.delete(chat.id, ack.seq), "not_a_member"),
    ]:
        with pytest.raises(ParleyError) as info:
            await call
        assert info.value.code == code
    assert [m.text for m in await b.history(chat.id) if isinstance(m, Message)] == ["private"]


async def test_editing_or_deleting_an_old_message_does_not_reorder_the_chat_list(server, make_client):
    a, _, first = await pair(make_client, server)
    c = await make_client(server)
    second = await a.open_direct(c.user.username)
    old = await a.send(first.id, "old news")
    await a.send(second.id, "latest")
    assert [x.id for x in await a.chats()] == [second.id, first.id]
    await a.edit(first.id, old.seq, "old news, corrected")
    await a.delete(first.id, old.seq)
    assert [x.id for x in await a.chats()] == [second.id, first.id]
