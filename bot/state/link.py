"""One Redis connection shared by the state classes, with short timeouts and a circuit breaker.

A refused or hanging Redis costs one operation at most about one timeout; the link is then marked down,
every caller skips Redis at once (and falls back), and a background ping brings it back when Redis
answers again. One log line per outage, not per call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

__all__ = ["RedisLink", "RedisStatus", "RedisUnavailableError", "text"]

log = logging.getLogger(__name__)
T = TypeVar("T")
RedisStatus = Literal["ok", "degraded", "disabled"]


class RedisUnavailableError(Exception):
    """Redis is down (or being skipped during back-off); the caller falls back."""


class RedisLink:
    """A Redis client from a URL, guarded so that no Redis trouble ever reaches the caller."""

    def __init__(self, url: str, *, timeout: float = 0.4, backoff: float = 1.0) -> None:
        self._client: Redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
        )
        # Connecting and one command may each take a timeout; never more than that in total.
        self._budget = 2 * timeout
        self._backoff = backoff
        self._down_since: float | None = None
        self._probe: asyncio.Task[None] | None = None

    @property
    def ok(self) -> bool:
        """False from the first failure until a ping succeeds again."""
        return self._down_since is None

    async def run(self, op: Callable[[Redis], Awaitable[T]]) -> T:
        """Run `op` against Redis, or raise RedisUnavailableError (at once while the link is down)."""
        if self._down_since is not None:
            raise RedisUnavailableError
        try:
            async with asyncio.timeout(self._budget):
                return await op(self._client)
        except (RedisError, OSError, TimeoutError) as exc:
            self._mark_down(exc)
            raise RedisUnavailableError from exc

    async def ping(self) -> bool:
        """Whether Redis answers now (marks the link down if not)."""
        try:
            await self.run(lambda client: client.ping())
        except RedisUnavailableError:
            return False
        return True

    def _mark_down(self, exc: BaseException) -> None:
        if self._down_since is None:
            self._down_since = asyncio.get_running_loop().time()
            log.warning(
                "Redis is unreachable (%s); answering without shared state until it returns",
                type(exc).__name__,
            )
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._recover(), name="onrecord-redis-probe")

    async def _recover(self) -> None:
        while True:
            await asyncio.sleep(self._backoff)
            try:
                async with asyncio.timeout(self._budget):
                    await self._client.ping()
            except (RedisError, OSError, TimeoutError):
                continue
            since = self._down_since or 0.0
            self._down_since = None
            log.warning("Redis is reachable again after %.1f s", asyncio.get_running_loop().time() - since)
            return

    async def aclose(self) -> None:
        """Stop the probe and close every connection."""
        if self._probe is not None:
            self._probe.cancel()
            await asyncio.gather(self._probe, return_exceptions=True)
        await self._client.aclose()


def text(value: bytes | str | None) -> str | None:
    """A reply as text (the link's client decodes replies; the types allow bytes too)."""
    return value.decode() if isinstance(value, bytes) else value
