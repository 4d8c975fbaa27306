"""Slack answer latency: from a signed @mention POSTed to the bot's HTTP endpoint to the Slack stand-in
receiving the matching `chat.postMessage` (its `thread_ts` is the mention's ts).

The real bot (`onrecord serve slack` in HTTP mode, run in this process by `tests.bot.slack_bot`) answers
over loopback against the Slack Web API stand-in, with the answer cache in a private redis-server. For
each corpus (the bundled seeds, and an index of lexicap when its folder exists) it sends `--mentions`
mentions one after another, each from its own user (so the 10/min rate limit never applies): new
questions (the dev set's questions, and 2-5-word phrases sampled from the indexed passages) and, about
half of the time, a question asked before in this run (answered from the cache). It prints p50 / p99 per
corpus and kind against the targets (uncached p50 <= 50 ms, cached p50 <= 10 ms), then the throughput of
`--senders` concurrent senders. The exit code is 0 even when a target is missed: this is a report.

    python benchmarks/slack_latency.py [--lexicap ../shared/corpora/lexicap] [--mentions 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from onrecord import index  # noqa: E402
from onrecord.bot.question import normalize  # noqa: E402
from onrecord.bot.wording import APOLOGY  # noqa: E402
from tests.bot.slack_bot import RunningBot, bot_env, slack_bot  # noqa: E402
from tests.conftest import RedisServer  # noqa: E402
from tests.standins.slack import Call, SlackStandIn  # noqa: E402
from tests.standins.slack_payloads import mention_event  # noqa: E402

TARGET_P50_MS = {"uncached": 50.0, "cached": 10.0}
WAIT_SECONDS = 30.0  # for one answer; longer means the bot is stuck, and the run stops
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


@dataclass(frozen=True, slots=True)
class Mention:
    question: str
    cached: bool  # asked before in this run, so its answer should come from the cache


@dataclass(frozen=True, slots=True)
class Sample:
    cached: bool
    ms: float
    ok: bool  # posted, and not the apology


class Questions:
    """New questions in a seeded random order, and the mentions that mix them with repeats."""

    def __init__(self, dev: Sequence[str], passages: Sequence[index.Passage], seed: int) -> None:
        self._rng = random.Random(seed)
        self._passages = passages
        self._dev = list(dev)
        self._rng.shuffle(self._dev)
        self._seen: set[str] = set()
        self.asked: list[str] = []  # what the measured mentions have asked so far
        self._fresh = self._new()

    def _new(self) -> Iterator[str]:
        for question in self._dev:
            yield from self._unseen(question)
        for _ in range(100_000):  # a corpus too small for that many distinct phrases ends the run
            words = _WORD.findall(self._rng.choice(self._passages).text)
            length = self._rng.randint(2, 5)
            if len(words) >= length:
                start = self._rng.randrange(len(words) - length + 1)
                yield from self._unseen(" ".join(words[start : start + length]))

    def _unseen(self, question: str) -> Iterator[str]:
        key = normalize(question)
        if key and key not in self._seen:
            self._seen.add(key)
            yield question

    def fresh(self, count: int) -> list[str]:
        """New questions that are not remembered as asked (for warming up)."""
        return [next(self._fresh) for _ in range(count)]

    def mentions(self, count: int) -> list[Mention]:
        plan = []
        for _ in range(count):
            if self.asked and self._rng.random() < 0.5:
                plan.append(Mention(self._rng.choice(self.asked), cached=True))
            else:
                question = next(self._fresh)
                self.asked.append(question)
                plan.append(Mention(question, cached=False))
        return plan


class Posts:
    """The stand-in's `chat.postMessage` calls by `thread_ts`, waited for without polling."""

    def __init__(self, slack: SlackStandIn) -> None:
        self._slack = slack
        self._seen = 0
        self._by_thread: dict[str, Call] = {}

    async def wait(self, thread_ts: str) -> Call:
        while thread_ts not in self._by_thread:
            calls = self._slack.calls_to("chat.postMessage")
            for call in calls[self._seen :]:
                self._by_thread[str(call.args.get("thread_ts"))] = call
            self._seen = len(calls)
            if thread_ts not in self._by_thread:
                await self._slack.wait_calls("chat.postMessage", self._seen + 1, timeout=WAIT_SECONDS)
        return self._by_thread.pop(thread_ts)


class Sender:
    def __init__(self, bot: RunningBot, slack: SlackStandIn) -> None:
        self._bot = bot
        self._posts = Posts(slack)
        self._users = 0

    async def ask(self, mention: Mention) -> Sample:
        self._users += 1
        event = mention_event(mention.question, user=f"U{self._users:07d}")
        started = time.monotonic()  # the stand-in stamps `Call.at` with the same clock
        status, _ = await self._bot.send(event)
        call = await self._posts.wait(event["event"]["ts"])
        ok = status == 200 and bool(call.response.get("ok")) and call.args.get("text") != APOLOGY
        return Sample(mention.cached, (call.at - started) * 1000, ok)


