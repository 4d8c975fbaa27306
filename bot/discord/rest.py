"""Discord REST calls with a timeout, and retried (tenacity) when Discord is briefly unwell.

discord.py waits out 429s itself (up to `MAX_RATELIMIT_WAIT`) and retries 500/502/504 a few times,
but raises at once on 503, after its fifth 5xx, and on a lost connection. `rest()` retries those few
more times with backoff; a call that times out is not retried (Discord may have carried it out) unless
it is `repeatable` (an edit).
Each try is given up after `CALL_TIMEOUT`; the claim guarding the work is renewed meanwhile.

A 5xx or a lost connection can come after Discord made the message, and Discord returns the message made
with a nonce in the last few minutes instead of making it again (`enforce_nonce`, which discord.py sets
with every nonce). discord.py gives each `send` a random nonce, which covers its own retries but not a
second `send`: every channel message the bot sends carries a `nonce` naming what it is, so `rest()`'s
retries, and the daily posting's within those minutes, do not post twice. Interaction follow-ups go
through webhooks, which take no nonce, so the answers avoid them (`bot.discord.answerer`): a command's
answer edits its deferred response (a PATCH, safe to repeat) and the next page is a channel message
with a nonce. Follow-ups remain for what only the clicker sees (a notice, an apology), and for a page
where the bot may not post: those can still show twice after a lost answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
import discord
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

__all__ = ["CALL_TIMEOUT", "MAX_RATELIMIT_WAIT", "platform_failure", "rest"]

T = TypeVar("T")

CALL_TIMEOUT = 40.0  # one discord.py call: its own 500 retries (1+3+5+7+9 s) or a rate-limit wait included
MAX_RATELIMIT_WAIT = (
    30.0  # (discord.py's least) a longer Retry-After raises discord.RateLimited, retried here
)
TRIES = 4
_CONNECTION_ERRORS = (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)
_TRANSIENT = (discord.DiscordServerError, discord.RateLimited, *_CONNECTION_ERRORS)


def _transient(err: BaseException) -> bool:
    return isinstance(err, _TRANSIENT)


def _transient_or_late(err: BaseException) -> bool:
    return _transient(err) or isinstance(err, TimeoutError)


async def rest(call: Callable[[], Awaitable[T]], *, repeatable: bool = False) -> T:
    """`await call()`, tried up to `TRIES` times while Discord answers 5xx, rate-limits for long, or
    cannot be reached; each try within `CALL_TIMEOUT`. A call that is `repeatable` (an edit: the same
    however often Discord carries it out) is tried again after a timeout too."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(_transient_or_late if repeatable else _transient),
        stop=stop_after_attempt(TRIES),
        wait=wait_exponential_jitter(multiplier=0.5, max=8),
        reraise=True,
    ):
        with attempt:
            async with asyncio.timeout(CALL_TIMEOUT):
                return await call()
    raise AssertionError("unreachable: tenacity re-raises the last failure")


def platform_failure(err: BaseException) -> str | None:
    """Why a call failed when Discord (or the way to it) is at fault, after the retries; else None."""
    if isinstance(err, discord.DiscordServerError):
        return f"Discord answered HTTP {err.status} (retries used up)"
    if isinstance(err, discord.RateLimited):
        return f"Discord asked to wait {err.retry_after:.0f} s (retries used up)"
    if isinstance(err, TimeoutError):
        return f"Discord did not answer within {CALL_TIMEOUT:g} s"
    if isinstance(err, _CONNECTION_ERRORS):
        return f"Discord could not be reached ({type(err).__name__}: {err})"
    return None
