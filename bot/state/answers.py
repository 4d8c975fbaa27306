"""Stored answers: an answer's full result payload by answer id, read as the answer cache when a question is
asked again and as the "more results" pages later (after a restart too).

One key per answer, ``{ns}:answer:{answer_id}`` (a hash: ``payload``, and ``kept``, the TTL in ms it was
written with, so that a reader knows its age). The answer id hashes the index version with the question, so a
rebuilt index never reads its predecessor's answers.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

from onrecord.bot.state.memory import Clock, ExpiringStore
from onrecord.bot.state.unreachable import RedisUnavailableError, text

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from onrecord.bot.state.link import RedisLink

__all__ = ["PAGES_TTL", "AnswerStore", "LocalAnswers", "RedisAnswers"]

PAGES_TTL = 7 * 24 * 3600  # an answer's "more results" stay this long at least


class AnswerStore(Protocol):
    async def put(self, answer_id: str, payload: str, ttl: float) -> None:
        """Keep the payload `ttl` seconds (written again: `ttl` from now)."""

    async def get(self, answer_id: str, *, max_age: float | None = None) -> str | None:
        """The payload, if it is kept and (given `max_age`) was written at most `max_age` seconds ago."""


class LocalAnswers:
    """Answers kept in this process."""

    def __init__(self, max_entries: int = 5_000, *, clock: Clock = time.monotonic) -> None:
        self._kept: ExpiringStore[tuple[str, float]] = ExpiringStore(max_entries, clock=clock)

    async def put(self, answer_id: str, payload: str, ttl: float) -> None:
        if ttl > 0:
            self._kept.set(answer_id, (payload, ttl), ttl)

    async def get(self, answer_id: str, *, max_age: float | None = None) -> str | None:
        found = self._kept.get_with_ttl(answer_id)
        if found is None:
            return None
        (payload, kept), left = found
        return payload if _young(kept, left, max_age) else None


class RedisAnswers:
    """Answers kept in Redis (quick calls: an answer never waits for Redis). Those written while Redis is
    down or slow are kept in `fallback`, and their pages read from there; a cache read (`max_age`) misses
    instead: while Redis is unreachable questions are answered uncached, as the README says."""

    def __init__(self, link: RedisLink, namespace: str, fallback: LocalAnswers) -> None:
        self._link = link
        self._namespace = namespace
        self._fallback = fallback

    async def put(self, answer_id: str, payload: str, ttl: float) -> None:
        if ttl <= 0:
            return
        key = self._key(answer_id)
        kept_ms = max(1, round(ttl * 1000))

        async def op(client: Redis) -> None:
            pipe = client.pipeline(transaction=False)
            pipe.hset(key, mapping={"payload": payload, "kept": kept_ms})
            pipe.pexpire(key, kept_ms)
            await pipe.execute()

        try:
            await self._link.run(op)
        except RedisUnavailableError:
            await self._fallback.put(answer_id, payload, ttl)

    async def get(self, answer_id: str, *, max_age: float | None = None) -> str | None:
        key = self._key(answer_id)

        async def op(client: Redis) -> tuple[list[str | None], int]:
            pipe = client.pipeline(transaction=False)
            pipe.hmget(key, ["payload", "kept"])
            pipe.pttl(key)
            fields, left_ms = await pipe.execute()
            return [text(f) for f in fields], int(left_ms)

        try:
            (payload, kept), left_ms = await self._link.run(op)
        except RedisUnavailableError:
            payload = None
        else:
            if payload is not None and kept is not None and left_ms > 0:
                return payload if _young(int(kept) / 1000, left_ms / 1000, max_age) else None
        return None if max_age is not None else await self._fallback.get(answer_id)

    def _key(self, answer_id: str) -> str:
        return f"{self._namespace}:answer:{answer_id}"


def _young(kept: float, left: float, max_age: float | None) -> bool:
    """Whether an entry written with a TTL of `kept` that has `left` seconds left is at most `max_age` old."""
    return max_age is None or kept - left <= max_age
