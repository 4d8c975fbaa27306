"""Answer quality on every question set at once: the two dev sets, the check set and SciFact.

- `seeds`: ../shared/eval/dev_questions.jsonl over the bundled seeds.
- `lexicap`: ../shared/eval/dev_lexicap.jsonl over the whole lexicap collection.
- `check`: benchmarks/data/check_questions.jsonl (even lexicap episodes and four Changelog shows, written
  apart from the engine's tuning) over lexicap plus the shows listed in benchmarks/data/check_changelog.txt.
- `scifact`: nDCG@10 of `Index.search` on SciFact's 300 test queries, as benchmarks/beir.py measures it.

A question counts as answered at rank k when its anchor is inside one of the first k quotes (what a person
reads) or passages, by the shared scorer's own test (../shared/eval/score.py), so the figures are the ones
`score.py` prints for `onrecord ask --json -k 5`. Questions are asked in process, through `Index.search`
as `onrecord ask` does, and each is timed.

Indexes of the real corpora are built once and cached under the user's cache folder, keyed by the content
of the transcripts and of the `index` package (a change to the engine rebuilds them).

    python benchmarks/quality.py [--shared ../shared] [--sets seeds,lexicap,check,scifact] [--show-misses]
                                 [--in-episode]

``--in-episode`` limits each question of the three question sets to the episode that holds its anchor
(``Index.search(documents=...)``, the document named as the question's ``file``; a question without one,
or whose file names no document or several, stops the run): it measures how passages and quotes are
ranked inside an episode, apart from finding it. It only limits the search: the prior's weighting of a
guest's episode is not applied unless the question names the guest itself.

(``--shared`` defaults to ``$ONRECORD_SHARED``, else ``../shared`` beside the checkout.)
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np
import platformdirs
from beir import load_scifact, ndcg_at_10, onrecord_index, search_documents
from peers import REPO, SHARED, percentile

from onrecord import index
from onrecord.bot.corpus import seed_files
from onrecord.index.readers import find_transcripts
from onrecord.index.store import FORMAT

DATA = REPO / "benchmarks" / "data"
SETS = ("seeds", "lexicap", "check", "scifact")
K = 5


@dataclass
class Question:
    id: str
    question: str
    anchor: str
    kind: str
    file: str = ""


@dataclass
class Tally:
    """Per question: the rank of the first quote and of the first passage holding the anchor (or None)."""

    quote: list[int | None] = field(default_factory=list)
    passage: list[int | None] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    def recall(self, ranks: Sequence[int | None], k: int) -> float:
        return sum(r is not None and r <= k for r in ranks) / max(len(ranks), 1)


def cached_index(name: str, paths: Sequence[Path]) -> index.Index:
    """An index of ``paths``, loaded from the cache when one of the same content was built before."""
    files = find_transcripts(paths).files
    digest = hashlib.blake2b(digest_size=8)
    digest.update(str(FORMAT).encode())
    for source in sorted((REPO / "index").rglob("*.py")):
        digest.update(source.read_bytes())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    root = Path(platformdirs.user_cache_dir("onrecord")) / "quality"
    target = root / f"{name}-{digest.hexdigest()}"
    try:
        return index.load(target)
    except index.IndexLoadError:
        pass
    started = time.perf_counter()
    built = index.build(files, workers=index.usable_cores())
    print(f"built the {name} index ({len(files)} files) in {time.perf_counter() - started:.1f} s", flush=True)
    for old in root.glob(f"{name}-*"):  # earlier versions of the same index
        shutil.rmtree(old, ignore_errors=True)
    built.save(target)
    return built


def read_questions(path: Path) -> list[Question]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [
        Question(r["id"], r["question"], r["anchor"], r.get("kind", "?"), r.get("file", "")) for r in rows
    ]


def ask_all(
    idx: index.Index,
    questions: Sequence[Question],
    contains: Callable[[str, str], bool],
    misses: bool,
    in_episode: bool = False,
) -> Tally:
    """With ``in_episode``, each question is asked inside the document of its anchor's file."""
    tally = Tally()
    scopes: Sequence[list[str] | None] = episodes(idx, questions) if in_episode else [None] * len(questions)
    for q, scope in zip(questions, scopes, strict=True):
        started = time.perf_counter()
        hits = idx.search(q.question, K, documents=scope)
        tally.ms.append((time.perf_counter() - started) * 1000)
        tally.quote.append(next((h.rank for h in hits if contains(q.anchor, h.quote)), None))
        tally.passage.append(next((h.rank for h in hits if contains(q.anchor, h.passage.text)), None))
        if misses and (tally.quote[-1] is None or tally.quote[-1] > 3):
            top = hits[0].quote[:160] if hits else "(no results)"
            print(f"  miss {q.id} [{q.kind}]: {q.question}\n     want: {q.anchor}\n     got:  {top}")
    return tally


