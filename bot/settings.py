"""Configuration from the environment and `.env`, built once at start-up and passed down.

Each kind of value is an `Annotated` alias below: its type, its bounds or parser, and what it must be
(`Expect`); `Settings` is then a table of variables. `load_settings()` turns every missing or malformed
value into a `SettingsError` whose message is one line naming the variable and what it expects.
`python -m bot.settings` prints the README's table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PlainValidator,
    SecretStr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.daily.channels import DailyChannel, Platform, parse_channels, parse_time, parse_zone
from bot.errors import OnRecordError
from bot.state.connect import SCHEMES, parse_redis_url

__all__ = ["Settings", "SettingsError", "check_public_url", "env_name", "load_settings", "settings_table"]

PREFIX = "ONRECORD_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(OnRecordError):
    """A missing or malformed setting; the message is one line a person can act on."""


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
    Path | None, AfterValidator(_saved_index), Expect("an existing directory holding a saved index")
]
Paths = Annotated[
    tuple[Path, ...],
    NoDecode,
    BeforeValidator(_paths),
    AfterValidator(_existing),
    Expect("comma-separated paths of existing transcript files or folders"),
]
Count = Annotated[int, Field(ge=1), Expect(WHOLE)]
OptionalCount = Annotated[int | None, Field(ge=1), Expect(WHOLE)]
Port = Annotated[int, Field(ge=1, le=65535), Expect(PORT)]
Seconds = Annotated[int, Field(ge=0), Expect("a whole number of seconds, 0 or more")]
Days = Annotated[int, Field(ge=0), Expect("a whole number of days, 0 or more")]
HttpUrl = Annotated[str, AfterValidator(_http_url), Expect("an http:// or https:// URL")]
SlackUrl = Annotated[str, AfterValidator(_slack_url), Expect("an http:// or https:// URL")]
PublicUrl = Annotated[
    str | None,
    BeforeValidator(_blank_is_none),
    AfterValidator(_public_url),
    Expect("an http:// or https:// URL with a host, without ? or #"),
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
    Expect("comma-separated CHANNEL_ID[@HH:MM[@Area/City]] entries"),
]
LogLevel = Annotated[str, AfterValidator(_level), Expect("one of " + ", ".join(LOG_LEVELS))]
LogFormat = Annotated[Literal["auto", "text", "json"], Expect("auto, text or json")]


class Settings(BaseSettings):
    """Everything the bot reads from its environment. Descriptions become the README's table."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        case_sensitive=False,
        extra="ignore",
        frozen=True,
        populate_by_name=False,
        validate_default=False,  # the defaults below are values already (a time, a zone), not text
    )

    slack_bot_token: Token = Field(
        None,
        validation_alias="SLACK_BOT_TOKEN",
        description="Slack bot token (`xoxb-…`); needed to serve Slack.",
    )
    slack_app_token: Token = Field(
        None,
        validation_alias="SLACK_APP_TOKEN",
        description="Slack app-level token (`xapp-…`) for Socket Mode.",
    )
    slack_signing_secret: Token = Field(
        None,
        validation_alias="SLACK_SIGNING_SECRET",
        description="Slack signing secret for HTTP mode (used when there is no app token).",
    )
    discord_token: Token = Field(
        None, validation_alias="DISCORD_TOKEN", description="Discord bot token; needed to serve Discord."
    )
    redis_url: RedisUrl = Field(
        None,
        validation_alias="REDIS_URL",
        description="Shared state for replicas: one server (`redis://`, `rediss://`, `unix://`), a cluster "
        "(`redis+cluster://host:port,host:port`) or Sentinel "
        "(`redis+sentinel://host:port,host:port/master`); unset: one process keeps its state in memory.",
        repr=False,  # it may carry a password
    )
    index: SavedIndex = Field(
        None,
        description="Directory of a saved index (`onrecord index build`); loaded read-only "
        "(unless ONRECORD_CORPUS is set).",
    )
    corpus: Paths = Field(
        (),
        description="Comma-separated transcript files or folders to index at start-up "
        "(wins over ONRECORD_INDEX); neither set: the bundled seeds.",
    )
    results: Annotated[int, Field(ge=1, le=10), Expect("a whole number from 1 to 10")] = Field(
        3, description="Quoted passages per answer."
    )
    cache_ttl: Seconds = Field(86400, description="Seconds an answer stays cached (0: no caching).")
    rate_limit: Count = Field(10, description="Questions per user per minute.")
    health_port: Port = Field(
        8080, description="Port of `/healthz`, `/metrics` and the quotes' pages (`/q/…`)."
    )
    public_url: PublicUrl = Field(
        None,
        description="Where people reach ONRECORD_HEALTH_PORT, e.g. `https://onrecord.example.org`: answers "
        "then link each quote to its page in context (`/q/…`); unset: no such links.",
    )
    port: Port = Field(3000, description="Port of Slack's HTTP mode (events and interactivity).")
    slack_api_url: SlackUrl = Field(
        "https://slack.com/api/", description="Slack Web API base URL (tests point it at a stand-in)."
    )
    discord_api_url: Annotated[HttpUrl, AfterValidator(lambda url: url.rstrip("/"))] = Field(
        "https://discord.com/api/v10", description="Discord REST API base URL (tests point it at a stand-in)."
    )
    discord_gateway_url: WsUrl = Field(
        "wss://gateway.discord.gg", description="Discord gateway URL (tests point it at a stand-in)."
    )
    discord_shard_count: OptionalCount = Field(
        None,
        description="Shards across all Discord processes; "
        "unset: Discord's recommendation, all in this process.",
    )
    discord_shard_ids: ShardIds = Field(
        (),
        description="This process's shards, e.g. `0-3` or `4,5` (with ONRECORD_DISCORD_SHARD_COUNT); "
        "unset: all of them.",
    )
    # The daily quote: time and zone first, as the channels' entries default to them.
    daily_time: TimeOfDay = Field(
        time(9), description="Local time of the daily quote for entries without one (24-hour `HH:MM`)."
    )
    daily_timezone: TimeZone = Field(
        ZoneInfo("UTC"), description="Time zone of entries without one (IANA name, e.g. `America/New_York`)."
    )
    daily_slack: DailyChannels = Field(
        (),
        description="Slack channels for the daily quote: comma-separated `CHANNEL_ID[@HH:MM[@Area/City]]`, "
        "e.g. `C0123ABCD@09:00@Europe/Berlin,C0456EFGH`.",
    )
    daily_discord: DailyChannels = Field(
        (), description="Discord channels for the daily quote, in the same form (channel ids are digits)."
    )
    daily_grace: Annotated[
        int, Field(ge=60, le=86399), Expect("a whole number of seconds from 60 to 86399")
    ] = Field(
        21600, description="Seconds after the daily time in which a late or retrying process still posts."
    )
    log_level: LogLevel = Field("INFO", description="Log level: DEBUG, INFO, WARNING, ERROR or CRITICAL.")
    log_format: LogFormat = Field(
        "auto", description="Log lines: `text` for people, `json` for machines; `auto`: text on a terminal."
    )
    question_log_days: Days = Field(
        30,
        description="Days each question's outcome is kept in Redis for `onrecord report` (0: none kept; "
        "no user ids are kept).",
    )
    max_question_chars: Count = Field(1000, description="Longest question answered, in characters.")

    @model_validator(mode="after")
    def _shards_within_count(self) -> Settings:
        if self.discord_shard_ids and (
            self.discord_shard_count is None or max(self.discord_shard_ids) >= self.discord_shard_count
        ):
            raise PydanticCustomError("shards", "", {"field": "discord_shard_ids"})
        return self

    @property
    def daily_channels(self) -> list[DailyChannel]:
        """Every channel of the daily quote, on both platforms."""
        return [*self.daily_slack, *self.daily_discord]

    def require_slack(self) -> None:
        """Raise unless Slack can start: a bot token plus an app token (Socket Mode) or signing secret."""
        if self.slack_bot_token is None:
            raise SettingsError("SLACK_BOT_TOKEN is required to serve Slack (the bot token, xoxb-…)")
        if self.slack_app_token is None and self.slack_signing_secret is None:
            raise SettingsError(
                "Slack needs SLACK_APP_TOKEN (Socket Mode, xapp-…) or SLACK_SIGNING_SECRET (HTTP mode)"
            )

    def require_discord(self) -> None:
        """Raise unless Discord can start."""
        if self.discord_token is None:
            raise SettingsError("DISCORD_TOKEN is required to serve Discord (the bot token)")

    def require_daily_channels(self) -> None:
        """Raise unless some channel of the daily quote is configured."""
        if not self.daily_channels:
            raise SettingsError("ONRECORD_DAILY_SLACK and ONRECORD_DAILY_DISCORD name no channel")

    def require_daily_posting(self) -> None:
        """Raise unless the daily quote can be posted from the command line: some channel, Redis (which
        remembers what was posted between runs), and the token of each platform used."""
        self.require_daily_channels()
        if self.redis_url is None:
            raise SettingsError("REDIS_URL is required to post the daily quote from the command line")
        platforms = {c.platform for c in self.daily_channels}
        if "slack" in platforms and self.slack_bot_token is None:
            raise SettingsError("SLACK_BOT_TOKEN is required to post the daily quote to Slack (xoxb-…)")
        if "discord" in platforms and self.discord_token is None:
            raise SettingsError("DISCORD_TOKEN is required to post the daily quote to Discord")

    @property
    def slack_socket_mode(self) -> bool:
        """Socket Mode when an app token is set, otherwise HTTP mode."""
        return self.slack_app_token is not None


