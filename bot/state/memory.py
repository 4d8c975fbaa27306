"""A bounded in-process key-value store with expiry: the twin of Redis strings for one process."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["ExpiringStore"]

V = TypeVar("V")


class ExpiringStore(Generic[V]):
    """Values that expire after their TTL; the oldest entries are dropped beyond `max_entries`."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._items: OrderedDict[str, tuple[float, V]] = OrderedDict()
        self._max = max_entries

    def get(self, key: str) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= time.monotonic():
            del self._items[key]
            return None
        return item[1]

    def set(self, key: str, value: V, ttl: float) -> None:
        self._items.pop(key, None)
        self._items[key] = (time.monotonic() + ttl, value)
        while len(self._items) > self._max:
            self._items.popitem(last=False)

    def discard(self, key: str) -> None:
        self._items.pop(key, None)

    def live(self) -> list[tuple[str, V, float]]:
        """Every entry not yet expired, with the seconds it has left."""
        now = time.monotonic()
        return [(key, value, expires - now) for key, (expires, value) in self._items.items() if expires > now]

    def add(self, key: str, value: V, ttl: float) -> bool:
        """Set only when absent (or expired); True when this call set it."""
        if self.get(key) is not None:
            return False
        self.set(key, value, ttl)
        return True
