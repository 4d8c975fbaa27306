"""The words quotability looks for, and a code for each: the features find every word's code at once.

Words are runs of ASCII letters, digits and ', lower-cased ("Don't" is ``don't``). Every word of the lists
below (and every stop word) has a code from 1; any other word is 0. A table per feature, indexed by code,
tells what a word brings to it (``Tables``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..analyzer import STOP_WORDS
from ..sentences import ABBREVIATIONS

__all__ = [
    "CODE",
    "DOTTED_ABBREVIATIONS",
    "FILLER_PHRASES",
    "HEAD_CODES",
    "PROMO_PHRASES",
    "SHOW_PHRASES",
    "Tables",
]

# The first word of an excerpt: how well it opens one (see scoring, "opening").
LEADS: dict[str, float] = {
    **dict.fromkeys(
        "i i'm i've i'd i'll we we're we've we'd you people everyone everybody nobody life love if when"
        " whenever every all most many sometimes often always never nothing everything humans human".split(),
        1.0,
    ),
    **dict.fromkeys("it it's its".split(), 0.75),
    **dict.fromkeys(
        "that this these those he she they them him her his their that's they're he's she's".split(), 0.6
    ),
    **dict.fromkeys(
        "so well now okay ok yes yeah yep no nope oh um uh like right exactly sure absolutely true anyway"
        " anyways actually basically indeed instead otherwise meanwhile".split(),
        0.5,
    ),
    **dict.fromkeys(
        "and but or nor because cause 'cause which whereas although though then plus also too except unless"
        " therefore hence thus however".split(),
        0.35,
    ),
}
OTHER_LEAD = 0.9

FILLERS: dict[str, float] = {
    **dict.fromkeys("um umm uh uhh er erm ah hmm mm mhm oh yeah yep okay ok".split(), 1.0),
    **dict.fromkeys("like right just actually basically literally totally really".split(), 0.5),
}
FILLER_PHRASES: dict[tuple[str, ...], float] = {
    ("or", "something"): 1.0,
    ("and", "stuff"): 1.0,
    ("or", "whatever"): 1.0,
    ("you", "know"): 0.5,
    ("i", "mean"): 0.5,
    ("sort", "of"): 0.5,
    ("kind", "of"): 0.5,
    ("i", "guess"): 0.5,
}
PAST = "was were wasn't weren't did didn't had hadn't"  # and any word ending in "ed"
REFERENCES = "he she they him her his hers them their theirs himself herself themselves he's she's they're"

# Sponsor reads, intros and outros. The promo words and phrases mark a read, and the text around them is
# left out too; the show words and phrases only make the excerpt that holds one unquotable.
PROMO_KINDS = (  # a word's forms are one kind: "subscribe … unsubscribe" says one thing twice
    "sponsor sponsors sponsored sponsoring sponsorship",
    "patreon",
    "promo",
    "coupon",
    "discount discounts",
    "subscribe subscribed subscribing unsubscribe",
    "slash",
    "com",
)
PROMO_WORDS = " ".join(PROMO_KINDS)
PROMO_PHRASE_KINDS = (  # other words for one thing are one kind, as a word's forms are
    (("brought", "to", "you", "by"),),
    (("presented", "by"),),
    (("made", "possible", "by"),),
    (("use", "the", "code"), ("use", "code")),
    (("in", "the", "description"),),
    (("free", "trial"),),
    (("percent", "off"),),
    (("support", "this", "podcast"), ("supporting", "this", "podcast"), ("support", "the", "podcast")),
    (("following", "is", "a", "conversation"),),
    (("my", "conversation", "with"),),
    (("thanks", "for", "listening"), ("thank", "you", "for", "listening")),
    (("leave", "you", "with"),),
    (("apple", "podcasts"),),
    (("five", "stars"),),
    (("welcome", "to", "the"),),
)
PROMO_PHRASES = [phrase for kind in PROMO_PHRASE_KINDS for phrase in kind]
SHOW_WORDS = "http https www podcast podcasts episode episodes"
# Words a bot should not post to a team's channel unasked.
PROFANITY = (
    "fuck fucks fucked fucking fucker motherfucker motherfucking shit shits shitty bullshit asshole assholes"
    " bitch bitches cunt dick dicks pussy"
)
SHOW_PHRASES = [
    ("let", "me", "ask"),
    ("ask", "you"),
    ("heard", "you"),
    ("let's", "talk", "about"),
    ("you", "mentioned"),
    ("you've", "mentioned"),
    ("you", "said"),
    ("you've", "said"),
    ("you", "wrote"),
    ("you've", "written"),
    ("you", "talked"),
    ("you've", "talked"),
    ("check", "out"),
    ("sign", "up"),
    ("this", "conversation"),
    ("today's", "show"),
    ("the", "show"),
    ("this", "show"),
    ("our", "show"),
    ("my", "show"),
]
# A sentence that starts like a question is one, whatever punctuation the transcriber gave it: an auxiliary
# then a subject ("Do you think…"), or a question word, an auxiliary and a subject ("Why did they…").
AUXILIARIES = "do does did are is was were can could would will should shall have has had may might must am"
SUBJECTS = "you i we they he she it there that this people anyone anybody someone somebody"
QUESTION_WORDS = "what why how where who when which"
# The index's sentences do not end at these ("Dr."), as words: "e.g." and "i.e." are matched as bytes.
WORD_ABBREVIATIONS = " ".join(a.lower() for a in ABBREVIATIONS if "." not in a)
DOTTED_ABBREVIATIONS = [f"{a.lower()}.".encode() for a in ABBREVIATIONS if "." in a]

_PHRASES = [*FILLER_PHRASES, *PROMO_PHRASES, *SHOW_PHRASES]
_WORDS = sorted(
    STOP_WORDS
    | set(LEADS)
    | set(FILLERS)
    | {w for p in _PHRASES for w in p}
    | set(f"{REFERENCES} {PAST} {PROMO_WORDS} {SHOW_WORDS} {PROFANITY} {WORD_ABBREVIATIONS}".split())
    | set(f"{AUXILIARIES} {SUBJECTS} {QUESTION_WORDS}".split())
)
CODE: dict[bytes, int] = {w.encode(): i for i, w in enumerate(_WORDS, 1)}
HEAD_CODES = sorted({CODE[p[0].encode()] for p in _PHRASES})
"""The codes of the words a phrase starts with."""

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def _code(word: str) -> int:
    return CODE[word.encode()]


def _by_code(values: dict[str, float], default: float = 0.0) -> Floats:
    """A table of ``values`` by word code, ``default`` for the other words."""
    table = np.full(len(CODE) + 1, default)
    for word, value in values.items():
        table[_code(word)] = value
    return table


def _flags(words: str) -> Bools:
    return _by_code(dict.fromkeys(words.split(), 1.0)).astype(bool)


class Tables:
    """What each word brings to each feature, by code."""

    stop = _by_code(dict.fromkeys(STOP_WORDS | set(FILLERS), 1.0))  # no content: stop words and fillers
    fill = _by_code(FILLERS)
    reference = _by_code(dict.fromkeys(REFERENCES.split(), 1.0))
    past = _by_code(dict.fromkeys(PAST.split(), 1.0))
    promo = _by_code(dict.fromkeys(PROMO_WORDS.split(), 1.0))
    promo_kind = _by_code({word: kind for kind, words in enumerate(PROMO_KINDS, 1) for word in words.split()})
    show = _by_code(dict.fromkeys(f"{SHOW_WORDS} {PROFANITY}".split(), 1.0))
    lead = _by_code(LEADS, OTHER_LEAD)
    auxiliary = _flags(AUXILIARIES)
    subject = _flags(SUBJECTS)
    question_word = _flags(QUESTION_WORDS)
    abbreviation = _flags(WORD_ABBREVIATIONS)
    head = np.isin(np.arange(len(CODE) + 1), HEAD_CODES)
