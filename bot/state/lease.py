"""A lease on a periodic chore (the feed sync): one process takes each round of it, and one at a time
does it.

Keys: ``{ns}:lease:{name}:{turn}`` (string) for a round, taken once (the first process to ask holds it
until it expires); ``{ns}:lease:{name}`` (string) while the chore runs, the holder's id, expiring `ttl`
seconds after it was taken or last kept, given back when done. Without Redis the process is alone: it
takes every round, and one at a time does the chore, as with Redis.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Protocol

from onrecord.bot.state.memory import ExpiringStore

if TYPE_CHECKING:
    from onrecord.bot.state.link import RedisLink

__all__ = ["Lease", "LocalLease", "RedisLease"]


class Lease(Protocol):
    async def take(self, ttl: float, turn: str | None = None) -> bool:
        """Whether this process holds the lease (or only `turn` of it, e.g. a round) now, for `ttl`
        seconds; raises `RedisUnavailableError` when Redis cannot say."""
        ...

    async def keep(self, ttl: float) -> bool:
        """Hold the lease `ttl` seconds from now, if this process still holds it."""
        ...

    async def release(self) -> None:
        """Give the lease back, if this process holds it."""
        ...


class LocalLease:
    """Without Redis the process is alone: each round is its own, but a chore still running holds the
    lease (the start-up round and the first scheduled one must not overlap)."""

    _RUNNING = "running"

    def __init__(self, store: ExpiringStore[bool] | None = None) -> None:
        self._held = store if store is not None else ExpiringStore(max_entries=16)

    async def take(self, ttl: float, turn: str | None = None) -> bool:
        return turn is not None or self._held.add(self._RUNNING, True, ttl)

    async def keep(self, ttl: float) -> bool:
        if self._held.get(self._RUNNING) is None:
            return False
        self._held.set(self._RUNNING, True, ttl)
        return True

    async def release(self) -> None:
        self._held.discard(self._RUNNING)


class RedisLease:
    def __init__(self, link: RedisLink, name: str, namespace: str = "onrecord") -> None:
        self._link = link
        self._key = f"{namespace}:lease:{name}"
        self._owner = secrets.token_hex(8)

    async def take(self, ttl: float, turn: str | None = None) -> bool:
        key = self._key if turn is None else f"{self._key}:{turn}"
        ms = max(1, round(ttl * 1000))
        return bool(await self._link.run(lambda c: c.set(key, self._owner, nx=True, px=ms)))

    async def keep(self, ttl: float) -> bool:
        ms = str(max(1, round(ttl * 1000)))
        return bool(await self._link.run(lambda c: c.eval(_KEEP, 1, self._key, self._owner, ms)))

    async def release(self) -> None:
        await self._link.run(lambda c: c.eval(_RELEASE, 1, self._key, self._owner))


_KEEP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
