"""Names point to episodes: a document-level prior from what an index knows about each document.

"What does Gary Marcus think about X?" should find X in Gary Marcus's episode, not the intro where his
name is said. Where a name stands, the index knows it from each document's title, show, speakers (the
sidecar's and the transcript's speaker labels), the guests its opening introduces (``Document.guests``,
``intros``), and its opening and closing, where a host introduces and thanks the guest. A question's term
that occurs there in only a few documents *points* to them:

- a name that is a speaker or an introduced guest of a few documents points to those alone, the
  guest's episodes (a name of two capitalised words or more, "Lee Smolin", to the documents that
  introduce all of it, not to every Lee's); the others a name's intro mentions in passing ("… economists,
  for example Paul Krugman") are not its episodes. Where the question's capitals tell nothing (all lower
  case, or every word capitalised), two neighbouring words that are both a guest's ("brian greene") are
  that guest's name, and a word alone only when it is said in few documents ("vitalik", not "green");
- otherwise a term points to the documents whose title, show, speakers, opening or closing hold it,
  and to the other files of their episodes, those that give the same address (``url``) and title (less a
  note in brackets at its end): one episode in two files, its written notes and its transcript, is one
  place (a name the notes' opening says pointed to the notes alone, where the answer is the transcript's:
  seeds quote@3 0.733 -> 0.767, the rest unchanged; no two documents of lexicap or the check set share an
  address, so only the seeds measure it);
- the passages of those documents score higher, the more of the pointing terms' weight they hold
  (``1 + BOOST * share``, ``GUEST_BOOST`` for a guest's episodes);
- the pointing terms themselves count ``NAME_WEIGHT`` of their weight in the passages (nothing in a
  guest's episodes, unless the question is little more than the name: "Who is Max Tegmark?"): the name
  has done its work choosing the episode, and the rest of the question ranks the passages inside it (a
  name said inside another conversation still counts there);
- where the transcript labels its speakers and the name is a speaker's, the re-ranker prefers the
  passages where that person says the question's words (``voices``).

A term in the opening or labels of many documents (a host's name, "conversation", a topic most guests
are introduced with) points nowhere. Measured on the dev sets: the closing (last 1,500 characters) added
two lexicap answers' passages to the top three; counting it as half a place, or trying pairs of names that
point nowhere alone ("Sam" and "Harris") for documents that hold both, gained nothing. Pointing to the
guests' episodes alone (quote recall@3): seeds 0.667 -> 0.700, lexicap 0.613 -> 0.650 (person 0.60 ->
0.80), the check set 0.462 -> 0.538, SciFact unchanged (0.693; its titles are no guests: counting titles
as guests' places lost 0.013 there); ``GUEST_BOOST`` 1.5 / 2 / 3 / 4 gave lexicap 0.625 / 0.637 / 0.650 /
0.650, the rest even; ``GUEST_NAME_WEIGHT`` 0.5 / 0.25 instead of 0 lost a seed question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from .analyzer import Analyzer
from .intros import CLOSING_CHARS, OPENING_CHARS
from .matches import distinct, ranges
from .model import Document
from .query import QueryTerms
from .store import IndexData

__all__ = [
    "BOOST",
    "GUEST_BOOST",
    "GUEST_NAME_WEIGHT",
    "HEAD_CHARS",
    "NAME_WEIGHT",
    "TAIL_CHARS",
    "DocumentPrior",
    "Pointing",
]

HEAD_CHARS = OPENING_CHARS
"""A document's opening: the passages that start within its first characters (intro, first turns)."""
TAIL_CHARS = CLOSING_CHARS
"""A document's closing: the passages that start within its last characters (outro, thanks)."""
BOOST = 1.0
NAME_WEIGHT = 0.5
GUEST_BOOST = 3.0
"""``BOOST`` for the episodes a name is the guest of."""
GUEST_NAME_WEIGHT = 0.0
"""``NAME_WEIGHT`` there: the whole episode is the guest's, the name tells none of its passages apart;
unless the rest of the question weighs less than ``NAMES_ALONE`` of the names (then ``NAME_WEIGHT``), as in
"Who is Max Tegmark?", "Tell me about Yann LeCun": with nothing else to rank them, the guest's episode
would hold no match, and other episodes that say the name would answer."""
NAMES_ALONE = 0.5
RARE_SHARE = 0.1
"""In a question written without telling capitals, a word said in at most this share of the documents may
stand alone for a guest's name."""
_LEFTOVER = 1e-9  # a score left by taking a name's weight away: rounding, not a match
_MAX_SHARE = 0.02  # a pointing term names at most this share of the documents …
_MAX_DOCS = 1  # … or this many, whichever is more


