"""Retrieval quality on SciFact (BEIR layout, ../shared/eval/scifact): nDCG@10 and recall@100 of OnRecord's
engine beside bm25s and rank-bm25 computed in the same run, with the same tokens (OnRecord's analyzer).

Each abstract (title, then text) becomes a transcript file, so OnRecord indexes it as it indexes anything:
in passages, a document scoring as its best passage. OnRecord is measured as the bot searches
(`Index.search`, with its query expansion) and as plain BM25 over its passages (`term_scores`); the peers
index whole abstracts. Published BM25 figures are in the data's README (target: nDCG@10 >= 0.685).

    pip install -e ".[bench]"
    python benchmarks/beir.py [--data ../shared/eval/scifact]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import index  # noqa: E402
from index.analyzer import Analyzer  # noqa: E402

Ranking = Callable[[str], list[str]]  # a query's document ids, best first


def ndcg_at_10(ranked: Sequence[str], relevant: dict[str, int]) -> float:
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_100(ranked: Sequence[str], relevant: dict[str, int]) -> float:
    wanted = {d for d, r in relevant.items() if r > 0}
    return len(wanted & set(ranked[:100])) / len(wanted) if wanted else 0.0


def evaluate(name: str, rank: Ranking, queries: dict[str, str], qrels: dict[str, dict[str, int]]) -> None:
    started = time.perf_counter()
    ndcg, recall = [], []
    for qid, relevant in qrels.items():
        ranked = rank(queries[qid])
        ndcg.append(ndcg_at_10(ranked, relevant))
        recall.append(recall_at_100(ranked, relevant))
    per_query = (time.perf_counter() - started) / len(qrels) * 1000
    print(
        f"beir dataset=scifact engine={name} ndcg@10={np.mean(ndcg):.4f} recall@100={np.mean(recall):.4f} "
        f"queries={len(qrels)} {per_query:.1f}ms/query"
        + (
            " target_ndcg@10>=0.685 " + ("PASS" if np.mean(ndcg) >= 0.685 else "FAIL")
            if "onrecord" in name
            else ""
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "eval" / "scifact")
    args = parser.parse_args()
    docs = [
        json.loads(line) for line in (args.data / "corpus.jsonl").read_text().splitlines() if line.strip()
    ]
    queries = {
        q["_id"]: q["text"] for q in map(json.loads, (args.data / "queries.jsonl").read_text().splitlines())
    }
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with (args.data / "qrels" / "test.tsv").open() as f:
        for row in csv.DictReader(f, delimiter="\t"):
            qrels[row["query-id"]][row["corpus-id"]] = int(row["score"])
    texts = {d["_id"]: f"{d.get('title', '')}. {d['text']}".strip() for d in docs}
    print(f"beir dataset=scifact documents={len(texts)} test queries={len(qrels)}", flush=True)

    with tempfile.TemporaryDirectory(prefix="onrecord-beir-") as tmp:
        folder = Path(tmp)
        for doc_id, text in texts.items():
            (folder / f"{doc_id}.txt").write_text(text + "\n", encoding="utf-8")
        idx = index.build([str(folder)])
    analyzer = Analyzer()
    doc_of = np.array([p.doc.source.removesuffix(".txt") for p in idx.passages])

    def best_docs(passage_ids: Sequence[int], limit: int = 100) -> list[str]:
        return list(dict.fromkeys(str(doc_of[p]) for p in passage_ids))[:limit]

    def onrecord_search(q: str) -> list[str]:
        return best_docs([h.passage.id for h in idx.search(q, 150)])

    def onrecord_bm25(q: str) -> list[str]:
        scores = idx.term_scores([str(t) for t in analyzer.terms(q)])
        return best_docs(np.argsort(-scores, kind="stable")[:300].tolist())

    evaluate("onrecord-search", onrecord_search, queries, qrels)
    evaluate("onrecord-bm25-passages", onrecord_bm25, queries, qrels)

    ids = list(texts)
    tokens = [[str(t) for t in analyzer.terms(texts[i])] for i in ids]

    import bm25s
    from rank_bm25 import BM25Okapi

    model = bm25s.BM25()
    model.index(tokens, show_progress=False)
    vocab = model.vocab_dict

    def bm25s_rank(q: str) -> list[str]:
        terms = [str(t) for t in analyzer.terms(q) if str(t) in vocab] or ["\0"]
        found, _ = model.retrieve([terms], k=100, show_progress=False, n_threads=1)
        return [ids[i] for i in found[0]]

    okapi = BM25Okapi(tokens)

    def rank_bm25_rank(q: str) -> list[str]:
        scores = okapi.get_scores([str(t) for t in analyzer.terms(q)])
        return [ids[i] for i in np.argsort(-scores, kind="stable")[:100]]

    evaluate("bm25s", bm25s_rank, queries, qrels)
    evaluate("rank-bm25", rank_bm25_rank, queries, qrels)


if __name__ == "__main__":
    main()
