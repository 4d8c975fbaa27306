"""Posting a Slack message once, even when Slack made it and the answer was lost.

`chat.postMessage` takes no idempotency key: after HTTP 5xx, a dropped or reset connection or a timeout,
Slack may or may not have made the message. So every post carries `metadata` naming what it is (the
answer to event X, the daily quote of day D: `key`), and before a post whose outcome is unknown is
tried again, the bot reads the thread (`conversations.replies`) or the channel (`conversations.history`)
with `include_all_metadata` and takes a message carrying that key as the post (scopes `channels:history`,
`groups:history`, `im:history`, `mpim:history`). slack_sdk's own retry handlers leave posts alone
(`bot.slack.web`): a blind retry is how a thread shows the answer twice.

- A call that never reached Slack (refused, or the connection not made in time) is tried again.
- After 5xx, a lost connection or a timeout the bot waits (the backoff: a message just made may not be
  listed yet), then looks; after a timeout, where the post may still be on its way, it waits the call's
  timeout and looks once more. A message not found is posted again (same key), up to `TRIES` in all.
- When the look itself fails, or the last try may have been made and is not found (unless the caller
  looks first: the daily quote), the outcome stays unknown: `UnconfirmedPostError` is raised, and the
  caller must not post it again (a missing message is better than two; `bot.work`).
The daily quote, which is retried for hours, looks first (`post_once(since=...)`: from the start of its
day). Where Slack refuses that look for good (`missing_scope`, `not_in_channel`…) it is logged and the
quote posted without it: otherwise an app without the history scopes would never post it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from onrecord.bot.slack.blocks import SlackMessage
from onrecord.bot.slack.web import api_error, platform_failure
from onrecord.bot.work import UnconfirmedPostError

__all__ = ["EVENT_TYPE", "HISTORY_SCOPES", "TRIES", "post_once"]

log = logging.getLogger(__name__)

EVENT_TYPE = "onrecord_post"  # the metadata's event_type; its event_payload is {"key": message_key(...)}
HISTORY_SCOPES = ("channels:history", "groups:history", "im:history", "mpim:history")  # to look
TRIES = 4  # posts of one message, when Slack failed without making it
BACKOFF = 0.5  # seconds before the second try (and its look), doubled for each further one
CLOCK_SKEW = 60.0  # seconds: a post is looked for among messages up to this much older than its first try
LOOK_LIMIT = 200  # messages read per page when looking for a post (the bot's are among the newest)
LOOK_PAGES = 5  # pages read at most
_LOST_ERRORS = frozenset({"fatal_error", "internal_error"})  # Slack's own trouble: it may have posted


async def post_once(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    message: SlackMessage,
    key: str,
    *,
    since: float | None = None,
    backoff: float = BACKOFF,
) -> str:
    """Post `message` in `channel` (in the thread of `thread_ts`) unless a try of it was made; its ts.
    `since`: look first, among the messages from then on (the daily quote, retried for hours).

    Raises what Slack answered when it did not make it, and `UnconfirmedPostError` when that is unknown."""
    looks_first = since is not None
    if since is not None:
        try:
            found = await _look(client, channel, thread_ts, key, since, None)
        except SlackApiError as err:
            if not _refused(err):
                raise
            log.warning(
                "could not look in %s for an earlier try (Slack answered %s): posted without looking",
                channel,
                api_error(err),
            )
            found = None
        if found is not None:
            log.info("a post to %s was made by an earlier try; not posted again", channel)
            return found
    since = time.time() - CLOCK_SKEW if since is None else since
    for attempt in range(1, TRIES + 1):
        try:
            posted = await client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=message.text,
                blocks=message.blocks or None,
                metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}},
                unfurl_links=False,
                unfurl_media=False,
            )
            return str(posted["ts"])
        except Exception as err:
            made = _maybe_made(err)
            if not made and not (_not_sent(err) and attempt < TRIES):
                raise
            await asyncio.sleep(backoff * 2 ** (attempt - 1))
            if made:
                found = await _look(client, channel, thread_ts, key, since, err)
                if found is None and isinstance(err, TimeoutError):  # it may still be on its way
                    await asyncio.sleep(client.timeout)
                    found = await _look(client, channel, thread_ts, key, since, err)
                if found is not None:
                    log.info("a post to %s was made though its answer was lost; not posted again", channel)
                    return found
                if attempt == TRIES:
                    if looks_first:  # the next run looks before it posts: it may be given back
                        raise
                    raise UnconfirmedPostError(f"{_why(err)} on the last try, and it was not found") from err
    raise AssertionError("unreachable: the last try returns or raises")


def _not_sent(err: BaseException) -> bool:
    """Whether the call never reached Slack (refused, or not connected in time)."""
    return isinstance(err, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)


def _refused(err: SlackApiError) -> bool:
    """Whether Slack refused the call for a definite reason (`missing_scope`…), not its own trouble."""
    return platform_failure(err) is None and api_error(err) not in {None, *_LOST_ERRORS}


def _maybe_made(err: BaseException) -> bool:
    """Whether Slack may have made the message although the call failed (an answer that cannot be read
    included)."""
    if isinstance(err, SlackApiError):
        error = api_error(err)
        return error is None or error in _LOST_ERRORS or err.response.status_code >= 500
    if _not_sent(err):
        return False
    return isinstance(err, TimeoutError | aiohttp.ClientConnectionError | aiohttp.ClientPayloadError)


async def _look(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    key: str,
    since: float,
    failure: BaseException | None,
) -> str | None:
    """The ts of a message in the thread (or channel) carrying `key`, or None; `UnconfirmedPostError`
    when Slack cannot be asked after `failure` (the failure itself when there was none)."""
    read: dict[str, Any] = {
        "channel": channel,
        "oldest": f"{since:.6f}",
        "include_all_metadata": True,
        "limit": LOOK_LIMIT,
    }
    try:
        for _ in range(LOOK_PAGES):
            if thread_ts is None:
                page = await client.conversations_history(**read)
            else:
                page = await client.conversations_replies(ts=thread_ts, **read)
            for found in page.get("messages") or []:
                metadata = found.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == EVENT_TYPE and payload.get("key") == key:
                    return str(found["ts"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return None
            read["cursor"] = cursor
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as err:
        if failure is None:
            raise
        raise UnconfirmedPostError(
            f"{_why(failure)}, and the post could not be looked for ({_why(err)})"
        ) from failure
    log.warning("the look for a post in %s stopped after %d pages", channel, LOOK_PAGES)
    return None


def _why(err: BaseException) -> str:
    if isinstance(err, SlackApiError) and platform_failure(err) is None:
        return f"Slack answered {api_error(err)}"
    return platform_failure(err) or type(err).__name__