@dataclass(frozen=True, slots=True)
class Pointing:
    names: frozenset[str]  # the pointing terms
    documents: dict[int, float]  # document number -> share of the pointing weight it holds
    guests: bool = False  # the documents are the episodes the names are the guests of


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
        guests: dict[str, frozenset[int]] = {}
        for full in query.full_names:  # a full name is the guest of the episodes that introduce all of it
            named = sorted(full & query.names)
            if not query.cased:  # two neighbouring words are a name when both are guests' ("brian greene")
                named = [t for t in named if self.guests_of(t)]
                if len(named) < 2:
                    continue
            both = frozenset.intersection(*map(self.guests_of, named)) if named else frozenset()
            guests.update((t, guests.get(t, frozenset()) | both) for t in named)
        for term in sorted(query.names - guests.keys()):  # a word alone ("Wojciech") may be a name too
            if query.cased or self._said_rarely(term):
                guests[term] = self.guests_of(term, most)
        guests = {t: docs for t, docs in guests.items() if 0 < len(docs) <= most}
        if guests:
            return self._pointing(query, guests, n_docs, guests=True)
        places = {t: self.documents_of(t, most) for t in sorted(query.names)}
        return self._pointing(query, {t: docs for t, docs in places.items() if 0 < len(docs) <= most}, n_docs)

    def _pointing(
        self, query: QueryTerms, docs_of: Mapping[str, frozenset[int]], n_docs: int, guests: bool = False
    ) -> Pointing | None:
        """The terms of ``docs_of`` pointing to their documents, each as strong as it is rare."""
        strengths: dict[str, float] = {}
        mass: dict[int, float] = {}
        for term, docs in docs_of.items():
            if not guests:  # a guest is introduced in the transcript itself, not in its notes
                docs = self._with_other_files(docs)
            weight = query.weights.get(term, 1.0)  # a name said nowhere but in a label is not indexed
            strengths[term] = strength = weight * math.log(1 + n_docs / len(docs))
            for d in docs:
                mass[d] = mass.get(d, 0.0) + strength
        if not strengths:
            return None
        total = math.fsum(strengths.values())
        return Pointing(
            names=frozenset(strengths), documents={d: m / total for d, m in mass.items()}, guests=guests
        )

    def boost(
        self, scores: npt.NDArray[np.float64], pointing: Pointing, weights: Mapping[str, float]
    ) -> None:
        """Raise, in place, the scores of the passages of the documents ``pointing`` points to; there the
        pointing terms count ``NAME_WEIGHT`` of their ``weights`` (``GUEST_...`` for a guest's episodes)."""
        factors = np.ones(len(self._data.documents) + 1)
        boost, name_weight = (GUEST_BOOST, GUEST_NAME_WEIGHT) if pointing.guests else (BOOST, NAME_WEIGHT)
        names = sorted(pointing.names & weights.keys())
        rest = math.fsum(w for t, w in sorted(weights.items()) if t not in pointing.names)
        if rest < NAMES_ALONE * math.fsum(weights[t] for t in names):
            name_weight = NAME_WEIGHT  # "Who is Max Tegmark?": the name is what the question asks
        for document, share in pointing.documents.items():
            factors[document] = 1.0 + boost * share
        post = self._data.postings
        for term in names:
            tid = self._vocab[term]
            lo, hi = int(post.ptr[tid]), int(post.ptr[tid + 1])
            ids = post.ids[lo:hi]
            inside = factors[self._passage_doc[ids]] > 1.0
            hit = ids[inside]
            left = scores[hit] - (1.0 - name_weight) * weights[term] * post.weights[lo:hi][inside]
            scores[hit] = np.where(left > _LEFTOVER, left, 0.0)  # no rounding error is a match
        for document in pointing.documents:
            first, last = self.passage_range(document)
            scores[first:last] *= factors[document]

    def _with_other_files(self, docs: frozenset[int]) -> frozenset[int]:
        """``docs`` and the other files of their episodes (``_episode_files``)."""
        files, documents = self._episode_files, self._data.documents
        return docs.union(*(files.get(_episode(documents[d]), ()) for d in docs))

    @cached_property
    def _episode_files(self) -> dict[tuple[str, str], frozenset[int]]:
        """Each episode that two or three documents are files of (``_EPISODE_FILES``) -> those documents:
        many of them are a series."""
        by_episode: dict[tuple[str, str], set[int]] = {}
        for number, doc in enumerate(self._data.documents):
            if doc.url:
                by_episode.setdefault(_episode(doc), set()).add(number)
        return {e: frozenset(docs) for e, docs in by_episode.items() if 1 < len(docs) <= _EPISODE_FILES}

    def voices(self, pointing: Pointing | None) -> frozenset[int]:
        """The speakers (numbers) whose labels hold one of the pointing names."""
        if pointing is None:
            return frozenset()
        return frozenset(
            s for s, terms in enumerate(self._speaker_terms) if not pointing.names.isdisjoint(terms)
        )

    def documents_of(self, term: str, most: int | None = None) -> frozenset[int]:
        """The documents (numbers) whose title, show, speakers, opening or closing hold ``term``; with
        ``most``, none when more than that many do (a term that points nowhere, as every title's word in
        a corpus of thousands of episodes: its documents are not gathered, ~0.5 ms a question at 1M
        passages)."""
        labels = self._labels.get(term, ())
        if most is not None and len(labels) > most:
            return frozenset()
        found = set(labels)
        tid = self._vocab.get(term)
        if tid is not None:
            terms, documents = self._end_terms
            lo, hi = np.searchsorted(terms, tid), np.searchsorted(terms, tid, "right")
            if most is not None and hi - lo > most:
                return frozenset()
            found.update(documents[lo:hi].tolist())
        return frozenset(found) if most is None or len(found) <= most else frozenset()

    def _said_rarely(self, term: str) -> bool:
        """Whether ``term`` is said in few documents (``RARE_SHARE``): where a question's capitals tell
        nothing, a rarely said word ("vitalik") may be a guest's name, a common one ("green") is not."""
        tid = self._vocab.get(term)
        if tid is None or (term not in self._voices and term not in self._introduced):
            return False  # no guest's name holds it
        post = self._data.postings
        ids = post.ids[int(post.ptr[tid]) : int(post.ptr[tid + 1])]
        most = RARE_SHARE * len(self._data.documents)
        return len(ids) <= most or len(distinct(self._passage_doc[ids])) <= most

    def guests_of(self, term: str, most: int | None = None) -> frozenset[int]:
        """The documents whose speakers hold ``term``, or whose opening introduces a guest who does; with
        ``most``, none when more than that many (as ``documents_of``)."""
        voices, introduced = self._voices.get(term, ()), self._introduced.get(term, frozenset())
        if most is not None and max(len(voices), len(introduced)) > most:
            return frozenset()
        found = frozenset(voices) | introduced
        return found if most is None or len(found) <= most else frozenset()

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
    def _end_terms(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Which terms the openings and closings (``_ends``) of which documents hold, as (term, document)
        pairs sorted by term, in two arrays: read once from the terms stored per sentence, so that a word
        of a question is looked up, not found again among all the passages that say it (a common word in
        a million passages took milliseconds)."""
        d = self._data
        ends = np.flatnonzero(self._ends)
        cover = np.zeros(len(d.sent_doc) + 1, dtype=np.int64)
        np.add.at(cover, np.asarray(d.pass_lo)[ends], 1)
        np.add.at(cover, np.asarray(d.pass_hi)[ends], -1)
        sentences = np.flatnonzero(np.cumsum(cover[:-1]) > 0)
        first, last = d.sent_token_ptr[sentences], d.sent_token_ptr[sentences + 1]
        tokens = np.asarray(d.sent_tokens)[ranges(first.astype(np.int64), last.astype(np.int64))]
        documents = np.repeat(np.asarray(d.sent_doc)[sentences], last - first)
        pairs = distinct(tokens.astype(np.int64) * len(d.documents) + documents)
        return pairs // len(d.documents), pairs % len(d.documents)

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
    def _introduced(self) -> dict[str, frozenset[int]]:
        """Term -> the documents whose opening introduces a name that holds it (``Document.guests``)."""
        out: dict[str, set[int]] = {}
        for number, doc in enumerate(self._data.documents):
            for term in self._analyzer.terms(" ".join(doc.guests)):
                out.setdefault(term, set()).add(number)
        return {term: frozenset(docs) for term, docs in out.items()}

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

    @cached_property
    def _voices(self) -> dict[str, set[int]]:
        """Term -> the documents whose speakers (the sidecar's or the transcript's labels) hold it."""
        out: dict[str, set[int]] = {}
        speakers = self._speaker_labels()
        for number, doc in enumerate(self._data.documents):
            for term in self._analyzer.terms(" ".join([*doc.speakers, *speakers.get(number, ())])):
                out.setdefault(term, set()).add(number)
        return out

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


_EPISODE_FILES = 3  # an episode's notes, transcript and one more file at most
_NOTE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")


def _episode(doc: Document) -> tuple[str, str]:
    """The episode a document is a file of: its address, and its title without a note in brackets at its
    end ("... (summary)"). Either alone is too loose: a feed may give every episode the show's home page,
    and "Interview (Part 1)" and "(Part 2)" are two episodes."""
    return doc.url or "", _NOTE.sub("", doc.title).strip().casefold()
