"""connections: N idle authenticated connections; server memory per connection and time to connect all."""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

from ..fleet import Link, split
from ..machine import raise_nofile_limit
from ..results import Goal, Result
from ..runner import Bench
from ..seed import Account
from ..stats import summarize
from ..wire import connect

SETTLE_S = 2.0


def run(bench: Bench, count: int = 5000, concurrency: int = 100) -> Result:
    # Each connection is one descriptor in the server and one in a worker; leave room for the rest.
    allowed = raise_nofile_limit() - 200
    wanted = count
    count = max(1, min(count, allowed))
    if count < wanted:
        bench.console.print(f"[yellow]open-files limit allows {count} of {wanted} connections[/]")
    with bench.server("connections") as target:

        async def seed() -> list[Account]:
            seeder = bench.seeder(target)
            try:
                return await seeder.users(count + 1, "cn")
            finally:
                await seeder.close()

        users = bench.arun(seed())
        # One connection first, so lazy imports and first-use caches are not billed to the N.
        bench.arun(_touch(target.url, users[-1]))
        time.sleep(SETTLE_S)
        memory: dict[str, int | None] = {"before": target.rss_bytes()}

        def measure() -> None:
            time.sleep(SETTLE_S)
            memory["after"] = target.rss_bytes()

        payloads = [
            {"url": target.url, "accounts": share, "concurrency": max(1, concurrency // bench.options.workers)}
            for share in split(users[:count], bench.options.workers)
        ]
        outs = bench.fleet(
            f"{__name__}.work",
            payloads,
            {"connected": (f"connect {count}", count)},
            at_checkpoint={"connected": measure},
        )
    started = min(o["started"] for o in outs)
    finished = max(o["finished"] for o in outs)
    seconds = (finished - started) / 1e9
    connect_ms = [x for o in outs for x in o["connect_ms"]]
    failed = sum(o["failed"] for o in outs)
    before, after = memory["before"], memory.get("after")
    per_conn_kb = (after - before) / count / 1024 if before is not None and after is not None else float("nan")
    metrics: dict[str, Any] = {
        "connections": count - failed,
        "seconds_to_connect_all": round(seconds, 2),
        "connections_per_s": round((count - failed) / seconds, 1) if seconds > 0 else float("nan"),
        "server_rss_before_mb": round(before / 2**20, 1) if before else None,
        "server_rss_after_mb": round(after / 2**20, 1) if after else None,
        "server_kb_per_connection": round(per_conn_kb, 1),
        "connect_latency_ms": summarize(connect_ms),
    }
    return Result(
        scenario="connections",
        params={"count": wanted, "concurrency": concurrency},
        metrics=metrics,
        checks={"failed_connections": failed, "open_files_limit": allowed + 200},
        targets=[
            Goal("idle connections held", count - failed, ">=", 5000),
            Goal("server KB per idle connection", round(per_conn_kb, 1), "<", 50),
        ],
        samples={"connect": connect_ms},
    )


async def _touch(url: str, who: Account) -> None:
    sio = await connect(url, who.token)
    await sio.disconnect()


async def work(p: dict[str, Any], link: Link) -> dict[str, Any]:
    limit = asyncio.Semaphore(p["concurrency"])
    connect_ms: list[float] = []
    clients: list[Any] = []
    failed = 0

    async def one(who: Account) -> None:
        nonlocal failed
        async with limit:
            t0 = time.monotonic()
            try:
                clients.append(await connect(p["url"], who.token))
            except Exception:
                failed += 1
                return
            connect_ms.append((time.monotonic() - t0) * 1000)
        link.progress("connected")

    await link.checkpoint("start")
    started = time.monotonic_ns()
    await asyncio.gather(*(one(who) for who in p["accounts"]))
    finished = time.monotonic_ns()
    gc.collect()
    await link.checkpoint("connected")  # the runner measures the server's memory here
    await asyncio.gather(*(sio.disconnect() for sio in clients), return_exceptions=True)
    return {"started": started, "finished": finished, "connect_ms": connect_ms, "failed": failed}