def percentile(values: Sequence[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report(corpus: str, samples: Sequence[Sample]) -> None:
    for kind, cached in (("uncached", False), ("cached", True)):
        ms = [s.ms for s in samples if s.cached == cached]
        if not ms:
            continue
        p50, p99, target = percentile(ms, 50), percentile(ms, 99), TARGET_P50_MS[kind]
        errors = sum(not s.ok for s in samples if s.cached == cached)
        print(
            f"slack_latency corpus={corpus} kind={kind} n={len(ms)} p50={p50:.1f}ms p99={p99:.1f}ms "
            f"max={max(ms):.1f}ms target_p50<={target:.0f}ms {'PASS' if p50 <= target else 'FAIL'}"
            + (f" errors={errors}" if errors else ""),
            flush=True,
        )


async def bench(
    corpus: str, index_dir: Path, questions: Questions, args: argparse.Namespace, redis: str
) -> None:
    async with SlackStandIn() as slack, slack_bot(bot_env(slack, index_dir, redis)) as bot:
        sender = Sender(bot, slack)
        for question in questions.fresh(args.warmup):  # first connections, lazy imports, cold pages
            await sender.ask(Mention(question, cached=False))
        samples = [await sender.ask(mention) for mention in questions.mentions(args.mentions)]
        report(corpus, samples)
        metrics = bot.runtime.metrics.registry
        hits = metrics.get_sample_value("onrecord_cache_hits_total") or 0
        asked = metrics.get_sample_value("onrecord_answer_seconds_count") or 0
        spent = metrics.get_sample_value("onrecord_answer_seconds_sum") or 0
        print(
            f"  bot metrics: {hits:.0f} cache hits of {asked:.0f} questions (incl. {args.warmup} warm-up); "
            f"mean AnswerService.ask {1000 * spent / max(asked, 1):.1f}ms (cached and uncached)",
            flush=True,
        )
        if args.senders > 1:
            await throughput(corpus, sender, questions.mentions(args.mentions), args.senders)


async def throughput(corpus: str, sender: Sender, plan: list[Mention], senders: int) -> None:
    """`senders` concurrent senders, each sending its next mention once its last one is answered."""
    pending = iter(plan)
    samples: list[Sample] = []

    async def send_all() -> None:
        for mention in pending:
            samples.append(await sender.ask(mention))

    started = time.monotonic()
    async with asyncio.TaskGroup() as group:
        for _ in range(senders):
            group.create_task(send_all())
    elapsed = time.monotonic() - started
    ms = [s.ms for s in samples]
    errors = sum(not s.ok for s in samples)
    print(
        f"slack_throughput corpus={corpus} senders={senders} n={len(ms)} "
        f"(~{sum(s.cached for s in samples)} repeats) {len(ms) / elapsed:.0f} mentions/s "
        f"p50={percentile(ms, 50):.1f}ms p99={percentile(ms, 99):.1f}ms"
        + (f" errors={errors}" if errors else ""),
        flush=True,
    )


def build(name: str, paths: list[Path], directory: Path) -> index.Index:
    started = time.monotonic()
    built = index.build([str(p) for p in paths])
    built.save(directory)
    print(
        f"index {name}: {len(built.documents)} documents, {len(built.passages)} passages, "
        f"built and saved in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    return built


def dev_questions(path: Path) -> list[str]:
    if not path.is_file():
        print(f"no dev questions at {path}: new questions are phrases from the passages only")
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [str(json.loads(line)["question"]) for line in lines if line.strip()]


async def main(args: argparse.Namespace) -> None:
    print(
        f"slack_latency machine: {platform.node()} {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}; mode: in-process HTTP (bot, sender and Slack stand-in in one "
        f"event loop over loopback), redis-server on a unix socket, cache on; {args.mentions} sequential "
        f"mentions per corpus after {args.warmup} warm-up",
        flush=True,
    )
    dev = dev_questions(args.questions)
    corpora = [("seeds", [REPO / "seeds"])]
    if args.lexicap.is_dir():
        corpora.append(("lexicap", [args.lexicap]))
    else:
        print(f"corpus lexicap skipped: no folder at {args.lexicap}")
    workdir = Path(tempfile.mkdtemp(prefix="onrecord-bench-"))  # short: unix socket paths are limited
    redis = RedisServer(workdir)
    redis.start()
    try:
        for n, (name, paths) in enumerate(corpora):
            built = await asyncio.to_thread(build, name, paths, workdir / name)
            questions = Questions(dev, built.passages, seed=args.seed + n)
            await bench(name, workdir / name, questions, args, redis.url)
    finally:
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lexicap", type=Path, default=REPO.parent / "shared" / "corpora" / "lexicap")
    parser.add_argument(
        "--questions", type=Path, default=REPO.parent / "shared" / "eval" / "dev_questions.jsonl"
    )
    parser.add_argument("--mentions", type=int, default=300, help="measured mentions per corpus")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured mentions first")
    parser.add_argument("--senders", type=int, default=8, help="concurrent senders for throughput (1: skip)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.mentions < 1 or args.warmup < 0:
        parser.error("--mentions must be 1 or more and --warmup 0 or more")
    return args


if __name__ == "__main__":
    started = time.monotonic()
    asyncio.run(main(parse_args()))
    print(f"slack_latency done in {time.monotonic() - started:.1f}s")
