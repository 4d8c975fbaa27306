"""Question analysis: the alternatives found for a typed word never outweigh the word itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from onrecord import index
from onrecord.index.analyzer import Analyzer
from onrecord.index.query import (
    EXPANSION_WEIGHT,
    FRAME_WEIGHT,
    FUZZY_WEIGHT,
    PREFIX_WEIGHT,
    QueryTerms,
    analyze_question,
)


def _analyze(
    question: str,
    vocabulary: Sequence[str],
    acronyms: Mapping[str, list[str]] | None = None,
    idf: Mapping[str, float] | None = None,
) -> QueryTerms:
    terms = sorted(vocabulary)
    vocab = {t: i for i, t in enumerate(terms)}
    rarity = (idf or {}).get
    return analyze_question(question, Analyzer(), vocab, terms, acronyms or {}, lambda t: rarity(t, 1.0))


def test_relatives_of_one_word_share_its_lower_weight() -> None:
    weights = _analyze("effect", ["effect", "effector", "effectu", "effec"]).weights
    assert weights["effect"] == 1.0
    relatives = {t: w for t, w in weights.items() if t != "effect"}
    assert set(relatives) == {"effector", "effectu", "effec"}
    assert sum(relatives.values()) == pytest.approx(PREFIX_WEIGHT)
    assert len(set(relatives.values())) == 1


def test_a_lone_relative_keeps_the_whole_relative_weight() -> None:
    weights = _analyze("infinitely", ["infinit", "infin"]).weights
    assert weights == {"infinit": 1.0, "infin": pytest.approx(PREFIX_WEIGHT)}


def test_a_relative_rarer_than_the_word_counts_no_more_than_its_share_of_the_word() -> None:
    """Weighed as a search weighs them (query weight times IDF), a rare relative ("smither" beside
    "smith") does not outweigh the word typed."""
    idf = {"smith": 2.0, "smither": 8.0, "smithi": 1.0}
    weights = _analyze("Adam Smith", ["adam", "smith", "smither", "smithi"], idf=idf).weights
    assert weights["smither"] * idf["smither"] == pytest.approx(PREFIX_WEIGHT / 2 * idf["smith"])
    assert weights["smithi"] == pytest.approx(PREFIX_WEIGHT / 2)  # a commoner one keeps its share


def test_a_framing_word_relatives_weigh_less_than_it() -> None:
    weights = _analyze("think", ["think", "thinker"]).weights
    assert weights["think"] == FRAME_WEIGHT
    assert weights["thinker"] == pytest.approx(FRAME_WEIGHT * PREFIX_WEIGHT)


def test_numbered_stems_are_no_relatives_and_do_not_hide_lettered_ones() -> None:
    # "cancer1" is indexed beside "cancer" itself; "cancer100" sorts before "cancerou".
    weights = _analyze("cancer", ["cancer", "cancer1", "cancer100", "cancerou"]).weights
    assert weights == {"cancer": 1.0, "cancerou": pytest.approx(PREFIX_WEIGHT)}


def test_an_acronym_expansion_shares_the_expansion_weight() -> None:
    vocab = ["cfa", "confirmatori", "factor", "analys"]
    weights = _analyze("CFA", vocab, {"cfa": ["confirmatori", "factor", "analys"]}).weights
    assert weights["cfa"] == 1.0
    expansion = [weights[t] for t in ("confirmatori", "factor", "analys")]
    assert sum(expansion) == pytest.approx(EXPANSION_WEIGHT)
    assert max(expansion) < weights["cfa"]


def test_an_expansion_still_meets_its_acronym() -> None:
    weights = _analyze(
        "reinforcement learning", ["rl", "reinforc", "learn"], {"rl": ["reinforc", "learn"]}
    ).weights
    assert weights["rl"] == pytest.approx(EXPANSION_WEIGHT)


def test_fuzzy_matches_of_an_unknown_word_share_the_fuzzy_weight() -> None:
    weights = _analyze("solomonof", ["solomonov", "solomonow"]).weights
    assert set(weights) == {"solomonov", "solomonow"}
    assert sum(weights.values()) < FUZZY_WEIGHT


def test_a_rare_lookalike_counts_no_more_than_a_common_one() -> None:
    """Weighed with their IDF, the sound-alikes of a misspelt word count alike: a rare word ("phasic")
    does not outweigh the common one that was more likely meant ("physics")."""
    idf = {"physic": 2.0, "phasic": 8.0}
    weights = _analyze("phisics", ["physic", "phasic"], idf=idf).weights
    assert set(weights) == {"physic", "phasic"}
    assert weights["phasic"] * idf["phasic"] <= weights["physic"] * idf["physic"]


def test_a_misspelt_word_with_a_short_stem_still_meets_its_sound_alike() -> None:
    assert set(_analyze("lerning", ["learn", "lean"]).weights) == {"learn"}  # "lern": four letters


def test_the_seeds_still_meet_a_spelling_the_stemmer_leaves_apart(seed_index: index.Index) -> None:
    weights = seed_index._analyze("Why treat dying as infinitely bad?").weights
    assert weights["infinit"] == 1.0
    assert 0 < weights["infin"] < weights["infinit"]


def test_a_misspelt_name_meets_only_words_that_sound_like_it() -> None:
    weights = _analyze("What did Tworek say?", ["twerk", "work", "tower"]).weights
    assert set(weights) == {"twerk"}  # "work" is as close in spelling, but sounds otherwise
    assert set(_analyze("silent", ["sent", "client"]).weights) == set()


def test_us_is_a_stop_word() -> None:
    assert Analyzer().word_terms("us") == ()
    assert set(_analyze("tell us about boats", ["us", "unit", "state", "boat"]).weights) == {"boat"}


def test_the_us_in_capitals_is_a_term() -> None:
    assert Analyzer().word_terms("US") == ("us",)
    assert Analyzer().terms("Tell us about the US, and the U.S. economy.") == [
        "tell",
        "us",
        "u",
        "us",
        "economi",
    ]
    assert set(_analyze("What did they tell us about US trade?", ["us", "trade"]).weights) == {"us", "trade"}
    assert set(_analyze("WHAT DID THEY TELL US ABOUT TRADE?", ["us", "trade"]).weights) == {
        "trade"
    }  # no case


def test_a_joined_pair_knows_the_words_it_joins() -> None:
    query = _analyze("alpha zero", ["alpha", "zero", "alphazero"])
    assert query.weights["alphazero"] == 1.0
    assert query.joins == {"alphazero": ("alpha", "zero")}
    assert _analyze("alpha zero", ["alpha", "alphazero"]).joins == {}  # no passage holds both


def test_each_term_says_where_it_came_from() -> None:
    query = _analyze("Tworek on alphazero", ["twerk", "alpha", "zero"])
    assert query.origins == {
        "twerk": "sounds like tworek",
        "alpha": "split of alphazero",
        "zero": "split of alphazero",
    }
