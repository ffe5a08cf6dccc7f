"""Kill -9 the server during a burst of sends: every acknowledged message survives exactly once."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from tests.conftest import PASSWORD, unique_name
from tests.support.server import ServerProcess

from parley.client import Client, Message

SENDERS = 4
PER_SENDER = 250
IN_FLIGHT = 20


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_kill_9_during_burst_keeps_every_acknowledged_message_once(backend, tmp_path, request):
    database_url = request.getfixturevalue("fresh_postgres") if backend == "postgres" else None
    proc = ServerProcess(tmp_path / "data", database_url=database_url).start()
    clients: list[Client] = []
    try:
        names = [unique_name("s") for _ in range(SENDERS)]
        senders = []
        for name in names:
            c = Client(proc.url, request_timeout=30)
            clients.append(c)
            await c.register(name, PASSWORD)
            senders.append(c)
        receiver = Client(proc.url, request_timeout=30)
        clients.append(receiver)
        await receiver.register(unique_name("r"), PASSWORD)
        group = await senders[0].create_group("burst", members=[*names[1:], receiver.user.username])
        for c in [*senders[1:], receiver]:
            await c.chat(group.id)  # a round trip: the chat's announcement has reached this session

        acks: dict[str, int] = {}
        killed = asyncio.Event()

        async def burst(client: Client, tag: str) -> None:
            sem = asyncio.Semaphore(IN_FLIGHT)

            async def one(i: int) -> None:
                async with sem:
                    client_id = f"{tag}-{i}"
                    ack = await client.send(group.id, f"{tag} #{i}", client_id=client_id)
                    assert client_id not in acks
                    acks[client_id] = ack.seq

            await asyncio.gather(*(one(i) for i in range(PER_SENDER)))

        async def killer() -> dict[str, int]:
            while len(acks) < 300:  # noqa: ASYNC110 - polling a counter other tasks update
                await asyncio.sleep(0.01)
            proc.kill()
            killed.set()
            acked_before_kill = dict(acks)
            await asyncio.sleep(0.5)
            proc.start()
            return acked_before_kill

        results = await asyncio.wait_for(
            asyncio.gather(killer(), *(burst(c, f"c{i}") for i, c in enumerate(senders))), timeout=240
        )
        acked_before_kill = results[0]
        assert killed.is_set()
        assert len(acks) == SENDERS * PER_SENDER

        # Stored exactly once, each at the seq its ack named; the sequence has no gap.
        stored: list[Message] = []
        before = None
        while True:
            page = await receiver.history(group.id, before=before, limit=100)
            if not page:
                break
            stored = page + stored
            before = page[0].seq
        messages = [e for e in stored if isinstance(e, Message)]
        assert sorted(m.client_id for m in messages) == sorted(acks)
        assert {m.client_id: m.seq for m in messages} == acks
        seqs = [e.seq for e in stored]
        assert seqs == list(range(1, len(seqs) + 1))
        for client_id, seq in acked_before_kill.items():
            assert acks[client_id] == seq

        # The receiver, live plus catch-up across the restart, saw each message once, in order.
        seen: list[Message] = []
        while len(seen) < len(acks):
            event = await receiver.next_event(30)
            if isinstance(event, Message):
                seen.append(event)
        assert [m.client_id for m in seen] == [m.client_id for m in messages]
        await asyncio.sleep(0.5)
        assert not any(isinstance(e, Message) for e in receiver._events._queue)  # type: ignore[attr-defined]
    finally:
        for c in clients:
            await c.close()
        proc.stop()

    if backend == "sqlite":
        with sqlite3.connect(tmp_path / "data" / "parley.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
