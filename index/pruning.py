"""The best few units of a question without scoring every unit (MaxScore-style dynamic pruning).

``Postings.scores`` adds up every posting of the question's terms into one score per unit, and
``bm25.top_k`` reads them all again: at 1M passages a common word's 150,000 postings and an 8 MB array
of scores, written and read, for the 40 passages the searcher keeps. A common word weighs little,
though. Each term's largest contribution (its *peak*: query weight times its largest stored weight) is
kept; the terms are taken by peak, heaviest first, as the *short* lists, until the peaks of the others
(the *long* lists) add up to less than a lower bound of the ``n``-th best score, the *floor*: the
smallest full score of the ``n`` units the short lists score best. A unit none of the short lists holds
scores at most that sum, so it cannot be among the ``n`` best. Then only the short lists' units whose
score plus the long lists' peaks reaches the floor are scored in full, the long lists looked up (binary
search) for them alone, one list at a time, dropping those that can no longer reach the floor as it
rises. A long list that is the only short one is not added up: its heaviest units, kept per term
(``_heads``), give the floor, and often every unit that can reach it.

The result is the one ``top_k(Postings.scores(terms), n)`` gives, scores included to the last bit: the
kept units' scores are added up term by term in the question's order, from 0, as ``bincount`` adds
them; every bound is compared with a margin (``_SLACK``) far wider than the rounding of a sum of a few
dozen positive numbers, so rounding never drops a unit that belongs; and a unit whose score equals the
floor is kept (ties are ordered by unit, as ``top_k`` orders them). When no such split is found, or it
would cost more than scoring every unit (``_MOST_SHORT``, ``_LOOKUP_COST``), ``best`` says so (None)
and the caller scores every unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .bm25 import FloatArray, Postings

__all__ = ["PrunedTop"]

Units = npt.NDArray[np.int32]
_SLACK = 1e-9
"""Relative margin of every comparison with a bound: the rounding of a sum of m positive numbers is
below m * 2**-53 of it, ~1e-14 for the few dozen terms of a question."""
_MOST_SHORT = 1 / 16
"""The short lists together hold at most this share of the units' count: sorting more postings to add
them up per unit costs about what scoring every unit does."""
_LOOKUP_COST = 4
"""Looking a unit up in a long list (a binary search) costs about as much as adding this many postings
into every unit's score: more lookups than the postings over this, and every unit is scored instead."""
_HEAD = 128  # a long list's heaviest units kept (``_heads``): its best 64 need no other
_KEPT = 4096  # terms whose heads (~1.5 KB each) and peaks are kept


