"""Who is online: connection counts per user, in memory or in Redis when several processes serve."""

from __future__ import annotations

from typing import Any


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
    """Counts in one Redis hash shared by all processes."""

    KEY = "parley:presence"

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis: Any = redis.from_url(url)

    async def connected(self, user_id: int) -> bool:
        return int(await self._redis.hincrby(self.KEY, str(user_id), 1)) == 1

    async def disconnected(self, user_id: int) -> bool:
        count = int(await self._redis.hincrby(self.KEY, str(user_id), -1))
        if count <= 0:
            await self._redis.hdel(self.KEY, str(user_id))
            return True
        return False

    async def online(self, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        values = await self._redis.hmget(self.KEY, [str(u) for u in user_ids])
        return {u for u, v in zip(user_ids, values, strict=True) if v is not None and int(v) > 0}

    async def close(self) -> None:
        await self._redis.aclose()
