"""Passages: overlapping windows of whole sentences, so that an answer is not cut in half."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["PASSAGE_CHARS", "windows"]

PASSAGE_CHARS = 1400
"""Target passage size; each window starts about half-way through the one before."""


def windows(lengths: Sequence[int], target: int = PASSAGE_CHARS) -> list[tuple[int, int]]:
    """(first, end) sentence ranges of about ``target`` characters, each overlapping the next by half.

    A window takes sentences (each counted with one space) while they fit in ``target``, and at least
    one; the next starts after the sentences that fill no more than half of it, and at least one later.
    Where every window would end and where the next would start are found for all sentences at once,
    so only the windows themselves are walked one by one.
    """
    n = len(lengths)
    before = np.zeros(n + 1, dtype=np.int64)  # characters before each sentence
    np.cumsum(np.asarray(lengths, dtype=np.int64) + 1, out=before[1:])
    first = before[:-1]
    ends = np.maximum(np.searchsorted(before, first + target, side="right") - 1, np.arange(1, n + 1))
    sizes = before[ends] - first
    # The sentences that fill no more than half the window (compared doubled, to stay in integers).
    halves = np.searchsorted(2 * before, 2 * first + sizes, side="right") - 1
    nexts = np.maximum(np.minimum(halves, ends - 1), np.arange(1, n + 1)).tolist()
    ends_list = ends.tolist()
    out: list[tuple[int, int]] = []
    i = 0
    while i < n:
        j = ends_list[i]
        if not out or j > out[-1][1]:  # a window inside the one before adds nothing
            out.append((i, j))
        if j >= n:
            break
        i = nexts[i]
    return out
