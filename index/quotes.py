"""Picking the quote inside a passage: the run of whole sentences that best carries the question.

The run covers as much of the question's weight as fits in ``MAX_QUOTE_CHARS``; among equal runs it
fills the room, preferring what follows the matching sentence, since answers often come a sentence
after the words that match the question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .analyzer import Analyzer, word_spans

__all__ = ["ELLIPSIS", "MAX_QUOTE_CHARS", "Quote", "pick_quote"]

MAX_QUOTE_CHARS = 500
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Quote:
    text: str
    first: int  # index of the first and last sentence used
    last: int
    matched: tuple[str, ...]


def pick_quote(
    sentences: Sequence[str], weights: Mapping[str, float], analyzer: Analyzer, limit: int = MAX_QUOTE_CHARS
) -> Quote:
    """The best run of ``sentences``; ``weights`` maps each query term to its importance."""
    found = [_matches(s, weights, analyzer) for s in sentences]
    budget = limit - 2 * (len(ELLIPSIS) + 1)
    # Prefix sums of lengths, and the first matching sentence at or after each one, make a run's fill O(1).
    ends = [0]
    for sentence in sentences:
        ends.append(ends[-1] + len(sentence))
    next_match = [len(sentences)] * (len(sentences) + 1)
    for k in range(len(sentences) - 1, -1, -1):
        next_match[k] = k if found[k][0] else next_match[k + 1]
    best: tuple[float, float, int, int] | None = None
    for i in range(len(sentences)):
        size = -1
        terms: set[str] = set()
        weight = 0.0
        for j in range(i, len(sentences)):
            size += len(sentences[j]) + 1
            if size > budget and j > i:
                break
            for term in found[j][0] - terms:
                terms.add(term)
                weight += weights[term]
            first = next_match[i] if next_match[i] <= j else i
            # Characters of context, counting those after the first matching sentence double.
            fill = 2 * (ends[j + 1] - ends[first]) + (ends[first] - ends[i])
            candidate = (round(weight, 6), float(fill), i, j)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is None:
        return Quote("", 0, -1, ())
    _, _, i, j = best
    return Quote(
        text=_render(sentences, i, j, limit),
        first=i,
        last=j,
        matched=tuple(dict.fromkeys(w for k in range(i, j + 1) for w in found[k][1])),
    )


def _matches(sentence: str, weights: Mapping[str, float], analyzer: Analyzer) -> tuple[set[str], list[str]]:
    terms: set[str] = set()
    words: list[str] = []
    for _, _, word in word_spans(sentence):
        hit = [t for t in analyzer.surface_terms(word) if t in weights]
        if hit:
            terms.update(hit)
            words.append(word)
    return terms, words


def _render(sentences: Sequence[str], i: int, j: int, limit: int) -> str:
    text = " ".join(sentences[i : j + 1])
    cut = len(text) > limit - 4  # a single sentence longer than the room: cut at a word
    if cut:
        text = text[: limit - 4].rsplit(" ", 1)[0]
    prefix = f"{ELLIPSIS} " if i > 0 else ""
    suffix = f" {ELLIPSIS}" if cut or j < len(sentences) - 1 else ""
    return prefix + text + suffix
