"""throughput: many 1:1 pairs, each sender as fast as its acks allow; persisted messages per second."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from ..fleet import Link, split
from ..results import Goal, Result
from ..runner import Bench
from ..stats import summarize
from ..wire import call, connect, latency_ms, stamped
from .common import is_from_other, seed_pairs, stored_messages


def run(bench: Bench, pairs: int = 64, window: int = 1, seconds: float = 10.0, warmup: float = 2.0) -> Result:
    with bench.server("throughput") as target:

        async def seed() -> list[dict[str, Any]]:
            seeder = bench.seeder(target)
            try:
                return await seed_pairs(seeder, pairs, "tp")
            finally:
                await seeder.close()

        chats = bench.arun(seed())
        payloads = [
            {"url": target.url, "pairs": share, "window": window, "seconds": seconds, "warmup": warmup}
            for share in split(chats, bench.options.workers)
        ]
        outs = bench.fleet(
            f"{__name__}.work",
            payloads,
            {"connected": ("connect", 2 * pairs), "acked": ("messages acked (incl. warm-up)", None)},
        )
        stored = bench.arun(stored_messages(target))
    acked_total = sum(o["acked_total"] for o in outs)
    acked = sum(o["acked_in_window"] for o in outs)
    latencies = [x for o in outs for x in o["latencies"]]
    ack_latencies = [x for o in outs for x in o["ack_latencies"]]
    lat = summarize(latencies)
    rate = acked / seconds
    checks: dict[str, Any] = {"acked_total": acked_total}
    if stored is not None:
        checks["stored_messages"] = stored
        checks["every_ack_persisted"] = stored >= acked_total
    return Result(
        scenario="throughput",
        params={"pairs": pairs, "window": window, "seconds": seconds, "warmup": warmup},
        metrics={
            "persisted_messages": acked,
            "persisted_per_s": round(rate, 1),
            "latency_ms": lat,
            "ack_latency_ms": summarize(ack_latencies),
        },
        checks=checks,
        targets=[
            Goal("persisted messages/s", round(rate, 1), ">=", 5000),
            Goal("p99 send→receive (ms)", lat["p99"], "<", 50),
        ],
        samples={"send→receive": latencies, "send→ack": ack_latencies},
    )


async def work(p: dict[str, Any], link: Link) -> dict[str, Any]:
    latencies: list[float] = []
    ack_latencies: list[float] = []
    window_start = window_end = float("inf")
    counts = {"total": 0, "in_window": 0}
    clients: list[Any] = []

    def receiver(me: Any) -> Any:
        def on_event(data: dict[str, Any]) -> None:
            if is_from_other(data, me) and window_start <= time.monotonic() < window_end:
                latency = latency_ms(data.get("text"))
                if latency is not None:
                    latencies.append(latency)

        return on_event

    for pair in p["pairs"]:
        sender = await connect(p["url"], pair["sender"].token)
        await connect_counted(link, p["url"], pair["receiver"], receiver(pair["receiver"]), clients)
        link.progress("connected")
        clients.append(sender)
        pair["sio"] = sender
    await link.checkpoint("connected")
    began = time.monotonic()
    window_start = began + p["warmup"]
    window_end = window_start + p["seconds"]

    async def lane(sio: Any, chat_id: int) -> None:
        while time.monotonic() < window_end:
            t0 = time.monotonic()
            await call(sio, "send", {"chat_id": chat_id, "client_id": uuid.uuid4().hex, "text": stamped()})
            t1 = time.monotonic()
            counts["total"] += 1
            link.progress("acked")
            if window_start <= t1 < window_end:
                counts["in_window"] += 1
                ack_latencies.append((t1 - t0) * 1000)

    await asyncio.gather(*(lane(pair["sio"], pair["chat_id"]) for pair in p["pairs"] for _ in range(p["window"])))
    await asyncio.sleep(0.5)  # let the last deliveries arrive
    for sio in clients:
        await sio.disconnect()
    return {
        "latencies": latencies,
        "ack_latencies": ack_latencies,
        "acked_total": counts["total"],
        "acked_in_window": counts["in_window"],
    }


async def connect_counted(link: Link, url: str, who: Any, on_event: Any, clients: list[Any]) -> None:
    clients.append(await connect(url, who.token, {"event": on_event}))
    link.progress("connected")
