"""The Slack Web API client: one connection pool with a timeout on every call, slack_sdk's own retry
handlers for what is worth retrying, and the one-line reason when Slack could not be reached.

Each call (each attempt) is given up after `CALL_TIMEOUT`, well within the claim that guards it
(`bot.state.claims.WORKING_TTL`, the daily quote's `POSTING_TTL`); claims are renewed while retries and
rate-limit waits go on. slack_sdk never retries a timed-out call (Slack may have carried it out);
`bot.slack.posting` tries a post again once it has looked for it.

Methods that make something (a message, an ephemeral one, a shared file) are not retried here after
HTTP 5xx or a lost connection either: Slack may have made it. `bot.slack.posting` retries a post once it
has looked for the message (a 429 is retried here: Slack refused the call; so is a connection never
made, for the methods other than chat.postMessage: nothing was sent).
"""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from slack_sdk.web.slack_response import SlackResponse

from onrecord.bot.settings import Settings

__all__ = ["CALL_TIMEOUT", "api_error", "api_session", "platform_failure", "web_client"]

CALL_TIMEOUT = 10.0  # seconds for one Web API call, answer included
SERVER_ERROR_RETRIES = 3  # HTTP 500 / 503: Slack's trouble, usually brief
RATE_LIMIT_RETRIES = 5  # HTTP 429: each after the Retry-After Slack gives
CONNECTION_RETRIES = 3  # a refused, reset or dropped connection
# Methods that make something: not retried blindly after 5xx or a lost connection (the module's docstring)
_MAKERS = frozenset({"chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal"})


class _NotPosts(AsyncRetryHandler):
    """A retry handler that leaves the methods that make something alone (mixed in before slack_sdk's)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = request.url.rsplit("/", 1)[-1]
        if method in _MAKERS and not (
            # nothing was sent: chat.postMessage leaves even this to bot.slack.posting, which counts its tries
            method != "chat.postMessage" and isinstance(error, aiohttp.ClientConnectorError)
        ):
            return False
        return await super()._can_retry_async(state=state, request=request, response=response, error=error)


class _ConnectionErrorRetryHandler(_NotPosts, AsyncConnectionErrorRetryHandler):
    pass


class _ServerErrorRetryHandler(_NotPosts, AsyncServerErrorRetryHandler):
    pass


def api_session() -> aiohttp.ClientSession:
    """The Web API's connection pool. slack_sdk's own 30 s timeout applies only to sessions it makes,
    so this one carries its own (aiohttp's default is 300 s)."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CALL_TIMEOUT))


def web_client(
    settings: Settings, session: aiohttp.ClientSession, *, with_token: bool = True
) -> AsyncWebClient:
    """The Web API client over `session` (without the token: the one bolt gets, which takes the token
    from each request's authorization)."""
    assert settings.slack_bot_token is not None
    return AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value() if with_token else None,
        base_url=settings.slack_api_url,
        session=session,
        timeout=int(CALL_TIMEOUT),
        retry_handlers=[
            # aiohttp's timeouts are ServerConnectionErrors too: never retried, Slack may have acted
            _ConnectionErrorRetryHandler(
                max_retry_count=CONNECTION_RETRIES,
                error_types=[
                    aiohttp.ServerDisconnectedError,
                    aiohttp.ClientConnectorError,
                    aiohttp.ClientOSError,
                ],
            ),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            _ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
    )


def api_error(err: SlackApiError) -> str | None:
    """The error Slack answered (`missing_scope`…); None when its answer could not be read (slack_sdk
    then gives the raw HTTP response)."""
    if isinstance(err.response, AsyncSlackResponse | SlackResponse):
        error = err.response.get("error")
        return str(error) if error is not None else None
    return None


def platform_failure(err: BaseException) -> str | None:
    """Why a call failed when Slack (or the way to it) is at fault, after the retries; else None."""
    if isinstance(err, SlackApiError):
        if not isinstance(err.response, AsyncSlackResponse | SlackResponse):
            return f"Slack's answer could not be read ({err})"
        status = err.response.status_code
        if status == 429 or status >= 500:
            return f"Slack answered HTTP {status} (retries used up)"
        return None
    if isinstance(err, TimeoutError):
        return f"Slack did not answer within {CALL_TIMEOUT:g} s"
    if isinstance(err, aiohttp.ClientError):
        return f"Slack could not be reached ({type(err).__name__}: {err})"
    return None
