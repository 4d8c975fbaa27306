"""Quotes follow the conversation: one speaker per quote, the reply rather than the question put."""

from __future__ import annotations

from pathlib import Path

from onrecord import index
from onrecord.index.analyzer import Analyzer
from onrecord.index.quotes import QuotePicker, questions_of

INTERVIEW = """WEBVTT

00:10.000 --> 00:12.000
<v Host>Welcome back to the show, where we talk about the night and the animals in it.

00:12.000 --> 00:14.000
<v Host>My guest has watched birds for forty years.

00:14.000 --> 00:20.000
<v Host>So tell me, how do owls hunt in the dark without making any sound at all?

00:20.000 --> 00:26.000
<v Guest>Their feathers have soft fringed edges that break up the air.

00:26.000 --> 00:31.000
<v Guest>That is why the mouse never hears them coming.

00:31.000 --> 00:36.000
<v Host>Bats, on the other hand, shout all night long.
"""


def _interview(tmp_path: Path) -> index.Index:
    (tmp_path / "night.vtt").write_text(INTERVIEW, "utf-8")
    (tmp_path / "night.meta.json").write_text('{"url": "https://example.org/night"}', "utf-8")
    return index.build([tmp_path])


def test_a_question_put_by_the_host_is_answered_by_the_reply(tmp_path: Path) -> None:
    hit = _interview(tmp_path).search("how do owls hunt in the dark", k=1)[0]
    assert hit.quote.startswith("… Their feathers have soft fringed edges")
    assert "how do owls hunt" not in hit.quote  # another speaker: not in the same quote
    assert (hit.speaker, hit.start, hit.end) == ("Guest", 20.0, 31.0)
    assert hit.url == "https://example.org/night?t=20"


def test_a_quote_never_spans_two_speakers(tmp_path: Path) -> None:
    hit = _interview(tmp_path).search("welcome night bats", k=1)[0]  # the host, before and after the guest
    assert "Their feathers" not in hit.quote
    assert ("Welcome back" in hit.quote) != ("Bats" in hit.quote)
    assert hit.speaker == "Host"


FILLER = "This sentence only fills the room around the others with words of no interest to anyone."
QUESTION = "What made the old lighthouse keeper stay on the island through all those winters?"
REPLY = "He said the sea was the only neighbour who never lied to him, and he meant it."


def _weights(question: str) -> dict[str, float]:
    return dict.fromkeys(Analyzer().terms(question), 1.0)


def test_where_speakers_are_unknown_the_reply_after_a_question_is_quoted() -> None:
    question = QUESTION.replace("?", ", " + "and so on, " * 40 + "?")  # too long to quote with the reply
    quote = QuotePicker(Analyzer()).pick(
        [FILLER, question, REPLY, FILLER], _weights("why did the lighthouse keeper stay")
    )
    assert quote.text.startswith(f"… {REPLY}")


def test_the_question_is_quoted_with_the_reply_when_both_fit() -> None:
    sentences = [FILLER, QUESTION, REPLY, FILLER, FILLER, FILLER, FILLER]
    quote = QuotePicker(Analyzer()).pick(sentences, _weights("why did the lighthouse keeper stay"))
    assert quote.text.startswith(f"… {QUESTION} {REPLY}")


def test_a_short_acknowledgement_is_not_taken_for_the_answer() -> None:
    sentences = [
        "We were talking about birds.",
        "Owls hunt silently because their feathers break up the air.",
        "Isn't that amazing?",
        "It is.",
        "Anyway, bats are loud.",
    ]
    weights = _weights("why do owls hunt silently")
    quote = QuotePicker(Analyzer()).pick(sentences, weights, speakers=[0, 0, 0, 1, 0])
    assert "Owls hunt silently" in quote.text and "It is." not in quote.text


def test_where_speakers_are_unknown_the_lead_in_before_a_question_counts_for_the_reply() -> None:
    lead_in = [
        "You told me once that the recipe for your sourdough came to you on a night train through the "
        "mountains, somewhere between two stations whose names you have long since forgotten, and that "
        "you wrote it down on the back of a ticket before you could lose it again.",
        "Everyone I have told that story to since finds it hard to believe, and to be honest so do I, "
        "because nobody thinks of bread at three in the morning with the lights of the carriage off.",
    ]
    reply = "The rocking of the carriage felt like kneading, I suppose, and that set me thinking."
    sentences = [FILLER, *lead_in, "How did that happen?", reply, FILLER, FILLER]
    quote = QuotePicker(Analyzer()).pick(sentences, _weights("sourdough recipe night train kneading"))
    assert quote.text.startswith(f"… {reply}")  # not the lead-in, too long to quote beside the reply


def test_a_question_transcribed_with_a_full_stop_is_answered_by_the_reply() -> None:
    asked = "So, and so on, " * 30 + "what made the old lighthouse keeper stay on the island all winter."
    reply = f"Well, {REPLY[0].lower()}{REPLY[1:]}"
    quote = QuotePicker(Analyzer()).pick(
        [FILLER, asked, reply, FILLER], _weights("why did the lighthouse keeper stay")
    )
    assert quote.text.startswith(f"… {reply}")  # the question, too long to quote beside it, is left out


def test_a_sentence_is_taken_for_a_question_only_when_it_asks_and_the_next_one_answers() -> None:
    assert questions_of(["And you never told me why.", "Well, it was raining."]) == [True, False]
    assert questions_of(["We went home early.", "Yes, we did."]) == [False, False]  # nothing asked
    assert questions_of(["So how did it end.", "It ended well."]) == [False, False]  # no reply opening


def test_among_equal_runs_what_is_said_counts_before_what_is_asked() -> None:
    sentences = [
        "I take a cold shower every morning.",
        "It is how I embrace suffering.",
        "After that I walk the dog around the block twice, answer my email, read the news, and only then, "
        "around nine or so, do I finally sit down at my desk to work.",
        "My sister thinks I am out of my mind, and she tells me so whenever we talk on the phone on Sundays.",
        "She always asks: does a cold shower really teach you to embrace suffering?",
    ]
    quote = QuotePicker(Analyzer()).pick(sentences, _weights("cold shower embrace suffering"), 200)
    assert (quote.first, quote.last) == (0, 1)  # not the sister's question, with more room around it


def test_among_equal_runs_one_that_ends_on_a_matching_question_gives_way_to_its_answer() -> None:
    sentences = [
        "Everyone wants to know why anyone would put themselves through a cold shower in the dead of winter?",
        "I take a cold shower every morning.",
        "So why embrace suffering?",
        "Because it makes the rest of the day easy.",
        "That is all there is to it.",
    ]
    quote = QuotePicker(Analyzer()).pick(sentences, _weights("cold shower embrace suffering"), 200)
    assert "Because it makes the rest of the day easy." in quote.text
