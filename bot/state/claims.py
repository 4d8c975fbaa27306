"""Event de-duplication: Slack retries and replicas that see the same message answer it once.

A claim is taken for a short while (`WORKING_TTL`) while its owner answers; `done` keeps it for
`CLAIM_TTL`, `release` drops it. So a retry of an event whose first delivery failed, or whose owner died
mid-answer, is answered by whoever receives the retry, while a retry of one being answered is not.
"""

from __future__ import annotations

import contextlib

from bot.state.link import RedisLink, RedisUnavailableError
from bot.state.memory import ExpiringStore

__all__ = ["CLAIM_TTL", "WORKING_TTL", "EventClaims"]

CLAIM_TTL = 900  # Slack retries after 1 and 5 minutes; keep claims well beyond that.
WORKING_TTL = 45  # longer than any answer takes, shorter than Slack's first delayed retry (1 min)


class EventClaims:
    """`claim(event_id)` is true for one caller until the claim is released or expires (SET NX EX)."""

    def __init__(self, link: RedisLink | None, namespace: str = "onrecord") -> None:
        self._link = link
        self._namespace = namespace
        self._local: ExpiringStore[bool] = ExpiringStore(max_entries=100_000)

    async def claim(self, event_id: str, ttl: int = CLAIM_TTL) -> bool:
        key = self._key(event_id)
        if self._link is not None:
            try:
                return bool(await self._link.run(lambda client: client.set(key, "1", nx=True, ex=ttl)))
            except RedisUnavailableError:
                pass  # this process still answers each event once
        return self._local.add(key, True, ttl)

    async def done(self, event_id: str) -> None:
        """The claimed event was answered: keep the claim for `CLAIM_TTL`."""
        key = self._key(event_id)
        self._local.set(key, True, CLAIM_TTL)
        if self._link is not None:
            with contextlib.suppress(RedisUnavailableError):
                await self._link.run(lambda client: client.set(key, "1", ex=CLAIM_TTL))

    async def release(self, event_id: str) -> None:
        """The claimed event was not answered: let a retry of it claim it again."""
        key = self._key(event_id)
        self._local.discard(key)
        if self._link is not None:
            with contextlib.suppress(RedisUnavailableError):
                await self._link.run(lambda client: client.delete(key))

    def _key(self, event_id: str) -> str:
        return f"{self._namespace}:claim:{event_id}"
