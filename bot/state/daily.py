"""The daily quote's ledger: one post per (platform, channel, local date), and what each channel has seen.

Keys (``{ns}`` is the namespace; ``{{…}}`` is a literal Redis Cluster hash tag, so that the two keys
`_RECORD` writes together share a slot):

- ``{ns}:daily:{{{platform}:{channel}}}:{date}`` (string): ``posting:{owner}`` while one process posts
  (`POSTING_TTL`, so a process that dies mid-post frees the day), then ``posted:{quote key}`` for
  `POSTED_TTL`. Only the owner may turn its claim into a post or give it back (compare-and-set).
- ``{ns}:daily-seen:{{{platform}:{channel}}}`` (set): quote keys posted there; emptied when every eligible
  quote has been posted.

Unlike the answer cache, the ledger does not fall back to this process when Redis is configured but
down: posting without the shared lock could post twice, so `LedgerUnavailableError` tells the scheduler
to wait. Without `REDIS_URL` (one process) it lives in this process.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from onrecord.bot.state.memory import Clock, ExpiringStore
from onrecord.bot.state.unreachable import RedisUnavailableError, text

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from onrecord.bot.state.link import RedisLink

__all__ = [
    "POSTED_TTL",
    "POSTING_TTL",
    "Claim",
    "DailyLedger",
    "LedgerUnavailableError",
    "LocalDailyLedger",
    "RedisDailyLedger",
]

POSTING_TTL = 120  # seconds one process may take to post before another may try
POSTED_TTL = 3 * 86400  # a day's record outlives its grace period in every time zone

Claim = Literal["mine", "posted", "busy"]
T = TypeVar("T")


class LedgerUnavailableError(Exception):
    """Redis is configured but down: nothing may be posted until it is back."""


class DailyLedger(Protocol):
    async def claim(self, platform: str, channel: str, day: dt.date) -> Claim:
        """ "mine": post it now (then `posted` or `release`); "posted": it was; "busy": another process is
        posting it (ask again later: it may fail)."""

    async def status(self, platform: str, channel: str, day: dt.date) -> Claim | None:
        """What is known of the day without claiming it: "posted", "busy" (being posted), or None."""

    async def posted(self, platform: str, channel: str, day: dt.date, quote: str) -> None:
        """Record the day's post (the claim holder only)."""

    async def keep(self, platform: str, channel: str, day: dt.date) -> bool:
        """Hold the day for `POSTING_TTL` more seconds while this process is still posting it; False when
        the claim is no longer this process's."""

    async def release(self, platform: str, channel: str, day: dt.date) -> None:
        """Give the day back after a failed post, so a retry (here or elsewhere) may post it."""

    async def seen(self, platform: str, channel: str) -> set[str]:
        """The quote keys already posted in the channel (this cycle)."""

    async def start_over(self, platform: str, channel: str) -> None:
        """Every eligible quote was posted in the channel: begin a new cycle."""


class _LedgerKeys:
    def __init__(self, namespace: str) -> None:
        self._ns = namespace
        self._owner = f"posting:{secrets.token_hex(8)}"  # this process's claims

    def _day(self, platform: str, channel: str, day: dt.date) -> str:
        return f"{self._ns}:daily:{{{platform}:{channel}}}:{day.isoformat()}"

    def _seen(self, platform: str, channel: str) -> str:
        return f"{self._ns}:daily-seen:{{{platform}:{channel}}}"


