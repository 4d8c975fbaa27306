"""OnRecord's engine beside bm25s, tantivy and rank-bm25 on the same passages, measured in one run.

For each corpus (transcript folders given as arguments; default: lexicap, then lexicap + changelog from
../shared/corpora) it prints, per engine: build time and passages/s, peak RSS of the build, index size on
disk, load time, RSS once loaded and after the queries, and query latency p50 / p99 (top 10) over the
dev questions plus 2–6-word phrases sampled from the passages. Then the ratios OnRecord / peer.

Fairness: every engine gets OnRecord's passages; bm25s and rank-bm25 also get OnRecord's tokens (its
analyzer), tantivy uses its own `en_stem` tokenizer. Each engine builds in one child process and loads and
queries in another, so peak memory is its own. OnRecord is timed two ways: `search` (what the bot calls:
ranking plus picking a quote in each hit) and `term_scores` + top 10 (ranking alone, like the peers).
rank-bm25 scores every passage per query in Python, so it is timed on a sample of queries (said so).

    pip install -e ".[bench]"
    python benchmarks/search.py [FOLDER ...] [--queries 500] [--rank-bm25-queries 20]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import index  # noqa: E402
from index.analyzer import Analyzer  # noqa: E402

SHARED = REPO.parent / "shared"
_WORD = re.compile(r"[^\W_]+")
Result = dict[str, float]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def in_child(work: Callable[..., Result], *args: Any) -> Result:
    """Run `work(*args)` in a forked process (its own peak memory); its result."""
    queue: mp.Queue[Result] = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=lambda: queue.put(work(*args)))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def latencies(search: Callable[[str], object], queries: list[str]) -> Result:
    times = []
    for q in queries:
        started = time.perf_counter()
        search(q)
        times.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {"p50_ms": cuts[49], "p99_ms": cuts[98], "queries": len(queries)}


# -- the engines: build(passages, tokens, directory) in one child, query(directory, queries) in another --


def onrecord_build(paths: list[str], directory: Path) -> Result:
    started = time.perf_counter()
    built = index.build(paths)
    built.save(directory)
    return {"build_s": time.perf_counter() - started, "passages": len(built.passages), "peak_mb": peak_mb()}


def onrecord_query(directory: Path, queries: list[str], ranking_only: bool) -> Result:
    before = rss_mb()
    started = time.perf_counter()
    idx = index.load(directory)
    loaded = {
        "load_s": time.perf_counter() - started,
        "rss_loaded_mb": rss_mb(),
        "rss_index_mb": rss_mb() - before,
    }
    analyzer = Analyzer()

    def rank(q: str) -> object:
        scores = idx.term_scores([str(t) for t in analyzer.terms(q)])
        return np.argpartition(-scores, 10)[:10] if len(scores) > 10 else scores

    found = latencies(rank if ranking_only else (lambda q: idx.search(q, 10)), queries)
    return {**loaded, **found, "rss_after_mb": rss_mb()}


def bm25s_build(tokens: list[list[str]], directory: Path) -> Result:
    import bm25s

    started = time.perf_counter()
    model = bm25s.BM25()
    model.index(tokens, show_progress=False)
    model.save(str(directory))
    return {"build_s": time.perf_counter() - started, "peak_mb": peak_mb()}


def bm25s_query(directory: Path, queries: list[list[str]]) -> Result:
    import bm25s

    started = time.perf_counter()
    model = bm25s.BM25.load(str(directory), mmap=True)
    loaded = {"load_s": time.perf_counter() - started, "rss_loaded_mb": rss_mb()}
    vocab = model.vocab_dict
    found = latencies(
        lambda q: model.retrieve(
            [[t for t in q.split() if t in vocab] or ["\0"]], k=10, show_progress=False, n_threads=1
        ),
        [" ".join(q) for q in queries],
    )
    return {**loaded, **found, "rss_after_mb": rss_mb()}


def tantivy_build(texts: list[str], directory: Path) -> Result:
    import tantivy

    started = time.perf_counter()
    schema = tantivy.SchemaBuilder().add_text_field("body", stored=False, tokenizer_name="en_stem").build()
    built = tantivy.Index(schema, path=str(directory))
    writer = built.writer(heap_size=512_000_000, num_threads=2)
    for text in texts:
        writer.add_document(tantivy.Document(body=text))
    writer.commit()
    writer.wait_merging_threads()
    return {"build_s": time.perf_counter() - started, "peak_mb": peak_mb()}


def tantivy_query(directory: Path, queries: list[str]) -> Result:
    import tantivy

    started = time.perf_counter()
    opened = tantivy.Index.open(str(directory))
    opened.reload()
    searcher = opened.searcher()
    loaded = {"load_s": time.perf_counter() - started, "rss_loaded_mb": rss_mb()}

    def search(q: str) -> object:
        words = " ".join(_WORD.findall(q)) or "x"
        return searcher.search(opened.parse_query(words, ["body"]), 10)

    return {**loaded, **latencies(search, queries), "rss_after_mb": rss_mb()}


def rank_bm25_all(tokens: list[list[str]], queries: list[list[str]]) -> Result:
    from rank_bm25 import BM25Okapi

    started = time.perf_counter()
    model = BM25Okapi(tokens)
    built = {"build_s": time.perf_counter() - started, "peak_mb": peak_mb()}
    found = latencies(lambda q: np.argsort(model.get_scores(q.split()))[-10:], [" ".join(q) for q in queries])
    return {**built, **found}


# -- a corpus ---------------------------------------------------------------------------------------


def queries_for(passages: list[str], count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    dev_path = SHARED / "eval" / "dev_questions.jsonl"
    dev = [json.loads(line)["question"] for line in dev_path.read_text().splitlines() if line.strip()]
    phrases: list[str] = []
    while len(dev) + len(phrases) < count:
        words = _WORD.findall(rng.choice(passages))
        n = rng.randint(2, 6)
        if len(words) >= n:
            start = rng.randrange(len(words) - n + 1)
            phrases.append(" ".join(words[start : start + n]))
    return (dev + phrases)[:count]


def bench(name: str, paths: list[str], args: argparse.Namespace, work: Path) -> None:
    print(f"\n== corpus {name}: {', '.join(paths)}", flush=True)
    directory = work / name
    onrecord = in_child(onrecord_build, paths, directory / "onrecord")
    idx = index.load(directory / "onrecord")
    texts = [p.text for p in idx.passages]
    analyzer = Analyzer()
    tokens = [[str(t) for t in analyzer.terms(t)] for t in texts]
    queries = queries_for(texts, args.queries)
    query_tokens = [[str(t) for t in analyzer.terms(q)] for q in queries]
    rows: dict[str, Result] = {}
    n = onrecord["passages"]
    rows["onrecord"] = {**onrecord, **in_child(onrecord_query, directory / "onrecord", queries, False)}
    rows["onrecord-rank"] = {**onrecord, **in_child(onrecord_query, directory / "onrecord", queries, True)}
    rows["bm25s"] = {
        **in_child(bm25s_build, tokens, directory / "bm25s"),
        **in_child(bm25s_query, directory / "bm25s", query_tokens),
    }
    (directory / "tantivy").mkdir(parents=True)
    rows["tantivy"] = {
        **in_child(tantivy_build, texts, directory / "tantivy"),
        **in_child(tantivy_query, directory / "tantivy", queries),
    }
    rows["rank-bm25"] = in_child(rank_bm25_all, tokens, query_tokens[: args.rank_bm25_queries])
    for engine, row in rows.items():
        folder = directory / engine.split("-")[0] if engine != "rank-bm25" else None
        disk = f"{size_mb(folder):.0f}MB" if folder is not None and folder.exists() else "-"
        nan = float("nan")
        print(
            f"search corpus={name} engine={engine} passages={n} build={row['build_s']:.1f}s "
            f"rate={n / row['build_s']:.0f}/s build_peak={row['peak_mb']:.0f}MB disk={disk} "
            f"load={row.get('load_s', nan):.3f}s rss_loaded={row.get('rss_loaded_mb', nan):.0f}MB "
            f"rss_after={row.get('rss_after_mb', nan):.0f}MB "
            f"p50={row['p50_ms']:.2f}ms p99={row['p99_ms']:.2f}ms queries={row['queries']:.0f}"
            + (
                " (rank-bm25: a sample of queries; it scores every passage in Python)"
                if engine == "rank-bm25"
                else ""
            ),
            flush=True,
        )
    for mine in ("onrecord", "onrecord-rank"):
        for peer in ("bm25s", "tantivy", "rank-bm25"):
            a, b = rows[mine], rows[peer]
            p50, p99 = a["p50_ms"] / b["p50_ms"], a["p99_ms"] / b["p99_ms"]
            print(f"ratio corpus={name} {mine}/{peer} p50={p50:.3f} p99={p99:.3f}")
    disk = size_mb(directory / "onrecord")
    for mine in ("onrecord", "onrecord-rank"):
        a, b = rows[mine], rows["bm25s"]
        checks = {
            "p50<=0.5*bm25s": a["p50_ms"] <= 0.5 * b["p50_ms"],
            "p99<=bm25s": a["p99_ms"] <= b["p99_ms"],
            ">=100x_rank-bm25": rows["rank-bm25"]["p50_ms"] / a["p50_ms"] >= 100,
            "load<=0.5s": a["load_s"] <= 0.5,
            "index_rss<=1.2*disk": a["rss_index_mb"] <= 1.2 * disk,
            "build>=50000/s": n / a["build_s"] >= 50_000,
        }
        verdicts = " ".join(f"{k}:{'PASS' if v else 'FAIL'}" for k, v in checks.items())
        print(f"targets corpus={name} engine={mine} index_rss={a['rss_index_mb']:.0f}MB {verdicts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--rank-bm25-queries", type=int, default=20)
    args = parser.parse_args()
    corpora = SHARED / "corpora"
    runs = [(f.name, [str(f)]) for f in args.folders] or [
        ("lexicap", [str(corpora / "lexicap")]),
        ("lexicap+changelog", [str(corpora / "lexicap"), str(corpora / "changelog")]),
    ]
    print(f"search machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; numpy {np.__version__}")
    work = Path(tempfile.mkdtemp(prefix="onrecord-search-bench-"))
    try:
        for name, paths in runs:
            bench(name, paths, args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
