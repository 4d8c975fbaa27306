"""The Slack app manifests ask for exactly what the bot uses, in each connection mode."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from onrecord.bot.slack.app import COMMAND, QUOTE_COMMAND
from onrecord.bot.slack.manifest import PLACEHOLDER_URL, manifest
from onrecord.bot.slack.server import EVENTS_PATH

SLACK = Path(__file__).resolve().parents[2] / "slack"


def _manifest(mode: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SLACK / f"manifest.{mode}.json").read_text())
    return data


def test_scopes_events_and_command_are_the_ones_the_bot_uses() -> None:
    for mode in ("socket-mode", "http"):
        manifest = _manifest(mode)
        assert manifest["oauth_config"]["scopes"]["bot"] == [
            "app_mentions:read",  # app_mention
            "channels:history",  # a post whose answer was lost, looked for in a public channel
            "chat:write",  # replies, "asked:" lines, vote acknowledgements
            "commands",  # /ask
            "files:write",  # the daily quote's card
            "groups:history",  # ... in a private channel
            "im:history",  # message.im: direct messages (and a post looked for there)
            "mpim:history",  # ... in a group direct message
        ]
        assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_mention", "message.im"]
        commands = manifest["features"]["slash_commands"]
        assert [c["command"] for c in commands] == [COMMAND, QUOTE_COMMAND]
        assert manifest["settings"]["interactivity"]["is_enabled"]  # the buttons
        assert manifest["features"]["app_home"]["messages_tab_enabled"]  # people can DM the bot


def test_socket_mode_needs_no_urls_and_http_mode_points_every_url_at_the_events_path() -> None:
    socket, http = _manifest("socket-mode"), _manifest("http")
    assert socket["settings"]["socket_mode_enabled"] and not http["settings"]["socket_mode_enabled"]
    assert "url" not in json.dumps(socket)
    urls = [
        *(c["url"] for c in http["features"]["slash_commands"]),
        http["settings"]["event_subscriptions"]["request_url"],
        http["settings"]["interactivity"]["request_url"],
    ]
    assert all(url.startswith("https://") and url.endswith(EVENTS_PATH) for url in urls)


def test_the_shipped_files_are_what_the_command_prints() -> None:
    assert _manifest("socket-mode") == manifest(None)
    assert _manifest("http") == manifest(PLACEHOLDER_URL)


def test_onrecord_slack_manifest_puts_the_given_address_in_every_url() -> None:
    onrecord = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"
    printed = subprocess.run(
        [onrecord, "slack", "manifest", "--url", "https://bot.example.org/"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    http = json.loads(printed.stdout)
    assert not http["settings"]["socket_mode_enabled"]
    assert printed.stdout.count('url": "https://bot.example.org/slack/events"') == 4
    default = subprocess.run([onrecord, "slack", "manifest"], capture_output=True, text=True, timeout=60)
    assert json.loads(default.stdout) == manifest(None)
    refused = subprocess.run(
        [onrecord, "slack", "manifest", "--url", "http://bot.example.org"], capture_output=True, text=True
    )
    assert refused.returncode == 2 and "not an https:// address" in refused.stderr.splitlines()[-1]
