"""The time limits the test suite used to assert, measured here instead (tests wait on conditions only).

Each case prints its time against its budget; the exit code is 1 if any is over. Run it on a quiet
machine: a busy one measures the machine.

- a 160 kB transcript on one line reads in 1 s (no quadratic scan of a line);
- a ~115 kB question is searched in 1 s (the seed index);
- `onrecord ask --json` with a 100 kB question answers in 3 s, Python start-up included;
- a question costs at most 1.5 s while Redis is paused (needs redis-server on PATH);
- every file of the shared seeds and corpora reads in 45 s (when /work/shared or ../shared is there).

    python benchmarks/suite_timings.py [--shared /work/shared]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from onrecord import index  # noqa: E402
from onrecord.index.readers import SUPPORTED_SUFFIXES, read_transcript  # noqa: E402

DATA = REPO / "tests" / "data" / "transcripts"


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def long_line() -> float:
    excerpt = (DATA / "seed003_one_line.txt").read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.txt"
        big.write_bytes(b" ".join([excerpt] * 40))
        return timed(lambda: read_transcript(big))


def huge_question() -> float:
    seeds = index.build([str(REPO / "seeds")])
    return timed(lambda: seeds.search("why did ilya start ssi " * 5000, k=3))


def cli_question() -> float:
    onrecord = shutil.which("onrecord", path=str(Path(sys.executable).parent)) or "onrecord"
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache, "NO_COLOR": "1"}
        subprocess.run([onrecord, "ask", "warm up"], env=env, capture_output=True, check=True)
        question = "why did ilya start ssi " * 4500
        command = [onrecord, "ask", "--json", question]
        return timed(lambda: subprocess.run(command, env=env, capture_output=True, check=True))


def paused_redis() -> float | None:
    if shutil.which("redis-server") is None:
        return None
    from onrecord.bot.service import AnswerService
    from onrecord.bot.state import open_state
    from tests.conftest import RedisServer

    async def ask_while_paused(server: RedisServer) -> float:
        async with open_state(server.url, namespace="bench-timings") as state:
            service = AnswerService(index.build([str(REPO / "seeds")]), state)
            await service.ask("warm up")
            server.pause()
            try:
                began = time.perf_counter()
                await service.ask("what is trust")
                return time.perf_counter() - began
            finally:
                server.resume()

    with tempfile.TemporaryDirectory(prefix="onrecord-redis-") as folder:
        server = RedisServer(Path(folder))
        server.start()
        try:
            return asyncio.run(ask_while_paused(server))
        finally:
            server.stop()


def shared_corpora(shared: Path) -> float | None:
    folders = [shared / "seeds", shared / "corpora"]
    if not all(folder.is_dir() for folder in folders):
        return None
    files = [
        path
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES
    ]
    return timed(lambda: [read_transcript(path) for path in files])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder")
    args = parser.parse_args()
    cases: list[tuple[str, float, Callable[[], float | None]]] = [
        ("160 kB on one line, read", 1.0, long_line),
        ("115 kB question, searched", 1.0, huge_question),
        ("100 kB question, onrecord ask --json", 3.0, cli_question),
        ("a question while Redis is paused", 1.5, paused_redis),
        ("shared seeds and corpora, read", 45.0, lambda: shared_corpora(args.shared)),
    ]
    over = 0
    for name, budget, case in cases:
        seconds = case()
        if seconds is None:
            print(f"{name:<40} skipped (not available here)")
            continue
        over += seconds > budget
        print(f"{name:<40} {seconds:7.2f} s  budget {budget:5.1f} s  {'OVER' if seconds > budget else 'ok'}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
