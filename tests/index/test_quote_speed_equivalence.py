"""The quote picker, with its shortcuts and caches, picks what the plain definition of the best quote
picks: every run of whole sentences that fits, scored one by one."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from onrecord import index
from onrecord.index.analyzer import Analyzer, word_spans, words
from onrecord.index.quotes import (
    ELLIPSIS,
    LEAD_SENTENCES,
    MAX_QUOTE_CHARS,
    MIN_REPLY_CHARS,
    Quote,
    QuotePicker,
    questions_of,
)
from onrecord.index.searcher import _SECOND_RUN_SHARE

ANALYZER = Analyzer()
WORDS = (
    "The the and of I it's don't cold shower showers suffering embrace Suffering GPT-4 pre-training"
    " pretraining AlphaZero alpha zero 3.5 e.g. naïve café Über Lex’s won’t AI ML 人类的学习 学习 well, yes."
    " So, right? (really) — … 12:30 co-founder hello. why? “Cold?”"
).split()
TERMS = sorted({t for w in WORDS for t in ANALYZER.surface_terms(w)} | {"absent"})

sentence = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join),
    st.just(""),
    st.integers(1, 120).map(lambda n: "word " * n + "suffering."),  # longer than any quote
)
# Weights that add up exactly in any order, with zero and negative ones, and two that round alike.
# A search's weights are a query weight times an IDF, log(1 + n / (1 + df)): never negative. (With a
# negative one, two runs of empty sentences tie at a negative value and are broken differently.)
weight = st.sampled_from([0.125, 0.5, 1.0, 1.0000001, 2.75, 0.0])


def reference_pick(
    sentences: Sequence[str],
    weights: Mapping[str, float],
    analyzer: Analyzer,
    limit: int,
    speakers: Sequence[int] | None = None,
    taken: Collection[int] = (),
) -> Quote:
    """The first run of one speaker's sentences, clear of the ``taken`` ones, with the most weight (to 6
    places; a run that starts with a reply also counts what was asked), then that takes in a reply to a
    matching question, then with the most weight in what is not a question, then with the most weight of
    its own, then with the heaviest sentence, then whose last matching question is answered inside it (or
    that has none), then the most fill: characters of context, those from its first matching sentence (or
    the reply it starts with) on counted double. With ``taken``, only a run with some weight counts."""
    matched = [
        [w for _, _, w in word_spans(s) if set(analyzer.surface_terms(w)) & weights.keys()] for s in sentences
    ]
    terms = [{t for w in words for t in analyzer.surface_terms(w) if t in weights} for words in matched]
    who = list(speakers) if speakers is not None else [-1] * len(sentences)
    asked = reference_asked(sentences, terms, who)
    asking = questions_of(sentences)
    budget = limit - 2 * (len(ELLIPSIS) + 1)
    best: tuple[float, bool, float, float, float, bool, int] | None = None
    run = (0, -1)
    for i, j in itertools.combinations_with_replacement(range(len(sentences)), 2):
        if (j > i and len(" ".join(sentences[i : j + 1])) > budget) or len(set(who[i : j + 1])) > 1:
            continue
        if any(k in taken for k in range(i, j + 1)):
            continue
        said = set().union(*terms[i : j + 1])
        first = i if asked[i] else next((k for k in range(i, j + 1) if terms[k]), i)
        fill = 2 * len("".join(sentences[first : j + 1])) + len("".join(sentences[i:first]))
        stated = set().union(*(terms[k] for k in range(i, j + 1) if not asking[k]))
        matching_questions = [k for k in range(i, j + 1) if terms[k] and asking[k]]
        key = (
            round(sum(weights[t] for t in said | asked[i]), 6),
            any(asked[i : j + 1]),
            round(sum(weights[t] for t in stated), 6),
            round(sum(weights[t] for t in said), 6),
            max([0.0] + [round(sum(weights[t] for t in terms[k]), 6) for k in range(i, j + 1) if terms[k]]),
            not matching_questions or any(asked[matching_questions[-1] + 1 : j + 1]),
            fill,
        )
        if best is None or key > best:
            best, run = key, (i, j)
    i, j = run
    if j < 0 or (taken and best is not None and not best[0]):
        return Quote("", 0, -1, ())
    text = " ".join(sentences[i : j + 1])
    cut = len(text) > limit - 4
    if cut:
        text = text[: limit - 4].rsplit(" ", 1)[0]
    prefix = f"{ELLIPSIS} " if i > 0 else ""
    suffix = f" {ELLIPSIS}" if cut or j < len(sentences) - 1 else ""
    return Quote(prefix + text + suffix, i, j, tuple(dict.fromkeys(itertools.chain(*matched[i : j + 1]))))


def reference_asked(sentences: Sequence[str], terms: list[set[str]], who: list[int]) -> list[set[str]]:
    """What each reply answers: after a question, a new known speaker's turn (of MIN_REPLY_CHARS at least)
    answers the questions that end the turn before and the sentence before them; where speakers are
    unknown, a sentence that is not a question answers the questions right before it and the
    LEAD_SENTENCES before them."""
    asked: list[set[str]] = [set() for _ in sentences]
    asking = questions_of(sentences)
    for r in range(1, len(sentences)):
        if not asking[r - 1]:
            continue
        end = r
        while end + 1 < len(sentences) and who[end + 1] == who[r]:
            end += 1
        reply_chars = len("".join(sentences[r : end + 1]))
        if who[r] >= 0 and who[r] != who[r - 1] and reply_chars >= MIN_REPLY_CHARS:
            t = r - 1
            while t > 0 and who[t - 1] == who[r - 1] and asking[t - 1]:
                t -= 1
            if t > 0 and who[t - 1] == who[r - 1]:
                t -= 1  # and the sentence that leads to the questions
            asked[r] = set().union(*terms[t:r])
        elif who[r] == who[r - 1] == -1 and not asking[r]:
            t = r - 1
            while t > 0 and who[t - 1] == -1 and asking[t - 1]:
                t -= 1
            for _ in range(LEAD_SENTENCES):  # and the sentences that lead to them
                if t > 0 and who[t - 1] == -1 and not asking[t - 1]:
                    t -= 1
            asked[r] = set().union(*terms[t:r])
    return asked


@settings(max_examples=600, deadline=None)
@given(
    lines=st.lists(st.tuples(sentence, st.sampled_from([-1, -1, 0, 1])), max_size=14),
    weights=st.dictionaries(st.sampled_from(TERMS), weight, min_size=1, max_size=6),
    limit=st.sampled_from([MAX_QUOTE_CHARS, 200, 60]),
)
@example(
    lines=[("And suffering.", -1), ("Cold showers.", -1)], weights={"suffer": -1.0, "cold": 1.0}, limit=500
)
def test_the_picked_quote_is_the_plain_definitions(
    lines: list[tuple[str, int]], weights: dict[str, float], limit: int
) -> None:
    sentences, speakers = [s for s, _ in lines], [who for _, who in lines]
    if all(who < 0 for who in speakers):
        assert QuotePicker(ANALYZER).pick(sentences, weights, limit) == reference_pick(
            sentences, weights, ANALYZER, limit
        )
    expected = reference_pick(sentences, weights, ANALYZER, limit, speakers)
    picker = QuotePicker(ANALYZER, max_words=3)  # forgets words all the time
    terms = [picker.sentence_terms(s) for s in sentences]
    assert picker.pick(sentences, weights, limit, terms=terms, speakers=speakers) == expected


@given(text=st.text() | st.text(st.characters(max_codepoint=127)))
def test_words_are_those_word_spans_finds(text: str) -> None:
    assert words(text) == [w for _, _, w in word_spans(text)]


@pytest.mark.parametrize("loaded", [False, True])
@pytest.mark.parametrize(
    "question", ["cold shower suffering", "reinforcement learning", "AlphaZero homework", "人类的学习效率"]
)
def test_search_quotes_are_the_plain_definitions(
    seed_index: index.Index, seed_index_dir: Path, question: str, loaded: bool
) -> None:
    idx = index.load(seed_index_dir) if loaded else seed_index
    weights = idx._idf_weights(idx._analyze(question))
    hits = idx.search(question, 10)
    assert hits
    quoted: set[int] = set()  # the sentences (of the index) that better hits quote
    for hit in hits:
        sentences = idx.sentences(hit.passage.id)
        lo = int(idx._data.pass_lo[hit.passage.id])
        speakers = idx._data.sent_speaker[lo : lo + len(sentences)].tolist()
        expected = reference_pick(sentences, weights, idx.analyzer, MAX_QUOTE_CHARS, speakers)
        if not quoted.isdisjoint(range(lo + expected.first, lo + expected.last + 1)):
            taken = {k - lo for k in quoted}  # its best run is taken: its best of the others
            expected = reference_pick(sentences, weights, idx.analyzer, MAX_QUOTE_CHARS, speakers, taken)
        assert (hit.quote, hit.matched) == (expected.text, expected.matched)
        quoted.update(range(lo + expected.first, lo + expected.last + 1))
    assert idx.search(question, 10) == hits  # again, from the kept sentence terms


spaced = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u2009", ""])),
    max_size=30,
).map(lambda pairs: "".join(w + gap for w, gap in pairs))


@settings(max_examples=300, deadline=None)
@given(sentences=st.lists(spaced, max_size=6))
def test_sentence_terms_are_its_words_terms_in_the_same_order(sentences: list[str]) -> None:
    """Terms found token by token are those of the words, in the very order a set of the words' terms
    iterates in: the re-ranker adds weights up in that order, so another order changes scores' last bits."""
    picker = QuotePicker(ANALYZER, max_words=5)  # forgets tokens and words all the time
    for s in sentences + sentences:
        expected = tuple(set().union(*map(ANALYZER.surface_terms, words(s))))
        assert picker.sentence_terms(s) == expected


