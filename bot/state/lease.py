"""A lease on a periodic chore (the feed sync): one process at a time does it, and no other starts it
again within its period.

Key: ``{ns}:lease:{name}`` (string): the holder's id, expiring `ttl` seconds after it was taken or last
kept. The holder keeps it while working, then lets it run out: the next round begins a period later,
in whichever process asks first. Without Redis the process is alone, and every take succeeds.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from onrecord.bot.state.link import RedisLink

__all__ = ["Lease", "LocalLease", "RedisLease"]


class Lease(Protocol):
    async def take(self, ttl: float) -> bool:
        """Whether this process holds the lease now (for `ttl` seconds); raises `RedisUnavailableError`
        when Redis cannot say."""
        ...

    async def keep(self, ttl: float) -> bool:
        """Hold the lease `ttl` seconds from now, if this process still holds it."""
        ...


class LocalLease:
    """Without Redis the process is alone: it always holds the lease."""

    async def take(self, ttl: float) -> bool:
        return True

    async def keep(self, ttl: float) -> bool:
        return True


class RedisLease:
    def __init__(self, link: RedisLink, name: str, namespace: str = "onrecord") -> None:
        self._link = link
        self._key = f"{namespace}:lease:{name}"
        self._owner = secrets.token_hex(8)

    async def take(self, ttl: float) -> bool:
        ms = max(1, round(ttl * 1000))
        return bool(await self._link.run(lambda c: c.set(self._key, self._owner, nx=True, px=ms)))

    async def keep(self, ttl: float) -> bool:
        ms = str(max(1, round(ttl * 1000)))
        return bool(await self._link.run(lambda c: c.eval(_KEEP, 1, self._key, self._owner, ms)))


_KEEP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
