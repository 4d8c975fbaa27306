"""The whole test suite N times in a row while a busy process hogs a core: a suite that flakes shows here.

Prints one line per run (passed, failed, errors, skipped, seconds) and exits 1 if any run failed. Each
run has its own pytest temporary folder; the logs of a failed run are kept and named.

    python benchmarks/suite_soak.py [--runs 5] [--hogs 1] [-- extra pytest arguments]
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")


def run_suite(extra: list[str], basetemp: Path, log: Path) -> tuple[int, dict[str, int], float]:
    began = time.monotonic()
    with log.open("w") as out:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={basetemp}"]
        suite = subprocess.Popen([*command, *extra], cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            code = suite.wait()
        finally:
            if suite.poll() is None:  # stopped by a signal: so is the suite
                suite.terminate()
                suite.wait()
    seconds = time.monotonic() - began
    last = log.read_text(errors="replace").strip().splitlines()[-1:] or [""]
    counts = {kind.rstrip("s"): int(n) for n, kind in SUMMARY.findall(last[0])}
    return code, counts, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--hogs", type=int, default=1, help="busy processes beside the suite")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the busy processes too
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
    workdir = Path(tempfile.mkdtemp(prefix="onrecord-soak-"))
    failed = 0
    try:
        for run in range(1, args.runs + 1):
            log = workdir / f"run{run}.log"
            code, counts, seconds = run_suite(args.pytest_args, workdir / f"run{run}", log)
            failed += code != 0
            line = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("passed", "failed", "error", "skipped"))
            busy = f"{args.hogs} busy"
            verdict = "ok" if code == 0 else f"FAILED (exit {code}, log {log})"
            print(f"run {run}/{args.runs}: {line} in {seconds:.0f} s, {busy}: {verdict}", flush=True)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
