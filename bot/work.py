"""Answers under way in one bot process: each claimed once across replicas (and the claim kept while
the answer takes long: retries, rate-limit waits), failures apologised for, and all of them counted so
that a shutdown can wait for them.

An answer whose post may have been made (`UnconfirmedPostError`) keeps its claim as answered (a retry
of the event would post it a second time), and is apologised for (in words of its own where given: the
answer may well show): the person may have seen nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from onrecord.bot.state import EventClaims
from onrecord.bot.state.claims import WORKING_TTL

__all__ = ["DRAIN_SECONDS", "Apology", "PlatformFailure", "UnconfirmedPostError", "Work"]

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0  # on shutdown, answers under way get this long to be sent
Apology = Callable[[], Awaitable[object]]  # sends the short apology where the person will see it
# Why a platform call failed when it is the platform's trouble (5xx, rate limits, lost connections,
# timeouts, after the client's retries); None for anything else (a bug: logged with its traceback).
PlatformFailure = Callable[[BaseException], str | None]


class UnconfirmedPostError(Exception):
    """A post was sent but its outcome is unknown: the platform may have made it. It is not posted
    again (a missing message is better than two)."""


def _no_platform_failure(err: BaseException) -> str | None:
    return None


class Work:
    def __init__(
        self,
        claims: EventClaims,
        platform_failure: PlatformFailure = _no_platform_failure,
        *,
        ttl: int = WORKING_TTL,
    ) -> None:
        """`ttl`: seconds a claim lasts unless renewed (every third of it while the answer is under way),
        so a process that dies mid-answer frees the event that soon."""
        self._claims = claims
        self._platform_failure = platform_failure
        self._ttl = ttl
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def claimed(
        self, key: str, apologise: Apology, unconfirmed: Apology | None = None
    ) -> AsyncIterator[bool]:
        """Whether this process owns the event `key`. While the block runs the claim is renewed, so a
        slow answer is never taken over by another process. A failure inside is logged, apologised for,
        and releases the claim (so a retry of the event is answered); it does not propagate. A post that
        may have been made keeps the claim and gets `unconfirmed` (else `apologise`)."""
        async with self.guarded(apologise, key):
            if not await self._claims.claim(key, self._ttl):
                yield False
                return
            renewing = asyncio.create_task(self._renew(key), name=f"onrecord-renew-{key}")
            try:
                yield True
            except UnconfirmedPostError as err:
                log.warning("%s may have been answered, and is not answered again: %s", key, err)
                await self._apologise(unconfirmed or apologise)
            except BaseException:
                renewing.cancel()
                await self._claims.release(key)
                raise
            finally:
                renewing.cancel()
            await self._claims.done(key)

    async def _renew(self, key: str) -> None:
        while True:
            await asyncio.sleep(self._ttl / 3)
            try:
                kept = await self._claims.extend(key, self._ttl)
            except Exception as err:  # the answer goes on; the next renewal may get through
                log.warning("could not renew the claim of %s (%s)", key, err)
                continue
            if not kept:
                log.warning("the claim of %s was lost while answering it (it expired in Redis)", key)
                return

    @contextlib.asynccontextmanager
    async def guarded(self, apologise: Apology, what: str = "a click") -> AsyncIterator[None]:
        """Counted work whose failure is logged and apologised for, not raised into the chat library."""
        self._busy += 1
        self._idle.clear()
        try:
            yield
        except Exception as err:
            self._log_failure(f"could not answer {what}", err)
            await self._apologise(apologise)
        finally:
            self._busy -= 1
            if self._busy == 0:
                self._idle.set()

    async def _apologise(self, apologise: Apology) -> None:
        try:
            await apologise()
        except Exception as again:
            self._log_failure("could not send the apology either", again)

    def _log_failure(self, what: str, err: Exception) -> None:
        """One line when the platform failed (nothing to debug here), the traceback otherwise."""
        reason = str(err) if isinstance(err, UnconfirmedPostError) else self._platform_failure(err)
        if reason is None:
            log.error("%s", what, exc_info=err)
        else:
            log.warning("%s: %s", what, reason)

    async def drain(self) -> None:
        """Return once nothing is under way (before shutting down)."""
        await self._idle.wait()
