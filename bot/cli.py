"""The `onrecord` command: ask questions of the transcripts, build indexes, run the bots."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from onrecord import index
from onrecord.index.query import MAX_QUERY_WORDS
from onrecord.index.readers import NOT_A_TRANSCRIPT_FORMAT, SUPPORTED_SUFFIXES

from .cli_output import answer_json, answer_text, terms_text
from .corpus import default_index

if TYPE_CHECKING:
    from onrecord.bot.service import AnswerService
    from onrecord.bot.settings import Settings

__all__ = ["main"]

log = logging.getLogger("onrecord")

EXIT_USAGE = 2


class _UsageError(Exception):
    """Options that argparse cannot tell are wrong together; shown as argparse shows its own errors."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command not in ("serve", "daily"):  # these log JSON lines (bot.logs)
        logging.basicConfig(level=logging.WARNING, format="onrecord: %(levelname)s: %(message)s")
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.run(args)
    except _UsageError as err:
        parser.error(str(err))
    except BrokenPipeError:  # the reader went away (`onrecord ask … | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (index.IndexLoadError, OSError) as err:
        print(f"onrecord: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onrecord", description="Answers questions with the speakers' own words."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser(
        "ask",
        help="answer questions from the transcripts",
        description=(
            "Answer a question with quotes from the transcripts. Without a question, read questions from "
            "standard input, one per line."
        ),
    )
    ask.add_argument("question", nargs="*", help="the question (several words need no quotes)")
    ask.add_argument("-k", type=_positive, default=3, metavar="N", help="how many results (default 3)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question per line")
    ask.add_argument(
        "--explain",
        action="store_true",
        help="also show the terms the question became, with their weights and where each came from",
    )
    ask.add_argument(
        "--speaker",
        metavar="NAME",
        help="quote only this speaker (a first or last name will do; as in speaker:NAME in a question)",
    )
    ask.add_argument(
        "--episode",
        metavar="NAME",
        help="search only this episode: its title (or close to it) or file name (as episode:NAME)",
    )
    ask.add_argument(
        "--index", type=Path, metavar="DIR", help="a saved index (default: the bundled transcripts)"
    )
    ask.set_defaults(run=_ask)

    idx = sub.add_parser("index", help="build a saved index, or verify one")
    idx_sub = idx.add_subparsers(dest="index_command", metavar="ACTION", required=True)
    build = idx_sub.add_parser(
        "build", help="index transcript files or folders (.txt .md .vtt .srt .json .html)"
    )
    build.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders (default: the bundled transcripts)",
    )
    build.add_argument("--out", type=Path, required=True, metavar="DIR", help="where to save the index")
    build.add_argument(
        "--workers",
        type=_positive,
        default=index.usable_cores(),
        metavar="N",
        help="processes that read the files (default: one per usable core)",
    )
    build.set_defaults(run=_build)
    verify = idx_sub.add_parser(
        "verify",
        help="check a saved index: every file against its checksum, the arrays against each other",
        description="Check a saved index as the bot does when it loads one: every file against the size and "
        "SHA-256 in its manifest, the arrays against each other, the weights finite. Exit 0 when usable.",
    )
    verify.add_argument("directory", type=Path, metavar="DIR", help="the index (as given to --out)")
    verify.set_defaults(run=_verify)

    serve = sub.add_parser(
        "serve",
        help="run the bot",
        description="Answer questions in Slack or Discord until stopped (SIGTERM or Ctrl-C).",
    )
    serve.add_argument("platform", choices=("slack", "discord"), help="where to answer")
    serve.add_argument(
        "--check",
        action="store_true",
        help="check the settings, load the index, ping Redis, ask the platform about the tokens, then exit",
    )
    serve.add_argument(
        "--offline", action="store_true", help="with --check: skip asking Slack or Discord (no network)"
    )
    serve.set_defaults(run=_serve)

    daily = sub.add_parser("daily", help="the daily quote: post it now (for cron), or preview it")
    daily_sub = daily.add_subparsers(dest="daily_command", metavar="ACTION", required=True)
    post = daily_sub.add_parser(
        "post",
        help="post the day's quote to every configured channel, once",
        description="Post the day's quote to every channel of ONRECORD_DAILY_SLACK and "
        "ONRECORD_DAILY_DISCORD. Safe to run again or in parallel: a channel gets one post a day, and "
        "later runs say it was made.",
    )
    post.add_argument(
        "--date", type=_date, metavar="YYYY-MM-DD", help="the day (default: today in each channel's zone)"
    )
    post.add_argument("--dry-run", action="store_true", help="say what would be posted, post nothing")
    post.set_defaults(run=_daily_post)
    preview = daily_sub.add_parser("preview", help="print the quotes the next days would bring")
    preview.add_argument("--days", type=_positive, default=7, metavar="N", help="how many days (default 7)")
    preview.add_argument(
        "--card",
        type=Path,
        metavar="FILE",
        help="also draw the first quote's card (the image of …@card) into FILE",
    )
    preview.set_defaults(run=_daily_preview)

    report = sub.add_parser(
        "report",
        help="the questions people asked: most asked, with nothing on record, voted down",
        description="What was asked in Slack and Discord over the last days, from the question log in "
        "Redis (REDIS_URL): per platform, the most asked questions, those with nothing on record, and "
        "those voted down.",
    )
    report.add_argument(
        "--days", type=_positive, default=30, metavar="N", help="the last N days, today included (default 30)"
    )
    report.add_argument("--json", action="store_true", help="one JSON object")
    report.set_defaults(run=_report)

    disc = sub.add_parser("discord", help="Discord deploy steps: register commands, print the invite URL")
    disc_sub = disc.add_subparsers(dest="discord_command", metavar="ACTION", required=True)
    sync = disc_sub.add_parser(
        "sync",
        help="register /ask and /quote with Discord (once per deploy, not on every start)",
        description="Register /ask and /quote. Global commands reach every server within the hour; "
        "--guild registers them in one server at once (for trying things out).",
    )
    sync.add_argument("--guild", type=_snowflake, metavar="ID", help="one server's id")
    sync.set_defaults(run=_discord_sync)
    invite = disc_sub.add_parser("invite-url", help="print the URL that adds the bot to a server")
    invite.add_argument(
        "--client-id", type=_positive, metavar="ID", help="the application id (default: from DISCORD_TOKEN)"
    )
    invite.set_defaults(run=_discord_invite)

    feed = sub.add_parser("feed", help="fetch new episodes' transcripts from podcast feeds")
    feed_sub = feed.add_subparsers(dest="feed_command", metavar="ACTION", required=True)
    feed_sync = feed_sub.add_parser(
        "sync",
        help="download the transcripts (<podcast:transcript>) of episodes not fetched before",
        description="Read each RSS feed, save the best transcript of every new episode (JSON, VTT, SRT, "
        "HTML, then text) with its title, link, date, show and people as <name>.meta.json, and rebuild "
        "--index when something is new. Exit 1 when a feed could not be read.",
    )
    feed_sync.add_argument("urls", nargs="+", type=_web_url, metavar="URL", help="the feeds' addresses")
    feed_sync.add_argument("--into", type=Path, required=True, metavar="DIR", help="the transcripts' folder")
    feed_sync.add_argument(
        "--index", type=Path, metavar="OUT", help="rebuild this saved index from DIR when something is new"
    )
    feed_sync.add_argument(
        "--max-mb", type=_positive, default=50, metavar="N", help="skip larger files (default 50)"
    )
    feed_sync.set_defaults(run=_feed_sync)

    slack = sub.add_parser("slack", help="Slack deploy steps: print the app manifest")
    slack_sub = slack.add_subparsers(dest="slack_command", metavar="ACTION", required=True)
    manifest = slack_sub.add_parser(
        "manifest",
        help="print the Slack app manifest, ready to paste (Socket Mode unless --url is given)",
        description="Print the app manifest to paste at https://api.slack.com/apps (Create New App -> "
        "From a manifest). With --url, HTTP mode: Slack sends events, commands and clicks to "
        "URL/slack/events; without it, Socket Mode.",
    )
    mode = manifest.add_mutually_exclusive_group()
    mode.add_argument("--url", type=_https_url, help="the bot's public https:// address (HTTP mode)")
    mode.add_argument("--socket-mode", action="store_true", help="Socket Mode (the default)")
    manifest.set_defaults(run=_slack_manifest)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from onrecord.bot import app
    from onrecord.bot.settings import Settings

    if args.platform == "slack":
        from onrecord.bot.slack import check, serve

        require = Settings.require_slack
    else:
        from onrecord.bot.discord import check, serve

        require = Settings.require_discord
    if args.offline and not args.check:
        raise _UsageError("--offline goes with --check")
    if args.check:
        return app.run(app.self_check(None if args.offline else check), require=require, health=False)
    return app.run(lambda runtime: serve(app.serving(runtime, args.platform)), require=require)


