"""Acronyms and their expansions, as the corpus itself uses them ("RL" and "reinforcement learning").

An acronym is a word the transcripts write in capitals (2–3 letters). Its expansion is the run of two
or three neighbouring index terms, with the acronym's letters as initials, that the transcripts say most
often (at least twice). Found with array operations over the whole token stream, so it costs little
even on millions of passages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["mine_acronyms"]

_MIN_COUNT = 3


def mine_acronyms(
    tokens: npt.NDArray[np.int64], terms: Sequence[str], acronym_terms: Iterable[str]
) -> dict[str, list[str]]:
    """``{acronym term: [expansion terms]}`` from ``tokens`` (term ids in text order)."""
    wanted = {a for a in acronym_terms if 2 <= len(a) <= 3}
    if not wanted or len(tokens) < 2:
        return {}
    initials = np.fromiter((ord(t[0]) & 0xFFFF for t in terms), dtype=np.uint64, count=len(terms))
    letters = initials[tokens]
    found: dict[str, list[str]] = {}
    for n in (2, 3):
        codes = {_code(a): a for a in wanted if len(a) == n}
        if not codes or len(tokens) < n:
            continue
        window = np.zeros(len(tokens) - n + 1, dtype=np.uint64)
        for i in range(n):
            window = (window << np.uint64(16)) | letters[i : len(tokens) - n + 1 + i]
        starts = np.flatnonzero(np.isin(window, np.fromiter(codes, dtype=np.uint64)))
        if len(starts) == 0:
            continue
        grams = np.stack([tokens[starts + i] for i in range(n)], axis=1)
        unique, counts = np.unique(grams, axis=0, return_counts=True)
        for gram, count in sorted(zip(unique.tolist(), counts.tolist(), strict=True), key=lambda gc: -gc[1]):
            acronym = codes[_code("".join(terms[t][0] for t in gram))]
            if count >= _MIN_COUNT and acronym not in found and acronym not in (terms[t] for t in gram):
                found[acronym] = [terms[t] for t in gram]
    return found


def _code(letters: str) -> int:
    code = 0
    for ch in letters:
        code = (code << 16) | (ord(ch) & 0xFFFF)
    return code
