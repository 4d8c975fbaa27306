"""The Index: search a built or loaded index and shape the results into quoted hits."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Collection, Iterator, Sequence
from functools import cached_property, lru_cache, partial
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from .analyzer import Analyzer, normalize, word_spans
from .bm25 import top_k
from .confidence import on_record
from .joins import JoinedTerms
from .language import language_of
from .matches import Matches, SentenceMatches
from .model import Document, Hit, Passage
from .prior import DocumentPrior, Pointing
from .pruning import PrunedTop
from .query import Acronyms, QueryTerms, analyze_question
from .quotability.candidates import QuoteCandidate, candidates
from .quotes import Quote, QuotePicker, Terms, questions_of, said_both_ways
from .rerank import DEPTH, Reranker
from .store import IndexData, save_data

__all__ = ["Index"]

_CANDIDATES_PER_HIT = 4  # overlapping windows: fetch more, keep one per stretch of text
_CACHED_PASSAGES = 4096  # passages whose sentences are kept for quoting them again (~2 KB each)
_SECOND_RUN_SHARE = 0.5
"""A passage whose quote shares a sentence with a better hit's quotes instead its best run among the
sentences not yet quoted, when that carries at least this share of its best run's weight: a second
answer in a window that overlaps a better one is not lost (measured, quote recall@3 / @5: lexicap 0.637 /
0.662 -> 0.662 / 0.713; seeds, check and SciFact unchanged; CPU time per search about the same, as fewer
candidates are quoted before ``n`` are kept. Any run instead: lexicap 0.688 but seeds 0.633; three
quarters of the weight: lexicap 0.662 / 0.700; only a run of equal weight: lexicap 0.625)."""


class Index:
    def __init__(self, data: IndexData) -> None:
        self._data = _unmapped(data)
        self.analyzer = Analyzer()
        self._vocab = {term: i for i, term in enumerate(data.terms)}
        self._quotes = QuotePicker(self.analyzer)
        self._quoted_sentences = lru_cache(maxsize=_CACHED_PASSAGES)(self._read_sentences)
        self._turns = lru_cache(maxsize=_CACHED_PASSAGES)(self._read_turns)
        self._prior = DocumentPrior(self._data, self.analyzer, self._vocab)
        self._acronyms = Acronyms(data.acronyms)
        self._matches = SentenceMatches(self._data, self._vocab)
        self._reranker = Reranker(self._data, self._quoted_sentences)
        self._joins = JoinedTerms(self._data)
        self._pruned = PrunedTop(self._data.postings)

    @property
    def version(self) -> str:
        return self._data.version

    @property
    def documents(self) -> Sequence[Document]:
        return self._data.documents

    @cached_property
    def passages(self) -> Sequence[Passage]:
        return _Passages(self)

    @cached_property
    def quote_candidates(self) -> Sequence[QuoteCandidate]:
        """The daily quote's candidates, found when the index was built (``quotability``), best first."""
        return candidates(self._data.quotes, self._texts)

    def save(self, directory: str | Path) -> None:
        save_data(self._data, directory)

    def search(
        self,
        question: str,
        k: int = 5,
        *,
        documents: Collection[str] | None = None,
        speakers: Collection[str] | None = None,
    ) -> list[Hit]:
        """The best ``k`` passages, at most one per stretch of text; none when
        nothing on record answers the question (``confidence.on_record``) or it is in a language the
        transcripts are not in.

        ``documents`` limits the search to documents with these ids (or file names); ``speakers`` to what
        these speakers (as ``speakers`` names them) say: every quote is made of their sentences.
        """
        query = self._analyze(question)
        if not query.weights or k <= 0:
            return []
        idf = self._idf_weights(query)
        pointing = self._prior.point(query)
        voices = None if speakers is None else self._speaker_ids(speakers)
        best = self._best(query, max(k * _CANDIDATES_PER_HIT, DEPTH), pointing, documents, voices)
        candidates = [pid for pid, _ in best]
        matches = self._matches.find(candidates, idf.keys(), hits=k)
        voiced = self._prior.voices(pointing)
        ranked = self._reranker.order(
            candidates, dict(best), idf, matches, voiced, query.names, query.origins
        )
        scoped = documents is not None or speakers is not None
        if not ranked or not on_record(query, self._vocab, self._data.postings, ranked[0][1], scoped=scoped):
            return []
        if 2 * query.unsure >= query.words and self.foreign_language(question):
            return []  # mostly words the index lacks, in a language the transcripts are not in
        new_scores = dict(ranked)
        chosen = self._distinct_quotes(list(new_scores), idf, k, matches, voices, query.spellings)
        return [self._hit(rank, pid, new_scores[pid], quote) for rank, (pid, quote) in enumerate(chosen, 1)]

    def term_scores(self, terms: Sequence[str]) -> npt.NDArray[np.float64]:
        """Plain BM25 of every passage for analyzed ``terms`` (a repeated term counts again), as
        ``rank_bm25.BM25Okapi.get_scores`` computes it: no expansion, no filtering."""
        counts: dict[int, float] = {}
        for term in terms:
            if term in self._vocab:
                counts[self._vocab[term]] = counts.get(self._vocab[term], 0.0) + 1.0
        return self._data.postings.scores(list(counts.items()))

    def suggest(self, question: str, limit: int = 3) -> list[str]:
        """Indexed words closest in spelling to the question's words, most common first."""
        words = [w for _, _, w in word_spans(normalize(question)) if self.analyzer.word_terms(w)]
        found: dict[str, float] = {}
        for word in words[:16]:
            for _, score, tid in process.extract(
                self.analyzer.stem(word), self._data.terms, scorer=fuzz.ratio, score_cutoff=60, limit=limit
            ):
                surface = self._data.surface[tid]
                found[surface] = max(
                    found.get(surface, 0.0), score + math.log1p(self._data.postings.doc_freq(tid))
                )
        return sorted(found, key=lambda s: -found[s])[:limit]

    def explain(self, question: str) -> dict[str, tuple[float, str]]:
        """The terms ``question`` becomes: each with its weight (query weight times IDF, as the quotes
        weigh it) and where it came from ("typed", "sounds like tworek", "expansion of rl", ...)."""
        query = self._analyze(question)
        return {t: (round(w, 4), query.origins.get(t, "typed")) for t, w in self._idf_weights(query).items()}

    @cached_property
    def speakers(self) -> Sequence[str]:
        """Everyone a transcript names as the speaker of some words, as it spells them."""
        return tuple(self._data.speakers)

    @cached_property
    def languages(self) -> frozenset[str]:
        """The languages the documents are in, where known (ISO 639-1 codes)."""
        return frozenset(d.language for d in self._data.documents if d.language)

    def foreign_language(self, question: str) -> str | None:
        """The language of ``question`` when it is surely none of the documents' (None otherwise)."""
        language = language_of(question)
        return language if language and self.languages and language not in self.languages else None

    def passage(self, pid: int) -> Passage:
        return self._passage(pid, self._sentences(pid))

    def sentences(self, pid: int) -> list[str]:
        """The whole sentences of passage `pid`; its text is ``" ".join(sentences)``."""
        return self._sentences(pid)

    def excerpt(self, pid: int, start: int, end: int, *, rank: int = 1, score: float = 0.0) -> Hit:
        """A hit quoting ``passage(pid).text[start:end]``, timed and attributed like a search hit (the
        moment and speaker of the sentence the excerpt starts in)."""
        sentences = self._sentences(pid)
        passage = self._passage(pid, sentences)
        if not 0 <= start < end <= len(passage.text):
            raise ValueError(f"no excerpt {start}:{end} in passage {pid} of {len(passage.text)} characters")
        starts = np.cumsum([0] + [len(s) + 1 for s in sentences[:-1]])
        lo = int(self._data.pass_lo[pid])
        first = lo + int(np.searchsorted(starts, start, side="right")) - 1
        last = lo + int(np.searchsorted(starts, end - 1, side="right")) - 1
        return Hit(
            rank=rank,
            score=score,
            passage=passage,
            quote=passage.text[start:end],
            matched=(),
            start=_time(self._data.sent_start[first]),
            end=_time(self._data.sent_end[last]),
            speaker=self._speaker(first),
        )

    def _passage(self, pid: int, sentences: Sequence[str]) -> Passage:
        d = self._data
        lo, hi = int(d.pass_lo[pid]), int(d.pass_hi[pid])
        return Passage(
            id=pid,
            doc=d.documents[int(d.sent_doc[lo])],
            text=" ".join(sentences),
            char_start=int(d.sent_char[lo]),
            char_end=int(d.sent_char[hi - 1]) + len(sentences[-1]),
            start=_time(d.sent_start[lo]),
            end=_time(d.sent_end[hi - 1]),
            speaker=self._speaker(lo),
        )

    # -- internals ---------------------------------------------------------------------------------

    def _analyze(self, question: str) -> QueryTerms:
        return analyze_question(
            question, self.analyzer, self._vocab, self._data.terms, self._acronyms, self._idf
        )

    def _best(
        self,
        query: QueryTerms,
        n: int,
        pointing: Pointing | None,
        documents: Collection[str] | None,
        voices: frozenset[int] | None,
    ) -> list[tuple[int, float]]:
        """The ``n`` best passages by BM25 (boosted by the prior, limited to ``documents`` and what
        ``voices`` say), best first, with their scores: by pruning (``pruning``) where plain BM25 ranks
        them, else by scoring every passage."""
        if pointing is None and documents is None and voices is None and not query.joins:
            vocab = self._vocab
            found = self._pruned.best([(vocab[t], w) for t, w in query.weights.items()], n)
            if found is not None:
                return found
        scores = self._scores(query)
        if pointing is not None:
            self._prior.boost(scores, pointing, query.weights)
        if documents is not None:
            scores[~self._document_mask(documents)[self._passage_doc]] = 0.0
        if voices is not None:
            scores[~self._passages_with(voices)] = 0.0
        return [(pid, float(scores[pid])) for pid in top_k(scores, n)]

    def _scores(self, query: QueryTerms) -> npt.NDArray[np.float64]:
        """BM25 of every passage for ``query``; a joined pair of its words ("alphazero") counted only where
        it is not the whole of a hyphenated compound of the two (``joins``)."""
        vocab = self._vocab
        scores = self._data.postings.scores(
            [(vocab[t], w) for t, w in query.weights.items() if t not in query.joins]
        )
        for joined, (first, second) in query.joins.items():
            self._joins.add(scores, vocab[joined], (vocab[first], vocab[second]), query.weights[joined])
        return scores

    def _idf(self, term: str) -> float:
        n = max(self._data.postings.size, 1)
        return math.log(1 + n / (1 + self._data.postings.doc_freq(self._vocab[term])))

    def _idf_weights(self, query: QueryTerms) -> dict[str, float]:
        return {t: w * self._idf(t) for t, w in query.weights.items()}

    @cached_property
    def _passage_doc(self) -> npt.NDArray[np.int32]:
        return np.asarray(self._data.sent_doc)[np.asarray(self._data.pass_lo)]

    def _document_mask(self, wanted: Collection[str]) -> npt.NDArray[np.bool_]:
        keys = set(wanted)
        return np.array([d.id in keys or d.source in keys for d in self._data.documents], dtype=bool)

    def _speaker_ids(self, names: Collection[str]) -> frozenset[int]:
        wanted = set(names)
        return frozenset(i for i, name in enumerate(self._data.speakers) if name in wanted)

    def _passages_with(self, voices: frozenset[int]) -> npt.NDArray[np.bool_]:
        """Which passages hold a sentence said by one of ``voices`` (speaker numbers)."""
        said = np.isin(self._data.sent_speaker, list(voices))
        before = np.concatenate(([0], np.cumsum(said)))  # sentences said by them before each one
        return np.asarray(before[self._data.pass_hi] > before[self._data.pass_lo])

    def _distinct_quotes(
        self,
        ranked: list[int],
        idf: dict[str, float],
        n: int,
        matches: Matches,
        voices: frozenset[int] | None = None,
        spellings: Sequence[tuple[str, Terms]] = (),
    ) -> list[tuple[int, Quote]]:
        """The first ``n`` of the ``ranked`` passages with their quotes, no two sharing a sentence: a
        passage whose quote shares one with a better one's quotes another of its runs instead
        (``_SECOND_RUN_SHARE``), or is dropped. Overlapping windows stay apart when they quote apart.
        ``matches`` holds the question's terms in the sentences of the ``ranked`` passages; with
        ``voices``, a quote is only these speakers' sentences; a sentence that says an acronym of
        ``spellings`` one way counts as saying it the other way too (``said_both_ways``)."""
        kept: list[tuple[int, Quote]] = []
        taken: list[tuple[int, int]] = []
        for pid in ranked:
            lo = int(self._data.pass_lo[pid])
            sentences = self._quoted_sentences(pid)
            terms = said_both_ways(matches.of(pid), spellings, partial(self._in_a_row, lo))
            speakers, questions = self._turns(pid)
            run = self._quotes.run(
                sentences, idf, terms=terms, speakers=speakers, questions=questions, only=voices
            )
            if run is None and voices is not None:
                continue  # they say nothing of the question here
            a, b = (lo, lo + 1) if run is None else (lo + run[0], lo + run[1] + 1)
            if run is not None and not all(b <= x or a >= y for x, y in taken):
                quoted = {k for k in range(len(sentences)) if any(x <= lo + k < y for x, y in taken)}
                other = self._quotes.run(
                    sentences,
                    idf,
                    terms=terms,
                    speakers=speakers,
                    questions=questions,
                    only=voices,
                    taken=quoted,
                )
                if other is not None and (
                    self._quotes.weight(terms, other, idf)
                    >= _SECOND_RUN_SHARE * self._quotes.weight(terms, run, idf)
                ):
                    run, a, b = other, lo + other[0], lo + other[1] + 1
            if all(b <= x or a >= y for x, y in taken):
                kept.append((pid, self._quotes.render(sentences, run, idf, terms=terms)))
                taken.append((a, b))
                if len(kept) == n:
                    break
        return kept

    def _in_a_row(self, first: int, k: int, terms: Terms) -> bool:
        """Whether sentence ``first + k`` says ``terms`` one right after another (stop words aside)."""
        ptr = self._data.sent_token_ptr
        tokens = self._data.sent_tokens[int(ptr[first + k]) : int(ptr[first + k + 1])]
        ids = np.array([self._vocab[t] for t in terms], dtype=tokens.dtype)
        if len(tokens) < len(ids):
            return False
        windows = np.lib.stride_tricks.sliding_window_view(tokens, len(ids))
        return bool((windows == ids).all(axis=1).any())

    def _hit(self, rank: int, pid: int, score: float, quote: Quote) -> Hit:
        sentences = self._quoted_sentences(pid)
        passage = self._passage(pid, sentences)
        lo = int(self._data.pass_lo[pid])
        first, last = lo + quote.first, lo + max(quote.last, quote.first)
        return Hit(
            rank=rank,
            score=score,
            passage=passage,
            quote=quote.text,
            matched=quote.matched,
            start=_time(self._data.sent_start[first]),
            end=_time(self._data.sent_end[last]),
            speaker=self._speaker(first),
        )

    def _sentences(self, pid: int) -> list[str]:
        return self._texts(int(self._data.pass_lo[pid]), int(self._data.pass_hi[pid]))

    def _texts(self, lo: int, hi: int) -> list[str]:
        """The texts of sentences ``lo`` to ``hi`` of the index."""
        offsets = self._data.sent_offsets[lo : hi + 1].tolist()
        text, at = bytes(self._data.text[offsets[0] : offsets[-1]]), offsets[0]
        return [text[a - at : b - at].decode("utf-8") for a, b in itertools.pairwise(offsets)]

    def _read_sentences(self, pid: int) -> tuple[str, ...]:
        """``_sentences``, kept (as a tuple) for the passages quoted again and again."""
        return tuple(self._sentences(pid))

    def _read_turns(self, pid: int) -> tuple[list[int], list[bool]]:
        """Who says each sentence of passage ``pid`` (-1: unknown), and which sentences are questions."""
        lo, hi = int(self._data.pass_lo[pid]), int(self._data.pass_hi[pid])
        return self._data.sent_speaker[lo:hi].tolist(), questions_of(self._quoted_sentences(pid))

    def _speaker(self, sentence: int) -> str | None:
        s = int(self._data.sent_speaker[sentence])
        return self._data.speakers[s] if s >= 0 else None


class _Passages(Sequence[Passage]):
    """Every passage of an index, made on access (an index can hold millions)."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index._data.pass_lo)

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Passage]: ...
    def __getitem__(self, i: int | slice) -> Passage | Sequence[Passage]:
        if isinstance(i, slice):
            return [self._index.passage(j) for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._index.passage(i)

    def __iter__(self) -> Iterator[Passage]:
        return (self._index.passage(j) for j in range(len(self)))


def _unmapped(data: IndexData) -> IndexData:
    """``data`` with plain views of its memory-mapped arrays (the same memory): indexing or slicing a
    memmap runs Python code each time, which adds up in the many small reads of a search."""
    return dataclasses.replace(
        data, **_plain_views(data), postings=dataclasses.replace(data.postings, **_plain_views(data.postings))
    )


def _plain_views(holder: Any) -> dict[str, Any]:
    return {
        f.name: np.asarray(value)
        for f in dataclasses.fields(holder)
        if isinstance(value := getattr(holder, f.name), np.memmap)
    }


def _time(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
