"""Answers under way in one bot process: each claimed once across replicas, failures apologised for,
and all of them counted so that a shutdown can wait for them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from bot.state import EventClaims
from bot.state.claims import WORKING_TTL

__all__ = ["DRAIN_SECONDS", "Apology", "Work"]

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0  # on shutdown, answers under way get this long to be sent
Apology = Callable[[], Awaitable[object]]  # sends the short apology where the person will see it


class Work:
    def __init__(self, claims: EventClaims) -> None:
        self._claims = claims
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def claimed(self, key: str, apologise: Apology) -> AsyncIterator[bool]:
        """Whether this process owns the event `key`. A failure inside is logged, apologised for, and
        releases the claim (so a retry of the event is answered); it does not propagate."""
        async with self.guarded(apologise, key):
            if not await self._claims.claim(key, WORKING_TTL):
                yield False
                return
            try:
                yield True
            except Exception:
                await self._claims.release(key)
                raise
            await self._claims.done(key)

    @contextlib.asynccontextmanager
    async def guarded(self, apologise: Apology, what: str = "a click") -> AsyncIterator[None]:
        """Counted work whose failure is logged and apologised for, not raised into the chat library."""
        self._busy += 1
        self._idle.clear()
        try:
            yield
        except Exception:
            log.exception("could not answer %s", what)
            try:
                await apologise()
            except Exception:
                log.warning("could not send the apology either", exc_info=True)
        finally:
            self._busy -= 1
            if self._busy == 0:
                self._idle.set()

    async def drain(self) -> None:
        """Return once nothing is under way (before shutting down)."""
        await self._idle.wait()
