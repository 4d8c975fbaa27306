"""Excerpts of a passage as hits: the daily quote and /quote show them like search results."""

from __future__ import annotations

from pathlib import Path

import pytest

from onrecord import index
from onrecord.index.quotability import best_excerpt, quotability

DATA = Path(__file__).resolve().parents[1] / "data" / "transcripts"


def test_an_excerpt_is_timed_and_attributed_from_the_sentence_it_starts_in() -> None:
    idx = index.build([str(DATA / "youtube_rolling.en.vtt")])
    timed = next(p for p in idx.passages if p.start is not None and len(idx.sentences(p.id)) > 3)
    sentences = idx.sentences(timed.id)
    assert " ".join(sentences) == timed.text
    start = len(sentences[0]) + 1  # the second sentence, alone
    hit = idx.excerpt(timed.id, start, start + len(sentences[1]))
    assert hit.quote == sentences[1] and hit.passage == timed
    assert hit.start is not None and timed.start is not None and hit.start > timed.start
    first = idx.excerpt(timed.id, 0, len(sentences[0]))
    assert (first.start, first.speaker) == (timed.start, timed.speaker)
    with pytest.raises(ValueError):
        idx.excerpt(timed.id, 5, 5)


def test_best_excerpt_keeps_only_whole_quotable_sentences_that_pass_the_filter(
    seed_index: index.Index,
) -> None:
    pid = next(h.passage.id for h in seed_index.search("value function", 5))
    sentences = seed_index.sentences(pid)
    text = " ".join(sentences)
    found = best_excerpt(sentences, lambda t: "value function" in t.casefold())
    assert found is not None
    start, end, score = found
    assert text[start:end] in sentences or text[start:end].startswith(tuple(sentences))
    assert "value function" in text[start:end].casefold() and score == quotability(text[start:end])
    assert best_excerpt(sentences, lambda t: False) is None
