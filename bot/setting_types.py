"""The kinds of value a setting takes, each an `Annotated` alias: its type, its bounds or parser, and what
it must be (`Expect`, which the setting's one-line error says). `bot.settings` is the table that uses them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, SecretStr, ValidationInfo
from pydantic_core import PydanticCustomError
from pydantic_settings import NoDecode

from onrecord.bot.daily.channels import DailyChannel, Platform, parse_channels, parse_time, parse_zone
from onrecord.bot.state.connect import SCHEMES, parse_redis_url

__all__ = [
    "Count",
    "DailyChannels",
    "Days",
    "DiscordUrl",
    "Expect",
    "FeedUrls",
    "Folder",
    "Interval",
    "LogFormat",
    "LogLevel",
    "OptionalCount",
    "Paths",
    "Port",
    "PublicUrl",
    "RedisUrl",
    "SavedIndex",
    "Seconds",
    "ShardIds",
    "SlackUrl",
    "TimeOfDay",
    "TimeZone",
    "Token",
    "WsUrl",
]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class Expect:
    """What a value must be, as its error says it: `ONRECORD_X must be <text> (got "…")`."""

    text: str
    secret: bool = False  # the value is never echoed


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _http_url(value: str) -> str:
    value = value.strip()
    if not value.startswith(("http://", "https://")) or len(value) <= len("https://"):
        raise ValueError("not http")
    return value


def _slack_url(value: str) -> str:
    # Slack's SDK appends method names to its base URL, so the trailing slash matters.
    value = _http_url(value)
    return value if value.endswith("/") else value + "/"


def _public_url(value: str | None) -> str | None:
    if value is None:
        return None
    value = _http_url(value)
    parts = urlsplit(value)
    if not parts.hostname or parts.port == 0 or any(c in "?# \t\n" for c in value):
        raise ValueError("not a base URL")  # (parts.port raises ValueError too when out of range)
    return value.rstrip("/")


def _ws_url(value: str) -> str:
    value = value.strip()
    if not value.startswith(("ws://", "wss://")) or len(value) <= len("wss://"):
        raise ValueError("not ws")
    return value


def _redis_url(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    scheme, sep, _ = value.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise ValueError("bad scheme")
    try:
        parse_redis_url(value)
    except ValueError as err:
        raise PydanticCustomError("redis_url", "{detail}", {"detail": str(err)}) from None
    return value


def _saved_index(value: Path | None) -> Path | None:
    if value is not None and not value.is_dir():
        raise ValueError("missing")
    return value


def _paths(value: object) -> object:
    if isinstance(value, str):
        return tuple(Path(part.strip()) for part in value.split(",") if part.strip())
    return value


def _existing(value: tuple[Path, ...]) -> tuple[Path, ...]:
    if any(not path.exists() for path in value):
        raise ValueError("missing")
    return value


def _shard_ranges(value: object) -> object:
    if not isinstance(value, str):
        return value
    ids: list[int] = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        low, dash, high = part.partition("-")
        if dash and int(low) > int(high):
            raise ValueError("a range runs backwards")
        ids.extend(range(int(low), int(high) + 1) if dash else [int(low)])
    if len(set(ids)) < len(ids):
        raise ValueError("a shard is listed twice")
    return tuple(ids)


def _feed_urls(value: object) -> object:
    if not isinstance(value, str):
        return value
    urls = value.replace(",", " ").split()
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ValueError("not http")
    return tuple(urls)


def _level(value: str) -> str:
    value = value.strip().upper()
    if value not in LOG_LEVELS:
        raise ValueError("unknown level")
    return value


def _channels(value: str, info: ValidationInfo) -> tuple[DailyChannel, ...]:
    """Parsed once here; entries without a time or zone take ONRECORD_DAILY_TIME/TIMEZONE (declared
    first, so already parsed; when one of them is malformed its own error is reported)."""
    platform: Platform = "slack" if info.field_name == "daily_slack" else "discord"
    at = info.data.get("daily_time", time(9))
    zone = info.data.get("daily_timezone", ZoneInfo("UTC"))
    try:
        return tuple(parse_channels(platform, value, at, zone))
    except ValueError as err:
        raise PydanticCustomError("daily", "{detail}", {"detail": str(err)}) from None


WHOLE = "a whole number, 1 or more"
PORT = "a port number from 1 to 65535"

Token = Annotated[SecretStr | None, BeforeValidator(_blank_is_none), Expect("a token", secret=True)]
RedisUrl = Annotated[
    str | None,
    BeforeValidator(_blank_is_none),
    AfterValidator(_redis_url),
    Expect(
        "a redis://, rediss://, unix://, redis+cluster://, rediss+cluster:// or redis+sentinel:// URL",
        secret=True,  # it may carry a password
    ),
]
SavedIndex = Annotated[
    Path | None,
    BeforeValidator(_blank_is_none),
    AfterValidator(_saved_index),
    Expect("an existing directory holding a saved index"),
]
Paths = Annotated[
    tuple[Path, ...],
    NoDecode,
    BeforeValidator(_paths),
    AfterValidator(_existing),
    Expect("comma-separated paths of existing transcript files or folders"),
]
Folder = Annotated[Path | None, BeforeValidator(_blank_is_none), Expect("a folder path")]
Count = Annotated[int, Field(ge=1), Expect(WHOLE)]
OptionalCount = Annotated[int | None, Field(ge=1), Expect(WHOLE)]
Port = Annotated[int, Field(ge=1, le=65535), Expect(PORT)]
Seconds = Annotated[int, Field(ge=0), Expect("a whole number of seconds, 0 or more")]
Interval = Annotated[int, Field(ge=1), Expect("a whole number of seconds, 1 or more")]
Days = Annotated[int, Field(ge=0), Expect("a whole number of days, 0 or more")]
HttpUrl = Annotated[str, AfterValidator(_http_url), Expect("an http:// or https:// URL")]
SlackUrl = Annotated[str, AfterValidator(_slack_url), Expect("an http:// or https:// URL")]
DiscordUrl = Annotated[HttpUrl, AfterValidator(lambda url: url.rstrip("/"))]
PublicUrl = Annotated[
    str | None,
    BeforeValidator(_blank_is_none),
    AfterValidator(_public_url),
    Expect("an http:// or https:// URL with a host, without ? or #"),
]
FeedUrls = Annotated[
    tuple[str, ...],
    NoDecode,
    BeforeValidator(_feed_urls),
    Expect("space-separated http:// or https:// feed addresses"),
]
WsUrl = Annotated[str, AfterValidator(_ws_url), Expect("a ws:// or wss:// URL")]
ShardIds = Annotated[
    tuple[int, ...],
    NoDecode,
    BeforeValidator(_shard_ranges),
    Expect("shard numbers below ONRECORD_DISCORD_SHARD_COUNT, like 0-3 or 4,5"),
]
TimeOfDay = Annotated[time, PlainValidator(parse_time), Expect("a time of day like 09:00")]
TimeZone = Annotated[ZoneInfo, PlainValidator(parse_zone), Expect("an IANA time zone like Europe/Berlin")]
DailyChannels = Annotated[
    tuple[DailyChannel, ...],
    NoDecode,
    PlainValidator(_channels),
    Expect("comma-separated CHANNEL_ID[@HH:MM[@Area/City]][@card] entries"),
]
LogLevel = Annotated[str, AfterValidator(_level), Expect("one of " + ", ".join(LOG_LEVELS))]
LogFormat = Annotated[Literal["auto", "text", "json"], Expect("auto, text or json")]
