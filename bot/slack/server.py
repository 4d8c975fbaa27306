"""`onrecord serve slack`: the bolt app over Socket Mode (with an app token) or HTTP (port, signed)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from onrecord.bot.reconnect import until_reachable
from onrecord.bot.serving import Serving
from onrecord.bot.settings import Settings
from onrecord.bot.slack.answerer import SlackAnswerer
from onrecord.bot.slack.app import create_app
from onrecord.bot.slack.daily import SlackDailyPoster
from onrecord.bot.slack.posting import HISTORY_SCOPES
from onrecord.bot.slack.signed import RefusedRequestError, signed_request
from onrecord.bot.slack.web import api_session, platform_failure, web_client
from onrecord.bot.startup import StartupError, listening
from onrecord.bot.work import DRAIN_SECONDS, Work

__all__ = ["EVENTS_PATH", "check", "serve"]

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"  # events, slash commands and button clicks all come here in HTTP mode


async def serve(serving: Serving) -> None:
    """Answer Slack until cancelled; then let answers under way finish and close every connection."""
    settings = serving.settings
    async with api_session() as session:
        client = web_client(settings, session)
        verified = await _verify_token(client, "SLACK_BOT_TOKEN")
        if verified is not None:
            _check_scopes(verified)
        work = Work(serving.claims, platform_failure)
        answerer = SlackAnswerer(serving.service, work, client)
        secret = settings.slack_signing_secret
        if not settings.slack_socket_mode and secret is None:
            raise StartupError("SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN)")
        app = create_app(
            answerer,
            web_client(settings, session, with_token=False),
            Authorization(client, verified),
            signing_secret=None
            if settings.slack_socket_mode or secret is None
            else secret.get_secret_value(),
        )
        connected = (
            _socket_mode(app, settings, client) if settings.slack_socket_mode else _http(app, settings)
        )
        poster = SlackDailyPoster(client, settings.daily_channels)
        try:
            async with connected, serving.background_jobs(poster):
                await asyncio.Event().wait()  # until cancelled (SIGTERM / SIGINT)
        finally:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(DRAIN_SECONDS):
                    await work.drain()


async def check(settings: Settings) -> str:
    """`serve slack --check`: Slack accepts the bot token (and the app token in Socket Mode; the settings
    already made sure HTTP mode has its signing secret); what Slack said, or a StartupError naming the
    check that failed."""
    async with api_session() as session:
        client = web_client(settings, session)
        try:
            identity = await client.auth_test()
            if settings.slack_app_token is not None:
                await _check_app_token(client, settings.slack_app_token.get_secret_value())
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise StartupError(
                f"cannot reach Slack at {client.base_url}: {platform_failure(err) or err}"
            ) from err
        except SlackApiError as err:
            if (reason := platform_failure(err)) is not None:
                raise StartupError(f"cannot reach Slack at {client.base_url}: {reason}") from err
            raise StartupError(
                f"SLACK_BOT_TOKEN: Slack refused the token ({err.response.get('error')})"
            ) from err
    mode = "Socket Mode" if settings.slack_socket_mode else "HTTP mode"
    return f"Slack ok (bot {identity.get('user')} in {identity.get('team')}, {mode})"


async def _check_app_token(client: AsyncWebClient, token: str) -> None:
    try:
        await client.apps_connections_open(app_token=token)
    except SlackApiError as err:
        if platform_failure(err) is not None:
            raise
        raise StartupError(
            f"SLACK_APP_TOKEN: Slack refused the app token ({err.response.get('error')})"
        ) from err


async def _verify_token(client: AsyncWebClient, variable: str) -> AsyncSlackResponse | None:
    """Slack's auth.test answer; stop with a clear line when Slack refuses the token, only warn (None)
    when Slack cannot be reached."""
    try:
        return await client.auth_test()
    except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as err:
        reason = platform_failure(err)
        if reason is None and isinstance(err, SlackApiError):
            raise StartupError(f"{variable}: Slack refused the token ({err.response.get('error')})") from err
        log.warning(
            "cannot reach Slack at %s yet (%s); answering once it is reachable",
            client.base_url,
            reason or err,
        )
        return None


def _check_scopes(verified: AsyncSlackResponse) -> None:
    """Log when the token lacks the history scopes (an app installed before they were asked for): a post
    whose answer Slack lost cannot be looked for, so it is not tried again (`bot.slack.posting`)."""
    granted = next((v for k, v in verified.headers.items() if k.lower() == "x-oauth-scopes"), None)
    if granted is None:
        return
    missing = sorted(set(HISTORY_SCOPES) - {s.strip() for s in str(granted).split(",")})
    if missing:
        log.error(
            "the Slack app lacks the scopes %s: a post whose answer Slack lost is not tried again"
            " (Reinstall to Workspace to grant them)",
            ", ".join(missing),
        )


class Authorization(AsyncAuthorize):
    """bolt's authorize step from the auth.test made at start-up, so that no request waits for one
    (bolt would make its own on the first request, and Slack wants an ack within 3 s). When start-up
    could not reach Slack, the first request that needs it asks once."""

    def __init__(self, client: AsyncWebClient, verified: AsyncSlackResponse | None) -> None:
        self._client = client
        self._verified = verified
        self._lock = asyncio.Lock()

    async def __call__(self, **_: object) -> AuthorizeResult:
        async with self._lock:
            if self._verified is None:
                self._verified = await self._client.auth_test()
        return AuthorizeResult.from_auth_test_response(
            auth_test_response=self._verified, bot_token=self._client.token
        )


@contextlib.asynccontextmanager
async def _socket_mode(app: AsyncApp, settings: Settings, client: AsyncWebClient) -> AsyncIterator[None]:
    assert settings.slack_app_token is not None
    token = settings.slack_app_token.get_secret_value()
    handler = AsyncSocketModeHandler(app, token, web_client=client)
    try:
        # The client retries a refused token forever, and a network that is down every 10 s with a
        # traceback: ask for the first websocket URL ourselves, backing off while Slack is unreachable.
        opened = await until_reachable(
            lambda: client.apps_connections_open(app_token=token), "Slack", platform_failure
        )
        handler.client.wss_uri = str(opened["url"])
    except BaseException as err:
        await handler.close_async()  # type: ignore[no-untyped-call]
        if isinstance(err, SlackApiError) and platform_failure(err) is None:
            raise StartupError(
                f"SLACK_APP_TOKEN: Slack refused the app token ({err.response.get('error')})"
            ) from err
        raise
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("connected to Slack over Socket Mode")
    try:
        yield
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


@contextlib.asynccontextmanager
async def _http(app: AsyncApp, settings: Settings) -> AsyncIterator[None]:
    assert settings.slack_signing_secret is not None
    runner = web.AppRunner(http_app(app, settings.slack_signing_secret.get_secret_value()), access_log=None)
    await runner.setup()
    try:
        await listening(web.TCPSite(runner, "0.0.0.0", settings.port).start(), "ONRECORD_PORT", settings.port)
    except StartupError:
        await runner.cleanup()
        raise
    log.info("listening for Slack on port %d at %s", settings.port, EVENTS_PATH)
    try:
        yield
    finally:
        await runner.cleanup()


def http_app(app: AsyncApp, signing_secret: str) -> web.Application:
    """The aiohttp application that hands Slack's signed requests to bolt, and refuses any other."""
    verifier = SignatureVerifier(signing_secret)

    async def events(request: web.Request) -> web.Response:
        try:
            bolt_request = await signed_request(request, verifier)
        except RefusedRequestError as refused:
            log.info(
                "refused a request: %s",
                refused.reason,
                extra={"status": refused.status, "bytes": request.content_length},
            )
            return web.json_response({"error": refused.reason}, status=refused.status)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    web_app = web.Application()
    web_app.router.add_post(EVENTS_PATH, events)
    return web_app
