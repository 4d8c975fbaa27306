"""What the stores need of Redis without importing its client, so that in-process state (`onrecord ask`)
never loads it: the error of a call Redis did not answer, and a reply as text."""

from __future__ import annotations

__all__ = ["RedisUnavailableError", "text"]


class RedisUnavailableError(Exception):
    """Redis is down (or too slow for a quick call); the caller falls back."""


def text(value: bytes | str | None) -> str | None:
    """A reply as text (the link's client decodes replies; the types allow bytes too)."""
    return value.decode() if isinstance(value, bytes) else value
