"""Quotability: which excerpts of the transcripts stand on their own as a quote (the daily quote, `/quote`).

- ``words``: the word lists, each word with a code;
- ``features``: what each of the index's sentences brings to a score;
- ``scoring``: the score of a run of sentences, its factors documented (``quotability``, ``best_excerpt``);
- ``candidates``: the best excerpt of each passage, found by the builder and saved with the index.
"""

from __future__ import annotations

from .candidates import QuoteCandidate, packaging
from .scoring import DEFAULT_MIN_SCORE, MAX_CHARS, MAX_SENTENCES, MIN_CHARS, best_excerpt, quotability

__all__ = [
    "DEFAULT_MIN_SCORE",
    "MAX_CHARS",
    "MAX_SENTENCES",
    "MIN_CHARS",
    "QuoteCandidate",
    "best_excerpt",
    "packaging",
    "quotability",
]
