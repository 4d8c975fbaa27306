"""The answer cache, read through by the answering service."""

from __future__ import annotations

import contextlib
import hashlib

from redis.asyncio import Redis

from bot.state.link import RedisLink, RedisUnavailableError, text
from bot.state.memory import ExpiringStore

__all__ = ["AnswerCache"]


class AnswerCache:
    """Answer payloads by index version and question; with Redis down it is a miss and a no-op put."""

    def __init__(self, link: RedisLink | None, namespace: str = "onrecord") -> None:
        self._link = link
        self._namespace = namespace
        self._local: ExpiringStore[str] = ExpiringStore(max_entries=2_000)

    def key(self, index_version: str, normalized_question: str) -> str:
        digest = hashlib.sha256(normalized_question.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"{self._namespace}:answer:{index_version}:{digest}"

    async def get(self, index_version: str, normalized_question: str) -> str | None:
        key = self.key(index_version, normalized_question)
        if self._link is None:
            return self._local.get(key)

        async def op(client: Redis) -> str | None:
            return text(await client.get(key))

        try:
            return await self._link.run(op)
        except RedisUnavailableError:
            return None

    async def put(self, index_version: str, normalized_question: str, payload: str, ttl: int) -> None:
        if ttl <= 0:
            return
        key = self.key(index_version, normalized_question)
        if self._link is None:
            self._local.set(key, payload, ttl)
            return
        with contextlib.suppress(RedisUnavailableError):  # a miss next time, nothing worse
            await self._link.run(lambda client: client.set(key, payload, ex=ttl))
