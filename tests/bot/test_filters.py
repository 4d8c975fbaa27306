"""`speaker:` and `episode:` in a question, and how forgivingly names match."""

from __future__ import annotations

import pytest

from onrecord.bot.filters import Filters, match_name, split_filters
from onrecord.bot.question import who_said

SPEAKERS = ["Maya Lindqvist", "Renée Dubois", "Oskar Berg", "Oskar Nilsson", "Lex", "Lex Fridman"]


@pytest.mark.parametrize(
    ("text", "question", "filters"),
    [
        ("speaker:Renée what about bread", "what about bread", Filters("Renée")),
        ('speaker:"Lex Fridman" what is AGI', "what is AGI", Filters("Lex Fridman")),
        ("what is AGI speaker:“Lex Fridman” episode:“Codex”", "what is AGI", Filters("Lex Fridman", "Codex")),
        ("Episode:'Bread at Dawn' SPEAKER:maya flat loaves", "flat loaves", Filters("maya", "Bread at Dawn")),
        ("speaker: maya flat loaves", "flat loaves", Filters("maya")),
        ("no filters here: none", "no filters here: none", Filters()),
    ],
)  # fmt: skip
def test_filters_are_taken_out_of_the_question(text: str, question: str, filters: Filters) -> None:
    assert split_filters(text) == (question, filters)


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        ("renée dubois", ("Renée Dubois",)),  # case
        ("Renee Dubois", ("Renée Dubois",)),  # accents
        ("renee", ("Renée Dubois",)),  # a first name alone
        ("Lindqvist", ("Maya Lindqvist",)),  # a last name alone
        ("Maya Lindquist", ("Maya Lindqvist",)),  # a transcriber's spelling
        ("Lex Friedman", ("Lex", "Lex Fridman")),  # both labels of one person
        ("Oskar Nilson", ("Oskar Nilsson",)),
    ],
)
def test_names_match_forgivingly(typed: str, names: tuple[str, ...]) -> None:
    assert match_name(typed, SPEAKERS).names == names


def test_a_name_that_fits_several_people_is_not_guessed() -> None:
    found = match_name("oskar", SPEAKERS)
    assert found.names == () and found.ambiguous
    assert found.close == ("Oskar Berg", "Oskar Nilsson")


def test_a_name_that_matches_nobody_lists_close_names() -> None:
    found = match_name("Mayo Lindgren", SPEAKERS)
    assert found.names == () and not found.ambiguous
    assert found.close[0] == "Maya Lindqvist"
    assert match_name("Zaphod Beeblebrox", SPEAKERS).names == ()


@pytest.mark.parametrize(
    ("question", "about"),
    [
        ("Who said a starter forgives you?", "a starter forgives you?"),
        ('who was it that said "scaling is over"', '"scaling is over"'),
        ("Which guest talked about tomatoes", "tomatoes"),
        ("who said?", None),
        ("Who is Renée?", None),
    ],
)
def test_who_said_questions_are_told_apart(question: str, about: str | None) -> None:
    assert who_said(question) == about