class PrunedTop:
    def __init__(self, postings: Postings) -> None:
        self._postings = postings
        self._peaks: dict[int, float] = {}
        self._head: dict[int, tuple[Units, FloatArray]] = {}

    def best(self, terms: Sequence[tuple[int, float]], n: int) -> list[tuple[int, float]] | None:
        """``top_k(postings.scores(terms), n)`` with each unit's score, best first; None when pruning
        cannot tell (the caller then scores every unit)."""
        post = self._postings
        spans = [(int(post.ptr[t]), int(post.ptr[t + 1]), float(w)) for t, w in terms]
        if n <= 0 or any(not (w > 0 and math.isfinite(w)) for _, _, w in spans):
            return None
        live = [i for i, (lo, hi, _) in enumerate(spans) if hi > lo]
        peaks = {i: spans[i][2] * self._peak(terms[i][0], *spans[i][:2]) for i in live}
        order = sorted(live, key=lambda i: -peaks[i])  # the lists of common, light words left out
        most = _MOST_SHORT * post.size
        budget = sum(spans[i][1] - spans[i][0] for i in live) / _LOOKUP_COST
        floor = 0.0  # a lower bound of the n-th best score
        for cut in range(1, len(order) + 1):
            short, long = sorted(order[:cut]), order[cut:]
            rest = math.fsum(peaks[i] for i in long)
            if len(short) == 1 and spans[short[0]][1] - spans[short[0]][0] > _HEAD and n <= _HEAD // 2:
                found = self._one_long(spans, terms[short[0]][0], short[0], rest, floor, n)
                if found is None:
                    continue
                units, partial, floor = found
            else:
                if sum(spans[i][1] - spans[i][0] for i in short) > most:
                    return None
                units, partial = self._partial([spans[i] for i in short])
                if len(units) >= n:  # the n best of the short lists, scored in full: n scores that high
                    seeds = units[np.argpartition(partial, len(partial) - n)[len(partial) - n :]]
                    floor = max(floor, float(self._scores(spans, seeds).min()))
                if long and not rest < floor * (1 - _SLACK):
                    continue  # a unit outside the short lists might still reach the n best
            keep = partial + rest >= floor * (1 - _SLACK)
            if np.count_nonzero(keep) * len(long) > budget:
                return None  # too many units to look up in the long lists: scoring every unit is quicker
            return self._finish(spans, units[keep], partial[keep], floor, long, peaks, n)
        return None  # no terms

    def _one_long(
        self, spans: Sequence[tuple[int, int, float]], term: int, i: int, rest: float, floor: float, n: int
    ) -> tuple[Units, FloatArray, float] | None:
        """As ``_partial`` for one long list, ``spans[i]`` (of ``term``), with the floor, or None when the
        other lists' peaks (``rest``) reach it: the units that can still reach the floor, found among
        the list's heaviest units (``_heads``) when the floor is high enough, else in the whole list;
        with their partial scores and the floor, raised by the full scores of the ``n`` heaviest."""
        lo, hi, w = spans[i]
        heads, weights = self._heads(term, lo, hi)
        floor = max(floor, float(self._scores(spans, heads[:n]).min()))
        if not rest < floor * (1 - _SLACK):
            return None
        least = (floor * (1 - _SLACK) - rest) / w * (1 - _SLACK)  # below it, w * weight + rest < floor
        if least > weights[-1]:  # every unit that can reach the floor is a head
            count = int(np.searchsorted(-weights, -least, side="right"))
            return heads[:count], weights[:count] * w, floor
        post = self._postings
        at = np.flatnonzero(post.weights[lo:hi] >= least)
        return post.ids[lo:hi][at], post.weights[lo:hi][at] * w, floor

    def _heads(self, term: int, lo: int, hi: int) -> tuple[Units, FloatArray]:
        """``_HEAD`` units of ``term``'s list that no other unit outweighs, heaviest first, with their
        weights (kept for the terms asked again, up to ``_KEPT``); a unit tied with the last may be left
        out: every unit outside weighs no more than the last."""
        kept = self._head.get(term)
        if kept is None:
            weights = self._postings.weights[lo:hi]
            at = np.argpartition(weights, hi - lo - _HEAD)[hi - lo - _HEAD :]
            at = at[np.argsort(-weights[at], kind="stable")]
            if len(self._head) >= _KEPT:
                self._head.clear()
            self._head[term] = kept = (self._postings.ids[lo:hi][at], weights[at])
        return kept

    def _peak(self, term: int, lo: int, hi: int) -> float:
        """The largest stored weight of ``term`` (kept: a question's words come back)."""
        peak = self._peaks.get(term)
        if peak is None:
            if len(self._peaks) >= _KEPT:
                self._peaks.clear()
            self._peaks[term] = peak = float(self._postings.weights[lo:hi].max())
        return peak

    def _partial(self, spans: Sequence[tuple[int, int, float]]) -> tuple[Units, FloatArray]:
        """The units of ``spans`` (sorted, each once) and their scores over those terms alone, added in
        the spans' order."""
        post = self._postings
        if len(spans) == 1:
            lo, hi, w = spans[0]
            return post.ids[lo:hi], post.weights[lo:hi] * w
        ids = np.concatenate([post.ids[lo:hi] for lo, hi, _ in spans])
        order = np.argsort(ids, kind="stable")  # merges the sorted lists; a unit's terms stay in order
        ids = ids[order]
        first = np.empty(len(ids), dtype=bool)
        first[0] = True
        np.not_equal(ids[1:], ids[:-1], out=first[1:])
        added = np.concatenate([post.weights[lo:hi] * w for lo, hi, w in spans])[order]
        return ids[first], np.bincount(np.cumsum(first) - 1, weights=added).astype(np.float64, copy=False)

    def _finish(
        self,
        spans: Sequence[tuple[int, int, float]],
        units: Units,
        partial: FloatArray,
        floor: float,
        long: Sequence[int],
        peaks: dict[int, float],
        n: int,
    ) -> list[tuple[int, float]]:
        """The ``n`` best of ``units`` once the long lists are added; ``partial``: their scores from the
        short lists, ``floor``: a lower bound of the ``n``-th best score, ``long``: the long lists'
        spans (indices), largest peak first."""
        lower = partial
        for j, i in enumerate(long):
            lower = lower + self._lookup(spans[i], units)
            if len(lower) > n:
                floor = max(floor, float(np.partition(lower, len(lower) - n)[len(lower) - n]))
            keep = lower + math.fsum(peaks[x] for x in long[j + 1 :]) >= floor * (1 - _SLACK)
            units, lower = units[keep], lower[keep]
        scores = self._scores(spans, units)
        order = np.lexsort((units, -scores))[:n]
        order = order[scores[order] > 0]
        return list(zip(units[order].tolist(), scores[order].tolist(), strict=True))

    def _scores(self, spans: Sequence[tuple[int, int, float]], units: Units) -> FloatArray:
        """The full scores of ``units``, added term by term in the question's order from 0, as
        ``bincount`` adds them (to the last bit)."""
        scores = np.zeros(len(units))
        for span in spans:
            scores += self._lookup(span, units)
        return scores

    def _lookup(self, span: tuple[int, int, float], units: Units) -> FloatArray:
        """The term's contribution to each of ``units``, 0 where it does not occur."""
        post = self._postings
        lo, hi, w = span
        ids = post.ids[lo:hi]
        if hi == lo or not len(units):
            return np.zeros(len(units))
        at = np.minimum(np.searchsorted(ids, units), hi - lo - 1)
        found = ids[at] == units
        return np.where(found, post.weights[lo + at] * w, 0.0)