def _daily_post(args: argparse.Namespace) -> int:
    from onrecord.bot import app
    from onrecord.bot.settings import Settings

    require = Settings.require_daily_channels if args.dry_run else Settings.require_daily_posting
    return app.run(app.daily_post(args.date, args.dry_run), require=require, health=False)


def _daily_preview(args: argparse.Namespace) -> int:
    from onrecord.bot import app

    if args.card is not None and not args.card.parent.is_dir():
        print(f"onrecord: --card: no folder {args.card.parent} to write the card in", file=sys.stderr)
        return EXIT_USAGE
    return app.run(app.daily_preview(args.days, args.card), health=False)


def _report(args: argparse.Namespace) -> int:
    from onrecord.bot.question_report import report_json, report_text, run_report
    from onrecord.bot.settings import SettingsError, load_settings
    from onrecord.bot.state.unreachable import RedisUnavailableError

    try:
        redis_url = load_settings().redis_url
    except SettingsError as err:
        print(f"onrecord: {err}", file=sys.stderr)
        return EXIT_USAGE
    if redis_url is None:
        print("onrecord report: REDIS_URL is not set; the question log is kept in Redis", file=sys.stderr)
        return EXIT_USAGE
    logging.getLogger("onrecord.bot.state").setLevel(logging.CRITICAL)  # the one line below says it
    try:
        found = run_report(redis_url, args.days)
    except RedisUnavailableError:
        print("onrecord report: Redis at REDIS_URL does not answer", file=sys.stderr)
        return 1
    print(
        json.dumps(report_json(found, args.days), ensure_ascii=False)
        if args.json
        else report_text(found, args.days)
    )
    return 0


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-22, got {value!r}") from None


