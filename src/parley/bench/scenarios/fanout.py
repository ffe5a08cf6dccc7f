"""fanout: one group with N online members; senders post, every other member receives; deliveries/s."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from typing import Any

from ..fleet import Link, split
from ..results import Result
from ..runner import Bench
from ..seed import Account, StorageSeeder
from ..stats import summarize
from ..wire import call, connect, latency_ms, stamped

# Each connect announces presence to every member of the group: bring them online gently.
CONNECT_CONCURRENCY = 20


def run(bench: Bench, members: tuple[int, ...] = (500,), senders: int = 1, messages: int | None = None) -> Result:
    """``messages`` per size defaults to about 50,000 deliveries (at least 20 messages)."""
    series: list[dict[str, Any]] = []
    samples: dict[str, list[float]] = {}
    checks: dict[str, Any] = {}
    for n in members:
        count = messages or max(20, math.ceil(50_000 / n))
        row, latencies, lost = _one_size(bench, n, senders, count)
        series.append(row)
        samples[f"{n} members"] = latencies
        checks[f"lost_deliveries_{n}"] = lost
    return Result(
        scenario="fanout",
        params={"members": list(members), "senders": senders, "messages": messages or "auto"},
        metrics={f"deliveries_per_s_{r['members']}": r["deliveries_per_s"] for r in series},
        series=series,
        series_x="members",
        checks=checks,
        samples=samples,
    )


def _one_size(bench: Bench, n: int, senders: int, count: int) -> tuple[dict[str, Any], list[float], int]:
    with bench.server(f"fanout{n}") as target:
        # Members come online first and join the group after: connecting into a big group announces
        # each member's presence to every other member (O(N²) packets, see docs/performance.md), which
        # would measure presence, not message fan-out. Against --url the group is made up front.
        async def seed() -> tuple[list[Account], int]:
            seeder = bench.seeder(target)
            try:
                users = await seeder.users(n, "fo")
                first = users[:senders] if target.managed else users
                return users, await seeder.group(users[0], first)
            finally:
                await seeder.close()

        users, chat_id = bench.arun(seed())

        def join_group() -> None:
            async def add() -> None:
                seeder = StorageSeeder(target.db_url)
                try:
                    await seeder.add_members(chat_id, users[senders:])
                finally:
                    await seeder.close()

            if target.managed:
                bench.arun(add())

        sending = users[:senders]
        shares = split(users[senders:], bench.options.workers)
        payloads = [
            {
                "url": target.url,
                "chat_id": chat_id,
                "receivers": share,
                "senders": sending if i == 0 else [],
                "messages": count,
            }
            for i, share in enumerate(shares)
        ]
        receivers = n - senders
        outs = bench.fleet(
            f"{__name__}.work",
            payloads,
            {
                "connected": (f"connect {n} members", n),
                "delivered": (f"deliveries to {receivers} members", receivers * count),
            },
            at_checkpoint={"connected": join_group},
        )
    first_send = min(o["first_send"] for o in outs if o["first_send"] is not None)
    last_receive = max(o["last_receive"] for o in outs)
    delivered = sum(o["delivered"] for o in outs)
    seconds = (last_receive - first_send) / 1e9
    latencies = [x for o in outs for x in o["latencies"]]
    lat = summarize(latencies)
    online_s = (max(o["online"] for o in outs) - min(o["connecting"] for o in outs)) / 1e9
    row = {
        "members": n,
        "all_online_s": round(online_s, 2),
        "messages": count,
        "deliveries": delivered,
        "seconds": round(seconds, 2),
        "deliveries_per_s": round(delivered / seconds, 1) if seconds > 0 else math.nan,
        "messages_per_s": round(count / seconds, 1) if seconds > 0 else math.nan,
        "p50_ms": lat["p50"],
        "p90_ms": lat["p90"],
        "p99_ms": lat["p99"],
        "max_ms": lat["max"],
    }
    return row, latencies, receivers * count - delivered


async def work(p: dict[str, Any], link: Link) -> dict[str, Any]:
    expected = p["messages"]
    latencies: list[float] = []
    state = {"delivered": 0, "last": 0}
    done = asyncio.Event()
    want = expected * len(p["receivers"])
    # Keep a sample of latencies: at 2,000 members every delivery would be 200,000 floats per worker.
    keep_every = max(1, want // 50_000)

    def on_event(data: dict[str, Any]) -> None:
        if data.get("kind") != "message":
            return
        state["delivered"] += 1
        state["last"] = time.monotonic_ns()
        if state["delivered"] % keep_every == 0:
            latency = latency_ms(data.get("text"))
            if latency is not None:
                latencies.append(latency)
        link.progress("delivered")
        if state["delivered"] >= want:
            done.set()

    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def join(who: Account, handler: Any) -> Any:
        async with limit:
            sio = await connect(p["url"], who.token, {"event": handler} if handler else None)
        link.progress("connected")
        return sio

    connecting = time.monotonic_ns()
    receivers = await asyncio.gather(*(join(who, on_event) for who in p["receivers"]))
    senders = await asyncio.gather(*(join(who, None) for who in p["senders"]))
    online = time.monotonic_ns()
    if want == 0:
        done.set()
    await link.checkpoint("connected")
    first_send: int | None = None

    async def lane(sio: Any, k: int) -> None:
        for _ in range(k):
            await call(sio, "send", {"chat_id": p["chat_id"], "client_id": uuid.uuid4().hex, "text": stamped()})

    if senders:
        first_send = time.monotonic_ns()
        per = [expected // len(senders) + (1 if i < expected % len(senders) else 0) for i in range(len(senders))]
        await asyncio.gather(*(lane(sio, k) for sio, k in zip(senders, per, strict=True)))
    try:
        await asyncio.wait_for(done.wait(), timeout=120 + want / 5000)
    except TimeoutError:
        pass  # reported as lost deliveries
    link.flush()
    await link.checkpoint("received")
    await asyncio.gather(*(sio.disconnect() for sio in [*receivers, *senders]))
    return {
        "delivered": state["delivered"],
        "latencies": latencies,
        "first_send": first_send,
        "last_receive": state["last"],
        "connecting": connecting,
        "online": online,
    }
