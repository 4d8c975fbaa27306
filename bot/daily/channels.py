"""Where and when the daily quote is posted: `CHANNEL_ID[@HH:MM[@Area/City]][@card]` entries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DailyChannel", "Platform", "parse_channels", "parse_time", "parse_zone"]

Platform = Literal["slack", "discord"]
_CHANNEL = {"slack": re.compile(r"[CGD][A-Z0-9]{2,}"), "discord": re.compile(r"[1-9][0-9]{5,19}")}
_CHANNEL_KIND = {"slack": "a Slack channel id like C0123ABCD", "discord": "a Discord channel id (digits)"}
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class DailyChannel:
    platform: Platform
    channel: str
    at: time  # local time of day
    zone: ZoneInfo
    card: bool = False  # the post carries the quote card (an image of the quote)

    def __str__(self) -> str:
        return f"{self.platform} {self.channel} at {self.at:%H:%M} {self.zone.key}"


def parse_time(text: str) -> time:
    """`HH:MM` (24-hour), or ValueError."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"“{text}” is not a time of day like 09:00")
    return time(int(match[1]), int(match[2]))


def parse_zone(name: str) -> ZoneInfo:
    """An IANA time zone like Europe/Berlin, or ValueError."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones, like "America"
        raise ValueError(f"“{name}” is not an IANA time zone like Europe/Berlin") from None


def parse_channels(
    platform: Platform, value: str, default_time: time, default_zone: ZoneInfo
) -> list[DailyChannel]:
    """Comma-separated `CHANNEL_ID[@HH:MM[@Area/City]][@card]` entries; ValueError naming the first bad
    entry."""
    channels: list[DailyChannel] = []
    for entry in filter(None, (part.strip() for part in value.split(","))):
        channel, *rest = entry.split("@")
        card = bool(rest) and rest[-1].strip().lower() == "card"
        rest = rest[:-1] if card else rest
        try:
            if not _CHANNEL[platform].fullmatch(channel) or len(rest) > 2:
                raise ValueError(
                    f"it needs {_CHANNEL_KIND[platform]}, then optionally @HH:MM, @Area/City and @card"
                )
            at = parse_time(rest[0]) if rest else default_time
            zone = parse_zone(rest[1]) if len(rest) > 1 else default_zone
        except ValueError as err:
            raise ValueError(f"entry “{entry}”: {err}") from None
        channels.append(DailyChannel(platform, channel, at, zone, card))
    if len({c.channel for c in channels}) < len(channels):
        raise ValueError("a channel is listed twice")
    return channels
