"""What happens while a session is away is there when it comes back."""

from __future__ import annotations

import asyncio

from tests.support.events import next_of

from parley.client import ChatAdded, ConnectionState, Message


async def test_a_chat_joined_while_away_is_announced_with_its_messages_on_reconnect(
    server, make_client, client_behind_proxy
):
    alice = await make_client(server)
    bob, proxy = await client_behind_proxy(server)
    proxy.cut()
    while (await next_of(bob, ConnectionState)).state != "disconnected":
        pass

    group = await alice.create_group("while you were away", members=[bob.user.username])
    await alice.send(group.id, "first")
    proxy.restore()

    added = await next_of(bob, ChatAdded)
    assert added.chat.id == group.id and added.chat.unread == 1
    assert added.chat.last_message.text == "first"
    ack = await alice.send(group.id, "second")
    live = await next_of(bob, Message)
    assert (live.text, live.seq) == ("second", ack.seq)


async def test_sends_made_while_disconnected_are_delivered_once_after_reconnect(
    server, make_client, client_behind_proxy
):
    alice = await make_client(server)
    bob, proxy = await client_behind_proxy(server)
    chat = await alice.open_direct(bob.user.username)
    await next_of(bob, ChatAdded)
    proxy.cut()
    pending = [asyncio.ensure_future(bob.send(chat.id, f"offline {i}")) for i in range(3)]
    await asyncio.sleep(0.5)
    assert not any(p.done() for p in pending)
    proxy.restore()
    acks = await asyncio.wait_for(asyncio.gather(*pending), 20)
    texts = [e.text for e in await alice.history(chat.id) if isinstance(e, Message)]
    assert sorted(texts) == ["offline 0", "offline 1", "offline 2"]
    assert sorted(a.seq for a in acks) == sorted({a.seq for a in acks})
