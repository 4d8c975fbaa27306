"""Packaging needs corroboration: a read holds several promo phrases, or sits in the opening or closing."""

from __future__ import annotations

from onrecord.index.quotability import packaging

_TALK = [
    f"The {a} by the {b} stayed {c} all through the long and quiet afternoon."
    for a in ("boat", "kite", "lamp", "cart", "rope")
    for b in ("dock", "hill", "barn", "mill")
    for c in ("dry", "put", "dim")
]  # 60 sentences of some 65 characters: about 4,000 characters
_LONE = "Honestly, I don't subscribe to that view of the market at all."
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
