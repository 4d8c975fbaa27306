"""Settings: defaults, one clear line per bad value, secrets kept out of sight, the README table."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from onrecord.bot.settings import Settings, SettingsError, env_name, settings_table
from onrecord.bot.state.connect import parse_redis_url
from tests.bot.environment import settings_from

REPO = Path(__file__).resolve().parents[2]
ONRECORD = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"


def test_defaults() -> None:
    settings = settings_from({})
    assert settings.results == 3 and settings.cache_ttl == 86400 and settings.rate_limit == 10
    assert (settings.health_port, settings.port) == (8080, 3000)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.discord_api_url == "https://discord.com/api/v10"
    assert settings.discord_gateway_url == "wss://gateway.discord.gg"
    assert settings.redis_url is None and settings.index is None and settings.corpus == ()
    assert (settings.log_level, settings.max_question_chars) == ("INFO", 1000)


def test_blank_folders_are_unset() -> None:
    settings = settings_from({"ONRECORD_FEEDS_INTO": "", "ONRECORD_INDEX": " "})
    assert settings.feeds_into is None and settings.index is None


def test_values_from_the_environment_and_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("ONRECORD_RESULTS=5\nREDIS_URL=unix:///tmp/r.sock\n")
    settings = settings_from(
        {
            "ONRECORD_RESULTS": "7",
            "ONRECORD_CORPUS": f"{REPO / 'seeds'}, {REPO / 'pyproject.toml'}",
            "ONRECORD_SLACK_API_URL": "http://127.0.0.1:9/api",
            "onrecord_log_level": "debug",
        },
        env_file=str(env_file),
    )
    assert settings.results == 7 and settings.redis_url == "unix:///tmp/r.sock"
    assert settings.corpus == (REPO / "seeds", REPO / "pyproject.toml")
    assert settings.slack_api_url == "http://127.0.0.1:9/api/" and settings.log_level == "DEBUG"


WHOLE = "a whole number, 1 or more"
PORT = "a port number from 1 to 65535"
HTTP = "an http:// or https:// URL"
PUBLIC = "an http:// or https:// URL with a host, without ? or #"
BAD_PUBLIC_URLS = (
    "onrecord.example.org",
    "ftp://x.org",
    "https://",
    "https://x.org/?a=1",
    "https://x.org/#quote",
    "https://x .org",
    "http://x.org:99999",
    "javascript:alert(1)",
)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ONRECORD_RESULTS", "abc", "a whole number from 1 to 10"),
        ("ONRECORD_RESULTS", "11", "a whole number from 1 to 10"),
        ("ONRECORD_CACHE_TTL", "-1", "a whole number of seconds, 0 or more"),
        ("ONRECORD_RATE_LIMIT", "0", WHOLE),
        ("ONRECORD_MAX_QUESTION_CHARS", "1e3", WHOLE),
        ("ONRECORD_HEALTH_PORT", "99999", PORT),
        ("ONRECORD_PORT", "http", PORT),
        ("ONRECORD_INDEX", "/no/such/dir", "an existing directory holding a saved index"),
        ("ONRECORD_CORPUS", "/no/such/file", "comma-separated paths of existing transcript files or folders"),
        ("ONRECORD_SLACK_API_URL", "slack.com", HTTP),
        ("ONRECORD_DISCORD_API_URL", "ftp://x", HTTP),
        ("ONRECORD_DISCORD_GATEWAY_URL", "https://x", "a ws:// or wss:// URL"),
        ("ONRECORD_LOG_LEVEL", "loud", "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        *(("ONRECORD_PUBLIC_URL", bad, PUBLIC) for bad in BAD_PUBLIC_URLS),
        ("ONRECORD_LOG_FORMAT", "xml", "auto, text or json"),
        ("ONRECORD_FEEDS", "shows.example/rss", "space-separated http:// or https:// feed addresses"),
        ("ONRECORD_FEEDS_EVERY", "0", "a whole number of seconds, 1 or more"),
        (
            "ONRECORD_DISCORD_SHARD_IDS",
            "3-1",
            "shard numbers below ONRECORD_DISCORD_SHARD_COUNT, like 0-3 or 4,5",
        ),
        (
            "ONRECORD_DISCORD_SHARD_IDS",
            "1,1",
            "shard numbers below ONRECORD_DISCORD_SHARD_COUNT, like 0-3 or 4,5",
        ),
    ],
)
def test_a_bad_value_is_one_clear_line(name: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from({name: value})
    assert str(caught.value) == f'{name} must be {expected} (got "{value}")'


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "ONRECORD_DAILY_TIMEZONE",
            "America",
            'must be an IANA time zone like Europe/Berlin (got "America")',
        ),
        ("ONRECORD_DAILY_TIMEZONE", "Mars/Base", "must be an IANA time zone like Europe/Berlin"),
        (
            "ONRECORD_DAILY_SLACK",
            "C0X12@09:00@America",
            "“America” is not an IANA time zone like Europe/Berlin",
        ),
    ],
)
def test_a_zone_naming_a_folder_is_refused_like_any_bad_zone(name: str, value: str, expected: str) -> None:
    """`America` is a folder of zones: the command says which setting is wrong, in one line, exit 2."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONRECORD_", "SLACK_", "DISCORD_"))}
    proc = subprocess.run(
        [ONRECORD, "daily", "preview"], env={**env, name: value}, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"onrecord: {name}") and proc.stderr.count("\n") == 1
    assert expected in proc.stderr and "Errno" not in proc.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://onrecord.example.org/", "https://onrecord.example.org"),
        (" http://10.0.0.5:8080/bots/onrecord/ ", "http://10.0.0.5:8080/bots/onrecord"),
        ("", None),
    ],
)
def test_the_public_url_is_kept_without_its_trailing_slash(value: str, expected: str | None) -> None:
    assert settings_from({"ONRECORD_PUBLIC_URL": value}).public_url == expected
    assert settings_from({}).public_url is None


