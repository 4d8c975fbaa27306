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
from collections import Counter
from typing import Literal

from redis.asyncio import Redis

from bot.state.link import RedisLink, RedisUnavailableError
from bot.state.memory import ExpiringStore

__all__ = ["CLAIM_TTL", "WORKING_TTL", "ClaimOutcome", "EventClaims"]

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


class EventClaims:
    """`claim(event_id)` is true for one caller until the claim is released or expires.

    `outcomes` counts what happened to claims in this process (won, lost, done, released): a claim is
    settled once it is lost, done or released."""

    def __init__(self, link: RedisLink | None, namespace: str = "onrecord") -> None:
        self._link = link
        self._namespace = namespace
        self._held: ExpiringStore[bool] = ExpiringStore(max_entries=100_000)  # this process's claims
        self._owner = secrets.token_hex(8)  # this process's claims; only it may keep or give them back
        self.outcomes: Counter[ClaimOutcome] = Counter()
        if link is not None:
            link.on_resync(self._write_back)

    async def claim(self, event_id: str, ttl: float = CLAIM_TTL) -> bool:
        key = self._key(event_id)
        won = self._held.add(key, True, ttl)  # at once: a second delivery to this process waits for nothing
        if won and self._link is not None:
            script = (_TAKE, 1, key, self._owner, str(max(1, round(ttl * 1000))))
            with contextlib.suppress(RedisUnavailableError):  # Redis is down: held here, written back later
                won = bool(await self._link.run(lambda client: client.eval(*script), patient=True))
            if not won:
                self._held.discard(key)
        self.outcomes["won" if won else "lost"] += 1
        return won

    async def done(self, event_id: str) -> None:
        """The claimed event was answered: keep the claim for `CLAIM_TTL` (unless it expired and another
        process holds it now)."""
        key = self._key(event_id)
        self._held.set(key, True, CLAIM_TTL)
        self.outcomes["done"] += 1
        if self._link is not None:
            script = (_KEEP, 1, key, self._owner, str(CLAIM_TTL))
            with contextlib.suppress(RedisUnavailableError):
                if not await self._link.run(lambda client: client.eval(*script), patient=True):
                    self._held.discard(key)

    async def release(self, event_id: str) -> None:
        """The claimed event was not answered: let a retry of it claim it again (if the claim is still
        this process's: one that expired may belong to another process by now)."""
        key = self._key(event_id)
        self._held.discard(key)
        self.outcomes["released"] += 1
        if self._link is not None:
            script = (_GIVE_BACK, 1, key, self._owner)
            with contextlib.suppress(RedisUnavailableError):
                await self._link.run(lambda client: client.eval(*script), patient=True)

    async def _write_back(self, client: Redis) -> None:
        """Set in Redis every claim this process holds and Redis does not (after an outage or a restart);
        one another process took meanwhile stays that process's."""
        async with client.pipeline(transaction=False) as pipe:
            for key, _, left in self._held.live():
                pipe.set(key, self._owner, nx=True, px=max(1, round(left * 1000)))
            await pipe.execute()

    async def extend(self, event_id: str, ttl: int = WORKING_TTL) -> bool:
        """Keep a claim this process holds for `ttl` more seconds while its work goes on; False when it
        is not (or no longer) this process's."""
        key = self._key(event_id)
        if self._held.get(key) is None:
            return False
        if self._link is not None:
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

    def _key(self, event_id: str) -> str:
        return f"{self._namespace}:claim:{event_id}"
