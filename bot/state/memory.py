"""A bounded in-process key-value store with expiry: what Redis keys with a TTL are, for one process."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Clock", "ExpiringStore"]

V = TypeVar("V")
Clock = Callable[[], float]  # seconds, only ever compared: time.monotonic, or a test's own


class ExpiringStore(Generic[V]):
    """Values that expire after their TTL, as Redis keys do; the oldest entries are dropped beyond
    `max_entries`. Expired entries are dropped as they are read, and from the oldest end on each write, so
    a store whose entries share a TTL holds only live ones."""

    def __init__(self, max_entries: int = 10_000, *, clock: Clock = time.monotonic) -> None:
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._max = max_entries
        self._clock = clock

    def __len__(self) -> int:
        self._prune()
        return len(self._items)

    def get(self, key: str) -> V | None:
        found = self.get_with_ttl(key)
        return None if found is None else found[0]

    def get_with_ttl(self, key: str) -> tuple[V, float] | None:
        """The value and the seconds it has left."""
        item = self._items.get(key)
        if item is None:
            return None
        left = item[0] - self._clock()
        if left <= 0:
            del self._items[key]
            return None
        return item[1], left

    def set(self, key: str, value: V, ttl: float) -> None:
        self._items.pop(key, None)
        self._items[key] = (self._clock() + ttl, value)
        self._prune()
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def discard(self, key: str) -> None:
        self._items.pop(key, None)

    def live(self) -> list[tuple[str, V, float]]:
        """Every entry not yet expired, with the seconds it has left."""
        now = self._clock()
        return [(key, value, expires - now) for key, (expires, value) in self._items.items() if expires > now]

    def add(self, key: str, value: V, ttl: float) -> bool:
        """Set only when absent (or expired); True when this call set it."""
        if self.get(key) is not None:
            return False
        self.set(key, value, ttl)
        return True

    def _prune(self) -> None:
        now = self._clock()
        while self._items:
            oldest = next(iter(self._items.values()))
            if oldest[0] > now:
                return
            self._items.popitem(last=False)
