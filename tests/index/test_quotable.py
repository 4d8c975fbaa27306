"""The quotability score on real transcript text: the daily quote must not pick sponsor reads, filler,
questions or sentences cut mid-thought, and every bot replica must pick the same.

Every excerpt below is copied verbatim from the file named above it: ``seeds/…`` as the index over the
bundled seeds reads it (``test_the_seed_excerpts_are_real`` checks), ``lexicap/…`` from the Whisper
captions of the real collection in ../shared/corpora (``test_the_lexicap_excerpts_are_real`` checks
when it is there).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from onrecord import index
from onrecord.index.passages import windows
from onrecord.index.quotability import (
    DEFAULT_MIN_SCORE,
    MAX_CHARS,
    MAX_SENTENCES,
    MIN_CHARS,
    QuoteCandidate,
    quotability,
)
from onrecord.index.quotability.candidates import document_quotes
from onrecord.index.readers import read_transcript
from onrecord.index.sentences import split_sentences

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO.parent / "shared" / "corpora"

SPONSOR_READS = {
    "seeds/003_d23df86fad9ea286.txt": [
        "This show is brought to you by Paper Space Gradient, which is a platform that lets you build, train,"
        " deploy machine learning models of any size and complexity.",
        "I tried to make these interesting, so hopefully you don't skip, but if you do, please still"
        " check out the sponsor links in the description.",
        "To support this podcast, please check out our sponsors.",
    ],
    "lexicap/episode_067_large.vtt": [
        "This show is presented by Cash App, the number one finance app in the App Store.",
        "Get Cash App from the App Store and Google Play and use the code LEXPODCAST.",
    ],
}
FILLER = {
    "lexicap/episode_192_large.vtt": [
        "Um. Um. Um. Um. Um. Um. Um. Um. Um. Um. Um.",
        "Yeah, yeah, exactly, right.",
    ],
    "lexicap/episode_121_large.vtt": [
        "Whether they say they're, um, they're afraid, you know, it's kind of almost like they see death"
        " as this kind of like, uh, a paper deadline or something.",
    ],
    "lexicap/episode_301_large.vtt": [
        "You have to know, which is, uh, boy, um, such a stark contrast between, between that and the United"
        " States, the capitalist system.",
    ],
    "seeds/002_954c39d5c1532380.txt": [
        "Well, I mean, it's, it's kind of a great transition, uh, to some of the other research areas, maybe"
        " beyond kind of the pure scaling of, of pre-training in RL.",
    ],
}
QUESTIONS = {
    "lexicap/episode_067_large.vtt": [
        "What does a perfect world, a utopia, from an economics perspective look like?",
    ],
    "lexicap/episode_307_large.vtt": [  # the transcriber ended this question with a full stop
        "Do you think of Coinbase as, so there's these ideas of layer one, layer two, layer three"
        " technologies.",
    ],
    "seeds/004_d820db2ee587c491.txt": [
        "It's very difficult to make sense of, how can the model, on the one hand, do these amazing"
        " things, and then on the other hand, repeat itself twice in some situation?",
    ],
    "seeds/002_954c39d5c1532380.txt": [
        "What's your own mental model for what we can do reinforcement learning on today, effectively?",
    ],
}
CUT_OFF = {
    "lexicap/episode_165_large.vtt": [  # starts mid-sentence, after a change of caption
        "because the person that I wanna give my most to is a person that I respect, especially at this long"
        " career of mine and getting at this twilight years.",
    ],
    "lexicap/episode_200_large.vtt": [  # trails off
        "So he's perfect in every way. That's great. He... What flaws does he have? Because I need...",
    ],
    "seeds/004_d820db2ee587c491.txt": [  # trails off
        "The idea that we'd be investing 1% of GDP in AI, I feel like it would have felt like a bigger deal,"
        " whereas right now it just feels...",
    ],
    "seeds/003_d23df86fad9ea286.txt": [  # the rest of "indeed.com slash Lex", cut at "indeed."
        "com slash Lex, offer value through September 30th, terms and conditions apply, join 3 million"
        " businesses that use Indeed by going to indeed.",
    ],
}
GOOD = {
    "lexicap/episode_003_large.vtt": [
        "I think analogies between nuclear weapons and artificial intelligence are fundamentally misguided"
        " because the whole point of nuclear weapons is to destroy things.",
    ],
    "lexicap/episode_045_large.vtt": [
        "All great theories are simple concepts, principles, basic physical pictures. Relativity is all about"
        " clocks, meter sticks, rocket ships and locomotives.",
    ],
    "lexicap/episode_208_large.vtt": [
        "Every living thing in some sense cares about surviving. When we talk about creating intelligent"
        " machines, we're not creating life. We're not creating evolving creatures.",
    ],
    "seeds/004_d820db2ee587c491.txt": [
        "If you go back to ancient history of gameplay and AI, of checkers AI, chess AI, computer games AI,"
        " everyone would say, look at this narrow intelligence.",
    ],
    "seeds/000_80e722cf41c41265.txt": [
        "Unlike a nuclear bomb, while AGI is also an unknown and massive force, this force itself originates"
        " from humanity's quest for answers to ultimate questions.",
    ],
}
CHINESE = {
    "seeds/001_930be3a1ff02e470.txt": [
        "他指出，尽管AI领域投入巨大，但实际应用效果有限，揭示了模型在复杂任务中的局限性。"
    ],
}
# lexicap/episode_067_large.vtt: the end of the intro, the whole sponsor read, and the start of the
# conversation. The read's own sentences carry no sponsor word ("Cash App lets you send money…").
KRUGMAN = (
    "In this, I appreciate your patience and support. This show is presented by Cash App, the number one"
    " finance app in the App Store. Cash App lets you send money to friends, buy bitcoin, and invest in"
    " the stock market with fractional share trading, allowing you to buy one dollars worth of a stock no"
    " matter what the stock price is. Broker services are provided by Cash App Investing, a subsidiary of"
    " Square and member SIPC. Get Cash App from the App Store and Google Play and use the code"
    " LEXPODCAST. You'll get ten dollars and Cash App will also donate ten dollars to FIRST, one of my"
    " favorite organizations that is helping to advance robotics and STEM education for young people"
    " around the world. Since Cash App does fractional share trading, let me say that to me, it's a"
    " fascinating concept. The order execution algorithm that works behind the scenes to create the"
    " abstraction of fractional orders for the investor is an algorithmic marvel, so big props to the"
    " Cash App engineers for that. I like it when tech teams solve complicated problems to provide, in"
    " the end, a simple, effortless interface that abstracts away all the details of the underlying"
    " algorithm. And now, here's my conversation with Paul Krugman. What does a perfect world, a utopia,"
    " from an economics perspective look like? Wow, I don't really, I don't believe in perfection. I"
    " mean, somebody once once said that his ideal was slightly imaginary Sweden. I mean, I like an"
    " economy that has a really high safety net for people, good environmental regulation, and something"
    " that's kind of like some of the better run countries in the world, but with fixing all of the"
    " smaller things that are wrong with them. What about wealth distribution? Well, obviously, you know,"
    " total equality is neither possible nor, I think, especially desirable, but I think you want one"
    " where, basically one where nobody is hurting and where everybody lives in the same material"
    " universe. Everybody is basically living in the same society, so I think it's a bad thing to have"
    " people who are so wealthy that they're really not in the same world as the rest of us. What about"
    " competition? Do you see the value of competition? What may be its limits? Oh, competition is great"
    " when it can work. I mean, I remember, I'm old enough to remember when there was only one phone"
    " company and there was really limited choice, and I think the arrival of multiple phone carriers and"
    " all that has actually, you know, it's been a really good thing, and that's true across many areas,"
    " but not every industry is, not every activity is suitable for competition. So, there are some"
    " things like healthcare where competition actually doesn't work, and so it's not one size fits all."
)
SPONSOR_WORDS = re.compile(
    r"sponsor|brought to you|promo|discount|coupon|free trial|percent off|% off|patreon|subscribe"
    r"|support this podcast|dot com|slash|check out|sign up|thanks for listening|welcome to the",
    re.IGNORECASE,
)


def _cases(groups: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(source, text) for source, texts in groups.items() for text in texts]


@pytest.mark.parametrize(("source", "text"), _cases(SPONSOR_READS))
def test_a_sponsor_read_scores_zero(source: str, text: str) -> None:
    assert quotability(text) == 0.0


@pytest.mark.parametrize(("source", "text"), _cases(FILLER))
def test_filler_scores_below_the_threshold(source: str, text: str) -> None:
    assert quotability(text) < DEFAULT_MIN_SCORE / 2


@pytest.mark.parametrize(("source", "text"), _cases(QUESTIONS))
def test_a_question_scores_zero(source: str, text: str) -> None:
    assert quotability(text) == 0.0


@pytest.mark.parametrize(("source", "text"), _cases(CUT_OFF))
def test_a_sentence_cut_mid_thought_scores_zero(source: str, text: str) -> None:
    assert quotability(text) == 0.0


@pytest.mark.parametrize(("source", "text"), _cases(GOOD))
def test_a_good_quote_from_the_same_files_scores_high(source: str, text: str) -> None:
    assert quotability(text) >= 0.85


@pytest.mark.parametrize(("source", "text"), _cases(CHINESE))
def test_text_without_capitals_is_not_scored(source: str, text: str) -> None:
    assert quotability(text) == 0.0


def test_each_flaw_lowers_a_good_quote() -> None:
    good = GOOD["lexicap/episode_003_large.vtt"][0]
    assert quotability(good) > quotability("And " + good[0].lower() + good[1:]) > 0  # goes on from before
    assert quotability(good) > quotability("He said that " + good[0].lower() + good[1:]) > 0  # points back
    assert quotability(good[:-1] + "?") == 0.0
    assert quotability(good[:-1] + "...") == 0.0
    assert quotability(good[:-1]) == 0.0  # no end
    assert quotability(good.replace("I think", "Um, I think, like,")) < quotability(good)
    assert quotability(good + " " + good) == 0.0  # the same sentence twice: a transcription loop
    assert quotability("I saw Dr. " + good[0].lower() + good[1:]) > 0  # "Dr." ends no sentence ...
    assert quotability("I think so, I spoke to Dr.") == 0.0  # ... so nothing ends there
    assert quotability("") == 0.0
    assert 0.0 <= quotability("x" * (MAX_CHARS + 1)) == 0.0


def test_the_sponsor_read_around_the_telling_sentences_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "krugman.txt").write_text(KRUGMAN, encoding="utf-8")
    ad = "Cash App lets you send money to friends, buy bitcoin, and invest in the stock market"
    assert quotability(KRUGMAN[KRUGMAN.index(ad) :].split(" Broker")[0]) >= DEFAULT_MIN_SCORE  # alone: fine
    candidates = index.build([tmp_path]).quote_candidates
    assert [c.text for c in candidates] == [
        "Everybody is basically living in the same society, so I think it's a bad thing to have people who"
        " are so wealthy that they're really not in the same world as the rest of us."
    ]


def test_a_candidate_is_one_speakers_words(tmp_path: Path) -> None:
    """Two speakers' sentences, each too short alone, make no candidate together; one's own statement does."""
    (statement,) = GOOD["lexicap/episode_003_large.vtt"]
    first, second = GOOD["lexicap/episode_045_large.vtt"][0].split(". ")
    (tmp_path / "theories.md").write_text(
        f"# Theories\n\n**Ann:** {first}.\n\n**Bo:** {second}\n\n**Ann:** {statement}\n", encoding="utf-8"
    )
    assert [c.text for c in index.build([tmp_path]).quote_candidates] == [statement]


def test_the_seed_candidates_are_whole_clean_statements(seed_index: index.Index) -> None:
    candidates = seed_index.quote_candidates
    assert len(candidates) >= 100
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    for c in candidates:
        passage = seed_index.passages[c.passage_id]
        assert passage.text[c.start : c.end] == c.text
        assert MIN_CHARS <= len(c.text) <= MAX_CHARS
        assert DEFAULT_MIN_SCORE <= c.score <= 1
        assert c.score == quotability(c.text)
        assert re.match(r"""["'(]?[A-Z0-9]""", c.text), c.text  # no lower-case start
        assert c.text.rstrip("\"')]”’").endswith((".", "!")), c.text  # no question, nothing trailing off
        assert not c.text.rstrip("\"')]”’").endswith(".."), c.text
        assert not SPONSOR_WORDS.search(c.text), c.text
        before = passage.text[: c.start].rstrip().rstrip("\"')]”’")
        assert before == "" or before.endswith((".", "!", "?", "…")), c.text  # starts after a sentence end
        assert len(re.findall(r"[.!?](?:\s|$)", c.text)) <= MAX_SENTENCES + 1, c.text


