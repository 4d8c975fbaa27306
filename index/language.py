"""Which language a question is in, to say so when the transcripts hold none in that language.

py3langid (a maintained fork of langid.py, its model shipped in the package) names the language of a
short text in well under a millisecond, once its model is loaded (about two seconds, on first use: it is
asked only about questions that found nothing).
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["MIN_PROBABILITY", "language_of"]

MIN_PROBABILITY = 0.7  # below it a guess is no better than gibberish's ("xyzzy plugh": Polish, 0.2)


def language_of(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None when the guess is not sure."""
    language, probability = _identifier().classify(text)
    return str(language) if probability >= MIN_PROBABILITY else None


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
