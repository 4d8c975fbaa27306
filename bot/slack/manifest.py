"""The Slack app manifest: exactly the scopes, events, commands and URLs the bot uses.

`onrecord slack manifest` prints it for pasting at https://api.slack.com/apps; the files in the repository's
``slack/`` folder are this function's output (a test keeps them so).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from onrecord.bot.slack.app import COMMAND, QUOTE_COMMAND
from onrecord.bot.slack.server import EVENTS_PATH

__all__ = ["PLACEHOLDER_URL", "events_url", "manifest"]

PLACEHOLDER_URL = "https://onrecord.example.com"


def events_url(base: str) -> str:
    """Where Slack sends events for a bot served at ``base`` (a bare address or the events URL itself).

    Raises ``ValueError`` for anything but an ``https://`` address with a host: Slack calls nothing else.
    """
    parts = urllib.parse.urlsplit(base.strip())
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in base.strip()):
        raise ValueError(f"not an https:// address with a host: {base!r}")
    path = parts.path.rstrip("/")
    if not path.endswith(EVENTS_PATH):
        path += EVENTS_PATH
    return urllib.parse.urlunsplit(("https", parts.netloc, path, "", ""))


def manifest(url: str | None) -> dict[str, Any]:
    """The manifest for HTTP mode at ``url`` (see :func:`events_url`), or for Socket Mode when None."""
    command_url = {"url": events_url(url)} if url else {}
    request_url = {"request_url": events_url(url)} if url else {}
    return {
        "display_information": {
            "name": "OnRecord",
            "description": "Answers questions with the speakers' own words, quoted from the transcripts.",
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": False,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": "OnRecord", "always_online": True},
            "slash_commands": [
                {
                    "command": COMMAND,
                    "description": "Ask the transcripts a question",
                    "usage_hint": "why did they start the company?",
                    "should_escape": True,
                    **command_url,
                },
                {
                    "command": QUOTE_COMMAND,
                    "description": "A quote from the transcripts: on a topic, or a random one",
                    "usage_hint": "[topic]",
                    "should_escape": True,
                    **command_url,
                },
            ],
        },
        "oauth_config": {
            "scopes": {
                "bot": [
                    "app_mentions:read",
                    "channels:history",  # the history scopes: a post whose answer was lost is looked for
                    "chat:write",
                    "commands",
                    "files:write",
                    "groups:history",
                    "im:history",
                    "mpim:history",
                ]
            }
        },
        "settings": {
            "event_subscriptions": {
                "bot_events": ["app_mention", "message.im"],
                **request_url,
            },
            "interactivity": {"is_enabled": True, **request_url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": url is None,
            "token_rotation_enabled": False,
        },
    }