def test_the_top_seed_candidates(seed_index: index.Index) -> None:
    top = seed_index.quote_candidates[:20]
    assert top[0].score >= 0.9
    assert not any("?" in c.text for c in top)
    assert not any(re.search(r"\b(?:um|uh|you know|I mean)\b", c.text, re.IGNORECASE) for c in top)


def test_the_pick_is_the_same_in_every_replica(seed_index: index.Index) -> None:
    first, second = seed_index.quote_candidates, index.build([REPO / "seeds"]).quote_candidates
    assert [c.key for c in first] == [c.key for c in second]
    assert first == second
    assert len({c.key for c in first}) == len(first)
    for c in first:  # the key needs nothing of this process: the document's id and the text
        doc = seed_index.passages[c.passage_id].doc
        assert c.key == hashlib.sha1(f"{doc.id}\n{c.text}".encode()).hexdigest()[:16]


def test_overlapping_passages_give_each_stretch_once(seed_index: index.Index) -> None:
    candidates = seed_index.quote_candidates
    spans: dict[str, list[tuple[int, int]]] = {}
    for c in candidates:
        passage = seed_index.passages[c.passage_id]
        spans.setdefault(passage.doc.id, []).append(
            (passage.char_start + c.start, passage.char_start + c.end)
        )
    for doc_spans in spans.values():
        doc_spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(doc_spans))
    assert len({c.text for c in candidates}) == len(candidates)


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "seeds").glob("*.txt")))
def test_a_higher_threshold_keeps_the_better_candidates(name: str) -> None:
    sentences = split_sentences(read_transcript(REPO / "seeds" / name).segments).texts
    passages = np.array(windows([len(s) for s in sentences]), dtype=np.int32)
    everything, default, strict = (
        {(q["key"], q["score"]) for q in document_quotes(sentences, passages, name, min_score)[1]}
        for min_score in (0.0, DEFAULT_MIN_SCORE, 0.8)
    )
    assert {key for key, score in strict} == {key for key, score in default if score >= 800_000}
    assert {key for key, score in default} == {key for key, score in everything if score >= 500_000}
    assert all(score > 0 for _, score in everything)


