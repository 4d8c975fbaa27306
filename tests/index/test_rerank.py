"""The second stage: the conversation ranks above the packaging around it."""

from __future__ import annotations

import numpy as np
import pytest

from onrecord import index
from onrecord.index.quotability import packaging
from onrecord.index.transcript import Segment, Transcript

_READ = [
    "This episode is brought to you by Fermentix, the kombucha brewing kit for your kitchen.",
    "Kombucha brewing was never this easy: use the code BREW for twenty percent off.",
]
_TALK = [
    "Kombucha brewing needs a warm room and a patient brewer, or the culture sulks.",
    "I leave the jar near the oven for a week and taste it every morning.",
]
_FILLER = [
    f"The {a} by the {b} stayed {c}."
    for a in ("boat", "kite", "lamp")
    for b in ("dock", "hill")
    for c in ("dry", "put", "dim")
]


def test_packaging_flags_the_sponsor_read_and_not_the_talk() -> None:
    flags = packaging(["Hello and welcome.", *_READ, *_FILLER, *_TALK])
    assert flags[1:3].all()
    assert not flags[-len(_TALK) :].any()


def test_the_conversation_ranks_above_a_sponsor_read_with_the_same_words() -> None:
    sentences = _READ + 8 * _FILLER + _TALK + 4 * _FILLER
    show = Transcript(path="ep", source="ep", title="ep", segments=[Segment(s, turn=True) for s in sentences])
    shows = index.build_from_transcripts([show])
    assert np.asarray(shows._data.sent_packaging)[: len(_READ)].all()
    hits = shows.search("kombucha brewing", k=2)
    assert "warm room" in hits[0].quote
    assert hits[0].score > hits[1].score


_ROWS = [
    f"The {a} by the {b} stayed {c}."
    for a in ("boat", "kite", "lamp", "cart")
    for b in ("dock", "hill", "barn")
    for c in ("dry", "put", "dim")
]


def test_a_name_said_whole_counts_less_in_nearness_than_the_rest_of_the_question() -> None:
    # The first and last name always sit together: the passage that only introduces the guest, with the
    # topic's words spread far apart, ranks first by BM25; the one where they sit together answers.
    named = ["My guest today is Ada Lovelace.", *_ROWS[:6], "We will get to steam later."]
    named += [*_ROWS[6:12], "And engines too."]
    answer = ["Ada thinks steam engines will weave patterns.", "The engines need more than brass to think."]
    sentences = _ROWS + named + _ROWS + _ROWS[:6] + answer + _ROWS
    show = Transcript(path="ep", source="ep", title="ep", segments=[Segment(s, turn=True) for s in sentences])
    shows = index.build_from_transcripts([show])
    question = "What does Ada Lovelace think about steam engines?"
    plain = shows.term_scores([str(t) for t in shows.analyzer.terms("Ada Lovelace steam engines")])
    assert "Lovelace" in shows.passage(int(plain.argmax())).text
    assert "weave" in shows.search(question, k=1)[0].passage.text


def test_the_guesses_for_one_word_count_once_in_nearness() -> None:
    # Two relatives of one typed word side by side are one word of the question, not two: the passage
    # where two typed words meet is the nearer one, though the other scores a little higher by BM25.
    sentences = [*_ROWS, "Every effector was effectual.", *_ROWS, *_ROWS, "The copper kettle sang.", *_ROWS]
    show = Transcript(path="ep", source="ep", title="ep", segments=[Segment(s, turn=True) for s in sentences])
    shows = index.build_from_transcripts([show])
    relatives, typed = ["effector", "effectu"], ["copper", "kettl"]
    weights = dict.fromkeys(relatives + typed, 1.0)
    origins = {**dict.fromkeys(relatives, "relative of effects"), **dict.fromkeys(typed, "typed")}
    guesses = next(p.id for p in shows.passages if "effectual" in p.text)
    words = next(p.id for p in shows.passages if "kettle" in p.text)
    matches = shows._matches.find([guesses, words], weights)
    scores = {guesses: 1.05, words: 1.0}
    ranked = shows._reranker.order([guesses, words], scores, weights, matches, origins=origins)
    assert [pid for pid, _ in ranked] == [words, guesses]


def _reorder(segments: list[Segment], first: str, second: str, question: str) -> list[str]:
    """The re-ranker's order, for ``question``'s terms, of the passages holding ``first`` and ``second``
    (the former a little ahead by BM25), each named by what it holds."""
    show = Transcript(path="ep", source="ep", title="ep", segments=segments)
    shows = index.build_from_transcripts([show])
    weights = {str(t): 1.0 for t in shows.analyzer.terms(question)}
    a = next(p.id for p in shows.passages if first in p.text and second not in p.text)
    b = next(p.id for p in shows.passages if second in p.text and first not in p.text)
    ranked = shows._reranker.order([a, b], {a: 1.05, b: 1.0}, weights, shows._matches.find([a, b], weights))
    return [first if pid == a else second for pid, _ in ranked]


def _turns(*turns: tuple[str | None, list[str]]) -> list[Segment]:
    return [Segment(s, speaker=who, turn=True) for who, sentences in turns for s in sentences]


_SAID = ["My copper kettle sang every morning at dawn, like a small bird."]


@pytest.mark.parametrize(("host", "guest"), [(None, None), ("Host", "Guest")])
def test_a_lead_in_to_a_question_put_to_someone_else_counts_as_asking(
    host: str | None, guest: str | None
) -> None:
    # "You wrote about X. Did it ...? Yeah, ..." is the host asking about X: the guest saying X ranks above
    # it, though the host's lead-in is a little ahead by BM25 (speakers unknown, and labelled).
    lead = ["You once wrote that the copper kettle sang at dawn.", "Did that surprise the neighbours?"]
    segments = _turns(
        (guest, _ROWS),
        (host, lead),
        (guest, ["Yeah, they thought it was a bird.", *_ROWS, *_ROWS, *_SAID, *_ROWS]),
    )
    assert _reorder(segments, "You once wrote", "My copper", "copper kettle sang") == [
        "My copper",
        "You once wrote",
    ]


def test_a_statement_before_a_question_its_speaker_answers_is_no_lead_in() -> None:
    # "X. And why? Because ..." is one speaker thinking aloud, not a question put to someone else.
    aloud = ["The copper kettle sang at dawn.", "And why was that?", "Because the lid was loose."]
    segments = _turns((None, [*_ROWS, *aloud, *_ROWS, *_ROWS, *_SAID, *_ROWS]))
    assert _reorder(segments, "The copper kettle", "My copper", "copper kettle sang") == [
        "The copper kettle",
        "My copper",
    ]
