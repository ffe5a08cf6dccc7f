"""Property: whatever the interleaving of sends, network drops, reconnects and resends, every session ends
with exactly the acknowledged messages, per chat in seq order."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import PASSWORD, unique_name
from tests.support.proxy import Proxy

from parley.client import Client, Message

SESSIONS = 3  # alice on two devices, bob on one

op = st.one_of(
    st.tuples(st.just("send"), st.integers(0, SESSIONS - 1), st.integers(0, 1)),
    st.tuples(st.just("drop"), st.integers(0, SESSIONS - 1), st.just(0)),
    st.tuples(st.just("reconnect"), st.integers(0, SESSIONS - 1), st.just(0)),
    st.tuples(st.just("resend"), st.integers(0, SESSIONS - 1), st.integers(0, 50)),
    st.tuples(st.just("pause"), st.just(0), st.just(0)),
)


async def scenario(server_port: int, ops: list[tuple[str, int, int]]) -> None:
    proxies = [await Proxy(server_port).start() for _ in range(SESSIONS)]
    clients = [Client(p.url, request_timeout=10) for p in proxies]
    try:
        alice, bob = unique_name("a"), unique_name("b")
        await clients[0].register(alice, PASSWORD)
        await clients[1].login(alice, PASSWORD)
        await clients[2].register(bob, PASSWORD)
        chats = [await clients[0].open_direct(bob), await clients[0].create_group("g", members=[bob])]
        for c in clients:
            for chat in chats:
                await c.chat(chat.id)  # barrier: every session knows both chats

        sends: list[asyncio.Task] = []
        sent: list[tuple[int, int, str, str]] = []  # (session, chat_id, client_id, text)
        for n, (kind, who, arg) in enumerate(ops):
            if kind == "send":
                chat_id = chats[arg].id
                client_id, text = f"op{n}", f"m{n}"
                sent.append((who, chat_id, client_id, text))
                sends.append(asyncio.ensure_future(clients[who].send(chat_id, text, client_id=client_id)))
            elif kind == "resend" and sent:
                session, chat_id, client_id, text = sent[arg % len(sent)]
                sends.append(asyncio.ensure_future(clients[session].send(chat_id, text, client_id=client_id)))
            elif kind == "drop":
                proxies[who].cut()
            elif kind == "reconnect":
                proxies[who].restore()
            else:
                await asyncio.sleep(0.05)
        for p in proxies:
            p.restore()
        acks = await asyncio.wait_for(asyncio.gather(*sends), timeout=60)

        # A resend returns the original ack: one stored message per client id.
        by_client_id: dict[str, int] = {}
        for ack in acks:
            assert by_client_id.setdefault(ack.client_id, ack.seq) == ack.seq
        expected = {
            chat.id: sorted(
                (a.seq, a.client_id) for a in {x.client_id: x for x in acks}.values() if a.chat_id == chat.id
            )
            for chat in chats
        }
        for c in clients:
            await c.wait_connected(30)
            got: dict[int, list[tuple[int, str | None]]] = {chat.id: [] for chat in chats}
            want = sum(len(v) for v in expected.values())
            while sum(len(v) for v in got.values()) < want:
                event = await c.next_event(30)
                if isinstance(event, Message):
                    got[event.chat_id].append((event.seq, event.client_id))
            await asyncio.sleep(0.1)
            extra = [e for e in c._events._queue if isinstance(e, Message)]  # type: ignore[attr-defined]
            assert not extra, f"duplicates delivered: {extra}"
            assert got == expected
    finally:
        for c in clients:
            await c.close()
        for p in proxies:
            await p.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=1, max_size=25))
def test_sessions_end_with_exactly_the_acknowledged_messages_in_order(server, ops):
    import concurrent.futures

    # Each example runs on a loop of its own (hypothesis drives a plain function).
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario(server.port, ops)).result()
