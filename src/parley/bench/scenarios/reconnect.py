"""reconnect: N members drop, M messages are stored meanwhile, all reconnect at once and catch up.

Catch-up follows the protocol the SDK uses: connect with the token, then ``sync`` from the last seq seen
until ``has_more`` is false. Each client checks it got every seq after its cursor exactly once.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from ..fleet import Link, split
from ..results import Goal, Result
from ..runner import Bench
from ..seed import Account
from ..stats import summarize
from ..wire import call, connect

CONNECT_CONCURRENCY = 50


def run(bench: Bench, clients: int = 500, messages: int = 200) -> Result:
    with bench.server("reconnect") as target:

        async def seed() -> tuple[Account, list[Account], int]:
            seeder = bench.seeder(target)
            try:
                users = await seeder.users(clients + 1, "rc")
                return users[0], users[1:], await seeder.group(users[0], users)
            finally:
                await seeder.close()

        writer, members, chat_id = bench.arun(seed())
        stored: dict[str, float] = {}

        def store_while_offline() -> None:
            stored["seconds"] = bench.arun(_write(target.url, writer, chat_id, messages))

        payloads = [
            {"url": target.url, "accounts": share, "chat_id": chat_id, "messages": messages}
            for share in split(members, bench.options.workers)
        ]
        outs = bench.fleet(
            f"{__name__}.work",
            payloads,
            {"online": (f"connect {clients}", clients), "caught_up": ("caught up", clients)},
            at_checkpoint={"offline": store_while_offline},
        )
    started = min(o["started"] for o in outs)
    finished = max(o["finished"] for o in outs)
    seconds = (finished - started) / 1e9
    catch_up = [x for o in outs for x in o["catch_up_ms"]]
    lost = sum(o["lost"] for o in outs)
    doubled = sum(o["doubled"] for o in outs)
    return Result(
        scenario="reconnect",
        params={"clients": clients, "messages": messages},
        metrics={
            "seconds_until_all_caught_up": round(seconds, 2),
            "events_replayed_per_s": round(clients * messages / seconds, 1) if seconds > 0 else float("nan"),
            "catch_up_ms": summarize(catch_up),
            "store_while_offline_s": round(stored.get("seconds", float("nan")), 2),
        },
        checks={"lost": lost, "doubled": doubled, "clients_complete": sum(o["complete"] for o in outs)},
        targets=[Goal("events lost or doubled", lost + doubled, "<", 1)],
        samples={"reconnect→caught up": catch_up},
    )


async def _write(url: str, writer: Account, chat_id: int, messages: int) -> float:
    sio = await connect(url, writer.token)
    t0 = time.monotonic()
    for i in range(messages):
        await call(sio, "send", {"chat_id": chat_id, "client_id": uuid.uuid4().hex, "text": f"while away {i}"})
    seconds = time.monotonic() - t0
    await sio.disconnect()
    return seconds


async def work(p: dict[str, Any], link: Link) -> dict[str, Any]:
    chat_id = p["chat_id"]
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def first_connect(who: Account) -> tuple[Any, int]:
        async with limit:
            sio = await connect(p["url"], who.token)
        chat = await call(sio, "chat", {"chat_id": chat_id})
        link.progress("online")
        return sio, int(chat["last_seq"])

    online = await asyncio.gather(*(first_connect(who) for who in p["accounts"]))
    cursors = [seq for _, seq in online]
    await link.checkpoint("online")
    await asyncio.gather(*(sio.disconnect() for sio, _ in online))
    await link.checkpoint("offline")  # the runner stores the messages while everyone is away
    started = time.monotonic_ns()
    outcome = await asyncio.gather(
        *(_catch_up(p, who, cursor, link) for who, cursor in zip(p["accounts"], cursors, strict=True))
    )
    finished = time.monotonic_ns()
    return {
        "started": started,
        "finished": finished,
        "catch_up_ms": [ms for ms, *_ in outcome],
        "lost": sum(lost for _, lost, _, _ in outcome),
        "doubled": sum(doubled for _, _, doubled, _ in outcome),
        "complete": sum(1 for *_, ok in outcome if ok),
    }


async def _catch_up(p: dict[str, Any], who: Account, cursor: int, link: Link) -> tuple[float, int, int, bool]:
    """Reconnect and sync from ``cursor``: (ms until caught up, lost, doubled, complete)."""
    chat_id = p["chat_id"]
    t0 = time.monotonic()
    live: list[int] = []
    sio = await connect(p["url"], who.token, {"event": lambda d: live.append(int(d["seq"]))})
    seen: list[int] = []
    after = cursor
    while True:
        reply = await call(sio, "sync", {"cursors": {str(chat_id): after}})
        seqs = [int(e["seq"]) for e in reply["events"] if int(e["chat_id"]) == chat_id]
        seen.extend(seqs)
        if seqs:
            after = seqs[-1]
        if not reply["has_more"]:
            break
    elapsed = (time.monotonic() - t0) * 1000
    await sio.disconnect()
    link.progress("caught_up")
    expected = set(range(cursor + 1, cursor + p["messages"] + 1))
    got = set(seen)
    lost = len(expected - got)
    doubled = len(seen) - len(got)
    return elapsed, lost, doubled, lost == 0 and doubled == 0
