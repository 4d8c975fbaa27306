from __future__ import annotations

from onrecord.index.analyzer import Analyzer


def test_case_width_and_stop_words_are_normalized_away() -> None:
    a = Analyzer()
    assert a.terms("The MODELS were Ｔｒａｉｎｅｄ") == ["model", "train"]
    assert a.terms("what did you think about it") == ["think"]


def test_compounds_are_indexed_split_and_joined() -> None:
    a = Analyzer()
    assert a.terms("pre-training") == ["pre", "train", "pretrain"]
    assert a.terms("GPT-4") == ["gpt", "4", "gpt4"]
    assert a.terms("GPT4") == ["gpt", "4", "gpt4"]
    assert set(a.terms("pretraining")) <= set(a.terms("pre-training"))
    assert a.terms("Jerry's") == ["jerri"]


def test_chinese_is_split_into_characters_and_bigrams() -> None:
    assert Analyzer().terms("人类学习") == ["人", "类", "学", "习", "人类", "类学", "学习"]


def test_mixed_scripts_and_odd_unicode_do_not_break_it() -> None:
    a = Analyzer()
    assert a.terms("AI发展 and\u200b scaling") == ["ai", "发", "展", "发展", "scale"]
    assert a.terms("🙂 …  \u202e ") == []
