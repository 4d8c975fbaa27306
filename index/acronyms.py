"""Acronyms and their expansions, as the corpus itself uses them ("RL" and "reinforcement learning").

An acronym is a word the transcripts write in capitals (2–3 letters). Its expansion is the run of two
or three neighbouring index terms, with the acronym's letters as initials, that the transcripts say most
often (at least three times; ties go to the run of lower term ids). Found with array operations over the
whole token stream, so it costs little even on millions of passages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["count_rows", "mine_acronyms"]

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
        if codes and len(tokens) >= n:
            found.update(_expansions(tokens, initials, letters, n, codes, terms))
    return found


def _expansions(
    tokens: npt.NDArray[np.int64],
    initials: npt.NDArray[np.uint64],
    letters: npt.NDArray[np.uint64],
    n: int,
    codes: dict[int, str],
    terms: Sequence[str],
) -> dict[str, list[str]]:
    """The most frequent run of ``n`` terms for each acronym of ``n`` letters (keyed by ``_code``)."""
    span = len(tokens) - n + 1
    window = np.zeros(span, dtype=np.uint64)
    for i in range(n):
        window = (window << np.uint64(16)) | letters[i : span + i]
    known = np.sort(np.fromiter(codes, dtype=np.uint64, count=len(codes)))
    at = np.minimum(np.searchsorted(known, window), len(known) - 1)
    starts = np.flatnonzero(known[at] == window)
    if len(starts) == 0:
        return {}
    unique, counts = count_rows(np.stack([tokens[starts + i] for i in range(n)], axis=1), len(terms))
    frequent = counts >= _MIN_COUNT
    unique, counts = unique[frequent], counts[frequent]
    gram_codes = np.zeros(len(unique), dtype=np.uint64)
    for i in range(n):
        gram_codes = (gram_codes << np.uint64(16)) | initials[unique[:, i]]
    # A run that contains the acronym itself ("ai ai") is no expansion of it.
    term_ids = {t: i for i, t in enumerate(terms)}
    own = np.array([term_ids.get(codes[int(c)], -1) for c in gram_codes.tolist()], dtype=np.int64)
    keep = ~(unique == own[:, None]).any(axis=1)
    unique, counts, gram_codes = unique[keep], counts[keep], gram_codes[keep]
    if len(counts) == 0:
        return {}
    # Per acronym the most frequent run; among equals the first in term-id order (np.unique's order).
    order = np.lexsort((np.arange(len(counts)), -counts, gram_codes))
    best = order[np.r_[True, gram_codes[order][1:] != gram_codes[order][:-1]]]
    return {codes[int(gram_codes[i])]: [terms[t] for t in unique[i].tolist()] for i in best.tolist()}


def count_rows(
    rows: npt.NDArray[np.int64], width: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The distinct rows of ``rows`` (values below ``width``) in order, and how often each occurs.

    ``np.unique(axis=0)`` sorts rows as opaque bytes, slowly: a row is read as one number in base
    ``width`` instead, and sorted as such, when it fits in 63 bits (otherwise by its columns).
    """
    n = rows.shape[1]
    if width**n < 2**63:
        powers = np.array([width ** (n - 1 - i) for i in range(n)], dtype=np.int64)
        keys = np.sort(rows @ powers)
        firsts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        distinct = (keys[firsts, None] // powers) % width
    else:
        ordered = rows[np.lexsort(rows.T[::-1])]
        firsts = np.flatnonzero(np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)])
        distinct = ordered[firsts]
    return distinct, np.diff(np.r_[firsts, len(rows)])


def _code(letters: str) -> int:
    code = 0
    for ch in letters:
        code = (code << 16) | (ord(ch) & 0xFFFF)
    return code
