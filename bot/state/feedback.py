"""Feedback: 👍/👎 on an answer and on each of its passages, one vote per user per target."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from redis.asyncio import Redis

from bot.state.link import RedisLink, RedisUnavailableError, text

__all__ = ["FEEDBACK_TTL", "Feedback", "FeedbackCounts", "Tally", "Vote"]

Vote = Literal["up", "down"]
FEEDBACK_TTL = 180 * 24 * 3600
_ANSWER = "answer"  # the target name of a vote on the whole answer

# KEYS: votes hash ("target:user" -> vote), counts hash ("target:vote" -> n). ARGV: field, target, vote, ttl.
_SCRIPT = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old == ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if old then redis.call('HINCRBY', KEYS[2], ARGV[2] .. ':' .. old, -1) end
redis.call('HINCRBY', KEYS[2], ARGV[2] .. ':' .. ARGV[3], 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""


@dataclass(frozen=True, slots=True)
class Tally:
    up: int = 0
    down: int = 0


@dataclass(frozen=True, slots=True)
class FeedbackCounts:
    answer: Tally = Tally()
    passages: Mapping[int, Tally] = field(default_factory=dict)


class Feedback:
    """Votes counted in Redis; votes cast while Redis is down are kept in process and counted too."""

    def __init__(self, link: RedisLink | None, namespace: str = "onrecord") -> None:
        self._link = link
        self._namespace = namespace
        self._local: dict[str, dict[str, Vote]] = {}  # answer id -> "target:user" -> vote

    async def vote(self, answer_id: str, passage_id: int | None, user: str, vote: Vote) -> bool:
        """Record a vote on the answer (`passage_id` None) or a passage; it replaces the user's last.
        False when it was the user's last vote already."""
        target = _ANSWER if passage_id is None else str(passage_id)
        slot = f"{target}:{user}"
        if self._link is not None:
            keys = self._keys(answer_id)
            try:
                changed = await self._link.run(
                    lambda client: client.eval(_SCRIPT, 2, *keys, slot, target, vote, FEEDBACK_TTL)
                )
            except RedisUnavailableError:
                pass
            else:
                return bool(changed)
        votes = self._local.setdefault(answer_id, {})
        changed = votes.get(slot) != vote
        votes[slot] = vote
        return changed

    async def counts(self, answer_id: str) -> FeedbackCounts:
        """Votes per target: the whole answer, and each passage voted on."""
        tallies: Counter[str] = Counter()
        if self._link is not None:
            counts_key = self._keys(answer_id)[1]

            async def op(client: Redis) -> dict[str, str]:
                found = await client.hgetall(counts_key)
                return {str(text(name)): str(text(n)) for name, n in found.items()}

            with contextlib.suppress(RedisUnavailableError):
                tallies.update({name: int(n) for name, n in (await self._link.run(op)).items()})
        for slot, vote in self._local.get(answer_id, {}).items():
            tallies[f"{slot.split(':', 1)[0]}:{vote}"] += 1
        targets = {name.rsplit(":", 1)[0] for name in tallies}
        made = {target: Tally(tallies[f"{target}:up"], tallies[f"{target}:down"]) for target in targets}
        return FeedbackCounts(
            answer=made.pop(_ANSWER, Tally()),
            passages={int(target): tally for target, tally in made.items() if target.isdigit()},
        )

    def _keys(self, answer_id: str) -> tuple[str, str]:
        # The braces are a Redis Cluster hash tag: both keys live in one slot, as the script needs.
        base = f"{self._namespace}:feedback:{{{answer_id}}}"
        return f"{base}:votes", f"{base}:counts"
