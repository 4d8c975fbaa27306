"""Prometheus metrics of one runtime, in a registry of its own (never the global one)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from onrecord.bot.state.claims import ClaimOutcome

__all__ = ["Metrics"]


class Metrics:
    """Counters and the latency histogram the service updates and `/metrics` exposes."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "onrecord_questions", "Questions received, by outcome.", ["outcome"], registry=self.registry
        )
        self.cache_hits = Counter(
            "onrecord_cache_hits", "Answers served from the cache.", registry=self.registry
        )
        self.cache_misses = Counter(
            "onrecord_cache_misses", "Answers not in the cache (searched).", registry=self.registry
        )
        self.errors = Counter("onrecord_errors", "Unexpected errors while answering.", registry=self.registry)
        self.latency = Histogram(
            "onrecord_answer_seconds",
            "Time to answer a question.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )

    def count_claims(self, outcomes: Mapping[ClaimOutcome, int]) -> None:
        """Expose `outcomes` (`EventClaims.outcomes`) as ``onrecord_claims_total{outcome}``."""
        self.registry.register(_ClaimOutcomes(outcomes))

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)


class _ClaimOutcomes(Collector):
    """Claims won, lost, done and released by this process: all are settled when won equals done plus
    released (what tests wait for before they count replies)."""

    def __init__(self, outcomes: Mapping[ClaimOutcome, int]) -> None:
        self._outcomes = outcomes

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily("onrecord_claims", "Event claims, by outcome.", labels=["outcome"])
        for outcome in ("won", "lost", "done", "released"):
            family.add_metric([outcome], self._outcomes.get(outcome, 0))
        yield family