def _discord_sync(args: argparse.Namespace) -> int:
    from onrecord.bot.discord import sync_commands

    def sync(settings: Settings) -> int:
        names = asyncio.run(sync_commands(settings, args.guild))
        where = f"in server {args.guild}" if args.guild else "globally (every server within the hour)"
        print(f"registered {', '.join('/' + n for n in names)} {where}")
        return 0

    return _with_settings(sync, require_discord=True)


def _discord_invite(args: argparse.Namespace) -> int:
    from onrecord.bot.discord import invite_url

    def invite(settings: Settings) -> int:
        print(invite_url(settings, args.client_id))
        return 0

    return _with_settings(invite, require_discord=args.client_id is None)


def _slack_manifest(args: argparse.Namespace) -> int:
    from onrecord.bot.slack.manifest import manifest

    print(json.dumps(manifest(args.url), indent=2))
    return 0


def _feed_sync(args: argparse.Namespace) -> int:
    from .feeds import sync

    summary = asyncio.run(sync(args.urls, args.into, print, args.max_mb * 1024 * 1024))
    for line in summary.lines():
        print(line)
    if args.index and summary.fetched:
        built = index.build([args.into])
        if built.documents:
            built.save(args.index)  # atomic: a bot watching the index loads the new version
            print(f"Indexed {len(built.documents)} documents -> {args.index} (version {built.version})")
        else:
            print(f"No transcript in {args.into} could be read; {args.index} left as it was")
    return 1 if summary.feeds_failed else 0


def _web_url(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"expected a feed's http:// or https:// address, got {value!r}")
    return value


