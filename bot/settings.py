"""Configuration from the environment and `.env`, built once at start-up and passed down.

`load_settings()` turns every missing or malformed value into a `SettingsError` whose message is one
line naming the variable and what it expects. `python -m bot.settings` prints the README's table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.daily.channels import DailyChannel, Platform, parse_channels, parse_time, parse_zone
from bot.errors import OnRecordError
from bot.state.connect import SCHEMES, parse_redis_url

__all__ = ["Settings", "SettingsError", "load_settings", "settings_table"]

PREFIX = "ONRECORD_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_ENVIRON: ContextVar[Mapping[str, str] | None] = ContextVar("onrecord_environ", default=None)


class SettingsError(OnRecordError):
    """A missing or malformed setting; the message is one line a person can act on."""


def _expect(text: str) -> dict[str, Any]:
    return {"expect": text}


class Settings(BaseSettings):
    """Everything the bot reads from its environment. Descriptions become the README's table."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, case_sensitive=False, extra="ignore", frozen=True, populate_by_name=False
    )

    slack_bot_token: SecretStr | None = Field(
        None,
        validation_alias="SLACK_BOT_TOKEN",
        description="Slack bot token (`xoxb-…`); needed to serve Slack.",
    )
    slack_app_token: SecretStr | None = Field(
        None,
        validation_alias="SLACK_APP_TOKEN",
        description="Slack app-level token (`xapp-…`) for Socket Mode.",
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        validation_alias="SLACK_SIGNING_SECRET",
        description="Slack signing secret for HTTP mode (used when there is no app token).",
    )
    discord_token: SecretStr | None = Field(
        None, validation_alias="DISCORD_TOKEN", description="Discord bot token; needed to serve Discord."
    )
    redis_url: str | None = Field(
        None,
        validation_alias="REDIS_URL",
        description="Shared state for replicas: one server (`redis://`, `rediss://`, `unix://`), a cluster "
        "(`redis+cluster://host:port,host:port`) or Sentinel "
        "(`redis+sentinel://host:port,host:port/master`); unset: one process keeps its state in memory.",
        repr=False,  # it may carry a password
        json_schema_extra={
            "expect": "a redis://, rediss://, unix://, redis+cluster://, rediss+cluster:// or "
            "redis+sentinel:// URL",
            "secret": True,
        },
    )
    index: Path | None = Field(
        None,
        description="Directory of a saved index (`onrecord index build`); loaded read-only "
        "(unless ONRECORD_CORPUS is set).",
        json_schema_extra=_expect("an existing directory holding a saved index"),
    )
    corpus: Annotated[tuple[Path, ...], NoDecode] = Field(
        (),
        description="Comma-separated transcript files or folders to index at start-up "
        "(wins over ONRECORD_INDEX); neither set: the bundled seeds.",
        json_schema_extra=_expect("comma-separated paths of existing transcript files or folders"),
    )
    results: int = Field(
        3,
        ge=1,
        le=10,
        description="Quoted passages per answer.",
        json_schema_extra=_expect("a whole number from 1 to 10"),
    )
    cache_ttl: int = Field(
        86400,
        ge=0,
        description="Seconds an answer stays cached (0: no caching).",
        json_schema_extra=_expect("a whole number of seconds, 0 or more"),
    )
    rate_limit: int = Field(
        10,
        ge=1,
        description="Questions per user per minute.",
        json_schema_extra=_expect("a whole number, 1 or more"),
    )
    health_port: int = Field(
        8080,
        ge=1,
        le=65535,
        description="Port of `/healthz`, `/metrics` and the quotes' pages (`/q/…`).",
        json_schema_extra=_expect("a port number from 1 to 65535"),
    )
    public_url: str | None = Field(
        None,
        description="Where people reach ONRECORD_HEALTH_PORT, e.g. `https://onrecord.example.org`: answers "
        "then link each quote to its page in context (`/q/…`); unset: no such links.",
        json_schema_extra=_expect("an http:// or https:// URL with a host, without ? or #"),
    )
    port: int = Field(
        3000,
        ge=1,
        le=65535,
        description="Port of Slack's HTTP mode (events and interactivity).",
        json_schema_extra=_expect("a port number from 1 to 65535"),
    )
    slack_api_url: str = Field(
        "https://slack.com/api/",
        description="Slack Web API base URL (tests point it at a stand-in).",
        json_schema_extra=_expect("an http:// or https:// URL"),
    )
    discord_api_url: str = Field(
        "https://discord.com/api/v10",
        description="Discord REST API base URL (tests point it at a stand-in).",
        json_schema_extra=_expect("an http:// or https:// URL"),
    )
    discord_gateway_url: str = Field(
        "wss://gateway.discord.gg",
        description="Discord gateway URL (tests point it at a stand-in).",
        json_schema_extra=_expect("a ws:// or wss:// URL"),
    )
    discord_shard_count: int | None = Field(
        None,
        ge=1,
        description="Shards across all Discord processes; "
        "unset: Discord's recommendation, all in this process.",
        json_schema_extra=_expect("a whole number, 1 or more"),
    )
    discord_shard_ids: Annotated[tuple[int, ...], NoDecode] = Field(
        (),
        description="This process's shards, e.g. `0-3` or `4,5` (with ONRECORD_DISCORD_SHARD_COUNT); "
        "unset: all of them.",
        json_schema_extra=_expect("shard numbers below ONRECORD_DISCORD_SHARD_COUNT, like 0-3 or 4,5"),
    )
    daily_slack: str = Field(
        "",
        description="Slack channels for the daily quote: comma-separated "
        "`CHANNEL_ID[@HH:MM[@Area/City]][@card]`, e.g. `C0123ABCD@09:00@Europe/Berlin,C0456EFGH@card` "
        "(`@card`: with the quote card).",
        json_schema_extra=_expect("comma-separated CHANNEL_ID[@HH:MM[@Area/City]][@card] entries"),
    )
    daily_discord: str = Field(
        "",
        description="Discord channels for the daily quote, in the same form (channel ids are digits).",
        json_schema_extra=_expect("comma-separated CHANNEL_ID[@HH:MM[@Area/City]][@card] entries"),
    )
    daily_time: str = Field(
        "09:00",
        description="Local time of the daily quote for entries without one (24-hour `HH:MM`).",
        json_schema_extra=_expect("a time of day like 09:00"),
    )
    daily_timezone: str = Field(
        "UTC",
        description="Time zone of entries without one (IANA name, e.g. `America/New_York`).",
        json_schema_extra=_expect("an IANA time zone like Europe/Berlin"),
    )
    daily_grace: int = Field(
        21600,
        ge=60,
        le=86399,
        description="Seconds after the daily time in which a late or retrying process still posts.",
        json_schema_extra=_expect("a whole number of seconds from 60 to 86399"),
    )
    log_level: str = Field(
        "INFO",
        description="Log level: DEBUG, INFO, WARNING, ERROR or CRITICAL.",
        json_schema_extra=_expect("one of " + ", ".join(LOG_LEVELS)),
    )
    log_format: Literal["auto", "text", "json"] = Field(
        "auto",
        description="Log lines: `text` for people, `json` for machines; `auto`: text on a terminal.",
        json_schema_extra=_expect("auto, text or json"),
    )
    question_log_days: int = Field(
        30,
        ge=0,
        description="Days each question's outcome is kept in Redis for `onrecord report` (0: none kept; "
        "no user ids are kept).",
        json_schema_extra=_expect("a whole number of days, 0 or more"),
    )
    max_question_chars: int = Field(
        1000,
        ge=1,
        description="Longest question answered, in characters.",
        json_schema_extra=_expect("a whole number, 1 or more"),
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        environ = _ENVIRON.get()
        if environ is not None:
            env_settings = _MappingEnvSource(settings_cls, environ)
        return init_settings, env_settings, dotenv_settings

    @field_validator(
        "slack_bot_token", "slack_app_token", "slack_signing_secret", "discord_token", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
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

    @field_validator("index")
    @classmethod
    def _index_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError("missing")
        return value

    @field_validator("corpus", mode="before")
    @classmethod
    def _split_corpus(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(Path(part.strip()) for part in value.split(",") if part.strip())
        return value

    @field_validator("corpus")
    @classmethod
    def _corpus_exists(cls, value: tuple[Path, ...]) -> tuple[Path, ...]:
        if any(not path.exists() for path in value):
            raise ValueError("missing")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _slack_url(cls, value: str) -> str:
        # Slack's SDK appends method names to its base URL, so the trailing slash matters.
        value = _http_url(value)
        return value if value.endswith("/") else value + "/"

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = _http_url(value)
        parts = urlsplit(value)
        if not parts.hostname or parts.port == 0 or any(c in "?# \t\n" for c in value):
            raise ValueError("not a base URL")  # (parts.port raises ValueError too when out of range)
        return value.rstrip("/")

    @field_validator("discord_api_url")
    @classmethod
    def _discord_url(cls, value: str) -> str:
        return _http_url(value).rstrip("/")

    @field_validator("discord_gateway_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("ws://", "wss://")) or len(value) <= len("wss://"):
            raise ValueError("not ws")
        return value

    @field_validator("discord_shard_ids", mode="before")
    @classmethod
    def _shard_ranges(cls, value: object) -> object:
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

    @model_validator(mode="after")
    def _shards_within_count(self) -> Settings:
        if self.discord_shard_ids and (
            self.discord_shard_count is None or max(self.discord_shard_ids) >= self.discord_shard_count
        ):
            raise PydanticCustomError("shards", "", {"field": "discord_shard_ids"})
        return self

    @field_validator("daily_time")
    @classmethod
    def _daily_time(cls, value: str) -> str:
        parse_time(value)
        return value.strip()

    @field_validator("daily_timezone")
    @classmethod
    def _daily_zone(cls, value: str) -> str:
        parse_zone(value)
        return value.strip()

    @model_validator(mode="after")
    def _daily_entries(self) -> Settings:
        for field in ("daily_slack", "daily_discord"):
            try:
                self._channels(field)
            except ValueError as err:
                raise PydanticCustomError("daily", "{detail}", {"field": field, "detail": str(err)}) from None
        return self

    def _channels(self, field: str) -> list[DailyChannel]:
        platform: Platform = "slack" if field == "daily_slack" else "discord"
        value = getattr(self, field)
        return parse_channels(platform, value, parse_time(self.daily_time), parse_zone(self.daily_timezone))

    @property
    def daily_channels(self) -> list[DailyChannel]:
        """Every channel of the daily quote, on both platforms."""
        return self._channels("daily_slack") + self._channels("daily_discord")

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in LOG_LEVELS:
            raise ValueError("unknown level")
        return value

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

    @property
    def slack_socket_mode(self) -> bool:
        """Socket Mode when an app token is set, otherwise HTTP mode."""
        return self.slack_app_token is not None


def _http_url(value: str) -> str:
    value = value.strip()
    if not value.startswith(("http://", "https://")) or len(value) <= len("https://"):
        raise ValueError("not http")
    return value


class _MappingEnvSource(EnvSettingsSource):
    """The environment source, reading a given mapping instead of `os.environ`."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {key.lower(): value for key, value in self._environ.items()}


def env_name(name: str, field: FieldInfo) -> str:
    """The environment variable that sets a field."""
    alias = field.validation_alias
    return alias if isinstance(alias, str) else PREFIX + name.upper()


@contextmanager
def _environ(env: Mapping[str, str] | None) -> Iterator[None]:
    token = _ENVIRON.set(env)
    try:
        yield
    finally:
        _ENVIRON.reset(token)


def load_settings(env: Mapping[str, str] | None = None, env_file: str | None = ".env") -> Settings:
    """Read settings from `env` (default: the process environment) and `env_file`, or raise SettingsError."""
    try:
        with _environ(env):
            return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    by_env = {env_name(name, field).lower(): (name, field) for name, field in Settings.model_fields.items()}
    lines: list[str] = []
    for error in exc.errors():
        whole_model = not error["loc"]  # a check across fields names its field in `ctx`
        loc = str(error.get("ctx", {}).get("field", "") if whole_model else error["loc"][0]).lower()
        name, field = by_env.get(loc) or by_env.get(PREFIX.lower() + loc) or ("", None)
        if field is None:
            lines.append(error["msg"])
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        expect = str(extra.get("expect", "a valid value"))
        secret = field.annotation == SecretStr | None or extra.get("secret") is True
        got = "" if secret or whole_model else f" (got {_shown(error.get('input'))})"
        detail = error.get("ctx", {}).get("detail")
        lines.append(
            f"{env_name(name, field)}: {detail}"
            if detail
            else f"{env_name(name, field)} must be {expect}{got}"
        )
    return "; ".join(dict.fromkeys(lines))


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


def settings_table() -> str:
    """The README's configuration table (Markdown), generated from the Settings fields."""
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "—" if default is None or default == () else f"`{default}`"
        rows.append(f"| `{env_name(name, field)}` | {shown} | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