def env_name(name: str, field: FieldInfo) -> str:
    """The environment variable that sets a field."""
    alias = field.validation_alias
    return alias if isinstance(alias, str) else PREFIX + name.upper()


def load_settings(env_file: str | None = ".env") -> Settings:
    """Read settings from the process environment and `env_file`, or raise SettingsError."""
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


_PUBLIC_URL: TypeAdapter[str | None] = TypeAdapter(PublicUrl)


def check_public_url(value: str) -> str | None:
    """ONRECORD_PUBLIC_URL checked as the bot checks it, alone (for `ask`, which needs no other setting)."""
    try:
        return _PUBLIC_URL.validate_python(value)
    except ValidationError as exc:
        field = Settings.model_fields["public_url"]
        raise SettingsError(_line(env_name("public_url", field), field, exc.errors()[0])) from None


def _describe(exc: ValidationError) -> str:
    by_env = {env_name(name, field).lower(): (name, field) for name, field in Settings.model_fields.items()}
    lines: list[str] = []
    for error in exc.errors():
        whole_model = not error["loc"]  # a check across fields names its field in `ctx`
        loc = str(error.get("ctx", {}).get("field", "") if whole_model else error["loc"][0]).lower()
        name, field = by_env.get(loc) or by_env.get(PREFIX.lower() + loc) or ("", None)
        lines.append(
            error["msg"] if field is None else _line(env_name(name, field), field, error, whole_model)
        )
    return "; ".join(dict.fromkeys(lines))


def _line(variable: str, field: FieldInfo, error: ErrorDetails, whole_model: bool = False) -> str:
    """One error of one variable: its own detail if it has one, else what the variable must be."""
    if detail := error.get("ctx", {}).get("detail"):
        return f"{variable}: {detail}"
    expect = next((m for m in field.metadata if isinstance(m, Expect)), Expect("a valid value"))
    got = "" if expect.secret or whole_model else f" (got {_shown(error.get('input'))})"
    return f"{variable} must be {expect.text}{got}"


def _shown(value: object) -> str:
    text = (
        value
        if isinstance(value, str)
        else ",".join(map(str, value))
        if isinstance(value, tuple)
        else str(value)
    )
    text = text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    return '"' + (text if len(text) <= 60 else text[:57] + "...") + '"'


def _written(value: object) -> str:
    """A default as a person would set it."""
    return f"{value:%H:%M}" if isinstance(value, time) else str(value)


def settings_table() -> str:
    """The README's configuration table (Markdown), generated from the Settings fields."""
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "—" if default in (None, ()) else f"`{_written(default)}`"
        rows.append(f"| `{env_name(name, field)}` | {shown} | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
