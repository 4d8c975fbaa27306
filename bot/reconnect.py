"""Reaching a chat platform at start-up: tried again with growing pauses while it cannot be reached.

A bot started while the network (or the platform) is down waits for it instead of exiting or logging a
traceback every few seconds: one line per failed try with the reason and the next pause, and one line
when it gets through. A refusal (a wrong token) is not retried: the caller turns it into a StartupError.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter

__all__ = ["FIRST_PAUSE", "LONGEST_PAUSE", "until_reachable"]

T = TypeVar("T")

FIRST_PAUSE = 1.0  # seconds; doubled after each failed try
LONGEST_PAUSE = 60.0

log = logging.getLogger(__name__)


async def until_reachable(
    attempt: Callable[[], Awaitable[T]], platform: str, unreachable: Callable[[BaseException], str | None]
) -> T:
    """`await attempt()`, tried until it succeeds or fails for a reason other than `unreachable` (which
    says why the platform cannot be reached, or None for any other failure)."""

    def waiting(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        pause = state.next_action.sleep if state.next_action is not None else 0.0
        reason = unreachable(error) if error is not None else None
        log.warning("cannot reach %s (%s); trying again in %.0f s", platform, reason, pause)

    retrying = AsyncRetrying(
        retry=retry_if_exception(lambda err: unreachable(err) is not None),
        wait=wait_exponential_jitter(multiplier=FIRST_PAUSE, max=LONGEST_PAUSE, jitter=FIRST_PAUSE),
        before_sleep=waiting,
        reraise=True,
    )
    async for trying in retrying:
        with trying:
            result = await attempt()
    if retrying.statistics.get("attempt_number", 1) > 1:
        log.info("reached %s after %d tries", platform, retrying.statistics["attempt_number"])
    return result