@settings(max_examples=400, deadline=None)
@given(
    sentences=st.lists(sentence, min_size=1, max_size=8),
    weights=st.lists(st.dictionaries(st.sampled_from(TERMS), weight, min_size=1, max_size=6), max_size=4),
)
def test_one_picker_for_many_questions_picks_what_a_new_one_picks(
    sentences: list[str], weights: list[dict[str, float]]
) -> None:
    """The picker keeps a question's bits and weights for its next passage: never for another question,
    even one with the same terms in another order or with other weights."""
    picker = QuotePicker(ANALYZER)
    for w in weights:
        values = list(w.values())
        for same_terms in (w, dict(reversed(w.items())), dict(zip(w, values[1:] + values[:1], strict=True))):
            assert picker.pick(sentences, same_terms) == QuotePicker(ANALYZER).pick(sentences, same_terms)


def carried(idx: index.Index, sentences: Sequence[str], weights: Mapping[str, float]) -> float:
    """The weight of the question's terms that ``sentences`` hold, each counted once."""
    terms = {t for s in sentences for w in words(s) for t in idx.analyzer.surface_terms(w)}
    return sum(weights[t] for t in terms & weights.keys())


def plain_distinct_quotes(
    idx: index.Index, ranked: list[int], weights: dict[str, float], n: int
) -> list[tuple[int, Quote]]:
    """Every candidate's quote picked, a candidate kept unless its quoted sentences overlap a kept one's;
    then it quotes its best run clear of them instead, if that carries half its best run's weight."""
    kept: list[tuple[int, Quote]] = []
    taken: list[range] = []
    for pid in ranked:
        sentences = idx.sentences(pid)
        lo = int(idx._data.pass_lo[pid])
        speakers = idx._data.sent_speaker[lo : lo + len(sentences)].tolist()
        quote = QuotePicker(idx.analyzer).pick(sentences, weights, speakers=speakers)
        quoted = range(lo + quote.first, lo + max(quote.last, quote.first) + 1)
        if quote.last >= quote.first and any(set(quoted) & set(r) for r in taken):
            clear = {k - lo for r in taken for k in r}
            other = reference_pick(sentences, weights, idx.analyzer, MAX_QUOTE_CHARS, speakers, clear)
            if other.last >= other.first and carried(
                idx, sentences[other.first : other.last + 1], weights
            ) >= (_SECOND_RUN_SHARE * carried(idx, sentences[quote.first : quote.last + 1], weights)):
                quote, quoted = other, range(lo + other.first, lo + other.last + 1)
        if not any(set(quoted) & set(r) for r in taken):
            kept.append((pid, quote))
            taken.append(quoted)
            if len(kept) == n:
                break
    return kept


