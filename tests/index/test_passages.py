"""Passage windows: the array version walks only the windows, and gives what the plain greedy loop gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from onrecord.index.passages import PASSAGE_CHARS, windows


def greedy_windows(lengths: list[int], target: int) -> list[tuple[int, int]]:
    """The definition, sentence by sentence: take sentences (one space each) while they fit, at least
    one; start the next window after those filling no more than half, at least one sentence later."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(lengths):
        j, size = i, 0
        while j < len(lengths) and (j == i or size + lengths[j] + 1 <= target):
            size += lengths[j] + 1
            j += 1
        if not out or j > out[-1][1]:
            out.append((i, j))
        if j >= len(lengths):
            break
        k, covered = i, 0
        while k + 1 < j and covered + lengths[k] + 1 <= size / 2:
            covered += lengths[k] + 1
            k += 1
        i = max(k, i + 1)
    return out


@given(
    st.lists(st.one_of(st.integers(0, 900), st.sampled_from([1399, 1400, 1401, 3000])), max_size=80),
    st.sampled_from([PASSAGE_CHARS, 100, 1, 0]),
)
@settings(max_examples=400, deadline=None)
def test_windows_are_the_greedy_ones(lengths: list[int], target: int) -> None:
    assert windows(lengths, target) == greedy_windows(lengths, target)


def test_windows_overlap_by_about_half_and_cover_everything() -> None:
    got = windows([99] * 100, 1000)  # ten sentences of 100 characters (with their space) per window
    assert got[:3] == [(0, 10), (5, 15), (10, 20)]
    assert got[-1][1] == 100
