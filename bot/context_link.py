"""The address of a quote's page: its document's id and the quote's character span in the document.

    /q/3f2a9c0d1e2b4a5f/1200-1650#quote

Neither names a passage (passage ids change when the index is rebuilt with other files); the span is in the
document's cleaned text, which a restart or a rebuild of the same file does not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ANCHOR", "PREFIX", "QuoteSpan", "context_path", "context_url", "parse_span"]

PREFIX = "/q/"
ANCHOR = "quote"  # the id of the quote's first sentence on the page: the browser scrolls to it
_SPAN = re.compile(r"([0-9a-f]{1,64})/([0-9]{1,12})-([0-9]{1,12})")


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    document_id: str
    start: int
    end: int


def context_path(document_id: str, start: int, end: int) -> str:
    """The page's path, without the anchor (the page's own links add query strings to it)."""
    return f"{PREFIX}{document_id}/{start}-{end}"


def context_url(public_url: str, document_id: str, start: int, end: int) -> str:
    """The quote's page at ``public_url`` (ONRECORD_PUBLIC_URL, without a trailing slash), scrolled to the
    quote."""
    return f"{public_url}{context_path(document_id, start, end)}#{ANCHOR}"


def parse_span(path: str) -> QuoteSpan | None:
    """The span a page's path (after ``/q/``) names; None for anything else, or a backward span."""
    match = _SPAN.fullmatch(path)
    if match is None:
        return None
    start, end = int(match[2]), int(match[3])
    return QuoteSpan(match[1], start, end) if start < end else None
