"""`/healthz` and `/metrics` on a small HTTP port, for orchestrators and Prometheus; `/q/…`, a quote's page
in context, for people (`bot.context_page`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from onrecord import index
from onrecord.bot.context_page import ContextPages
from onrecord.bot.metrics import Metrics
from onrecord.bot.state import RedisStatus

__all__ = ["HealthServer"]

log = logging.getLogger(__name__)


class HealthServer:
    """An aiohttp server, started and stopped as an async context manager.

    It starts once the index is loaded, so `/healthz` answers 200 with the index it serves; Redis being
    degraded is reported, not fatal (the bot still answers). ``index`` gives the index of the moment: a
    new version can be switched to while the server runs.
    """

    def __init__(
        self,
        *,
        port: int,
        index: Callable[[], index.Index],
        redis_status: Callable[[], RedisStatus],
        metrics: Metrics,
        host: str = "0.0.0.0",  # probes come from outside the container
    ) -> None:
        self._port = port
        self._host = host
        self._index = index
        self._redis_status = redis_status
        self._metrics = metrics
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_page)
        ContextPages(index).add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)

    @property
    def port(self) -> int:
        """The bound port (useful when started on port 0)."""
        for address in self._runner.addresses:
            return int(address[1])
        return self._port

    async def __aenter__(self) -> HealthServer:
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        log.info("health endpoint listening on port %d", self.port)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._runner.cleanup()

    async def _healthz(self, request: web.Request) -> web.Response:
        idx = self._index()
        body = {
            "status": "ok",
            "index": {
                "loaded": True,
                "version": idx.version,
                "documents": len(idx.documents),
                "passages": len(idx.passages),
            },
            "redis": self._redis_status(),
        }
        return web.json_response(body)

    async def _metrics_page(self, request: web.Request) -> web.Response:
        response = web.Response(body=self._metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response
