"""Results are distinct by what they quote: overlapping windows that quote apart are both kept."""

from __future__ import annotations

import itertools

from onrecord import index
from onrecord.index.transcript import Segment, Transcript

FILLER = "The afternoon went on with talk about the weather, the roads and the price of bread in town."
STRIPES = "Zebra stripes confuse the giraffe watching from the ridge, or so the old guide kept telling us."
HERD = "Later a lone zebra walked past the camp while everyone was asleep and nobody saw it go by."


def _index() -> index.Index:
    """One episode: the best answer early on, a second one half a window later (in the part the first
    window shares with the next), and filler around them."""
    sentences = [FILLER] * 2 + [STRIPES] + [FILLER] * 7 + [HERD] + [FILLER] * 20
    segments = [Segment(s, turn=k == 0) for k, s in enumerate(sentences)]
    return index.build_from_transcripts([Transcript("safari.txt", "safari.txt", "Safari", segments)])


def test_an_answer_in_the_overlap_of_two_windows_is_not_lost() -> None:
    idx = _index()
    hits = idx.search("zebra giraffe", k=5)
    assert hits and STRIPES in hits[0].quote
    assert HERD not in hits[0].quote  # the two answers are too far apart for one quote
    assert any(HERD in h.quote for h in hits[1:])
    first = next(h for h in hits if HERD in h.quote)
    assert first.passage.char_start < hits[0].passage.char_end  # it comes from an overlapping window


def test_no_two_quotes_share_a_sentence() -> None:
    idx = _index()
    hits = idx.search("zebra giraffe", k=10)
    assert len({h.quote for h in hits}) == len(hits)
    spans = sorted((h.passage.char_start + h.passage.text.find(h.quote.strip("… ")), h.quote) for h in hits)
    for (start, quote), (next_start, _) in itertools.pairwise(spans):
        assert start + len(quote.strip("… ")) <= next_start


def test_the_second_hit_follows_the_same_rule() -> None:
    second = _index().search("zebra giraffe", k=2)[1:]
    assert second and HERD in second[0].quote and second[0].rank == 2


def test_a_window_whose_best_quote_is_taken_quotes_its_other_answer() -> None:
    """The second window's best run is the first one's quote; the third window holds a further answer
    only it has, which it quotes instead of being dropped."""
    again = "The guide said again that zebra stripes confuse a giraffe, and we all nodded politely at him."
    alone = "Earlier a lone giraffe walked past the camp while everyone was asleep and nobody saw it go by."
    sentences = [FILLER] * 30
    sentences[3], sentences[10], sentences[18] = alone, STRIPES, again
    segments = [Segment(s, turn=k == 0) for k, s in enumerate(sentences)]
    idx = index.build_from_transcripts([Transcript("safari.txt", "safari.txt", "Safari", segments)])
    hits = idx.search("zebra giraffe", k=3)
    assert STRIPES in hits[0].quote and alone not in hits[0].quote
    assert alone in hits[1].quote and STRIPES not in hits[1].quote
