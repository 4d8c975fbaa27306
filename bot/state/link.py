"""One Redis connection shared by the state classes: a slow Redis is waited for, a dead one is skipped.

Two kinds of call. A quick one (cache, rate limit, pages, votes) gets a short budget and falls back when
Redis is slow; after one timed out, quick calls skip Redis until the heartbeat gets a reply again, so a
hanging Redis costs a question one budget, not one per call. A patient one (claims: deciding who
answers) waits up to `patience` for a reply and tries a failed connection again, so that Redis decides
while it answers at all: a slow reply is not a dead Redis.

Only failed connections in a row (`trip_after`: refused, reset, Redis gone) mark the link down; then every
caller skips Redis at once and falls back, until the heartbeat gets a reply again. One log line per
outage, not per call.

The heartbeat asks Redis for its run id on a connection of its own every `backoff` seconds, so a Redis
that was restarted (and so forgot everything) is noticed even by an idle process, whose connections
redis-py would quietly reopen. On a Redis Cluster it asks every master, one by one: a master restarted or
replaced (a failover) changes the set of run ids; a master that does not answer fails the heartbeat, so
the link counts as down until the cluster is whole again (as the cluster itself refuses every command,
by default, once it counts a master as failed). Then, after an outage, and after a patient call that got
no reply, the `on_resync` hooks write back what this process holds (its claims) before the link counts as
up again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisClusterException, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from onrecord.bot.state.connect import close, connect, parse_redis_url
from onrecord.bot.state.unreachable import RedisUnavailableError

__all__ = ["RedisLink", "Resync"]

log = logging.getLogger(__name__)
T = TypeVar("T")
Resync = Callable[[Redis], Awaitable[None]]  # writes this process's state back after a lost connection
# What Redis trouble raises (a cluster client's own errors, such as a slot it knows no node for, are no
# RedisError).
_FAILURES = (RedisError, RedisClusterException, OSError)


class RedisLink:
    """A Redis client from a URL (see `bot.state.connect` for the forms), guarded so that no Redis trouble
    ever reaches the caller."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 0.4,
        patience: float = 20.0,
        backoff: float = 0.25,
        trip_after: int = 3,
    ) -> None:
        target = parse_redis_url(url)

        def client() -> Redis:
            return connect(
                target,
                socket_timeout=patience,
                socket_connect_timeout=patience,
                retry=Retry(NoBackoff(), 0),
                decode_responses=True,
            )

        self._client = client()
        self._heart = client()  # a pool of its own: one connection, never queued behind commands
        # Connecting and one command may each take a timeout; never more than that in total.
        self._budget = 2 * timeout
        self._patience = patience
        self._backoff = backoff
        self._trip_after = trip_after
        self._failures = 0  # in a row, over every caller
        self._slow = False  # a quick call timed out: quick calls skip Redis until the next heartbeat
        self._down_since: float | None = None
        self._unsynced = False  # a connection broke: Redis may have restarted empty
        self._run_id: str | None = None  # the server's, as the heartbeat last saw it
        self._resyncs: list[Resync] = []
        self._heartbeat: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def ok(self) -> bool:
        """False from `trip_after` failures in a row until the heartbeat gets a reply again."""
        return self._down_since is None

    def on_resync(self, hook: Resync) -> None:
        """Run `hook` before the link counts as up again after a broken connection."""
        self._resyncs.append(hook)

    async def run(self, op: Callable[[Redis], Awaitable[T]], *, patient: bool = False) -> T:
        """Run `op` against Redis, or raise RedisUnavailableError (at once while the link is down).

        `patient`: wait up to `patience` for a reply, trying again after a failed connection, until Redis
        answers or the link is down. `op` must then be safe to run twice (a reply may have been lost)."""
        self._start_heartbeat()
        if self._slow and not patient:
            raise RedisUnavailableError
        try:
            async with asyncio.timeout(self._patience if patient else self._budget):
                return await self._attempts(op, patient)
        except (TimeoutError, RedisTimeoutError) as exc:
            # Slow, not dead: patient calls go on asking. A patient call's write may still land late
            # or not at all: have the heartbeat write back what this process holds.
            if patient:
                self._unsynced = True
            else:
                self._slow = True
            raise RedisUnavailableError from exc

    async def _attempts(self, op: Callable[[Redis], Awaitable[T]], patient: bool) -> T:
        while True:
            if self._down_since is not None:
                raise RedisUnavailableError
            try:
                result = await op(self._client)
            except RedisTimeoutError:
                raise
            except _FAILURES as exc:
                self._failed(exc)
                if not patient:
                    raise RedisUnavailableError from exc
                await asyncio.sleep(self._backoff)
            else:
                self._failures = 0
                return result

    async def ping(self) -> bool:
        """Whether Redis answers now."""
        try:
            await self.run(lambda client: client.ping())
        except RedisUnavailableError:
            return False
        return True

    def _start_heartbeat(self) -> None:
        if self._heartbeat is None:
            self._heartbeat = asyncio.create_task(self._beat(), name="onrecord-redis-heartbeat")

    def _failed(self, exc: BaseException) -> None:
        """A connection failed (refused, broken) or Redis refused a command."""
        self._failures += 1
        self._unsynced = True
        if self._failures >= self._trip_after and self._down_since is None:
            self._down_since = asyncio.get_running_loop().time()
            log.warning(
                "Redis is unreachable (%s); answering without shared state until it returns",
                type(exc).__name__,
            )

    async def _beat(self) -> None:
        while not self._closed:  # (redis-py may swallow the cancellation of a command under way)
            resync = self._unsynced or self._down_since is not None
            self._unsynced = False  # a connection that breaks from here on sets it again
            try:
                async with asyncio.timeout(self._patience):
                    run_id = await self._ask_run_id()
                    # A restarted (or replaced) server has a new run id, even if no call saw it go.
                    # (Some Redis-compatible servers name no run id: then only outages resync.)
                    if resync or run_id != self._run_id:
                        for hook in self._resyncs:
                            await hook(self._client)
                        self._run_id = run_id
            except (TimeoutError, RedisTimeoutError):
                self._unsynced = self._unsynced or resync  # slow: ask again
            except _FAILURES as exc:
                self._unsynced = self._unsynced or resync
                self._failed(exc)
            except Exception:  # a bug must not stop the heartbeat: the link would never come back
                self._unsynced = self._unsynced or resync
                log.exception("the Redis heartbeat failed; trying again")
            else:
                self._failures = 0
                self._slow = False
                if self._down_since is not None:
                    since, self._down_since = self._down_since, None
                    log.warning(
                        "Redis is reachable again after %.1f s", asyncio.get_running_loop().time() - since
                    )
            await asyncio.sleep(self._backoff)

    async def _ask_run_id(self) -> str | None:
        """The server's run id; on a cluster, every master's (so one that does not answer fails)."""
        if not isinstance(self._heart, RedisCluster):
            return (await self._heart.info("server")).get("run_id")
        await self._heart.initialize()  # (at once when it is: it learns the masters on first use)
        ids = []
        for node in self._heart.get_primaries():
            server = await self._heart.info("server", target_nodes=node)
            ids.append(f"{node.name}={server.get('run_id')}")
        return ",".join(sorted(ids))

    async def aclose(self) -> None:
        """Stop the heartbeat and close every connection."""
        self._closed = True
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
        await close(self._heart)
        await close(self._client)
