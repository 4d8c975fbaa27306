"""Event de-duplication: Slack retries and replicas that see the same message answer it once.

A claim is taken for a short while (`WORKING_TTL`) while its owner answers; `done` keeps it for
`CLAIM_TTL`, `release` drops it. So a retry of an event whose first delivery failed, or whose owner died
mid-answer, is answered by whoever receives the retry, while a retry of one being answered is not.
"""

from __future__ import annotations

import contextlib
import secrets

from bot.state.link import RedisLink, RedisUnavailableError
from bot.state.memory import ExpiringStore

__all__ = ["CLAIM_TTL", "WORKING_TTL", "EventClaims"]

CLAIM_TTL = 900  # Slack retries after 1 and 5 minutes; keep claims well beyond that.
WORKING_TTL = 45  # longer than any answer takes, shorter than Slack's first delayed retry (1 min)


_KEEP = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return 0 end
return redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
"""
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_GIVE_BACK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class EventClaims:
    """`claim(event_id)` is true for one caller until the claim is released or expires (SET NX EX)."""

    def __init__(self, link: RedisLink | None, namespace: str = "onrecord") -> None:
        self._link = link
        self._namespace = namespace
        self._local: ExpiringStore[bool] = ExpiringStore(max_entries=100_000)
        self._owner = secrets.token_hex(8)  # this process's claims; only it may keep or give them back

    async def claim(self, event_id: str, ttl: int = CLAIM_TTL) -> bool:
        key = self._key(event_id)
        if self._link is not None:
            try:
                return bool(
                    await self._link.run(lambda client: client.set(key, self._owner, nx=True, ex=ttl))
                )
            except RedisUnavailableError:
                pass  # this process still answers each event once
        return self._local.add(key, True, ttl)

    async def done(self, event_id: str) -> None:
        """The claimed event was answered: keep the claim for `CLAIM_TTL` (unless it expired and another
        process holds it now)."""
        key = self._key(event_id)
        self._local.set(key, True, CLAIM_TTL)
        if self._link is not None:
            with contextlib.suppress(RedisUnavailableError):
                await self._link.run(lambda client: client.eval(_KEEP, 1, key, self._owner, str(CLAIM_TTL)))

    async def release(self, event_id: str) -> None:
        """The claimed event was not answered: let a retry of it claim it again (if the claim is still
        this process's: one that expired may belong to another process by now)."""
        key = self._key(event_id)
        self._local.discard(key)
        if self._link is not None:
            with contextlib.suppress(RedisUnavailableError):
                await self._link.run(lambda client: client.eval(_GIVE_BACK, 1, key, self._owner))

    async def extend(self, event_id: str, ttl: int = WORKING_TTL) -> bool:
        """Keep a claim this process holds for `ttl` more seconds while its work goes on; False when it
        is not (or no longer) this process's."""
        key = self._key(event_id)
        if self._link is not None:
            try:
                kept = await self._link.run(lambda client: client.eval(_EXTEND, 1, key, self._owner, ttl))
            except RedisUnavailableError:
                return True  # cannot tell now; it was this process's
            return bool(kept)
        if self._local.get(key) is None:
            return False
        self._local.set(key, True, ttl)
        return True

    def _key(self, event_id: str) -> str:
        return f"{self._namespace}:claim:{event_id}"
