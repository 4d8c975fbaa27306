"""The `/q/…` pages of the bot's HTTP server: a quote in its context, or a friendly "not on record"."""

from __future__ import annotations

import re
from collections.abc import Callable

from aiohttp import web

from onrecord.bot.context_html import CONTENT_SECURITY_POLICY, missing_page, quote_page
from onrecord.bot.context_link import PREFIX, parse_span
from onrecord.bot.context_view import Direction, context_view
from onrecord.bot.wording import QUOTE_GONE, QUOTE_LINK_BAD
from onrecord.index import Index
from onrecord.index.context import DocumentText

__all__ = ["ContextPages"]

_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "max-age=300",
}
_MOVES: tuple[Direction, ...] = ("before", "after")
_OFFSET = re.compile(r"[0-9]{1,12}")


class ContextPages:
    """Serves ``/q/<document id>/<start>-<end>`` (``?before=N`` / ``?after=N`` for the stretches around)."""

    def __init__(self, index: Callable[[], Index]) -> None:
        self._index = index
        self._text: tuple[Index, DocumentText] | None = None

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(PREFIX + "{path:.*}", self._page)

    async def _page(self, request: web.Request) -> web.Response:
        span = parse_span(request.match_info["path"])
        moves = [(name, request.query[name]) for name in _MOVES if name in request.query]
        if span is None or len(moves) > 1 or any(not _OFFSET.fullmatch(value) for _, value in moves):
            return _html(missing_page(QUOTE_LINK_BAD), 404 if span is None else 400)
        move = (moves[0][0], int(moves[0][1])) if moves else None
        view = context_view(self._document_text(self._index()), span, move)
        if view is None:
            return _html(missing_page(QUOTE_GONE), 404)
        return _html(quote_page(view), 200)

    def _document_text(self, idx: Index) -> DocumentText:
        if self._text is None or self._text[0] is not idx:
            self._text = (idx, DocumentText(idx))
        return self._text[1]


def _html(page: str, status: int) -> web.Response:
    return web.Response(text=page, status=status, content_type="text/html", charset="utf-8", headers=_HEADERS)
