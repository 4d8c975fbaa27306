"""Votes: one 👍/👎 per user per answer, so that the question log (`bot.state.questions`) counts a user's
vote once, and a changed one again.

Key: ``{ns}:feedback:{{answer_id}}:votes`` (hash ``answer:{user}`` -> ``up`` | ``down``), kept
`FEEDBACK_TTL` from the last vote on the answer. (The field's ``answer:`` prefix and the hash tag are
those of earlier versions, which also took votes on single passages: votes cast before an upgrade count.)
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Literal, Protocol

from onrecord.bot.state.memory import Clock, ExpiringStore
from onrecord.bot.state.unreachable import RedisUnavailableError

if TYPE_CHECKING:
    from onrecord.bot.state.link import RedisLink

__all__ = ["FEEDBACK_TTL", "LocalVotes", "RedisVotes", "Vote", "Votes"]

Vote = Literal["up", "down"]
FEEDBACK_TTL = 180 * 24 * 3600

# KEYS: votes hash. ARGV: field, vote, ttl in ms. Returns 1 when the vote is new or changed.
_SCRIPT = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""


class Votes(Protocol):
    async def vote(self, answer_id: str, user: str, vote: Vote) -> bool:
        """Record the user's vote on the answer, replacing their last; False when it was their last
        already."""


class LocalVotes:
    """Votes in this process, forgotten `ttl` seconds after the answer's last vote (as in Redis)."""

    def __init__(self, ttl: float = FEEDBACK_TTL, *, clock: Clock = time.monotonic) -> None:
        self._ttl = ttl
        self._votes: ExpiringStore[dict[str, Vote]] = ExpiringStore(max_entries=100_000, clock=clock)

    async def vote(self, answer_id: str, user: str, vote: Vote) -> bool:
        votes = self._votes.get(answer_id) or {}
        if votes.get(user) == vote:
            return False
        votes[user] = vote
        self._votes.set(answer_id, votes, self._ttl)
        return True


class RedisVotes:
    """Votes in Redis; those cast while it is down or slow are kept in `fallback`."""

    def __init__(
        self, link: RedisLink, namespace: str, fallback: LocalVotes, ttl: float = FEEDBACK_TTL
    ) -> None:
        self._link = link
        self._namespace = namespace
        self._fallback = fallback
        self._ttl_ms = max(1, round(ttl * 1000))

    async def vote(self, answer_id: str, user: str, vote: Vote) -> bool:
        key = f"{self._namespace}:feedback:{{{answer_id}}}:votes"
        try:
            changed = await self._link.run(
                lambda client: client.eval(_SCRIPT, 1, key, f"answer:{user}", vote, self._ttl_ms)
            )
        except RedisUnavailableError:
            return await self._fallback.vote(answer_id, user, vote)
        return bool(changed)
