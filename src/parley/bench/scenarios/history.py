"""history: send rate and history-page latency as one chat's stored history grows (0 → 1M messages).

The history is appended through the storage layer between levels (the issue asks for fast seeding); the
measurements at each level go over Socket.IO like every other scenario.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from typing import Any

from ..fleet import Link
from ..results import Goal, Result
from ..runner import Bench
from ..seed import Account, StorageSeeder
from ..server import BenchError
from ..stats import summarize
from ..wire import call, connect, stamped

LEVELS = (0, 10_000, 100_000, 1_000_000)


def run(
    bench: Bench, levels: tuple[int, ...] = LEVELS, pages: int = 300, seconds: float = 3.0, window: int = 16
) -> Result:
    if bench.options.url:
        raise BenchError("history seeds through the storage layer: run it without --url")
    series: list[dict[str, Any]] = []
    samples: dict[str, list[float]] = {}
    with bench.server("history") as target:

        async def seed_chat() -> tuple[Account, Account, int]:
            seeder = StorageSeeder(target.db_url)
            try:
                a, b = await seeder.users(2, "hi")
                return a, b, await seeder.direct(a, b)
            finally:
                await seeder.close()

        a, b, chat_id = bench.arun(seed_chat())
        stored = 0
        for level in sorted(levels):
            if level > stored:
                advance = bench.bar(f"seed history to {level:,}", level - stored)

                async def grow(n: int, advance: Any = advance) -> None:
                    seeder = StorageSeeder(target.db_url)
                    try:
                        await seeder.history(chat_id, a, n, advance)
                    finally:
                        await seeder.close()

                bench.arun(grow(level - stored))
                stored = level
            payload = {"url": target.url, "a": a, "b": b, "chat_id": chat_id, "pages": pages, "seconds": seconds,
                       "window": window}  # fmt: skip
            (out,) = bench.fleet(f"{__name__}.work", [payload], {"requests": (f"measure at {level:,}", 2 * pages)})
            stored += out["sent"]
            newest, deep, send = summarize(out["newest_ms"]), summarize(out["deep_ms"]), summarize(out["send_ms"])
            series.append(
                {
                    "stored_messages": level,
                    "send_per_s": round(out["sent"] / out["send_seconds"], 1),
                    "send_p50_ms": send["p50"],
                    "send_p99_ms": send["p99"],
                    "newest_page_p50_ms": newest["p50"],
                    "newest_page_p99_ms": newest["p99"],
                    "deep_page_p50_ms": deep["p50"],
                    "deep_page_p99_ms": deep["p99"],
                }
            )
            samples[f"page at {level:,}"] = out["newest_ms"] + out["deep_ms"]
    first, last = series[0], series[-1]

    def ratio(key: str) -> float:
        return round(last[key] / first[key], 3) if first[key] else float("nan")

    return Result(
        scenario="history",
        params={"levels": list(levels), "pages": pages, "seconds": seconds, "window": window},
        metrics={
            "largest_history": last["stored_messages"],
            "send_per_s_ratio_largest_vs_empty": ratio("send_per_s"),
            "newest_page_p50_ratio": ratio("newest_page_p50_ms"),
            "deep_page_p50_ratio": ratio("deep_page_p50_ms"),
        },
        series=series,
        series_x="stored_messages",
        targets=[
            Goal("send rate at largest vs empty", ratio("send_per_s"), ">=", 0.9),
            Goal("newest page p50 at largest vs empty", ratio("newest_page_p50_ms"), "<", 1.1),
            Goal("deep page p50 at largest vs empty", ratio("deep_page_p50_ms"), "<", 1.1),
        ],
        samples=samples,
    )


async def work(p: dict[str, Any], link: Link) -> dict[str, Any]:
    chat_id = p["chat_id"]
    reader = await connect(p["url"], p["b"].token)
    sender = await connect(p["url"], p["a"].token)
    # Sends first: at level 0 the pages then read what was just sent, so every level reads full pages.
    send_ms: list[float] = []
    end = time.monotonic() + p["seconds"]
    started = time.monotonic()

    async def lane() -> None:
        while time.monotonic() < end:
            t0 = time.perf_counter()
            await call(sender, "send", {"chat_id": chat_id, "client_id": uuid.uuid4().hex, "text": stamped()})
            send_ms.append((time.perf_counter() - t0) * 1000)

    await asyncio.gather(*(lane() for _ in range(p["window"])))
    send_seconds = time.monotonic() - started
    newest_ms: list[float] = []
    deep_ms: list[float] = []
    last = (await call(reader, "chat", {"chat_id": chat_id}))["last_seq"]
    rng = random.Random(7)
    for i in range(p["pages"] * 2):
        deep = i % 2 == 1
        body: dict[str, Any] = {"chat_id": chat_id, "limit": 50}
        if deep:
            body["before"] = rng.randint(51, max(51, last)) + 1  # a full page below
        t0 = time.perf_counter()
        await call(reader, "history", body)
        (deep_ms if deep else newest_ms).append((time.perf_counter() - t0) * 1000)
        link.progress("requests")
    await reader.disconnect()
    await sender.disconnect()
    return {"newest_ms": newest_ms, "deep_ms": deep_ms, "send_ms": send_ms, "sent": len(send_ms),
            "send_seconds": send_seconds}  # fmt: skip