def episodes(idx: index.Index, questions: Sequence[Question]) -> list[list[str]]:
    """Each question's scope for ``--in-episode``: the id of the one document its ``file`` names."""
    by_name: dict[str, list[str]] = {}
    for d in idx.documents:
        by_name.setdefault(Path(d.source).name, []).append(d.id)
    scopes = []
    for q in questions:
        if not q.file:
            raise SystemExit(f"quality.py --in-episode: question {q.id} names no file")
        ids = by_name.get(q.file, [])
        if len(ids) != 1:
            raise SystemExit(
                f"quality.py --in-episode: {q.file} (question {q.id}) names {len(ids)} documents"
            )
        scopes.append(ids)
    return scopes


def report(name: str, questions: Sequence[Question], tally: Tally) -> None:
    quote = " ".join(f"@{k}={tally.recall(tally.quote, k):.3f}" for k in (1, 3, 5))
    print(
        f"{name:8s} n={len(questions):<3d} quote {quote}  passage@3={tally.recall(tally.passage, 3):.3f}  "
        f"ms/question p50={percentile(tally.ms, 50):.2f} mean={float(np.mean(tally.ms)):.2f}"
    )
    kinds = sorted({q.kind for q in questions})
    if len(kinds) > 1:
        cells = []
        for kind in kinds:
            mine = [i for i, q in enumerate(questions) if q.kind == kind]
            quote3 = tally.recall([tally.quote[i] for i in mine], 3)
            passage3 = tally.recall([tally.passage[i] for i in mine], 3)
            cells.append(f"{kind} {quote3:.2f}/{passage3:.2f} (n={len(mine)})")
        print(f"{'':8s} by kind, quote@3/passage@3: " + "  ".join(cells))
    print(flush=True)


def scifact(data: Path) -> None:
    docs, queries, qrels = load_scifact(data)
    idx = onrecord_index(docs)
    scores, ms = [], []
    for qid, relevant in qrels.items():
        started = time.perf_counter()
        ranked = search_documents(idx, queries[qid])
        ms.append((time.perf_counter() - started) * 1000)
        scores.append(ndcg_at_10(ranked, relevant))
    print(
        f"scifact  n={len(qrels)} nDCG@10={float(np.mean(scores)):.4f}  "
        f"ms/query p50={percentile(ms, 50):.2f} (200 hits)",
        flush=True,
    )


def shared_scorer(shared: Path) -> ModuleType:
    """../shared/eval/score.py, whose ``contains_anchor`` says what counts as a hit."""
    spec = importlib.util.spec_from_file_location("shared_score", shared / "eval" / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"quality.py: no scorer at {shared / 'eval' / 'score.py'}; pass --shared")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared folder (eval sets, corpora)")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument("--show-misses", action="store_true", help="print each question missed at quote@3")
    parser.add_argument(
        "--in-episode",
        action="store_true",
        help="limit each question's search to its anchor's episode (no guest weighting is added)",
    )
    args = parser.parse_args()
    chosen = [s.strip() for s in args.sets.split(",") if s.strip()]
    if unknown := set(chosen) - set(SETS):
        parser.error(f"unknown set(s) {', '.join(sorted(unknown))}; choose from {', '.join(SETS)}")
    if not (args.shared / "eval").is_dir():
        parser.error(f"no eval folder in {args.shared}; pass --shared /path/to/shared")
    contains = shared_scorer(args.shared).contains_anchor
    corpora, evals = args.shared / "corpora", args.shared / "eval"
    started = time.perf_counter()
    if "seeds" in chosen:
        questions = read_questions(evals / "dev_questions.jsonl")
        idx = cached_index("seeds", seed_files())
        report("seeds", questions, ask_all(idx, questions, contains, args.show_misses, args.in_episode))
    if "lexicap" in chosen:
        questions = read_questions(evals / "dev_lexicap.jsonl")
        idx = cached_index("lexicap", [corpora / "lexicap"])
        report("lexicap", questions, ask_all(idx, questions, contains, args.show_misses, args.in_episode))
    if "check" in chosen:
        shows = (DATA / "check_changelog.txt").read_text("utf-8").split()
        idx = cached_index("check", [corpora / "lexicap", *(corpora / "changelog" / s for s in shows)])
        questions = read_questions(DATA / "check_questions.jsonl")
        report("check", questions, ask_all(idx, questions, contains, args.show_misses, args.in_episode))
    if "scifact" in chosen:
        scifact(evals / "scifact")
    print(f"total run time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
