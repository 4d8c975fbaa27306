"""Event de-duplication: Slack retries and replicas that see the same message answer it once."""

from __future__ import annotations

from bot.state.link import RedisLink, RedisUnavailableError
from bot.state.memory import ExpiringStore

__all__ = ["CLAIM_TTL", "EventClaims"]

CLAIM_TTL = 900  # Slack retries after 1 and 5 minutes; keep claims well beyond that.


class EventClaims:
    """`claim(event_id)` is true exactly once per event for CLAIM_TTL seconds (SET NX EX)."""

    def __init__(self, link: RedisLink | None, namespace: str = "onrecord") -> None:
        self._link = link
        self._namespace = namespace
        self._local: ExpiringStore[bool] = ExpiringStore(max_entries=100_000)

    async def claim(self, event_id: str) -> bool:
        key = f"{self._namespace}:claim:{event_id}"
        if self._link is not None:
            try:
                return bool(await self._link.run(lambda client: client.set(key, "1", nx=True, ex=CLAIM_TTL)))
            except RedisUnavailableError:
                pass  # this process still answers each event once
        return self._local.add(key, True, CLAIM_TTL)
