"""When to say "nothing on record" instead of quoting three passages that merely share a word.

BM25 always ranks something first. A question answers from the record only if

- some term that stands for what it says is rare enough to tell passages apart, in at most
  ``COMMON_SHARE`` of them: a typed, split or joined word, an acronym's expansion, or a word that sounds
  the same as a misspelt one ("Solomonov" for "Solomonoff"); not a word merely spelt alike or sharing a
  stem's start ("xyzzy plugh" meets only "xyz" and "plug"; "what do they think about things" only words
  every passage has); and
- the best passage scores at least ``MIN_SCORE`` of what a real match scores in this index: one fairly
  rare term (in 1% of the passages) said once in a passage of average length. A best score far below it
  is a match on common words only.

Both were checked against the dev questions of the seeds and lexicap (none of them is refused) and
against made-up questions that have no answer (see the tests).
"""

from __future__ import annotations

import math

from .bm25 import Postings
from .query import QueryTerms

__all__ = ["COMMON_SHARE", "MIN_SCORE", "on_record"]

COMMON_SHARE = 0.25  # "think" and "thing" are said in 60-80% of the passages of a talk show, "love" in 15%
MIN_SCORE = 0.5
_REAL_MATCH_SHARE = 0.01
_GUESSES = ("spelt like", "relative of")  # stand-ins for a typed word that may well be something else


def on_record(
    query: QueryTerms, vocab: dict[str, int], postings: Postings, best: float, *, scoped: bool = False
) -> bool:
    """Whether ``query``'s best passage, scoring ``best``, answers it (see the module's doc). A search
    ``scoped`` to documents the person chose needs only a term that is no guess: they said where to look."""
    n = postings.size
    if n < 20:  # too few passages to tell what is common: trust any match
        return best > 0
    most = n if scoped else COMMON_SHARE * n
    telling = [
        t
        for t in query.weights
        if not query.origins.get(t, "typed").startswith(_GUESSES) and postings.doc_freq(vocab[t]) <= most
    ]
    return bool(telling) and (scoped or best >= MIN_SCORE * _real_match(n))


def _real_match(n: int) -> float:
    """What one term in 1% of ``n`` passages scores in a passage of average length where it is said once
    (BM25 with k1 = 1.5 and b = 0.75: the term's IDF, as tf (k1 + 1) / (tf + k1) is 1 at tf = 1)."""
    df = max(1.0, _REAL_MATCH_SHARE * n)
    return math.log((n - df + 0.5) / (df + 0.5))
