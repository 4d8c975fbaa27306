"""Configuration from the environment and `.env`, built once at start-up and passed down.

`Settings` is a table of variables, each of a kind of value from `bot.setting_types` (its type, bounds or
parser, and what it must be). `load_settings()` turns every missing or malformed value into a
`SettingsError` whose message is one line naming the variable and what it expects.
`python -m onrecord.bot.settings` prints the README's table.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, TypeAdapter, ValidationError, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

from onrecord.bot.daily.channels import DailyChannel
from onrecord.bot.errors import OnRecordError
from onrecord.bot.setting_types import (
    Count,
    DailyChannels,
    Days,
    DiscordUrl,
    Expect,
    FeedUrls,
    Folder,
    Interval,
    LogFormat,
    LogLevel,
    OptionalCount,
    Paths,
    Port,
    PublicUrl,
    RedisUrl,
    SavedIndex,
    Seconds,
    ShardIds,
    SlackUrl,
    TimeOfDay,
    TimeZone,
    Token,
    WsUrl,
)

__all__ = ["Settings", "SettingsError", "check_public_url", "env_name", "load_settings", "settings_table"]

PREFIX = "ONRECORD_"


class SettingsError(OnRecordError):
    """A missing or malformed setting; the message is one line a person can act on."""


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
    discord_api_url: DiscordUrl = Field(
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
        description="Slack channels for the daily quote: comma-separated "
        "`CHANNEL_ID[@HH:MM[@Area/City]][@card]`, e.g. `C0123ABCD@09:00@Europe/Berlin,C0456EFGH@card` "
        "(`@card`: with the quote card).",
    )
    daily_discord: DailyChannels = Field(
        (), description="Discord channels for the daily quote, in the same form (channel ids are digits)."
    )
    daily_grace: Annotated[
        int, Field(ge=60, le=86399), Expect("a whole number of seconds from 60 to 86399")
    ] = Field(
        21600, description="Seconds after the daily time in which a late or retrying process still posts."
    )
    feeds: FeedUrls = Field(
        (),
        description="Podcast feeds whose new episodes' transcripts `onrecord serve` fetches on a schedule "
        "(`onrecord feed sync`), space-separated; needs ONRECORD_FEEDS_INTO and ONRECORD_INDEX.",
    )
    feeds_into: Folder = Field(
        None,
        description="The folder of the transcripts ONRECORD_FEEDS fetches; when one is new, ONRECORD_INDEX "
        "is rebuilt from this whole folder.",
    )
    feeds_every: Interval = Field(
        3600, description="Seconds between feed syncs (one replica syncs each time)."
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

    @model_validator(mode="after")
    def _feeds_need_folders(self) -> Settings:
        if self.feeds and (self.feeds_into is None or self.index is None):
            detail = (
                "needs ONRECORD_FEEDS_INTO (the transcripts' folder) "
                "and ONRECORD_INDEX (the index rebuilt from it)"
            )
            raise PydanticCustomError("feeds", "{detail}", {"field": "feeds", "detail": detail})
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
