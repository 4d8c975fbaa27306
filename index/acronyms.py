"""Acronyms and their expansions, as the corpus itself uses them ("RL" and "reinforcement learning").

An acronym is a word the transcripts write in capitals (2–3 letters). Its expansion is a run of two or
three words whose initials are the acronym's letters, in order, each word's first term (the later terms
of a compound start no word: "get pre-trained" spells no GPT). The pair must recur: a run counts only
where the acronym itself is said near it (within ``NEAR`` terms), at least ``MIN_TOGETHER`` times and
for a ``MIN_SHARE`` of all the times the run is said; of several such runs the most frequent wins (ties
go to the run of lower term ids). A run that merely has the initials ("various people" for VP) is said
far from the acronym, or not in the same shows at all. Found with array operations over the whole token
stream, so it costs little even on millions of passages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["MIN_SHARE", "MIN_TOGETHER", "NEAR", "count_rows", "mine_acronyms"]

MIN_TOGETHER = 2
MIN_SHARE = 0.01  # … and that many of every 100 times the run is said at all ("make sure" is no MS)
NEAR = 40


def mine_acronyms(
    tokens: npt.NDArray[np.integer[Any]],
    terms: Sequence[str],
    acronym_terms: Iterable[str],
    word_starts: npt.NDArray[np.bool_] | None = None,
) -> dict[str, list[str]]:
    """``{acronym term: [expansion terms]}`` from ``tokens`` (term ids in text order); ``word_starts``
    tells which tokens are a word's first term (all, when not given)."""
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
            if word_starts is not None:
                starts = starts[np.logical_and.reduce([word_starts[starts + i] for i in range(n)])]
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
    term_ids = {t: i for i, t in enumerate(terms)}
    near = _near_their_acronym(tokens, initials, starts, n, codes, term_ids)
    if len(near) == 0:
        return {}
    unique, counts = count_rows(np.stack([tokens[near + i] for i in range(n)], axis=1), len(terms))
    everywhere = _counts_of(unique, np.stack([tokens[starts + i] for i in range(n)], axis=1), len(terms))
    frequent = (counts >= MIN_TOGETHER) & (counts >= MIN_SHARE * everywhere)
    unique, counts = unique[frequent], counts[frequent]
    gram_codes = _gram_codes(initials, unique, n)
    # A run that contains the acronym itself ("ai ai") is no expansion of it.
    own = np.array([term_ids.get(codes[int(c)], -1) for c in gram_codes.tolist()], dtype=np.int64)
    keep = ~(unique == own[:, None]).any(axis=1)
    unique, counts, gram_codes = unique[keep], counts[keep], gram_codes[keep]
    if len(counts) == 0:
        return {}
    # Per acronym the most frequent run; among equals the first in term-id order (np.unique's order).
    order = np.lexsort((np.arange(len(counts)), -counts, gram_codes))
    best = order[np.r_[True, gram_codes[order][1:] != gram_codes[order][:-1]]]
    return {codes[int(gram_codes[i])]: [terms[t] for t in unique[i].tolist()] for i in best.tolist()}


def _counts_of(
    rows: npt.NDArray[np.int64], among: npt.NDArray[np.int64], width: int
) -> npt.NDArray[np.int64]:
    """How often each of the distinct, ordered ``rows`` occurs in ``among`` (values below ``width``)."""
    distinct, counts = count_rows(among, width)
    places = {tuple(row): i for i, row in enumerate(distinct.tolist())}
    return np.array([counts[places[tuple(row)]] for row in rows.tolist()], dtype=np.int64)


def _gram_codes(initials: npt.NDArray[np.uint64], rows: npt.NDArray[Any], n: int) -> npt.NDArray[np.uint64]:
    """Each row's (run of ``n`` term ids) initials as one code, as ``_code`` makes them."""
    gram_codes = np.zeros(len(rows), dtype=np.uint64)
    for i in range(n):
        gram_codes = (gram_codes << np.uint64(16)) | initials[rows[:, i]]
    return gram_codes


def _near_their_acronym(
    tokens: npt.NDArray[np.integer[Any]],
    initials: npt.NDArray[np.uint64],
    starts: npt.NDArray[np.intp],
    n: int,
    codes: dict[int, str],
    term_ids: dict[str, int],
) -> npt.NDArray[np.intp]:
    """The runs (at ``starts``) said within ``NEAR`` tokens of the acronym their initials spell."""
    if len(starts) == 0:
        return starts
    runs = np.stack([tokens[starts + i] for i in range(n)], axis=1)
    by_code = {code: term_ids.get(acronym, -1) for code, acronym in codes.items()}
    acronym = np.array([by_code.get(int(c), -1) for c in _gram_codes(initials, runs, n).tolist()])
    wanted = np.array(sorted({a for a in by_code.values() if a >= 0}), dtype=np.int64)
    said = np.flatnonzero(np.isin(tokens, wanted))
    if len(said) == 0:
        return starts[:0]
    # Occurrences keyed by (acronym, place), so that the nearest ones of the same acronym are neighbours.
    span = len(tokens) + 2 * NEAR + 1
    keys = np.sort(tokens[said].astype(np.int64) * span + said)
    wanted_keys = acronym.astype(np.int64) * span + starts
    after = np.searchsorted(keys, wanted_keys)
    nearest = np.full(len(starts), span, dtype=np.int64)
    for side in (np.minimum(after, len(keys) - 1), np.maximum(after - 1, 0)):
        nearest = np.minimum(nearest, np.abs(keys[side] - wanted_keys))
    return starts[(acronym >= 0) & (nearest <= NEAR)]


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
