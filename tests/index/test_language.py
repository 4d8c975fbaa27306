"""The language model is loaded once, in the background when a long-running process asks for it."""

from __future__ import annotations

from onrecord.index import language


def test_warming_loads_the_model_that_questions_then_use() -> None:
    language._load.cache_clear()
    language.warm().join()  # the thread ends when the model is loaded
    assert language._load.cache_info().currsize == 1
    assert language.language_of("¿Qué piensa el invitado sobre la conciencia humana?") == "es"
    assert language._load.cache_info().misses == 1  # loaded once: the question used the warm model
