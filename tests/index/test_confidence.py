"""Nothing on record: no three confident quotes for a question the transcripts do not answer."""

from __future__ import annotations

from onrecord import index


def test_sound_alikes_alone_are_nothing_on_record(seed_index: index.Index) -> None:
    assert seed_index.search("xyzzy plugh", k=3) == []  # each word meets only indexed words that sound alike


def test_words_every_passage_has_are_nothing_on_record(seed_index: index.Index) -> None:
    assert seed_index.search("what do they think about things", k=3) == []


def test_a_question_with_a_telling_word_is_answered(seed_index: index.Index) -> None:
    assert seed_index.search("what do they think about cold showers", k=3)


def test_a_question_in_another_language_says_so(seed_index: index.Index) -> None:
    question = "Was denkt er über das Bewusstsein der Maschinen?"
    assert seed_index.search(question, k=3) == []
    assert seed_index.foreign_language(question) == "de"
    assert seed_index.foreign_language("What does he think about consciousness?") is None


def test_explain_shows_each_term_with_its_weight_and_origin(seed_index: index.Index) -> None:
    terms = seed_index.explain("cold showers and AlphaZero")
    assert terms["cold"][1] == "typed" and terms["cold"][0] > 0
    assert terms["alpha"][1] == "split of alphazero"


def test_a_search_in_chosen_episodes_answers_a_common_word(seed_index: index.Index) -> None:
    episode = seed_index.documents[1].id
    assert seed_index.search("learning", k=3) == []  # said in most passages: nothing telling
    hits = seed_index.search("learning", k=3, documents=[episode])
    assert hits and all(h.doc.id == episode for h in hits)
    assert seed_index.search("xyzzy plugh", k=3, documents=[episode]) == []
