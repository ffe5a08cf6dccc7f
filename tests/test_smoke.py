from parley.client import Message


async def test_message_reaches_every_session_of_both_users_once_in_order(server, make_client):
    alice = await make_client(server)
    bob = await make_client(server)
    alice2 = await make_client(server, alice.user.username, login=True)
    bob2 = await make_client(server, bob.user.username, login=True)
    chat = await alice.open_direct(bob.user.username)
    for c in (alice2, bob, bob2):
        await c.chat(chat.id)  # every session knows the chat
    acks = [await alice.send(chat.id, f"m{i}") for i in range(5)] + [await bob.send(chat.id, "reply")]

    for session in (alice, alice2, bob, bob2):
        got = []
        while len(got) < 6:
            event = await session.next_event(5)
            if isinstance(event, Message):
                got.append(event)
        assert [m.text for m in got] == ["m0", "m1", "m2", "m3", "m4", "reply"]
        assert [m.seq for m in got] == [a.seq for a in acks]
        assert session._events.empty() or not any(
            isinstance(e, Message)
            for e in list(session._events._queue)  # type: ignore[attr-defined]
        )
