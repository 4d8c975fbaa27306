"""Per-user rate limit: a sliding window of accepted questions, and one polite notice per window.

Keys: ``{ns}:rate:{{user}}:hits`` (sorted set of accepted questions by server time, kept one window after
the last one) and ``{ns}:rate:{{user}}:notified`` (the user was told, for one window).
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from onrecord.bot.state.memory import Clock, ExpiringStore
from onrecord.bot.state.unreachable import RedisUnavailableError

if TYPE_CHECKING:
    from onrecord.bot.state.link import RedisLink

__all__ = ["LocalRateLimiter", "RateDecision", "RateLimiter", "RedisRateLimiter"]

WINDOW = 60.0

# KEYS: hits, notified. ARGV: limit, window in ms, a unique member.
# Returns 1 allowed, 2 refused + notify, 0 refused silently.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 1
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', window) then return 2 end
return 0
"""


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    notify: bool = False  # refused, and this is the first refusal in the window: tell the user once


class RateLimiter(Protocol):
    """At most `limit` questions per user per window."""

    async def check(self, user_key: str) -> RateDecision: ...


class LocalRateLimiter:
    """The window in this process. A user's hits are forgotten one window after the last accepted one, as
    Redis expires them, so the users who stopped asking take no memory."""

    def __init__(self, limit: int, window: float = WINDOW, *, clock: Clock = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._hits: ExpiringStore[deque[float]] = ExpiringStore(max_entries=100_000, clock=clock)
        self._notified: ExpiringStore[bool] = ExpiringStore(max_entries=100_000, clock=clock)

    async def check(self, user_key: str) -> RateDecision:
        now = self._clock()
        hits = self._hits.get(user_key) or deque()
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if len(hits) < self._limit:
            hits.append(now)
            self._hits.set(user_key, hits, self._window)
            return RateDecision(allowed=True)
        return RateDecision(allowed=False, notify=self._notified.add(user_key, True, self._window))


class RedisRateLimiter:
    """The window shared by all replicas; while Redis is slow or down, this process's `fallback` decides."""

    def __init__(
        self, link: RedisLink, limit: int, namespace: str, fallback: LocalRateLimiter, window: float = WINDOW
    ) -> None:
        self._link = link
        self._limit = limit
        self._window = window
        self._namespace = namespace
        self._fallback = fallback

    async def check(self, user_key: str) -> RateDecision:
        base = f"{self._namespace}:rate:{{{user_key}}}"
        keys = [f"{base}:hits", f"{base}:notified"]
        args = (self._limit, int(self._window * 1000), uuid.uuid4().hex)
        try:
            outcome = await self._link.run(lambda client: client.eval(_SCRIPT, 2, *keys, *args))
        except RedisUnavailableError:
            return await self._fallback.check(user_key)
        return RateDecision(allowed=outcome == 1, notify=outcome == 2)
