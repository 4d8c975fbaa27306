"""Posting a Slack message once, even when Slack made it and the answer was lost.

`chat.postMessage` takes no idempotency key: after HTTP 5xx, a dropped or reset connection or a timeout,
Slack may or may not have made the message. So every post carries `metadata` naming what it is (the
answer to event X, the daily quote of day D: `key`), and before a post whose outcome is unknown is
tried again, the bot reads the thread (`conversations.replies`) or the channel (`conversations.history`)
with `include_all_metadata` and takes a message carrying that key as the post (scopes `channels:history`,
`groups:history`, `im:history`, `mpim:history`). slack_sdk's own retry handlers leave posts alone
(`bot.slack.web`): a blind retry is how a thread shows the answer twice.

- A connection never made (refused) is tried again at once; nothing reached Slack.
- After 5xx or a lost connection, a message not found is tried again, up to `TRIES` in all.
- After a timeout a message not found may still be on its way: it is not tried again.
When the outcome stays unknown (a timeout, or the look itself failed) `UnconfirmedPostError` is raised:
the caller must not post it again (a missing message is better than two).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from onrecord.bot.slack.blocks import SlackMessage
from onrecord.bot.slack.web import platform_failure
from onrecord.bot.work import UnconfirmedPostError

__all__ = ["EVENT_TYPE", "TRIES", "post_key", "post_once"]

log = logging.getLogger(__name__)

EVENT_TYPE = "onrecord_post"  # the metadata's event_type; its event_payload is {"key": post_key(...)}
TRIES = 4  # posts of one message, when Slack failed without making it
BACKOFF = 0.5  # seconds before the second try, doubled for each further one
CLOCK_SKEW = 60.0  # seconds: a post is looked for among messages up to this much older than its first try
LOOK_LIMIT = 200  # messages read when looking for a post (the bot's are among the newest)


def post_key(*what: object) -> str:
    """The key of the message that is `what` (e.g. the answer to an event): the same for every try and
    every process; hashed, so the metadata never repeats what a button or a question said."""
    return hashlib.blake2b("\0".join(map(str, what)).encode(), digest_size=12).hexdigest()


async def post_once(
    client: AsyncWebClient, channel: str, thread_ts: str | None, message: SlackMessage, key: str
) -> str:
    """Post `message` in `channel` (in the thread of `thread_ts`) unless a try of it was made; its ts.

    Raises what Slack answered when it did not make it, and `UnconfirmedPostError` when that is unknown."""
    since = time.time() - CLOCK_SKEW
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
        except aiohttp.ClientConnectorError:  # not connected: nothing was sent
            if attempt == TRIES:
                raise
        except Exception as err:
            if not _maybe_made(err):
                raise
            found = await _look(client, channel, thread_ts, key, since, err)
            if found is not None:
                log.info("a post to %s was made though Slack's answer was lost; not posted again", channel)
                return found
            if isinstance(err, TimeoutError):
                raise UnconfirmedPostError(f"{platform_failure(err)}; the post is not seen yet") from err
            if attempt == TRIES:
                raise
        await asyncio.sleep(BACKOFF * 2 ** (attempt - 1))
    raise AssertionError("unreachable: the last try returns or raises")


def _maybe_made(err: BaseException) -> bool:
    """Whether Slack may have made the message although the call failed."""
    if isinstance(err, SlackApiError):
        return getattr(err.response, "status_code", 200) >= 500
    return isinstance(err, TimeoutError | aiohttp.ServerDisconnectedError | aiohttp.ClientOSError)


async def _look(
    client: AsyncWebClient,
    channel: str,
    thread_ts: str | None,
    key: str,
    since: float,
    failure: BaseException,
) -> str | None:
    """The ts of a message in the thread (or channel) carrying `key`, or None; `UnconfirmedPostError`
    when Slack cannot be asked."""
    read: dict[str, Any] = {
        "channel": channel,
        "oldest": f"{since:.6f}",
        "include_all_metadata": True,
        "limit": LOOK_LIMIT,
    }
    try:
        if thread_ts is None:
            page = await client.conversations_history(**read)
        else:
            page = await client.conversations_replies(ts=thread_ts, **read)
    except Exception as err:
        why = err.response.get("error") if isinstance(err, SlackApiError) else None
        raise UnconfirmedPostError(
            f"{platform_failure(failure)}, and the post could not be looked for"
            f" ({why or platform_failure(err) or type(err).__name__})"
        ) from failure
    for found in page.get("messages") or []:
        metadata = found.get("metadata") or {}
        if metadata.get("event_type") == EVENT_TYPE and metadata.get("event_payload", {}).get("key") == key:
            return str(found["ts"])
    return None
