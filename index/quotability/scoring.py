"""Quotability: how well a run of whole sentences stands on its own as a quote, for the "daily quote".

A quotable excerpt is one to three whole sentences, 80–400 characters, that makes sense without what came
before, ends a thought, is not a question, carries little filler and is no sponsor read, intro or outro.
``quotability(text)`` scores an excerpt in [0, 1] as the product of the factors below, each 1 for an
ideal excerpt, so that one flaw is enough to sink it. Words are counted lower-cased, as ASCII; the word
lists are in ``words``.

- **length**: 0 outside 80–400 characters; 0.7 at 80, rising to 1 at 120, 1 up to 280, falling to 0.6
  at 400.
- **opening**: 0 unless the excerpt starts with a capital letter or a digit (an opening quote or bracket
  may come first): a lower-case start is a sentence cut at its start. Then by the first word: a
  conjunction that goes on with a thought (and, but, or, because, which, then, however…) 0.35; a
  discourse marker or bare answer (so, well, now, yeah, yes, no, exactly, right, indeed…) 0.5; a word
  pointing back (that, this, these, those, he, she, they, his…) 0.6; it 0.75; a first-person statement
  or general claim (I, we, you, people, everyone, nobody, if, when, every, all, always, never, life…) 1;
  any other word 0.9.
- **ending**: 0 unless the last sentence ends with "." or "!" (a closing quote or bracket may follow),
  does not trail off ("..." or "…"), is not cut after an abbreviation or an initial ("Dr.", "W."), and
  is not a question.
- **questions**: 0.6 for each question in the excerpt. A question ends with "?" or starts like one,
  whatever punctuation the transcriber gave it: an auxiliary then a subject ("Do you think…", "Is it…"),
  or a question word, an auxiliary and a subject ("Why did they…").
- **fluency**: 1 − filler density / 0.15 (at least 0), times 0.75 for each sentence of fewer than three
  words ("Right.", "Yeah, yeah."). The density is filler per word; filler counts 1 for um, uh, er, ah,
  hmm, mm, oh, yeah, yep, okay, "or something", "and stuff", "or whatever" and a word said twice in a
  row ("the the", "go, go"), and ½ for like, right, just, actually, basically, literally, totally,
  really, "you know", "I mean", "sort of", "kind of", "I guess".
- **content**: by the share of words that are not ``analyzer.STOP_WORDS`` (nor fillers): 0.5 with none,
  0.9 at 0.3, 1 at 0.5 or more (half the sentences of the lexicap collection have 0.4 or less). Mild, as
  aphorisms are made of short words.
- **references**: 1 − 1.5 × the share of third-person pronouns (he, she, they, him, her, his, them,
  their…), at least 0.5: who "he" is is seldom in the excerpt.
- **timeless**: 1 − 2 × the share of past-tense words (was, were, did, had and words ending in "ed"), at
  least 0.6: a claim about how things are outlasts an account of what happened.
- **clean**: 0 for an excerpt that holds the same sentence twice or any of: a sponsor, intro or outro
  phrase (sponsor, promo, coupon, discount, patreon, subscribe, "brought to you by", "presented by",
  "use the code", "free trial", "percent off", "% off", "dot com slash", "support this podcast", "the
  following is a conversation", "my conversation with", "thanks for listening", "leave you with",
  "welcome to the", "five stars"…), a show word (podcast, episode, "this conversation", "the show",
  "check out", "sign up"), a host's aside ("let me ask", "ask you", "heard you", "you mentioned", "you
  said", "you wrote"…), profanity, a URL or domain (http, www, rejuve.io), a clock time (12:30) or
  markup and bracketed noise ([ ] < > # * | & { } _ \\ ~ ^); 1 otherwise.
- **sentences**: 0.95 for each sentence after the first (a longer run risks a change of speaker, which
  a transcript without speakers does not show), and 0.8 for each beyond three on top.

The sentences are the index's (``index.sentences``). Scripts without capitals (Chinese, Japanese) score
0: nothing tells a whole sentence from a cut one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from ..sentences import split_sentences
from ..transcript import Segment
from .features import Features, sentence_features

__all__ = ["DEFAULT_MIN_SCORE", "MAX_CHARS", "MAX_SENTENCES", "MIN_CHARS", "best_excerpt", "quotability"]

MIN_CHARS = 80
MAX_CHARS = 400
MAX_SENTENCES = 3  # the excerpts of the candidates are one to three whole sentences
DEFAULT_MIN_SCORE = 0.5

Floats = npt.NDArray[np.float64]

_LENGTH_KNOTS = ([MIN_CHARS, 120, 280, MAX_CHARS], [0.7, 1.0, 1.0, 0.6])
_QUESTION_FACTOR = 0.6
_FILLER_DENSITY_ZERO = 0.15
_FRAGMENT_FACTOR = 0.75
_CONTENT_KNOTS = ([0.0, 0.3, 0.5], [0.5, 0.9, 1.0])
_REFERENCE_WEIGHT, _REFERENCE_FLOOR = 1.5, 0.5
_PAST_WEIGHT, _PAST_FLOOR = 2.0, 0.6
_SENTENCE_FACTOR = 0.95  # for each sentence after the first: a longer run risks a change of speaker
_EXTRA_SENTENCE_FACTOR = 0.8  # for each sentence beyond MAX_SENTENCES, on top


def run_scores(f: Features, size: int) -> Floats:
    """The quotability of every run of ``size`` sentences: element i is for sentences i to i + size - 1."""
    if not 0 < size <= f.size:
        return np.zeros(0)
    score = np.ones(f.size - size + 1)
    for factor in _factors(f, size).values():
        score *= factor
    return score


def _factors(f: Features, size: int) -> dict[str, Floats]:
    """Each factor of every run of ``size`` sentences, as ``run_scores`` numbers them."""
    m = f.size - size + 1
    first, last = np.arange(m), np.arange(size - 1, f.size)

    def total(values: npt.NDArray[np.generic]) -> Floats:
        cum: Floats = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
        return cum[size:] - cum[:m]

    chars = total(f.chars) + size - 1
    words = np.maximum(total(f.words), 1.0)
    clean = total(f.bad) == 0
    for a in range(size):
        for b in range(a + 1, size):
            clean &= f.signature[a : a + m] != f.signature[b : b + m]
    fluency = np.clip(1 - total(f.fill) / words / _FILLER_DENSITY_ZERO, 0.0, 1.0)
    references = 1 - _REFERENCE_WEIGHT * total(f.references) / words
    return {
        "length": np.interp(chars, *_LENGTH_KNOTS) * ((chars >= MIN_CHARS) & (chars <= MAX_CHARS)),
        "opening": f.lead[first] * f.start_ok[first],
        "ending": f.end_ok[last].astype(np.float64),
        "questions": _QUESTION_FACTOR ** total(f.question),
        "fluency": fluency * _FRAGMENT_FACTOR ** total(f.fragment),
        "content": np.interp(1 - total(f.stop) / words, *_CONTENT_KNOTS),
        "references": np.maximum(references, _REFERENCE_FLOOR),
        "timeless": np.maximum(1 - _PAST_WEIGHT * total(f.past) / words, _PAST_FLOOR),
        "clean": clean.astype(np.float64),
        "sentences": np.full(
            m, _SENTENCE_FACTOR ** (size - 1) * _EXTRA_SENTENCE_FACTOR ** max(size - MAX_SENTENCES, 0)
        ),
    }


def rounded(score: float) -> float:
    """A score to 6 places, as the candidates keep it."""
    return float(np.round(score * 1e6)) / 1e6


def quotability(text: str) -> float:
    """How quotable ``text`` is on its own, in [0, 1]: the product of the factors in the module's doc. The
    text is split into sentences as the index splits a transcript."""
    sentences = split_sentences([Segment(" ".join(text.split()))]).texts
    if not sentences:
        return 0.0
    return rounded(float(run_scores(sentence_features(sentences), len(sentences))[0]))


def best_excerpt(
    sentences: Sequence[str],
    keep: Callable[[str], bool] | None = None,
    *,
    min_score: float = DEFAULT_MIN_SCORE,
) -> tuple[int, int, float] | None:
    """The most quotable run of one to MAX_SENTENCES whole sentences among `sentences` (for which `keep`
    holds, when given): its start and end in ``" ".join(sentences)`` and its score; None below
    `min_score`."""
    starts = [0]
    for sentence in sentences:
        starts.append(starts[-1] + len(sentence) + 1)
    best: tuple[int, int, float] | None = None
    for i in range(len(sentences)):
        for j in range(i + 1, min(i + MAX_SENTENCES, len(sentences)) + 1):
            text = " ".join(sentences[i:j])
            if len(text) > MAX_CHARS:
                break
            if len(text) < MIN_CHARS or (keep is not None and not keep(text)):
                continue
            score = quotability(text)
            if score >= min_score and (best is None or score > best[2]):
                best = (starts[i], starts[j] - 1, score)
    return best
