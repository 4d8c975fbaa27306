"""Event de-duplication: Slack retries and replicas that see the same message answer it once.

A claim is taken for a short while (`WORKING_TTL`) while its owner answers; `done` keeps it for
`CLAIM_TTL`, `release` drops it. So a retry of an event whose first delivery failed, or whose owner died
mid-answer, is answered by whoever receives the retry, while a retry of one being answered is not.

Redis decides whenever it answers at all: a slow reply is waited for (the platform has been acknowledged
already), a refused connection is tried again until the link gives up on Redis. Every claim this process
holds is also kept here from the moment it is asked for, whoever decided it, so that:

- a retry reaching this process is refused here even if Redis lost the claim (restarted empty);
- claims taken here while Redis was down, and claims Redis forgot by restarting, are written back to
  Redis before the link counts as up again, so a retry reaching another process is refused there too.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from abc import ABC, abstractmethod
from collections import Counter
from typing import TYPE_CHECKING, Literal

from onrecord.bot.state.memory import Clock, ExpiringStore
from onrecord.bot.state.unreachable import RedisUnavailableError

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from onrecord.bot.state.link import RedisLink

__all__ = ["CLAIM_TTL", "WORKING_TTL", "ClaimOutcome", "EventClaims", "LocalClaims", "RedisClaims"]

CLAIM_TTL = 900  # Slack retries after 1 and 5 minutes; keep claims well beyond that.
WORKING_TTL = 45  # longer than any answer takes, shorter than Slack's first delayed retry (1 min)

ClaimOutcome = Literal["won", "lost", "done", "released"]

# Set the claim unless another process holds it. This process's own value means its earlier try of the
# same claim was applied but the reply was lost (a process never asks Redis twice for a claim it holds).
_TAKE = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""
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


class EventClaims(ABC):
    """`claim(event_id)` is true for one caller until the claim is released or expires.

    `outcomes` counts what happened to claims in this process (won, lost, done, released): a claim is
    settled once it is lost, done or released."""

    def __init__(self, namespace: str) -> None:
        self._namespace = namespace
        self.outcomes: Counter[ClaimOutcome] = Counter()

    async def claim(self, event_id: str, ttl: float = CLAIM_TTL) -> bool:
        won = await self._claim(self._key(event_id), ttl)
        self.outcomes["won" if won else "lost"] += 1
        return won

    async def done(self, event_id: str) -> None:
        """The claimed event was answered: keep the claim for `CLAIM_TTL` (unless it expired and another
        process holds it now)."""
        self.outcomes["done"] += 1
        await self._done(self._key(event_id))

    async def release(self, event_id: str) -> None:
        """The claimed event was not answered: let a retry of it claim it again (if the claim is still
        this process's: one that expired may belong to another process by now)."""
        self.outcomes["released"] += 1
        await self._release(self._key(event_id))

    async def extend(self, event_id: str, ttl: int = WORKING_TTL) -> bool:
        """Keep a claim this process holds for `ttl` more seconds while its work goes on; False when it
        is not (or no longer) this process's."""
        return await self._extend(self._key(event_id), ttl)

    @abstractmethod
    async def _claim(self, key: str, ttl: float) -> bool: ...

    @abstractmethod
    async def _done(self, key: str) -> None: ...

    @abstractmethod
    async def _release(self, key: str) -> None: ...

    @abstractmethod
    async def _extend(self, key: str, ttl: int) -> bool: ...

    def _key(self, event_id: str) -> str:
        return f"{self._namespace}:claim:{event_id}"


class LocalClaims(EventClaims):
    """Claims among the tasks of this process."""

    def __init__(self, namespace: str = "onrecord", *, clock: Clock = time.monotonic) -> None:
        super().__init__(namespace)
        self._held: ExpiringStore[bool] = ExpiringStore(max_entries=100_000, clock=clock)

    async def _claim(self, key: str, ttl: float) -> bool:
        return self._held.add(key, True, ttl)

    async def _done(self, key: str) -> None:
        self._held.set(key, True, CLAIM_TTL)

    async def _release(self, key: str) -> None:
        self._held.discard(key)

    async def _extend(self, key: str, ttl: int) -> bool:
        if self._held.get(key) is None:
            return False
        self._held.set(key, True, ttl)
        return True


class RedisClaims(EventClaims):
    """Claims Redis decides among processes, waited for patiently; each is also held in this process from
    the moment it is asked for (see the module's docstring)."""

    def __init__(
        self, link: RedisLink, namespace: str = "onrecord", *, clock: Clock = time.monotonic
    ) -> None:
        super().__init__(namespace)
        self._link = link
        self._held: ExpiringStore[bool] = ExpiringStore(max_entries=100_000, clock=clock)
        self._owner = secrets.token_hex(8)  # this process's claims; only it may keep or give them back
        link.on_resync(self._write_back)

    async def _claim(self, key: str, ttl: float) -> bool:
        if not self._held.add(key, True, ttl):  # at once: a second delivery to this process waits for nothing
            return False
        script = (_TAKE, 1, key, self._owner, str(max(1, round(ttl * 1000))))
        try:
            won = bool(await self._link.run(lambda client: client.eval(*script), patient=True))
        except RedisUnavailableError:  # Redis is down: held here, written back later
            return True
        if not won:
            self._held.discard(key)
        return won

    async def _done(self, key: str) -> None:
        self._held.set(key, True, CLAIM_TTL)
        script = (_KEEP, 1, key, self._owner, str(CLAIM_TTL))
        with contextlib.suppress(RedisUnavailableError):
            if not await self._link.run(lambda client: client.eval(*script), patient=True):
                self._held.discard(key)

    async def _release(self, key: str) -> None:
        self._held.discard(key)
        script = (_GIVE_BACK, 1, key, self._owner)
        with contextlib.suppress(RedisUnavailableError):
            await self._link.run(lambda client: client.eval(*script), patient=True)

    async def _extend(self, key: str, ttl: int) -> bool:
        if self._held.get(key) is None:
            return False
        script = (_EXTEND, 1, key, self._owner, str(ttl))
        try:
            kept = bool(await self._link.run(lambda client: client.eval(*script), patient=True))
        except RedisUnavailableError:
            kept = True  # held here, and written back to Redis when it returns
        if not kept:
            self._held.discard(key)
            return False
        self._held.set(key, True, ttl)
        return True

    async def _write_back(self, client: Redis) -> None:
        """Set in Redis every claim this process holds and Redis does not (after an outage or a restart);
        one another process took meanwhile stays that process's."""
        async with client.pipeline(transaction=False) as pipe:
            for key, _, left in self._held.live():
                pipe.set(key, self._owner, nx=True, px=max(1, round(left * 1000)))
            await pipe.execute()
