from __future__ import annotations

from onrecord.index.analyzer import Analyzer
from onrecord.index.quotes import ELLIPSIS, MAX_QUOTE_CHARS, QuotePicker

SENTENCES = [
    "We started the show late.",
    "Let me ask you about cold showers.",
    "His mindset of taking a cold shower was to embrace suffering.",
    "That is what he told me.",
    "Anyway, the weather was nice.",
    *(f"Filler sentence number {i} that talks about nothing in particular at all." for i in range(12)),
]


def _weights(question: str) -> dict[str, float]:
    return dict.fromkeys(Analyzer().terms(question), 1.0)


def test_the_quote_is_whole_sentences_that_carry_the_question() -> None:
    quote = QuotePicker(Analyzer()).pick(
        SENTENCES, _weights("how does he approach cold showers and suffering")
    )
    assert "His mindset of taking a cold shower was to embrace suffering." in quote.text
    body = quote.text.removeprefix(f"{ELLIPSIS} ").removesuffix(f" {ELLIPSIS}")
    assert body == " ".join(SENTENCES[quote.first : quote.last + 1])
    assert len(quote.text) <= MAX_QUOTE_CHARS
    assert quote.text.startswith(ELLIPSIS) and quote.text.endswith(ELLIPSIS)
    assert {"cold", "shower", "suffering"} <= set(quote.matched)


def test_context_after_the_match_is_preferred() -> None:
    quote = QuotePicker(Analyzer()).pick(SENTENCES, _weights("embrace suffering"))
    assert quote.first <= 2 < quote.last
    assert quote.last - 2 >= 2 - quote.first


def test_an_overlong_sentence_is_cut_at_a_word_with_an_ellipsis() -> None:
    long = "word " * 300 + "suffering."
    quote = QuotePicker(Analyzer()).pick([long], _weights("word"))
    assert len(quote.text) <= MAX_QUOTE_CHARS
    assert quote.text.endswith(ELLIPSIS) and not quote.text.startswith(ELLIPSIS)


def test_a_whole_short_passage_is_quoted_without_ellipsis() -> None:
    quote = QuotePicker(Analyzer()).pick(SENTENCES[:3], _weights("cold"))
    assert quote.text == " ".join(SENTENCES[:3])


def test_among_equal_runs_the_one_with_the_sentence_that_says_it_all_is_quoted() -> None:
    sentences = [
        "Cold showers are how he learned to embrace suffering, every single morning of the year, "
        "whatever the weather did.",
        "The cold was a shock at first, and for a few weeks he dreaded the alarm going off at dawn.",
        "He would shower before sunrise.",
        "Suffering, he said, is something to embrace.",
        "Then he went for a run.",
    ]
    quote = QuotePicker(Analyzer()).pick(sentences, _weights("cold shower embrace suffering"), 200)
    assert quote.first == 0  # not the words scattered over the longer run after it


def test_a_run_keeps_clear_of_sentences_already_quoted() -> None:
    picker, weights = QuotePicker(Analyzer()), _weights("cold shower embrace suffering")
    terms = [picker.sentence_terms(s) for s in SENTENCES]
    best = picker.run(SENTENCES, weights, terms=terms)
    assert best is not None and best[0] <= 2 <= best[1]  # the sentence that says it all
    assert picker.run(SENTENCES, weights, terms=terms, taken={2}) == (0, 1)  # the question before it
    assert picker.run(SENTENCES, weights, terms=terms, taken={1, 2}) is None  # nothing else matches
    assert picker.weight(terms, (1, 2), weights) == picker.weight(terms, (0, 4), weights) == 4.0
