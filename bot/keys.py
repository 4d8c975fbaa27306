"""The key naming one message a bot sends (Slack's post metadata, Discord's nonce): the same for every
try and every process, so a try after a lost answer can be recognised as the same message."""

from __future__ import annotations

import hashlib

__all__ = ["message_key"]


def message_key(*what: object) -> str:
    """The key of the message that is `what` (e.g. the answer to an event): 24 hex characters (Discord
    takes a nonce of at most 25); hashed, so it never repeats what a button or a question said."""
    return hashlib.blake2b("\0".join(map(str, what)).encode(), digest_size=12).hexdigest()
