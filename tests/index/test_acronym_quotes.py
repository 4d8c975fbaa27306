"""An acronym and its expansion are one thing said two ways: a quote that spells out the acronym of the
question (or says the acronym of words the question spells out) weighs as much as one that says it."""

from __future__ import annotations

from pathlib import Path

from onrecord import index
from onrecord.index.analyzer import Analyzer
from onrecord.index.query import QueryTerms, analyze_question
from onrecord.index.quotes import QuotePicker, said_both_ways

ANALYZER = Analyzer()
TEXT = (
    "Reinforcement learning costs a fortune in compute these days. "
    "The budget of a run is larger than ever before for every lab. "
    "The RL people never talk about money."
)
ACRONYMS = {"rl": ("reinforc", "learn")}


def _query(question: str) -> QueryTerms:
    terms = sorted(set(ANALYZER.terms(TEXT)))
    vocab = {t: i for i, t in enumerate(terms)}
    return analyze_question(question, ANALYZER, vocab, terms, ACRONYMS)


def test_the_question_notes_an_acronym_and_its_expansion_either_way_round() -> None:
    assert _query("How costly is RL?").spellings == (("rl", ("reinforc", "learn")),)
    assert _query("How costly is reinforcement learning?").spellings == (("rl", ("reinforc", "learn")),)
    assert _query("How costly is compute?").spellings == ()


def test_a_sentence_that_says_it_one_way_says_it_the_other_way_too() -> None:
    spellings = (("rl", ("reinforc", "learn")),)
    terms = [("reinforc", "learn", "cost"), ("rl",), ("learn",), ()]
    both = said_both_ways(terms, spellings)
    assert [set(ts) for ts in both] == [
        {"reinforc", "learn", "cost", "rl"},
        {"rl", "reinforc", "learn"},
        {"learn"},
        set(),
    ]
    assert said_both_ways(terms, ()) is terms


def test_the_quote_is_where_the_acronym_is_spelt_out_with_the_rest_of_the_question() -> None:
    query = _query("What does RL cost?")
    weights = {"rl": 3.0, "reinforc": 0.5, "learn": 0.5, "cost": 1.5}  # as IDF weighs them: RL is rare
    sentences = [s + "." for s in TEXT.split(". ") if s]
    picker = QuotePicker(ANALYZER)
    terms = [tuple(t for t in picker.sentence_terms(s) if t in weights) for s in sentences]
    # Room for one sentence: without the rule, "RL" alone outweighs "reinforcement learning" and "cost".
    alone = picker.pick(sentences, weights, 90, terms=terms)
    assert alone.text.startswith("… The RL people")
    both = picker.pick(sentences, weights, 90, terms=said_both_ways(terms, query.spellings))
    assert both.text.startswith("Reinforcement learning costs a fortune")


def test_a_search_quotes_the_sentence_that_spells_out_the_acronym(tmp_path: Path) -> None:
    filler = "Nothing here but words about the weather and the garden and the long walks home."
    lines = [
        "People say RL when they mean reinforcement learning.",
        "RL is short for reinforcement learning.",  # said together twice: the index's acronym
        *(f"Line {k}: {filler}" for k in range(6)),  # more than a quote's room from the next
        "Training agents with reinforcement learning costs a fortune.",
        *(f"Story {k}: the tickets cost more this year, said driver {k}. {filler}" for k in range(12)),
    ]
    (tmp_path / "show.txt").write_text("\n".join(lines), "utf-8")
    top = index.build([tmp_path]).search("What does RL cost?", k=1)[0]
    assert top.quote.startswith("… Training agents with reinforcement learning costs a fortune.")


def test_the_expansions_words_apart_do_not_spell_out_the_acronym(tmp_path: Path) -> None:
    filler = "Nothing here but words about the weather and the garden and the long walks home."
    lines = [
        "People say RL when they mean reinforcement learning.",
        "RL is short for reinforcement learning.",
        *(f"Line {k}: {filler}" for k in range(6)),
        "Children learn by reinforcement, and lessons cost a fortune.",
        *(f"Line {k}: {filler}" for k in range(6, 12)),
        "Training agents with RL costs a fortune.",
        *(f"Story {k}: {filler}" for k in range(12)),
    ]
    (tmp_path / "show.txt").write_text("\n".join(lines), "utf-8")
    hits = index.build([tmp_path]).search("What does RL cost?", k=3)
    apart = [h.rank for h in hits if "learn by reinforcement" in h.quote]
    said = [h.rank for h in hits if "agents with RL costs" in h.quote]
    assert said and (not apart or said[0] < apart[0])
