"""Two ``parley serve`` processes sharing PostgreSQL and Redis behave as one server."""

from __future__ import annotations

import asyncio

import pytest
from tests.conftest import redis_url, unique_name
from tests.support.events import next_of

from parley.client import ChatAdded, Message, Presence, Typing


@pytest.fixture
def cluster(server_factory, fresh_postgres):
    redis = redis_url()
    import redis as redis_lib

    # Presence counts live in Redis; start clean, as each test's PostgreSQL does.
    client = redis_lib.Redis.from_url(redis)
    for key in client.scan_iter("parley:presence*"):
        client.delete(key)
    env = {"PARLEY_PRESENCE_TTL": "2"}
    return [server_factory(database_url=fresh_postgres, redis_url=redis, env=env) for _ in range(2)]


@pytest.mark.postgres
@pytest.mark.redis
async def test_a_session_on_one_process_receives_what_is_sent_through_the_other(cluster, make_client):
    one, two = cluster
    alice = await make_client(one)
    alice_elsewhere = await make_client(two, alice.user.username, login=True)
    bob = await make_client(two)

    chat = await alice.open_direct(bob.user.username)
    added = await next_of(bob, ChatAdded)
    assert added.chat.id == chat.id
    await alice_elsewhere.chat(chat.id)

    ack = await alice.send(chat.id, "across processes")
    for session in (bob, alice_elsewhere):
        message = await next_of(session, Message)
        assert (message.text, message.seq) == ("across processes", ack.seq)

    own = await next_of(alice, Message)  # the sender's sessions get the message too
    assert own.seq == ack.seq
    reply = await bob.send(chat.id, "and back")
    message = await next_of(alice, Message)
    assert (message.text, message.seq) == ("and back", reply.seq)

    # Typing and presence are shared through Redis too.
    await bob.typing(chat.id, True)
    typing = await next_of(alice, Typing)
    assert typing.user.id == bob.user.id and typing.typing
    members = {m.username: m.online for m in (await alice.chat(chat.id)).members}
    assert members == {alice.user.username: True, bob.user.username: True}
    await bob.close()
    presence = await next_of(alice, Presence)
    assert (presence.user_id, presence.online) == (bob.user.id, False)


@pytest.mark.postgres
@pytest.mark.redis
async def test_concurrent_open_direct_through_two_processes_yields_one_chat(cluster, make_client):
    one, two = cluster
    for _ in range(5):
        a = await make_client(one)
        b = await make_client(two)
        a2 = await make_client(two, a.user.username, login=True)
        chats = await asyncio.gather(
            a.open_direct(b.user.username),
            b.open_direct(a.user.username),
            a2.open_direct(b.user.username),
            b.open_direct(a.user.username),
        )
        assert len({c.id for c in chats}) == 1
        assert [c.kind for c in await b.chats()] == ["direct"]


async def test_concurrent_open_direct_from_both_sides_yields_one_chat(server, make_client):
    for _ in range(5):
        a = await make_client(server)
        b = await make_client(server)
        chats = await asyncio.gather(*(x.open_direct(y.user.username) for x, y in [(a, b), (b, a)] * 4))
        assert len({c.id for c in chats}) == 1
        assert len(await a.chats()) == len(await b.chats()) == 1


async def test_unknown_username_for_direct_chat(server, make_client):
    from parley.client import ParleyError

    a = await make_client(server)
    with pytest.raises(ParleyError) as info:
        await a.open_direct(unique_name("ghost"))
    assert info.value.code == "user_not_found"


@pytest.mark.postgres
@pytest.mark.redis
async def test_logout_through_one_process_disconnects_the_session_on_the_other(cluster, make_client):
    import socketio

    one, two = cluster
    alice = await make_client(one)
    raw = socketio.AsyncClient(reconnection=False)
    dropped = asyncio.Event()
    raw.on("disconnect", lambda *_: dropped.set())
    await raw.connect(two.url, auth={"token": alice.token}, transports=["websocket"])
    await alice.logout()  # ends the session through process one
    # Process two cuts the socket itself; it does not rely on the client obeying "session_ended".
    await asyncio.wait_for(dropped.wait(), 10)


@pytest.mark.postgres
@pytest.mark.redis
async def test_users_of_a_killed_process_stop_counting_as_online(cluster, make_client):
    one, two = cluster
    alice = await make_client(one)
    bob = await make_client(two, reconnect=False)
    chat = await alice.open_direct(bob.user.username)
    assert {m.username: m.online for m in chat.members}[bob.user.username] is True
    two.kill()  # no disconnect handlers run: bob's count stays behind in Redis
    for _ in range(100):
        members = {m.username: m.online for m in (await alice.chat(chat.id)).members}
        if not members[bob.user.username]:
            break
        await asyncio.sleep(0.1)
    assert members == {alice.user.username: True, bob.user.username: False}