class LocalDailyLedger(_LedgerKeys):
    """The ledger of the one process there is (no `REDIS_URL`)."""

    def __init__(self, namespace: str = "onrecord", *, clock: Clock = time.monotonic) -> None:
        super().__init__(namespace)
        self._days: ExpiringStore[str] = ExpiringStore(max_entries=10_000, clock=clock)
        self._seen_quotes: dict[str, set[str]] = {}

    async def claim(self, platform: str, channel: str, day: dt.date) -> Claim:
        key = self._day(platform, channel, day)
        won = self._days.add(key, self._owner, POSTING_TTL)
        return "mine" if won else _state(self._days.get(key))

    async def status(self, platform: str, channel: str, day: dt.date) -> Claim | None:
        value = self._days.get(self._day(platform, channel, day))
        return None if value is None else _state(value)

    async def posted(self, platform: str, channel: str, day: dt.date, quote: str) -> None:
        self._seen_quotes.setdefault(self._seen(platform, channel), set()).add(quote)
        key = self._day(platform, channel, day)
        held = self._days.get(key)
        if held is None or held in (self._owner, f"posted:{quote}"):  # as `_RECORD`
            self._days.set(key, f"posted:{quote}", POSTED_TTL)

    async def keep(self, platform: str, channel: str, day: dt.date) -> bool:
        key = self._day(platform, channel, day)
        if self._days.get(key) != self._owner:
            return False
        self._days.set(key, self._owner, POSTING_TTL)
        return True

    async def release(self, platform: str, channel: str, day: dt.date) -> None:
        key = self._day(platform, channel, day)
        if self._days.get(key) == self._owner:
            self._days.discard(key)

    async def seen(self, platform: str, channel: str) -> set[str]:
        return set(self._seen_quotes.get(self._seen(platform, channel), set()))

    async def start_over(self, platform: str, channel: str) -> None:
        self._seen_quotes.pop(self._seen(platform, channel), None)


class RedisDailyLedger(_LedgerKeys):
    """The ledger shared by every process; `LedgerUnavailableError` while Redis is down (no fallback)."""

    def __init__(self, link: RedisLink, namespace: str = "onrecord") -> None:
        super().__init__(namespace)
        self._link = link

    async def claim(self, platform: str, channel: str, day: dt.date) -> Claim:
        key = self._day(platform, channel, day)

        async def run(client: Redis) -> tuple[bool, str | None]:
            won = bool(await client.set(key, self._owner, nx=True, ex=POSTING_TTL))
            return won, None if won else text(await client.get(key))

        won, value = await self._run(run)
        return "mine" if won else _state(value)

    async def status(self, platform: str, channel: str, day: dt.date) -> Claim | None:
        key = self._day(platform, channel, day)

        async def read(client: Redis) -> str | None:
            return text(await client.get(key))

        value = await self._run(read)
        return None if value is None else _state(value)

    async def posted(self, platform: str, channel: str, day: dt.date, quote: str) -> None:
        key, seen = self._day(platform, channel, day), self._seen(platform, channel)

        async def record(client: Redis) -> None:
            await client.eval(_RECORD, 2, key, seen, self._owner, f"posted:{quote}", str(POSTED_TTL), quote)

        await self._run(record)

    async def keep(self, platform: str, channel: str, day: dt.date) -> bool:
        key = self._day(platform, channel, day)
        kept = await self._run(lambda client: client.eval(_KEEP, 1, key, self._owner, str(POSTING_TTL)))
        return bool(kept)

    async def release(self, platform: str, channel: str, day: dt.date) -> None:
        key = self._day(platform, channel, day)
        await self._run(lambda client: client.eval(_RELEASE, 1, key, self._owner))

    async def seen(self, platform: str, channel: str) -> set[str]:
        key = self._seen(platform, channel)
        members = await self._run(lambda client: client.smembers(key))
        return {str(text(m)) for m in members}

    async def start_over(self, platform: str, channel: str) -> None:
        key = self._seen(platform, channel)
        await self._run(lambda client: client.delete(key))

    async def _run(self, op: Callable[[Redis], Awaitable[T]]) -> T:
        try:
            return await self._link.run(op)
        except RedisUnavailableError as err:
            raise LedgerUnavailableError("Redis is unreachable") from err


# Record the quote as seen, and the day as posted unless another process has claimed it since.
_RECORD = """
local held = redis.call('GET', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[4])
if held and held ~= ARGV[1] and held ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""
# Keep the day a while longer only if this process still holds it.
_KEEP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# Give the day back only if this process still holds it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _state(value: str | None) -> Claim:
    return "posted" if value is not None and value.startswith("posted:") else "busy"
