"""Slack's HTTP requests, checked before bolt reads them.

A request that is not signed with the app's signing secret is refused with 401, one that cannot be read
(not UTF-8, another charset, a body that is neither a JSON object nor a form) with 400: each in one log
line, with no traceback and without its body. Left to bolt, such requests end in a 500 and a traceback
each (bolt decodes the body and parses the timestamp before it checks anything), and bolt logs the whole
body of every unsigned request at INFO, so anyone could fill the log.
"""

from __future__ import annotations

import re

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

__all__ = ["RefusedRequestError", "signed_request"]

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})  # Slack sends UTF-8 (ASCII is a part of it)


class RefusedRequestError(Exception):
    """A request answered with `status` and not handed to bolt; `reason` is safe to log and to send."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def signed_request(request: web.Request, verifier: SignatureVerifier) -> AsyncBoltRequest:
    """The request as bolt takes it, once it is known to be signed by Slack and readable."""
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not _TIMESTAMP.fullmatch(timestamp) or not signature:
        raise RefusedRequestError(401, "no signature, or a timestamp that is not a number")
    if request.charset is not None and request.charset.lower() not in _UTF8:
        raise RefusedRequestError(400, "a charset other than UTF-8")
    try:
        body = (await request.read()).decode("utf-8")
    except UnicodeDecodeError:
        raise RefusedRequestError(400, "the body is not UTF-8") from None
    if not verifier.is_valid(body, timestamp, signature):
        raise RefusedRequestError(401, "a bad or stale signature")
    try:
        return AsyncBoltRequest(body=body, query=request.query_string, headers=request.headers)  # type: ignore[arg-type]
    except (ValueError, AttributeError):  # JSON that does not parse, or is not an object (bolt calls .get)
        raise RefusedRequestError(400, "the body is neither a JSON object nor a form") from None
