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
from collections import Counter
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

from bot.state.link import RedisLink, RedisUnavailableError, text
from bot.state.memory import ExpiringStore

__all__ = ["QuestionLog", "QuestionStats"]

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


class QuestionLog:
    """Outcomes counted per day in Redis (or in process without it); `retention` seconds, 0: nothing kept.

    Recording never raises and, with Redis slow or down, is skipped (a quick call, as the cache); the
    `…_soon` methods record in a task of their own, so that an answer never waits for it."""

    def __init__(self, link: RedisLink | None, namespace: str = "onrecord", *, retention: int = 30 * 86400):
        self._link = link
        self._namespace = namespace
        self._retention = retention
        self._local: ExpiringStore[Counter[str]] = ExpiringStore(max_entries=400)
        self._local_answers: ExpiringStore[str] = ExpiringStore(max_entries=10_000)
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
        named = json.dumps([platform, question]) if answer_id else None
        await self._count(json.dumps([platform, outcome, question]), named, answer_id)

    async def vote(self, answer_id: str, vote: str) -> None:
        """Count a 👍/👎 with the question of `answer_id`, when it was recorded (and not forgotten)."""
        if self._retention <= 0:
            return
        key = self._answer_key(answer_id)
        named: str | None
        if self._link is None:
            named = self._local_answers.get(key)
        else:

            async def op(client: Redis) -> str | None:
                return text(await client.get(key))

            try:
                named = await self._link.run(op)
            except RedisUnavailableError:
                return
        try:
            platform, question = json.loads(named or "")
        except (ValueError, TypeError):
            return  # not recorded, forgotten, or not ours
        await self._count(json.dumps([platform, vote, question]), None, "")

    async def _count(self, field: str, named: str | None, answer_id: str) -> None:
        day_key = self.day_key(_today())
        if self._link is None:
            counts = self._local.get(day_key) or Counter()
            counts[field] += 1
            self._local.set(day_key, counts, self._retention)  # as EXPIRE: from the last write
            if named is not None:
                self._local_answers.set(self._answer_key(answer_id), named, self._retention)
            return

        async def op(client: Redis) -> None:
            pipe = client.pipeline(transaction=False)
            pipe.hincrby(day_key, field, 1)
            pipe.expire(day_key, self._retention)
            if named is not None:
                pipe.set(self._answer_key(answer_id), named, ex=self._retention)
            await pipe.execute()

        with contextlib.suppress(RedisUnavailableError):  # not counted: an answer is never held up
            await self._link.run(op)

    async def report(self, days: int) -> dict[str, list[QuestionStats]]:
        """Each platform's questions of the last `days` UTC days (today included), most asked first.

        Reads Redis patiently; raises RedisUnavailableError when it does not answer."""
        today = _today()
        keys = [self.day_key(today - datetime.timedelta(days=back)) for back in range(days)]
        if self._link is None:
            found: Counter[str] = Counter()
            for key in keys:
                found.update(self._local.get(key) or {})
            return _tally(found.items())

        async def op(client: Redis) -> list[tuple[str, int]]:
            rows: list[tuple[str, int]] = []
            for key in keys:
                async for field, count in client.hscan_iter(key):
                    rows.append((str(text(field)), int(count)))
            return rows

        return _tally(await self._link.run(op, patient=True))


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