def _https_url(value: str) -> str:
    from onrecord.bot.slack.manifest import events_url

    try:
        return events_url(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _with_settings(command: Callable[[Settings], int], *, require_discord: bool) -> int:
    """Run a deploy step with the settings; a setting, start-up or Discord error is one line."""
    import discord

    from onrecord.bot.settings import SettingsError, load_settings
    from onrecord.bot.startup import StartupError

    try:
        settings = load_settings()
        if require_discord:
            settings.require_discord()
        return command(settings)
    except SettingsError as err:
        print(f"onrecord: {err}", file=sys.stderr)
        return EXIT_USAGE
    except (StartupError, discord.HTTPException) as err:
        print(f"onrecord: {err}", file=sys.stderr)
        return 1


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 100:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 100, got {value!r}")
    return number


def _snowflake(value: str) -> int:
    """A Discord id: a whole number."""
    if not value.isdigit() or int(value) == 0:
        raise argparse.ArgumentTypeError(f"expected a Discord id (a whole number), got {value!r}")
    return int(value)


def _ask(args: argparse.Namespace) -> int:
    if args.question:
        question = " ".join(args.question).strip()
        if not question:
            print('onrecord ask: the question is empty. Usage: onrecord ask "your question"', file=sys.stderr)
            return EXIT_USAGE
        questions: Iterator[str] = iter([question])
    else:
        if sys.stdin.isatty():
            print("Type a question and press Enter (Ctrl-D to finish).", file=sys.stderr)
        questions = (line.strip() for line in sys.stdin if line.strip())
    public_url: str | None = None
    if args.json and "ONRECORD_PUBLIC_URL" in os.environ:
        from onrecord.bot.settings import SettingsError, check_public_url

        try:  # checked alone: `ask` needs no other setting, so a wrong one elsewhere does not stop it
            public_url = check_public_url(os.environ["ONRECORD_PUBLIC_URL"])
        except SettingsError as err:
            print(f"onrecord: {err}", file=sys.stderr)
            return EXIT_USAGE
    service = _ask_service(index.load(args.index) if args.index else default_index(), args.k, public_url)
    return asyncio.run(_answer_each(service, questions, args, links=public_url is not None))


def _ask_service(idx: index.Index, k: int, public_url: str | None) -> AnswerService:
    """The bots' answering service, on in-process state: one page of `k` results, and no limit on a
    question's length (a long one is searched by its first words, and said so)."""
    from onrecord.bot.service import AnswerService
    from onrecord.bot.state import State

    return AnswerService(
        idx, State(None), results=k, max_results=k, pages=1, max_question_chars=None, public_url=public_url
    )


async def _answer_each(
    service: AnswerService, questions: Iterator[str], args: argparse.Namespace, *, links: bool
) -> int:
    from onrecord.bot.service import AskOptions

    options = AskOptions(k=args.k, speaker=args.speaker, episode=args.episode)
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    for question in questions:
        if len(question.split()) > MAX_QUERY_WORDS:
            print(
                f"onrecord: a long question; searching with its first {MAX_QUERY_WORDS} words",
                file=sys.stderr,
            )
        answer = await service.ask(question, options)
        terms = service.explain(question) if args.explain else None
        out = (
            answer_json(question, answer, terms, links=links) + "\n"
            if args.json
            else (terms_text(terms) if terms is not None else "") + answer_text(question, answer, color)
        )
        sys.stdout.write(out)
        sys.stdout.flush()
    return 0


def _build(args: argparse.Namespace) -> int:
    from .corpus import seed_files

    paths: list[Path] = args.paths or seed_files()
    started = time.perf_counter()
    with _Progress() as tick:  # each file that cannot be read is named in a warning as it is met
        built, report = index.build_with_report(paths, progress=tick, workers=args.workers)
    if built.documents:
        built.save(args.out)
        elapsed = time.perf_counter() - started
        print(
            f"Indexed {len(built.documents)} documents, {len(built.passages)} passages in {elapsed:.1f} s "
            f"-> {args.out} (version {built.version})"
        )
    else:
        print(f"Nothing to index in {', '.join(map(str, paths))}: no transcript was read; no index written")
    for line in _build_summary(report, nothing_read=not built.documents):
        print(line)
    return 0 if built.documents else 1


def _build_summary(report: index.BuildReport, *, nothing_read: bool) -> list[str]:
    """What was merged, skipped (grouped by reason) and, when that helps, which formats are read."""
    lines = [f"One episode, one document: indexed {merged}" for merged in report.merged]
    groups: dict[str, list[Path]] = {}
    for path, reason in report.passed_over:
        groups.setdefault(reason, []).append(path)
    parts = []
    for reason, files in groups.items():
        suffixes = sorted({f.suffix.lower() or "no suffix" for f in files})
        shown = f" ({', '.join(suffixes)})" if reason == NOT_A_TRANSCRIPT_FORMAT else ""
        parts.append(f"{len(files)} {reason}{shown}")
    unreadable = len(report.skipped) - report.links_outside
    if unreadable:
        parts.append(f"{unreadable} that could not be read (named above)")
    if report.links_outside:
        links = report.links_outside
        parts.append(f"{links} {'link' if links == 1 else 'links'} to files outside the folders given")
    if parts:
        lines.append("Skipped: " + "; ".join(parts) + ".")
    if nothing_read or NOT_A_TRANSCRIPT_FORMAT in groups:
        lines.append(
            f"OnRecord reads {', '.join(sorted(SUPPORTED_SUFFIXES))} (see the README's Supported formats)."
        )
    return lines


def _verify(args: argparse.Namespace) -> int:
    idx = index.load(args.directory)  # raises IndexLoadError, one line, on anything amiss
    print(
        f"ok: {args.directory}: index {idx.version} ({len(idx.documents)} documents, "
        f"{len(idx.passages)} passages); every file matches its checksum"
    )
    return 0


class _Progress:
    """A progress bar over files on a terminal; silent otherwise."""

    def __enter__(self) -> index.Progress:
        self._bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(unit=" files", file=sys.stderr, leave=False)
        return self._tick

    def _tick(self, path: Path, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.total = total
            self._bar.set_postfix_str(path.name[-40:], refresh=False)
            self._bar.update(done - self._bar.n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()
