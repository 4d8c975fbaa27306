"""Per-user rate limit: a sliding window of accepted questions, and one polite notice per window."""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass

from bot.state.link import RedisLink, RedisUnavailableError
from bot.state.memory import ExpiringStore

__all__ = ["RateDecision", "RateLimiter"]

# KEYS: hits (sorted set of accepted questions by time), notified (flag of the notice sent).
# ARGV: limit, window in ms, a unique member. Returns 1 allowed, 2 refused + notify, 0 refused silently.
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


class RateLimiter:
    """At most `limit` questions per user per `window` seconds, shared by all replicas."""

    def __init__(
        self, link: RedisLink | None, limit: int, window: float = 60.0, namespace: str = "onrecord"
    ) -> None:
        self._link = link
        self._limit = limit
        self._window = window
        self._namespace = namespace
        self._hits: dict[str, deque[float]] = {}
        self._notified: ExpiringStore[bool] = ExpiringStore(max_entries=100_000)

    async def check(self, user_key: str) -> RateDecision:
        if self._link is not None:
            base = f"{self._namespace}:rate:{{{user_key}}}"
            keys = [f"{base}:hits", f"{base}:notified"]
            args = (self._limit, int(self._window * 1000), uuid.uuid4().hex)
            try:
                outcome = await self._link.run(lambda client: client.eval(_SCRIPT, 2, *keys, *args))
            except RedisUnavailableError:
                pass
            else:
                return RateDecision(allowed=outcome == 1, notify=outcome == 2)
        return self._check_local(user_key)

    def _check_local(self, user_key: str) -> RateDecision:
        now = time.monotonic()
        hits = self._hits.setdefault(user_key, deque())
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if len(hits) < self._limit:
            hits.append(now)
            return RateDecision(allowed=True)
        return RateDecision(allowed=False, notify=self._notified.add(user_key, True, self._window))
