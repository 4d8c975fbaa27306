"""Names point to episodes: a document-level prior from what an index knows about each document.

"What does Gary Marcus think about X?" should find X in Gary Marcus's episode, not the intro where his
name is said. Where a name stands, the index knows it from each document's title, show, speakers (the
sidecar's and the transcript's speaker labels), opening and closing, where a host introduces and thanks the
guest. A question's term that occurs there in only a few documents *points* to them:

- the passages of those documents score higher, the more of the pointing terms' weight they hold
  (``1 + BOOST * share``);
- the pointing terms themselves count ``NAME_WEIGHT`` of their weight in the passages: the name has
  done its work choosing the episode, and the rest of the question ranks the passages inside it (a name
  said inside the conversation still counts there);
- where the transcript labels its speakers and the name is a speaker's, the re-ranker prefers the
  passages where that person says the question's words (``voices``).

A term in the opening or labels of many documents (a host's name, "conversation", a topic most guests
are introduced with) points nowhere. Measured on the dev sets: the closing (last 1,500 characters) added
two lexicap answers' passages to the top three; counting it as half a place, or trying pairs of names that
point nowhere alone ("Sam" and "Harris") for documents that hold both, gained nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from .analyzer import Analyzer
from .query import QueryTerms
from .store import IndexData

__all__ = ["BOOST", "HEAD_CHARS", "NAME_WEIGHT", "TAIL_CHARS", "DocumentPrior", "Pointing"]

HEAD_CHARS = 2500
"""A document's opening: the passages that start within its first characters (intro, first turns)."""
TAIL_CHARS = 1500
"""A document's closing: the passages that start within its last characters (outro, thanks)."""
BOOST = 1.0
NAME_WEIGHT = 0.5
_MAX_SHARE = 0.02  # a pointing term names at most this share of the documents …
_MAX_DOCS = 1  # … or this many, whichever is more


@dataclass(frozen=True, slots=True)
class Pointing:
    names: frozenset[str]  # the pointing terms
    documents: dict[int, float]  # document number -> share of the pointing weight it holds


class DocumentPrior:
    """Which documents a question's terms point to (see the module's doc)."""

    def __init__(self, data: IndexData, analyzer: Analyzer, vocab: Mapping[str, int]) -> None:
        self._data = data
        self._analyzer = analyzer
        self._vocab = vocab

    def point(self, query: QueryTerms) -> Pointing | None:
        """The pointing terms of ``query`` (among its ``names``) and the documents they point to."""
        n_docs = len(self._data.documents)
        if n_docs < 2:
            return None
        most = max(_MAX_DOCS, math.floor(_MAX_SHARE * n_docs))
        strengths: dict[str, float] = {}
        mass: dict[int, float] = {}
        for term in query.names:
            docs = self.documents_of(term)
            if not 0 < len(docs) <= most:
                continue
            weight = query.weights.get(term, 1.0)  # a name said nowhere but in a label is not indexed
            strengths[term] = strength = weight * math.log(1 + n_docs / len(docs))
            for d in docs:
                mass[d] = mass.get(d, 0.0) + strength
        if not strengths:
            return None
        total = sum(strengths.values())
        return Pointing(names=frozenset(strengths), documents={d: m / total for d, m in mass.items()})

    def boost(
        self, scores: npt.NDArray[np.float64], pointing: Pointing, weights: Mapping[str, float]
    ) -> None:
        """Raise, in place, the scores of the passages of the documents ``pointing`` points to; there the
        pointing terms count ``NAME_WEIGHT`` of their ``weights``."""
        factors = np.ones(len(self._data.documents) + 1)
        for document, share in pointing.documents.items():
            factors[document] = 1.0 + BOOST * share
        post = self._data.postings
        for term in pointing.names & weights.keys():
            tid = self._vocab[term]
            lo, hi = int(post.ptr[tid]), int(post.ptr[tid + 1])
            ids = post.ids[lo:hi]
            inside = factors[self._passage_doc[ids]] > 1.0
            scores[ids[inside]] -= (1.0 - NAME_WEIGHT) * weights[term] * post.weights[lo:hi][inside]
        for document in pointing.documents:
            first, last = self.passage_range(document)
            scores[first:last] *= factors[document]

    def voices(self, pointing: Pointing | None) -> frozenset[int]:
        """The speakers (numbers) whose labels hold one of the pointing names."""
        if pointing is None:
            return frozenset()
        return frozenset(
            s for s, terms in enumerate(self._speaker_terms) if not pointing.names.isdisjoint(terms)
        )

    def documents_of(self, term: str) -> frozenset[int]:
        """The documents (numbers) whose title, show, speakers, opening or closing hold ``term``."""
        found = set(self._labels.get(term, ()))
        tid = self._vocab.get(term)
        if tid is not None:
            post = self._data.postings
            ids = post.ids[int(post.ptr[tid]) : int(post.ptr[tid + 1])]
            found.update(self._passage_doc[ids[self._ends[ids]]].tolist())
        return frozenset(found)

    def passage_range(self, document: int) -> tuple[int, int]:
        """The passages of ``document`` (they are numbered document by document)."""
        return int(self._first_passage[document]), int(self._first_passage[document + 1])

    @cached_property
    def _passage_doc(self) -> npt.NDArray[np.int32]:
        return np.asarray(self._data.sent_doc)[np.asarray(self._data.pass_lo)]

    @cached_property
    def _first_passage(self) -> npt.NDArray[np.int64]:
        n_docs = len(self._data.documents)
        return np.searchsorted(self._passage_doc, np.arange(n_docs + 1)).astype(np.int64)

    @cached_property
    def _ends(self) -> npt.NDArray[np.bool_]:
        """The passages of each document's opening and closing, where hosts name their guests."""
        sent_doc, sent_char = np.asarray(self._data.sent_doc), np.asarray(self._data.sent_char)
        last = np.searchsorted(sent_doc, np.arange(len(self._data.documents)), side="right") - 1
        start = sent_char[np.asarray(self._data.pass_lo)]
        ends: npt.NDArray[np.bool_] = (start < HEAD_CHARS) | (
            start >= sent_char[last][self._passage_doc] - TAIL_CHARS
        )
        return ends

    @cached_property
    def _speaker_terms(self) -> list[frozenset[str]]:
        """The terms of each speaker label of the index."""
        return [frozenset(self._analyzer.terms(name)) for name in self._data.speakers]

    @cached_property
    def _labels(self) -> dict[str, set[int]]:
        """Term -> the documents whose title, show or speakers hold it."""
        labels: dict[str, set[int]] = {}
        speakers = self._speaker_labels()
        for number, doc in enumerate(self._data.documents):
            names = [doc.title, doc.show or "", *doc.speakers, *speakers.get(number, ())]
            for term in self._analyzer.terms(" ".join(names)):
                labels.setdefault(term, set()).add(number)
        return labels

    def _speaker_labels(self) -> dict[int, list[str]]:
        """The speaker labels each document's sentences carry."""
        said = np.asarray(self._data.sent_speaker)
        known = said >= 0
        if not known.any():
            return {}
        pairs = np.unique(np.stack([np.asarray(self._data.sent_doc)[known], said[known]], axis=1), axis=0)
        out: dict[int, list[str]] = {}
        for doc, speaker in pairs.tolist():
            out.setdefault(doc, []).append(self._data.speakers[speaker])
        return out
