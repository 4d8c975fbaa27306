"""What bot replicas share, in Redis, with an in-process twin for a single process.

Key scheme (``{ns}`` is the namespace, ``onrecord`` unless configured; ``{{…}}`` marks a literal Redis
Cluster hash tag so that keys used together by one script share a slot):

==============================================  ========  ==========================================
key                                             type      meaning, lifetime
==============================================  ========  ==========================================
``{ns}:answer:{index_version}:{sha256(q)[:32]}``  string    cached answer payload (JSON); cache TTL.
                                                          A rebuilt index has a new version, so its
                                                          old entries are unreachable and expire.
``{ns}:claim:{event_id}``                         string    event claimed by one process: 45 s while
                                                          it answers, 900 s once answered
``{ns}:rate:{{user}}:hits``                       zset      accepted questions by server time (ms);
                                                          one window (60 s)
``{ns}:rate:{{user}}:notified``                   string    the limited user was told once; one window
``{ns}:page:{answer_id}``                         string    an answer's full results for "more"; 7 days
``{ns}:feedback:{{answer_id}}:votes``             hash      ``target:user`` -> ``up`` | ``down``; 180 days
``{ns}:feedback:{{answer_id}}:counts``            hash      ``target:up`` / ``target:down`` -> count
``{ns}:daily:{{{platform}:{channel}}}:{date}``    string    the day's daily quote: posting / posted
``{ns}:daily-seen:{{{platform}:{channel}}}``      set       daily quotes posted there (this cycle)
``{ns}:questions:{date}``                         hash      ``[platform, outcome, question]`` -> count;
                                                          the question log's retention from the last
                                                          write (`bot.state.questions`)
``{ns}:questions:answer:{answer_id}``             string    ``[platform, question]`` of an answer, for
                                                          its votes; the question log's retention
``{ns}:lease:feed-sync``                          string    the replica syncing the feeds this round;
                                                          most of ONRECORD_FEEDS_EVERY (`bot.state.lease`)
==============================================  ========  ==========================================

``target`` is ``answer`` or a passage id. Nothing here raises because of Redis: while it is slow the
cache misses and rate limits use this process's twin, but claims wait for it; while it is down (refused
several times in a row) claims too use this process's twin, and pages and votes are kept in process; only
the daily quote's ledger waits for Redis instead (see `bot.state.daily`). Claims taken while Redis was
down are written to Redis when it returns (see `bot.state.claims`).
"""

from __future__ import annotations

import logging
from types import TracebackType

from bot.state.cache import AnswerCache
from bot.state.claims import EventClaims
from bot.state.daily import DailyLedger, LedgerUnavailableError
from bot.state.feedback import Feedback, FeedbackCounts, Tally, Vote
from bot.state.lease import Lease
from bot.state.link import RedisLink, RedisStatus
from bot.state.pages import AnswerPages
from bot.state.questions import QuestionLog, QuestionStats
from bot.state.ratelimit import RateDecision, RateLimiter

__all__ = [
    "AnswerCache",
    "AnswerPages",
    "DailyLedger",
    "EventClaims",
    "Feedback",
    "FeedbackCounts",
    "LedgerUnavailableError",
    "QuestionLog",
    "QuestionStats",
    "RateDecision",
    "RateLimiter",
    "RedisStatus",
    "State",
    "Tally",
    "Vote",
    "open_state",
]

log = logging.getLogger(__name__)


class State:
    """Every shared-state concern over one Redis link, or in process when `link` is None."""

    def __init__(
        self,
        link: RedisLink | None,
        *,
        rate_limit: int = 10,
        namespace: str = "onrecord",
        question_log_days: int = 30,
    ) -> None:
        self._link = link
        self.cache = AnswerCache(link, namespace)
        self.claims = EventClaims(link, namespace)
        self.limiter = RateLimiter(link, rate_limit, namespace=namespace)
        self.pages = AnswerPages(link, namespace)
        self.feedback = Feedback(link, namespace)
        self.daily = DailyLedger(link, namespace)
        self.feed_sync = Lease(link, "feed-sync", namespace)
        self.questions = QuestionLog(link, namespace, retention=question_log_days * 86400)

    @property
    def redis_status(self) -> RedisStatus:
        if self._link is None:
            return "disabled"
        return "ok" if self._link.ok else "degraded"

    @property
    def redis_ok(self) -> bool:
        return self._link is not None and self._link.ok

    async def ping(self) -> bool:
        """Whether Redis answers now; False in single-process mode."""
        return self._link is not None and await self._link.ping()

    async def aclose(self) -> None:
        await self.questions.settle()
        if self._link is not None:
            await self._link.aclose()

    async def __aenter__(self) -> State:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def open_state(
    redis_url: str | None,
    *,
    rate_limit: int = 10,
    namespace: str = "onrecord",
    timeout: float = 0.4,
    patience: float = 20.0,
    backoff: float = 0.25,
    question_log_days: int = 30,
) -> State:
    """Shared state over Redis at `redis_url` (one server, a cluster or Sentinel: see
    `bot.state.connect`), or in process (logged once) when it is None.

    `timeout` bounds quick calls, `patience` claims, `backoff` is the heartbeat's period (see
    `bot.state.link`); `question_log_days` is the question log's retention (0: nothing kept)."""
    if redis_url is None:
        log.info("REDIS_URL is not set: state is kept in this process only (single-process mode)")
        return State(None, rate_limit=rate_limit, namespace=namespace, question_log_days=question_log_days)
    link = RedisLink(redis_url, timeout=timeout, patience=patience, backoff=backoff)
    return State(link, rate_limit=rate_limit, namespace=namespace, question_log_days=question_log_days)
