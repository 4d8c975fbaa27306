"""Domain errors: their messages are safe to show to the person who asked."""

from __future__ import annotations

__all__ = ["OnRecordError"]


class OnRecordError(Exception):
    """Base of the errors whose message may be shown to a user as is."""