def test_the_candidates_are_saved_with_the_index(seed_index: index.Index, seed_index_dir: Path) -> None:
    loaded = index.load(seed_index_dir).quote_candidates
    assert loaded == seed_index.quote_candidates
    assert all(isinstance(c, QuoteCandidate) for c in loaded)


def test_the_seed_excerpts_are_real(seed_index: index.Index) -> None:
    texts: dict[str, str] = {}
    for passage in seed_index.passages:
        texts[passage.doc.source] = texts.get(passage.doc.source, "") + "\n" + passage.text
    for groups in (SPONSOR_READS, FILLER, QUESTIONS, CUT_OFF, GOOD, CHINESE):
        for source, text in _cases(groups):
            if source.startswith("seeds/"):
                assert text in texts[source.removeprefix("seeds/")], (source, text)


@pytest.mark.skipif(not (CORPORA / "lexicap").is_dir(), reason="the lexicap collection is not here")
def test_the_lexicap_excerpts_are_real() -> None:
    excerpts = [(s, t) for g in (SPONSOR_READS, FILLER, QUESTIONS, CUT_OFF, GOOD) for s, t in _cases(g)]
    excerpts.append(("lexicap/episode_067_large.vtt", KRUGMAN))
    for source, text in excerpts:
        if source.startswith("lexicap/"):
            captions = (CORPORA / source).read_text(encoding="utf-8").splitlines()
            spoken = " ".join(line.strip() for line in captions if line.strip() and "-->" not in line)
            assert text in spoken, (source, text)
