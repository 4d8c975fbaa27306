"""Who a document's opening introduces, in the ways hosts of different shows say it."""

from __future__ import annotations

from onrecord.index.intros import OPENING_CHARS, introduced


def _guests(*sentences: str, start: int = 0) -> tuple[str, ...]:
    starts, at = [], start
    for s in sentences:
        starts.append(at)
        at += len(s) + 1
    return introduced(list(sentences), starts)


def test_the_usual_intros_name_the_guest() -> None:
    assert _guests("The following is a conversation with Ada Quill, a sailmaker.") == ("Ada Quill",)
    assert _guests("I'm Bo Lind, and today on Harbour Talk, I got to sit down with Cato to talk boats.") == (
        "Cato",
    )
    assert _guests("Today we're joined by Dara Venn.", "Hello, Dara.") == ("Dara Venn",)
    assert _guests(
        "Today we have with us Ines, who makes sails.", "The first person joining us is Jo Pry."
    ) == (
        "Ines",
        "Jo Pry",
    )
    assert _guests("And now, dear friends, here's Ezra Pike.", "Let me ask you about boats.") == (
        "Ezra Pike",
    )


def test_a_name_ends_with_its_sentence_and_is_listed_once() -> None:
    assert _guests("My guest today is Fen Ro.", "Fen Ro is a sailmaker. Welcome back, Fen Ro.") == ("Fen Ro",)


def test_a_name_said_in_passing_or_past_the_opening_is_no_guest() -> None:
    assert _guests("Economists like Gil Harte disagree.") == ()
    assert _guests("the following is a conversation with ada quill") == ()  # no capitals: no name
    assert _guests("The following is a conversation with Ada Quill.", start=OPENING_CHARS) == ()
