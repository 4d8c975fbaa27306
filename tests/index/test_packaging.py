"""Packaging needs corroboration: a read holds several promo phrases, or sits in the opening or closing."""

from __future__ import annotations

import pytest

from onrecord.index.intros import CLOSING_CHARS, OPENING_CHARS
from onrecord.index.quotability import packaging

_TALK = [
    f"The {a} by the {b} stayed {c} all through the long and quiet afternoon."
    for a in ("boat", "kite", "lamp", "cart", "rope")
    for b in ("dock", "hill", "barn", "mill")
    for c in ("dry", "put", "dim")
]  # 60 sentences of some 65 characters: about 4,000 characters
_LONE = "Honestly, I don't subscribe to that view of the market at all."
_ONE_SENTENCE_READ = (
    "This episode is brought to you by Fermentix: use code BREW for twenty percent off, "
    "free trial in the description."
)
_READ = [
    "This part of the show is sponsored by Fermentix, the kombucha kit.",
    "Go to fermentix dot com slash brew and use code BREW for twenty percent off.",
]


def test_a_lone_promo_word_in_the_middle_of_an_episode_is_talk() -> None:
    flags = packaging([*_TALK, *_TALK[:30], _LONE, *_TALK[30:], *_TALK])
    assert not flags.any()


def test_a_read_of_several_phrases_in_the_middle_is_packaging() -> None:
    sentences = [*_TALK, *_READ, *_TALK]
    flags = packaging(sentences)
    assert flags[len(_TALK) : len(_TALK) + len(_READ)].all()
    assert not flags[:20].any() and not flags[-20:].any()


def test_a_lone_phrase_in_the_opening_or_closing_is_packaging() -> None:
    intro = "The following is a conversation with Ada Lovelace."
    outro = "Thanks for listening, and see you next time."
    flags = packaging([intro, *_TALK, *_TALK, outro])
    assert flags[0] and flags[-1]
    assert not flags[len(_TALK) : len(_TALK) + 20].any()


def test_a_read_in_one_sentence_in_the_middle_is_packaging() -> None:
    flags = packaging([*_TALK, _ONE_SENTENCE_READ, *_TALK])
    assert flags[len(_TALK)]
    assert not flags[:20].any() and not flags[-20:].any()


def test_one_phrase_said_twice_in_a_sentence_is_still_talk() -> None:
    twice = [
        "It sits somewhere between robotics slash control slash plain old statistics, I suppose.",
        "People subscribe, then unsubscribe a week later, and nobody asks them why they left.",
        "Thanks for listening to me ramble, and thank you for listening to my mother too.",
    ]
    assert not packaging([*_TALK, twice[0], *_TALK, twice[1], *_TALK, twice[2], *_TALK]).any()


def _talk(chars: int) -> list[str]:
    """Talk after which the next sentence starts ``chars`` characters on (sentences join with a space)."""
    out: list[str] = []
    for sentence in _TALK * (chars // 4000 + 1):
        if chars - len(sentence) - 1 < 80:
            break
        out.append(sentence)
        chars -= len(sentence) + 1
    return [*out, "So " + "o" * (chars - 5) + "."]


@pytest.mark.parametrize(("before", "marked"), [(OPENING_CHARS - 1, True), (OPENING_CHARS, False)])
def test_a_lone_phrase_counts_up_to_the_opening_s_edge(before: int, marked: bool) -> None:
    sentences = [*_talk(before), _LONE, *_talk(8000)]
    flags = packaging(sentences)
    assert flags[len(_talk(before))] == marked
    assert flags.any() == marked


@pytest.mark.parametrize(("after", "marked"), [(CLOSING_CHARS, True), (CLOSING_CHARS + 1, False)])
def test_a_lone_phrase_counts_from_the_closing_s_edge(after: int, marked: bool) -> None:
    """``after``: the characters from the phrase's sentence's start to the document's end."""
    sentences = [*_talk(8000), _LONE, *_talk(after - len(_LONE))]
    flags = packaging(sentences)
    assert flags[len(_talk(8000))] == marked
    assert flags.any() == marked