def test_a_bad_redis_url_is_named_but_not_echoed() -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from({"REDIS_URL": "http://:secret@host"})
    assert str(caught.value) == (
        "REDIS_URL must be a redis://, rediss://, unix://, redis+cluster://, rediss+cluster:// or "
        "redis+sentinel:// URL"
    )


NEEDS_NODES = "needs host:port[,host:port…] (every node with its port)"
NEEDS_MASTER = "redis+sentinel:// needs the master's name, e.g. redis+sentinel://host:26379/mymaster[/db]"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("redis+cluster://:secret@10.0.0.1", "redis+cluster:// " + NEEDS_NODES),
        ("redis+cluster://10.0.0.1:7000,10.0.0.2", "redis+cluster:// " + NEEDS_NODES),
        ("redis+cluster://10.0.0.1:7000/1", "redis+cluster:// takes no path (a cluster has one database)"),
        ("rediss+cluster://10.0.0.1:7000?ssl_cert_reqs=none", "rediss+cluster:// takes no query or fragment"),
        ("redis+sentinel://:secret@10.0.0.1:26379", NEEDS_MASTER),
        ("redis+sentinel://10.0.0.1:26379/mymaster/zero", NEEDS_MASTER),
        ("redis+sentinel://10.0.0.1:99999/mymaster", "redis+sentinel:// " + NEEDS_NODES),
    ],
)  # fmt: skip
def test_a_cluster_or_sentinel_url_without_its_parts_is_one_line_not_echoed(url: str, said: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from({"REDIS_URL": url})
    assert str(caught.value) == f"REDIS_URL: {said}"


def test_cluster_and_sentinel_urls_are_read_with_their_nodes() -> None:
    cluster = "rediss+cluster://:pw@10.0.0.1:7000,10.0.0.2:7001"
    assert settings_from({"REDIS_URL": cluster}).redis_url == cluster
    target = parse_redis_url("redis+sentinel://:pw@s1:26379,[::1]:26380/mymaster/2")
    assert (target.kind, target.nodes, target.master, target.db, target.password, target.tls) == (
        "sentinel",
        (("s1", 26379), ("::1", 26380)),
        "mymaster",
        2,
        "pw",
        False,
    )
    cluster_target = parse_redis_url(cluster)
    assert (cluster_target.kind, cluster_target.nodes, cluster_target.tls) == (
        "cluster",
        (("10.0.0.1", 7000), ("10.0.0.2", 7001)),
        True,
    )


def test_several_bad_values_still_make_one_line() -> None:
    with pytest.raises(SettingsError) as caught:
        settings_from({"ONRECORD_RESULTS": "0", "ONRECORD_PORT": "x"})
    assert "\n" not in str(caught.value)
    assert "ONRECORD_RESULTS" in str(caught.value) and "ONRECORD_PORT" in str(caught.value)


def test_platform_requirements() -> None:
    bare = settings_from({})
    for require, name in ((bare.require_slack, "SLACK_BOT_TOKEN"), (bare.require_discord, "DISCORD_TOKEN")):
        with pytest.raises(SettingsError, match=name):
            require()
    half = settings_from({"SLACK_BOT_TOKEN": "xoxb-1"})
    with pytest.raises(SettingsError, match=r"SLACK_APP_TOKEN .* or SLACK_SIGNING_SECRET"):
        half.require_slack()
    http = settings_from({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    http.require_slack()
    assert not http.slack_socket_mode
    socket = settings_from({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert socket.slack_socket_mode
    settings_from({"DISCORD_TOKEN": "d"}).require_discord()


def test_secrets_are_never_shown() -> None:
    secrets = {
        "SLACK_BOT_TOKEN": "xoxb-very-secret",
        "SLACK_APP_TOKEN": "xapp-very-secret",
        "SLACK_SIGNING_SECRET": "sign-very-secret",
        "DISCORD_TOKEN": "disc-very-secret",
        "REDIS_URL": "redis://:pw-very-secret@redis:6379/0",
    }
    settings = settings_from(secrets)
    assert "very-secret" not in repr(settings) + str(settings)
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == "disc-very-secret"


def test_readme_holds_the_generated_table() -> None:
    assert (REPO / "README.md").is_file(), "README.md is missing"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- settings-table:start -->", "<!-- settings-table:end -->"
    assert start in readme and end in readme, f"README.md needs {start} … {end} around the table"
    table = readme.split(start, 1)[1].split(end, 1)[0].strip()
    stale = "README's table is stale: paste the output of `python -m onrecord.bot.settings`"
    assert table == settings_table(), stale


def test_the_table_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "onrecord.bot.settings"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == settings_table()
    assert out.count("\n| `") == len(settings_table().splitlines()) - 2


def test_the_example_env_file_is_valid_as_shipped() -> None:
    example = REPO / ".env.example"
    settings = settings_from({}, env_file=str(example))
    assert settings.slack_bot_token is None and settings.daily_channels == []  # blanks are unset
    named = {line.split("=")[0].lstrip("# ") for line in example.read_text().splitlines() if "=" in line}
    known = {env_name(n, f) for n, f in Settings.model_fields.items()}
    assert named <= known, named - known


def test_feeds_are_read_with_the_folder_and_the_index_they_need(seed_index_dir: Path) -> None:
    feeds = "https://a.example/feed.xml  https://b.example/rss,https://c.example/"
    settings = settings_from(
        {
            "ONRECORD_FEEDS": feeds,
            "ONRECORD_FEEDS_INTO": "/data/transcripts",
            "ONRECORD_INDEX": str(seed_index_dir),
        }
    )
    assert settings.feeds == ("https://a.example/feed.xml", "https://b.example/rss", "https://c.example/")
    with pytest.raises(SettingsError) as caught:
        settings_from({"ONRECORD_FEEDS": feeds, "ONRECORD_INDEX": str(seed_index_dir)})
    assert str(caught.value) == (
        "ONRECORD_FEEDS: needs ONRECORD_FEEDS_INTO (the transcripts' folder) "
        "and ONRECORD_INDEX (the index rebuilt from it)"
    )


def test_daily_channels_are_parsed_once_with_the_default_time_and_zone() -> None:
    """Entries are read when the settings are: each field holds its channels, defaults filled in."""
    settings = settings_from(
        {
            "ONRECORD_DAILY_SLACK": "C0123ABCD, C0456EFGH@07:30@Europe/Berlin",
            "ONRECORD_DAILY_DISCORD": "123456789012",
            "ONRECORD_DAILY_TIME": "08:15",
            "ONRECORD_DAILY_TIMEZONE": "America/New_York",
        }
    )
    assert [str(c) for c in settings.daily_slack] == [
        "slack C0123ABCD at 08:15 America/New_York",
        "slack C0456EFGH at 07:30 Europe/Berlin",
    ]
    assert [str(c) for c in settings.daily_discord] == ["discord 123456789012 at 08:15 America/New_York"]
    assert settings.daily_channels == [*settings.daily_slack, *settings.daily_discord]
