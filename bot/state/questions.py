"""The question log: what was asked on each platform and how it went, for `onrecord report`.

One hash per UTC day, ``{ns}:questions:{date}``, counts ``[platform, outcome, question]`` (as JSON); each
write sets its EXPIRE to the retention, so Redis itself forgets a day once no write has touched it for
that long. ``outcome`` is the answer's status (``ok``, ``no_match``, ``empty``, ``too_long``,
``rate_limited``, ``error``) or a vote (``up``, ``down``). ``{ns}:questions:answer:{answer_id}`` names
the platform and question of an answer, so that a vote on it is counted with its question. No user ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import logging
import time
from collections import Counter
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Protocol

from onrecord.bot.state.memory import Clock, ExpiringStore
from onrecord.bot.state.unreachable import RedisUnavailableError, text

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from onrecord.bot.state.link import RedisLink

__all__ = ["LocalQuestionCounts", "QuestionCounts", "QuestionLog", "QuestionStats", "RedisQuestionCounts"]

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 300  # a question longer than this is kept cut (a too-long one may be pages)


@dataclass(frozen=True, slots=True)
class QuestionStats:
    """One question's outcomes on one platform over the report's days."""

    question: str
    asked: int = 0
    answered: int = 0
    no_match: int = 0
    refused: int = 0  # empty, too long or rate limited
    up: int = 0
    down: int = 0

    def to_dict(self) -> dict[str, int | str]:
        return asdict(self)


_FIELD_OF_OUTCOME = {
    "ok": "answered",
    "no_match": "no_match",
    "empty": "refused",
    "too_long": "refused",
    "unknown_filter": "refused",
    "rate_limited": "refused",
    "up": "up",
    "down": "down",
}


class QuestionCounts(Protocol):
    """Where the question log counts: hashes of counts and strings, each kept from its last write."""

    async def count(self, key: str, field: str, ttl: int, named: tuple[str, str] | None) -> None:
        """Add one to `field` of the hash `key`, and set the string `named` (key, value) if given; keep
        both `ttl` seconds. Skipped (never raises) while the store is slow or down."""

    async def named(self, key: str) -> str | None:
        """A string set by `count`; None when unknown, or while the store is slow or down."""

    async def rows(self, keys: Iterable[str]) -> list[tuple[str, int]]:
        """Every (field, count) of the hashes `keys`, waited for; RedisUnavailableError when it is down."""


class LocalQuestionCounts:
    """The counts of the one process there is (no `REDIS_URL`), in its memory: a day's counts for the
    whole retention, as in Redis; but, unlike Redis, the questions of only the last `MAX_NAMED` answers,
    so a vote on an older answer is not counted (memory bounded however many questions come)."""

    MAX_NAMED = 10_000

    def __init__(self, retention: int, *, clock: Clock = time.monotonic) -> None:
        days = retention // 86400 + 2  # UTC days a retention touches, today and a part day included
        self._days: ExpiringStore[Counter[str]] = ExpiringStore(max_entries=days, clock=clock)
        self._named: ExpiringStore[str] = ExpiringStore(max_entries=self.MAX_NAMED, clock=clock)

    async def count(self, key: str, field: str, ttl: int, named: tuple[str, str] | None) -> None:
        counts = self._days.get(key) or Counter()
        counts[field] += 1
        self._days.set(key, counts, ttl)
        if named is not None:
            self._named.set(*named, ttl)

    async def named(self, key: str) -> str | None:
        return self._named.get(key)

    async def rows(self, keys: Iterable[str]) -> list[tuple[str, int]]:
        return [row for key in keys for row in (self._days.get(key) or Counter()).items()]


class RedisQuestionCounts:
    def __init__(self, link: RedisLink) -> None:
        self._link = link

    async def count(self, key: str, field: str, ttl: int, named: tuple[str, str] | None) -> None:
        async def op(client: Redis) -> None:
            pipe = client.pipeline(transaction=False)
            pipe.hincrby(key, field, 1)
            pipe.expire(key, ttl)
            if named is not None:
                pipe.set(*named, ex=ttl)
            await pipe.execute()

        with contextlib.suppress(RedisUnavailableError):  # not counted: an answer is never held up
            await self._link.run(op)

    async def named(self, key: str) -> str | None:
        async def op(client: Redis) -> str | None:
            return text(await client.get(key))

        try:
            return await self._link.run(op)
        except RedisUnavailableError:
            return None

    async def rows(self, keys: Iterable[str]) -> list[tuple[str, int]]:
        async def op(client: Redis) -> list[tuple[str, int]]:
            rows: list[tuple[str, int]] = []
            for key in keys:
                async for field, count in client.hscan_iter(key):
                    rows.append((str(text(field)), int(count)))
            return rows

        return await self._link.run(op, patient=True)


class QuestionLog:
    """Outcomes counted per day in `counts` (Redis, or this process); `retention` seconds, 0: nothing kept.

    Recording never raises and, with Redis slow or down, is skipped (a quick call, as the cache); the
    `…_soon` methods record in a task of their own, so that an answer never waits for it."""

    def __init__(self, counts: QuestionCounts, namespace: str = "onrecord", *, retention: int = 30 * 86400):
        self._counts = counts
        self._namespace = namespace
        self._retention = retention
        self._pending: set[asyncio.Task[None]] = set()

    def day_key(self, day: datetime.date) -> str:
        return f"{self._namespace}:questions:{day.isoformat()}"

    def _answer_key(self, answer_id: str) -> str:
        return f"{self._namespace}:questions:answer:{answer_id}"

    def record_soon(self, platform: str, question: str, outcome: str, answer_id: str = "") -> None:
        if self._retention > 0:
            self._spawn(self.record(platform, question, outcome, answer_id))

    def vote_soon(self, answer_id: str, vote: str) -> None:
        if self._retention > 0:
            self._spawn(self.vote(answer_id, vote))

    async def settle(self) -> None:
        """Wait for the records under way (before the link closes)."""
        await asyncio.gather(*self._pending)

    def _spawn(self, work: Coroutine[None, None, None]) -> None:
        async def guarded() -> None:
            try:
                await work
            except Exception:  # a bug of ours: the log loses a count, nothing else
                log.exception("could not log a question")

        task = asyncio.create_task(guarded(), name="onrecord-question-log")
        self._pending.add(task)  # a strong reference until it is done
        task.add_done_callback(self._pending.discard)

    async def record(self, platform: str, question: str, outcome: str, answer_id: str = "") -> None:
        """Count one question's outcome; an answer id lets later votes on it be counted too."""
        if self._retention <= 0:
            return
        question = question[:MAX_QUESTION_CHARS]
        named = (self._answer_key(answer_id), json.dumps([platform, question])) if answer_id else None
        await self._counts.count(
            self.day_key(_today()), json.dumps([platform, outcome, question]), self._retention, named
        )

    async def vote(self, answer_id: str, vote: str) -> None:
        """Count a 👍/👎 with the question of `answer_id`, when it was recorded (and not forgotten)."""
        if self._retention <= 0:
            return
        try:
            platform, question = json.loads(await self._counts.named(self._answer_key(answer_id)) or "")
        except (ValueError, TypeError):
            return  # not recorded, forgotten, or not ours
        await self._counts.count(
            self.day_key(_today()), json.dumps([platform, vote, question]), self._retention, None
        )

    async def report(self, days: int) -> dict[str, list[QuestionStats]]:
        """Each platform's questions of the last `days` UTC days (today included), most asked first.

        Reads Redis patiently; raises RedisUnavailableError when it does not answer."""
        today = _today()
        keys = [self.day_key(today - datetime.timedelta(days=back)) for back in range(days)]
        return _tally(await self._counts.rows(keys))


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def _tally(rows: Iterable[tuple[str, int]]) -> dict[str, list[QuestionStats]]:
    counts: dict[tuple[str, str], Counter[str]] = {}
    for field, count in rows:
        try:
            platform, outcome, question = json.loads(field)
        except (ValueError, TypeError):
            continue  # not one of ours
        tally = counts.setdefault((str(platform), str(question)), Counter())
        tally[_FIELD_OF_OUTCOME.get(str(outcome), "error")] += count
        if outcome not in ("up", "down"):
            tally["asked"] += count
    by_platform: dict[str, list[QuestionStats]] = {}
    for (platform, question), tally in counts.items():
        by_platform.setdefault(platform, []).append(_stats(question, tally))
    for stats in by_platform.values():
        stats.sort(key=lambda s: (-s.asked, s.question))
    return dict(sorted(by_platform.items()))


def _stats(question: str, tally: Mapping[str, int]) -> QuestionStats:
    return QuestionStats(
        question=question,
        asked=tally.get("asked", 0),
        answered=tally.get("answered", 0),
        no_match=tally.get("no_match", 0),
        refused=tally.get("refused", 0),
        up=tally.get("up", 0),
        down=tally.get("down", 0),
    )
