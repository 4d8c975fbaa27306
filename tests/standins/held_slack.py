"""The Slack stand-in, able to hold Web API calls: answers in flight for as long as a test needs."""

from __future__ import annotations

import asyncio

from aiohttp import web

from tests.standins.slack import SlackStandIn


class HeldSlack(SlackStandIn):
    """`hold(method)`: calls to `method` get no reply until `let_go()`; `holding` counts those waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = 0
        self._held: set[str] = set()
        self._gate = asyncio.Event()

    def hold(self, method: str) -> None:
        self._held.add(method)
        self._gate.clear()

    def let_go(self) -> None:
        self._held.clear()
        self._gate.set()

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] in self._held:
            self.holding += 1
            await self._gate.wait()
        return await super()._api(request)