@pytest.mark.parametrize(
    "question", ["cold shower suffering", "reinforcement learning", "AlphaZero homework", "learning to think"]
)
def test_distinct_quotes_are_the_plain_definitions(seed_index: index.Index, question: str) -> None:
    """Over every passage in index order (overlapping windows) and in BM25's order, the kept passages and
    their quotes are those of picking every candidate's quote with a new picker."""
    idx = seed_index
    weights = idx._idf_weights(idx._analyze(question))
    scores = idx.term_scores(list(weights))
    by_score = sorted(range(len(idx.passages)), key=lambda p: -scores[p])
    for ranked in (list(range(len(idx.passages))), by_score):
        for n in (3, 10, 10**6):
            matches = idx._matches.find(ranked, weights.keys())
            assert idx._distinct_quotes(ranked, weights, n, matches) == plain_distinct_quotes(
                idx, ranked, weights, n
            )


def test_stored_sentence_terms_are_the_terms_of_its_words(seed_index: index.Index) -> None:
    """The terms stored with each sentence at build time are the indexed terms of its words, as the quote
    picker analyses them: reading them instead of the text changes no ranking and no quote."""
    data, vocab = seed_index._data, seed_index._vocab
    picker = QuotePicker(seed_index.analyzer)
    ptr = data.sent_token_ptr
    for s in range(len(data.sent_doc)):
        text = bytes(data.text[data.sent_offsets[s] : data.sent_offsets[s + 1]]).decode("utf-8")
        stored = {data.terms[t] for t in data.sent_tokens[ptr[s] : ptr[s + 1]].tolist()}
        assert stored == {t for t in picker.sentence_terms(text) if t in vocab}
