"""Requests as Slack sends them to an app: Events API callbacks, slash commands and button clicks."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

__all__ = ["block_action", "dm_event", "mention_event", "next_ts", "slash_command"]

TEAM = "T0001"
APP = "A0001"
_counter = itertools.count(1)


def next_ts() -> str:
    """A message timestamp no other test message has."""
    return f"{int(time.time())}.{next(_counter):06d}"


def _callback(event: dict[str, Any], event_id: str | None) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": APP,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_counter):08d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def mention_event(
    text: str,
    *,
    channel: str = "C0001",
    user: str = "U0001",
    ts: str | None = None,
    thread_ts: str | None = None,
    event_id: str | None = None,
    kind: str = "app_mention",
) -> dict[str, Any]:
    """An @mention of the bot (`kind="message"`: the `message` event Slack sends for the same message)."""
    ts = ts or next_ts()
    event: dict[str, Any] = {
        "type": kind,
        "user": user,
        "text": f"<@UBOT> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM,
    }
    if kind == "message":
        event["channel_type"] = "channel"
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return _callback(event, event_id)


def dm_event(text: str, *, channel: str = "D0001", user: str = "U0001") -> dict[str, Any]:
    ts = next_ts()
    event = {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM,
    }
    return _callback(event, None)


def slash_command(
    text: str, *, response_url: str, channel: str = "C0001", user: str = "U0001", command: str = "/ask"
) -> str:
    """A slash command's form body."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "asker",
            "command": command,
            "text": text,
            "api_app_id": APP,
            "response_url": response_url,
            "trigger_id": f"{next(_counter)}.trigger",
        }
    )


def block_action(
    action_id: str,
    value: str,
    *,
    message: dict[str, Any] | None,
    response_url: str,
    channel: str = "C0001",
    user: str = "U0001",
) -> str:
    """A button click's form body; `message` is the message the button was on (None: an ephemeral one)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user, "username": "asker", "team_id": TEAM},
        "api_app_id": APP,
        "token": "legacy-verification-token",
        "container": {"type": "message", "channel_id": channel, "is_ephemeral": message is None},
        "trigger_id": f"{next(_counter)}.trigger",
        "team": {"id": TEAM, "domain": "test"},
        "channel": {"id": channel, "name": "general"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "value": value,
                "type": "button",
                "action_ts": next_ts(),
                "text": {"type": "plain_text", "text": "button"},
            }
        ],
    }
    if message is not None:
        payload["message"] = message
        payload["container"]["message_ts"] = message["ts"]
    return urlencode({"payload": json.dumps(payload)})
