"""pingpong: two users, one message in flight: each message is answered when it arrives."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from ..fleet import Link
from ..results import Goal, Result
from ..runner import Bench
from ..seed import Account
from ..stats import summarize
from ..wire import call, connect, latency_ms, stamped


def run(bench: Bench, count: int = 2000, warmup: int = 200) -> Result:
    with bench.server("pingpong") as target:

        async def seed() -> tuple[list[Account], int]:
            seeder = bench.seeder(target)
            try:
                a, b = await seeder.users(2, "pp")
                return [a, b], await seeder.direct(a, b)
            finally:
                await seeder.close()

        (a, b), chat_id = bench.arun(seed())
        payload = {"url": target.url, "a": a, "b": b, "chat_id": chat_id, "count": count, "warmup": warmup}
        (out,) = bench.fleet(f"{__name__}.work", [payload], {"msg": ("round trips", count)})
    lat = summarize(out["latencies"])
    rate = count / out["seconds"]
    return Result(
        scenario="pingpong",
        params={"count": count, "warmup": warmup},
        metrics={"messages": count, "messages_per_s": round(rate, 1), "latency_ms": lat},
        targets=[Goal("pingpong p50 send→receive (ms)", lat["p50"], "<", 2.0)],
        samples={"send→receive": out["latencies"]},
    )


async def work(p: dict[str, Any], link: Link) -> dict[str, Any]:
    a: Account = p["a"]
    b: Account = p["b"]
    chat_id: int = p["chat_id"]
    arrived: asyncio.Future[float] | None = None

    def on_event_for(me: Account) -> Any:
        def on_event(data: dict[str, Any]) -> None:
            sender = data.get("sender") or {}
            if data.get("kind") == "message" and sender.get("id") != me.user_id and arrived and not arrived.done():
                arrived.set_result(latency_ms(data.get("text")) or float("nan"))

        return on_event

    sa = await connect(p["url"], a.token, {"event": on_event_for(a)})
    sb = await connect(p["url"], b.token, {"event": on_event_for(b)})
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    started = 0.0
    for i in range(p["warmup"] + p["count"]):
        if i == p["warmup"]:
            started = time.perf_counter()
        sender = sa if i % 2 == 0 else sb
        arrived = loop.create_future()
        payload = {"chat_id": chat_id, "client_id": uuid.uuid4().hex, "text": stamped()}
        _, latency = await asyncio.gather(call(sender, "send", payload), arrived)
        if i >= p["warmup"]:
            latencies.append(latency)
            link.progress("msg")
    seconds = time.perf_counter() - started
    await sa.disconnect()
    await sb.disconnect()
    return {"latencies": latencies, "seconds": seconds}
