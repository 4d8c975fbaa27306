"""Which language a question is in, to say so when the transcripts hold none in that language.

py3langid (a maintained fork of langid.py, its model shipped in the package) names the language of a
short text in well under a millisecond, once its model is loaded (two to four seconds, on first use: it
is asked only about questions that found nothing). A long-running process loads it at start-up in the
background (``warm``), so that the first such question does not wait for it.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

__all__ = ["MIN_PROBABILITY", "language_of", "warm"]

MIN_PROBABILITY = 0.7  # below it a guess is no better than gibberish's ("xyzzy plugh": Polish, 0.2)
_LOADING = threading.Lock()  # a question asked while ``warm`` loads the model waits for that load


def language_of(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None when the guess is not sure."""
    language, probability = _identifier().classify(text)
    return str(language) if probability >= MIN_PROBABILITY else None


def warm() -> threading.Thread:
    """Load the model in a background thread (started, and returned); a one-shot command need not."""
    thread = threading.Thread(target=_identifier, name="language-model", daemon=True)
    thread.start()
    return thread


def _identifier() -> Any:
    with _LOADING:
        return _load()


@cache
def _load() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
