"""Passages: overlapping windows of whole sentences, so that an answer is not cut in half."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["PASSAGE_CHARS", "windows"]

PASSAGE_CHARS = 1400
"""Target passage size; each window starts about half-way through the one before."""


def windows(lengths: Sequence[int], target: int = PASSAGE_CHARS) -> list[tuple[int, int]]:
    """(first, end) sentence ranges of about ``target`` characters, each overlapping the next by half."""
    out: list[tuple[int, int]] = []
    n = len(lengths)
    i = 0
    while i < n:
        j, size = i, 0
        while j < n and (j == i or size + lengths[j] + 1 <= target):
            size += lengths[j] + 1
            j += 1
        if not out or j > out[-1][1]:  # a window inside the one before adds nothing
            out.append((i, j))
        if j >= n:
            break
        k, covered = i, 0
        while k + 1 < j and covered + lengths[k] + 1 <= size / 2:
            covered += lengths[k] + 1
            k += 1
        i = max(k, i + 1)
    return out
