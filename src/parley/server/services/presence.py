"""Who is online: connection counts per user, in memory or in Redis when several processes serve."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

log = logging.getLogger(__name__)


class MemoryPresence:
    def __init__(self) -> None:
        self._counts: dict[int, int] = {}

    async def connected(self, user_id: int) -> bool:
        """Count a connection; True when the user just came online."""
        self._counts[user_id] = self._counts.get(user_id, 0) + 1
        return self._counts[user_id] == 1

    async def disconnected(self, user_id: int) -> bool:
        """Uncount a connection; True when the user just went offline."""
        count = self._counts.get(user_id, 0) - 1
        if count <= 0:
            self._counts.pop(user_id, None)
            return True
        self._counts[user_id] = count
        return False

    async def online(self, user_ids: list[int]) -> set[int]:
        return {u for u in user_ids if self._counts.get(u, 0) > 0}

    async def close(self) -> None:
        return None


class RedisPresence:
    """Counts shared by all processes through Redis, one hash per process.

    Each process keeps its own hash of connection counts and renews a heartbeat; a user is online when any
    live process counts a connection. A process that dies without cleaning up stops renewing, and its
    counts stop counting after ``ttl`` seconds instead of keeping its users online forever.
    """

    NODES = "parley:presence:nodes"  # sorted set: process id -> time of its last heartbeat

    def __init__(self, url: str, ttl: float = 30.0) -> None:
        import redis.asyncio as redis

        self._redis: Any = redis.from_url(url)
        self.ttl = ttl
        self.node = uuid.uuid4().hex
        self.key = f"parley:presence:{self.node}"
        self._beat: asyncio.Task[None] | None = None

    async def _ensure_heartbeat(self) -> None:
        if self._beat is None:
            await self._redis.zadd(self.NODES, {self.node: time.time()})
            self._beat = asyncio.create_task(self._heartbeat(), name="presence-heartbeat")

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                await self._redis.zadd(self.NODES, {self.node: time.time()})
            except Exception:
                log.warning("presence heartbeat failed", exc_info=True)

    async def _live_keys(self) -> list[str]:
        cutoff = time.time() - self.ttl
        dead = await self._redis.zrangebyscore(self.NODES, "-inf", cutoff)
        if dead:
            await self._redis.delete(*[f"parley:presence:{n.decode()}" for n in dead])
            await self._redis.zrem(self.NODES, *dead)
        nodes = await self._redis.zrangebyscore(self.NODES, cutoff, "+inf")
        return [f"parley:presence:{n.decode()}" for n in nodes]

    async def _counts(self, user_ids: list[int]) -> dict[int, int]:
        totals = dict.fromkeys(user_ids, 0)
        fields = [str(u) for u in user_ids]
        for key in await self._live_keys():
            for user_id, value in zip(user_ids, await self._redis.hmget(key, fields), strict=True):
                totals[user_id] += int(value or 0)
        return totals

    async def connected(self, user_id: int) -> bool:
        await self._ensure_heartbeat()
        await self._redis.hincrby(self.key, str(user_id), 1)
        return (await self._counts([user_id]))[user_id] == 1

    async def disconnected(self, user_id: int) -> bool:
        if int(await self._redis.hincrby(self.key, str(user_id), -1)) <= 0:
            await self._redis.hdel(self.key, str(user_id))
        return (await self._counts([user_id]))[user_id] <= 0

    async def online(self, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        return {u for u, n in (await self._counts(user_ids)).items() if n > 0}

    async def close(self) -> None:
        if self._beat is not None:
            self._beat.cancel()
        try:
            await self._redis.delete(self.key)
            await self._redis.zrem(self.NODES, self.node)
        finally:
            await self._redis.aclose()
