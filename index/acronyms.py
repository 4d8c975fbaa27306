"""Acronyms and their expansions, as the corpus itself uses them ("RL" and "reinforcement learning").

An acronym is a word the transcripts write in capitals (2–3 letters). Its expansion is the run of two
or three neighbouring index terms, with the acronym's letters as initials, that the transcripts say most
often (at least three times; ties go to the run of lower term ids). Found with array operations over the
whole token stream, so it costs little even on millions of passages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["count_rows", "mine_acronyms"]

_MIN_COUNT = 3


def mine_acronyms(
    tokens: npt.NDArray[np.integer[Any]], terms: Sequence[str], acronym_terms: Iterable[str]
) -> dict[str, list[str]]:
    """``{acronym term: [expansion terms]}`` from ``tokens`` (term ids in text order)."""
    wanted = {a for a in acronym_terms if 2 <= len(a) <= 3}
    if not wanted or len(tokens) < 2:
        return {}
    initials = np.fromiter((ord(t[0]) & 0xFFFF for t in terms), dtype=np.uint64, count=len(terms))
    # The acronyms' letters numbered from 1 (0: any other initial), so that a run of initials is a small
    # number, and runs are matched against the acronyms through a table (np.isin picks one) in one pass.
    alphabet = {c: i for i, c in enumerate(sorted({ord(ch) & 0xFFFF for a in wanted for ch in a}), start=1)}
    letters = np.array([alphabet.get(c, 0) for c in initials.tolist()], dtype=np.int64)[tokens]
    found: dict[str, list[str]] = {}
    for n in (2, 3):
        codes = {_code(a): a for a in wanted if len(a) == n}
        if codes and len(tokens) >= n:
            spelt = [[alphabet[ord(ch) & 0xFFFF] for ch in a] for a in codes.values()]
            starts = _runs_of(letters, len(alphabet) + 1, n, spelt)
            found.update(_expansions(tokens, initials, starts, n, codes, terms))
    return found


def _runs_of(
    letters: npt.NDArray[np.int64], base: int, n: int, acronyms: list[list[int]]
) -> npt.NDArray[np.intp]:
    """Where runs of ``n`` tokens start whose initials (``letters``, each below ``base``) spell an acronym."""
    span = len(letters) - n + 1
    keys = np.zeros(span, dtype=np.int64)
    for i in range(n):
        keys = keys * base + letters[i : span + i]
    wanted = [sum(letter * base ** (n - 1 - i) for i, letter in enumerate(a)) for a in acronyms]
    return np.flatnonzero(np.isin(keys, wanted))


def _expansions(
    tokens: npt.NDArray[np.integer[Any]],
    initials: npt.NDArray[np.uint64],
    starts: npt.NDArray[np.intp],
    n: int,
    codes: dict[int, str],
    terms: Sequence[str],
) -> dict[str, list[str]]:
    """The most frequent run of ``n`` terms (starting at ``starts``) for each acronym of ``n`` letters
    (keyed by ``_code``)."""
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
