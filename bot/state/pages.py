"""Answer pages: an answer's full result payload by answer id, for "more results" after a restart too."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.state.link import RedisLink, RedisUnavailableError, text
from bot.state.memory import ExpiringStore

__all__ = ["PAGES_TTL", "AnswerPages"]

PAGES_TTL = 7 * 24 * 3600


class AnswerPages:
    """Payloads kept PAGES_TTL seconds; those written while Redis is down stay readable in process."""

    def __init__(self, link: RedisLink | None, namespace: str = "onrecord", ttl: int = PAGES_TTL) -> None:
        self._link = link
        self._namespace = namespace
        self._ttl = ttl
        self._local: ExpiringStore[str] = ExpiringStore(max_entries=5_000)

    async def put(self, answer_id: str, payload: str) -> None:
        key = f"{self._namespace}:page:{answer_id}"
        if self._link is not None:
            try:
                await self._link.run(lambda client: client.set(key, payload, ex=self._ttl))
            except RedisUnavailableError:
                pass
            else:
                return
        self._local.set(key, payload, self._ttl)

    async def get(self, answer_id: str) -> str | None:
        key = f"{self._namespace}:page:{answer_id}"
        if self._link is not None:

            async def op(client: Redis) -> str | None:
                return text(await client.get(key))

            try:
                found = await self._link.run(op)
            except RedisUnavailableError:
                found = None
            if found is not None:
                return found
        return self._local.get(key)
