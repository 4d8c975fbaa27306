"""What bot replicas share, in Redis, with an in-process twin for a single process.

Key scheme (``{ns}`` is the namespace, ``onrecord`` unless configured; ``{{…}}`` marks a literal Redis
Cluster hash tag so that keys used together by one script share a slot):

==============================================  ========  ==========================================
key                                             type      meaning, lifetime
==============================================  ========  ==========================================
``{ns}:answer:{answer_id}``                       hash      an answer's full results (JSON) and the TTL
                                                          it was written with: the answer cache (read
                                                          while younger than the cache TTL) and the
                                                          pages of "more" (7 days, or the cache TTL
                                                          if longer). The answer id hashes the index
                                                          version with the question, so a rebuilt
                                                          index never reads old answers.
``{ns}:claim:{event_id}``                         string    event claimed by one process: 45 s while
                                                          it answers, 900 s once answered
``{ns}:rate:{{user}}:hits``                       zset      accepted questions by server time (ms);
                                                          one window (60 s)
``{ns}:rate:{{user}}:notified``                   string    the limited user was told once; one window
``{ns}:feedback:{{answer_id}}:votes``             hash      ``answer:{user}`` -> ``up`` | ``down``; 180
                                                          days from the answer's last vote
``{ns}:daily:{{{platform}:{channel}}}:{date}``    string    the day's daily quote: posting / posted
``{ns}:daily-seen:{{{platform}:{channel}}}``      set       daily quotes posted there (this cycle)
``{ns}:questions:{date}``                         hash      ``[platform, outcome, question]`` -> count;
                                                          the question log's retention from the last
                                                          write (`bot.state.questions`)
``{ns}:questions:answer:{answer_id}``             string    ``[platform, question]`` of an answer, for
                                                          its votes; the question log's retention
``{ns}:lease:feed-sync:{round}``                  string    the replica that took this feed-sync round;
                                                          ONRECORD_FEEDS_EVERY (`bot.state.lease`)
``{ns}:lease:feed-sync``                          string    the replica whose feed sync is running;
                                                          a minute, renewed while it runs
==============================================  ========  ==========================================

Each store is one contract (`AnswerStore`, `EventClaims`, `RateLimiter`, `Votes`, `DailyLedger`, the
question log's `QuestionCounts`) with a Redis and an in-process implementation, which keep the same TTLs;
`State` picks one set when it is opened. Nothing here raises because of Redis: while it is slow, answers
are not read from it and rate limits use this process's implementation, but claims wait for it; while it
is down (refused several times in a row) claims too are decided in process, and answers and votes are kept
in process; only the daily quote's ledger waits for Redis instead (see `bot.state.daily`). Claims taken
while Redis was down are written to Redis when it returns (see `bot.state.claims`).
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import TYPE_CHECKING, Literal

from onrecord.bot.state.answers import PAGES_TTL, AnswerStore, LocalAnswers, RedisAnswers
from onrecord.bot.state.claims import EventClaims, LocalClaims, RedisClaims
from onrecord.bot.state.daily import DailyLedger, LedgerUnavailableError, LocalDailyLedger, RedisDailyLedger
from onrecord.bot.state.lease import Lease, LocalLease, RedisLease
from onrecord.bot.state.questions import LocalQuestionCounts, QuestionLog, QuestionStats, RedisQuestionCounts
from onrecord.bot.state.ratelimit import LocalRateLimiter, RateDecision, RateLimiter, RedisRateLimiter
from onrecord.bot.state.votes import LocalVotes, RedisVotes, Vote, Votes

if TYPE_CHECKING:
    from onrecord.bot.state.link import RedisLink

__all__ = [
    "PAGES_TTL",
    "AnswerStore",
    "DailyLedger",
    "EventClaims",
    "LedgerUnavailableError",
    "QuestionLog",
    "QuestionStats",
    "RateDecision",
    "RateLimiter",
    "RedisStatus",
    "State",
    "Vote",
    "Votes",
    "open_state",
]

log = logging.getLogger(__name__)
RedisStatus = Literal["ok", "degraded", "disabled"]


class State:
    """Every shared-state store, each one contract with two implementations: over one Redis link, or in
    this process when `link` is None (chosen here, once). The Redis ones fall back to an in-process one
    while Redis is down, as the module's docstring says."""

    answers: AnswerStore
    claims: EventClaims
    limiter: RateLimiter
    votes: Votes
    daily: DailyLedger
    questions: QuestionLog
    feed_sync: Lease

    def __init__(
        self,
        link: RedisLink | None,
        *,
        rate_limit: int = 10,
        namespace: str = "onrecord",
        question_log_days: int = 30,
    ) -> None:
        self._link = link
        retention = question_log_days * 86400
        if link is None:
            self.answers = LocalAnswers()
            self.claims = LocalClaims(namespace)
            self.limiter = LocalRateLimiter(rate_limit)
            self.votes = LocalVotes()
            self.daily = LocalDailyLedger(namespace)
            self.questions = QuestionLog(LocalQuestionCounts(retention), namespace, retention=retention)
            self.feed_sync = LocalLease()
        else:
            self.answers = RedisAnswers(link, namespace, fallback=LocalAnswers())
            self.claims = RedisClaims(link, namespace)
            self.limiter = RedisRateLimiter(
                link, rate_limit, namespace, fallback=LocalRateLimiter(rate_limit)
            )
            self.votes = RedisVotes(link, namespace, fallback=LocalVotes())
            self.daily = RedisDailyLedger(link, namespace)
            self.questions = QuestionLog(RedisQuestionCounts(link), namespace, retention=retention)
            self.feed_sync = RedisLease(link, "feed-sync", namespace)

    @property
    def redis_status(self) -> RedisStatus:
        if self._link is None:
            return "disabled"
        return "ok" if self._link.ok else "degraded"

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
    from onrecord.bot.state.link import RedisLink  # (here: in-process state never loads the Redis client)

    link = RedisLink(redis_url, timeout=timeout, patience=patience, backoff=backoff)
    return State(link, rate_limit=rate_limit, namespace=namespace, question_log_days=question_log_days)
