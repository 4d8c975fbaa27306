"""The platform-free answering service: a question in, an `Answer` (plain data) out."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import random
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from onrecord import index
from onrecord.bot.answer import Answer, Result, Status
from onrecord.bot.catalogue import Catalogue
from onrecord.bot.context_link import context_url
from onrecord.bot.errors import OnRecordError
from onrecord.bot.filters import split_filters
from onrecord.bot.metrics import Metrics
from onrecord.bot.question import is_meaningful, normalize, who_said
from onrecord.bot.scope import Scope, scope_of
from onrecord.bot.state import PAGES_TTL, State, Vote
from onrecord.bot.wording import (
    APOLOGY,
    EMPTY,
    NO_MATCH,
    NOTHING_QUOTABLE,
    RATE_LIMITED,
    TOO_LONG,
    no_match_hint,
    other_language_hint,
)
from onrecord.index import Index
from onrecord.index.context import quote_span
from onrecord.index.quotability import QuoteCandidate, best_excerpt

__all__ = ["AnswerService", "AskOptions", "IndexChangedError", "InvalidVoteError"]

log = logging.getLogger(__name__)
R = TypeVar("R")

PAGES = 5  # results searched for per question: this many pages of "more results"

_INDEX_THREADS = ThreadPoolExecutor(
    max_workers=index.usable_cores(),
    thread_name_prefix="onrecord-index",
)
"""The index's work runs here, off the event loop: as many threads as cores. The work is mostly Python, so
more threads would not search faster; they would only take turns at the interpreter lock with the event
loop, and delay cached answers that need nothing but it."""


async def _off_loop(work: Callable[..., R], *args: Any) -> R:
    return await asyncio.get_running_loop().run_in_executor(_INDEX_THREADS, work, *args)


def _candidates(idx: Index) -> Sequence[QuoteCandidate]:
    return idx.quote_candidates


def _mentions(text: str, words: Collection[str]) -> bool:
    folded = text.casefold()
    return any(word.casefold() in folded for word in words)


class InvalidVoteError(OnRecordError):
    """A vote that is neither up nor down."""


class IndexChangedError(OnRecordError):
    """A passage was named by an index that has been replaced since (a live switch)."""


@dataclass(frozen=True, slots=True)
class AskOptions:
    k: int | None = None  # results per page; the service's default when None
    speaker: str | None = None  # only this speaker's words: a name, matched forgivingly (`bot.filters`)
    episode: str | None = None  # only this episode: an id, a file name or a title (`bot.catalogue`)
    user: str | None = None  # who asks, e.g. "slack:T1:U1"; rate-limited when given
    platform: str | None = None  # where it was asked ("slack", "discord"): then logged for `onrecord report`


class AnswerService:
    """Answers questions from one index, reading through the shared cache. Never raises from `ask`.

    `use` replaces the index (`bot.index_watch`); each question is answered from the index it started with.
    """

    def __init__(
        self,
        index: index.Index,
        state: State,
        *,
        results: int = 3,
        cache_ttl: int = 86400,
        max_question_chars: int | None = 1000,
        metrics: Metrics | None = None,
        public_url: str | None = None,
        pages: int = PAGES,
        max_results: int = 10,
    ) -> None:
        """`max_question_chars` None: no limit (a long question is searched by its first words);
        `pages` of at most `max_results` results are searched for at once, for "more results"."""
        self.index = index
        self._public_url = public_url
        self._state = state
        self._results = results
        self._cache_ttl = cache_ttl
        self._answers_ttl = max(cache_ttl, PAGES_TTL)  # an answer is also its "more" pages
        self._max_chars = max_question_chars
        self._pages = pages
        self._max_results = max_results
        self._metrics = metrics or Metrics()
        self._catalogue = Catalogue(index)

    def use(self, new: index.Index) -> None:
        """Answer the next questions from `new`; questions under way finish with the index they began with."""
        self.index = new
        self._catalogue = Catalogue(new)

    def episode_choices(self, typed: str, limit: int) -> list[tuple[str, str]]:
        """(id, title) of the episodes closest to what is being typed, for autocomplete."""
        return self._catalogue.episode_choices(typed, limit)

    def speaker_choices(self, typed: str, limit: int) -> list[str]:
        """The speakers closest to what is being typed, for autocomplete."""
        return self._catalogue.speaker_choices(typed, limit)

    def explain(self, question: str) -> dict[str, tuple[float, str]]:
        """The terms the question is searched with (`index.Index.explain`), filters and "who said" aside."""
        text, _ = split_filters(normalize(question))
        return self.index.explain(who_said(text) or text)

    async def ask(self, question: str, options: AskOptions = AskOptions()) -> Answer:
        return await self._ask_with(self.index, question, options)

    async def _ask_with(self, idx: index.Index, question: str, options: AskOptions) -> Answer:
        started = time.perf_counter()
        try:
            answer = self._linked(await self._ask(idx, question, options))
        except Exception:  # a bug of ours must not reach an adapter either
            log.exception("unexpected error while answering")
            answer = self._refusal("error", "", APOLOGY)
        if options.platform is not None:
            self._state.questions.record_soon(options.platform, normalize(question), answer.status, answer.id)
        self._metrics.questions.labels(outcome=answer.status).inc()
        self._metrics.latency.observe(time.perf_counter() - started)
        return answer

    async def _ask(self, idx: index.Index, question: str, options: AskOptions) -> Answer:
        full = normalize(question)
        text, typed = split_filters(full)
        if not is_meaningful(text):
            return self._refusal("empty", "", EMPTY)
        if self._max_chars is not None and len(full) > self._max_chars:
            return self._refusal("too_long", text[:80], TOO_LONG.format(limit=self._max_chars))
        if options.user is not None:
            decision = await self._state.limiter.check(options.user)
            if not decision.allowed:
                return dataclasses.replace(
                    self._refusal("rate_limited", text, RATE_LIMITED), notify=decision.notify
                )
        options = dataclasses.replace(
            options, speaker=options.speaker or typed.speaker, episode=options.episode or typed.episode
        )
        catalogue = self._catalogue if self._catalogue.index is idx else Catalogue(idx)
        scope = scope_of(catalogue, options.speaker, options.episode)
        if scope.refusal is not None:
            return self._refusal("unknown_filter", text, scope.refusal)
        k = self._page_size(options)
        answer_id = _answer_id(idx, self._cache_text(text, k, scope))
        cached = (
            await self._state.answers.get(answer_id, max_age=self._cache_ttl) if self._cache_ttl else None
        )
        if cached is not None:
            try:
                answer = Answer.from_json(cached)
            except (ValueError, KeyError, TypeError):
                log.warning("ignoring an unreadable cached answer")
            else:
                self._metrics.cache_hits.inc()
                return dataclasses.replace(answer.page_of(0), cached=True)
        self._metrics.cache_misses.inc()
        found = await self._search(idx, text, k, scope, options)
        if found.status != "error":
            await self._state.answers.put(found.id, found.to_json(), self._answers_ttl)
        return found.page_of(0)

    async def quote(self, topic: str | None = None, *, user: str | None = None) -> Answer:
        """One quotable excerpt (`index.quotability`): the most quotable one in the best passages on `topic`,
        or, without a topic, one at random. Never raises."""
        try:
            return self._linked(await self._quote(topic, user))
        except Exception:
            log.exception("unexpected error while picking a quote")
            return self._refusal("error", "", APOLOGY)

    async def _quote(self, topic: str | None, user: str | None) -> Answer:
        idx = self.index
        if topic is None or not normalize(topic):
            candidates = await _off_loop(_candidates, idx)
            if not candidates:
                return self._refusal("no_match", "", NOTHING_QUOTABLE)
            chosen = random.choice(candidates)
            hit = await _off_loop(idx.excerpt, chosen.passage_id, chosen.start, chosen.end)
            return self._single(idx, "", hit)
        found = await self._ask_with(idx, topic, AskOptions(k=self._pages, user=user))
        if found.status != "ok":
            return found
        best = await _off_loop(self._topical, idx, found.results)
        if best is None:  # nothing quotable on the topic: the best quote found
            return dataclasses.replace(found, results=found.results[:1], page_size=1, total=1)
        hit = await _off_loop(idx.excerpt, *best)
        return self._single(idx, found.question, hit)

    @staticmethod
    def _topical(idx: index.Index, results: Sequence[Result]) -> tuple[int, int, int] | None:
        """The most quotable excerpt (passage, start, end) among the found passages that holds words of
        the topic, better ranked passages first."""
        best: tuple[float, tuple[int, int, int]] | None = None
        for result in results:
            found = best_excerpt(idx.sentences(result.passage_id), partial(_mentions, words=result.matched))
            if found is not None and (best is None or found[2] / result.rank**0.5 > best[0]):
                best = (found[2] / result.rank**0.5, (result.passage_id, found[0], found[1]))
        return None if best is None else best[1]

    async def context(self, context: str) -> Answer | None:
        """The whole passage a daily quote came from, for "More from this conversation"; `context` is a
        result's. None when the index has changed since (or it is not ours)."""
        idx = self.index
        version, _, pid = context.partition(":")
        if version != idx.version or not pid.isdigit() or int(pid) >= len(idx.passages):
            return None

        def whole(passage_id: int) -> index.Hit:
            return idx.excerpt(passage_id, 0, len(idx.passage(passage_id).text))

        return self._linked(self._single(idx, "", await _off_loop(whole, int(pid))))

    async def excerpt(self, version: str, passage_id: int, start: int, end: int) -> Result:
        """Sentences `start` to `end` of a passage of index `version` (a daily quote from :meth:`quotable`)
        as a result (its `context` is what "More from this conversation" hands back to :meth:`context`).
        Raises IndexChangedError when the index was replaced since: a passage id of one version means
        nothing in another."""
        idx = self.index
        if idx.version != version:
            raise IndexChangedError(f"the index changed from {version} to {idx.version}; pick again")
        hit = await _off_loop(idx.excerpt, passage_id, start, end)
        return self._linked(self._single(idx, "", hit)).results[0]

    async def quotable(self) -> tuple[str, Sequence[QuoteCandidate]]:
        """The current index's version and its quotable excerpts, found when it was built (read in a
        thread the first time: their texts come from the index's files)."""
        idx = self.index
        return idx.version, await _off_loop(_candidates, idx)

    @staticmethod
    def _single(idx: index.Index, question: str, hit: index.Hit) -> Answer:
        return Answer(
            id="",
            question=question,
            status="ok",
            results=(_result(idx, hit),),
            index_version=idx.version,
            page_size=1,
            total=1,
        )

    async def more(
        self, answer_id: str, page: int, *, question: str | None = None, options: AskOptions = AskOptions()
    ) -> Answer | None:
        """Page `page` (from 0) of an earlier answer; None when it is unknown or has no such page.

        The pages outlive restarts in Redis; when they are gone, `question` (and the `options` it was
        asked with) lets the search run again, provided it gives the same answer id.
        """
        stored = await self._state.answers.get(answer_id)
        full: Answer | None = None
        if stored is not None:
            try:
                full = Answer.from_json(stored)
            except (ValueError, KeyError, TypeError):
                log.warning("ignoring unreadable pages of answer %s", answer_id)
        if full is None and question is not None:
            k, idx = self._page_size(options), self.index
            scope = scope_of(self._catalogue, options.speaker, options.episode)
            # The button keeps the question as normalized; normalizing again could change it.
            text = next(
                (
                    t
                    for t in (question, normalize(question))
                    if _answer_id(idx, self._cache_text(t, k, scope)) == answer_id
                ),
                None,
            )
            if text is not None and scope.refusal is None:
                full = await self._search(idx, text, k, scope, options)
                if full.status == "ok":
                    await self._state.answers.put(answer_id, full.to_json(), self._answers_ttl)
        if full is None or full.status != "ok" or page < 0 or page * full.page_size >= len(full.results):
            return None
        return self._linked(full.page_of(page))

    async def feedback(self, answer_id: str, user: str, vote: Vote) -> None:
        """Record a 👍 ("up") or 👎 ("down") on an answer: counted with its question by the question log
        (`onrecord report`), once per user unless they change it."""
        if vote not in ("up", "down"):
            raise InvalidVoteError("A vote is either 👍 or 👎.")
        if await self._state.votes.vote(answer_id, user, vote):
            self._state.questions.vote_soon(answer_id, vote)

    async def _search(self, idx: index.Index, text: str, k: int, scope: Scope, options: AskOptions) -> Answer:
        """All pages of the answer: the index's work runs in a thread, off the event loop. A "who said"
        question is searched without those words; its answer names the speakers first."""
        answer_id = _answer_id(idx, self._cache_text(text, k, scope))
        asked = who_said(text)
        searched = asked or text
        base = Answer(
            id=answer_id,
            question=text,
            status="ok",
            index_version=idx.version,
            page_size=k,
            speaker=options.speaker,
            episode=options.episode,
            scope=scope.description,
            who=asked is not None,
        )
        try:
            search = partial(idx.search, documents=scope.documents, speakers=scope.speakers)
            hits = await _off_loop(search, searched, k * self._pages)
            if hits:
                return dataclasses.replace(base, results=tuple(_result(idx, hit) for hit in hits))
            words = tuple(await _off_loop(idx.suggest, searched))
            language = await _off_loop(idx.foreign_language, searched)
        except Exception:
            log.exception("the index failed to answer %r", text[:200])
            self._metrics.errors.inc()
            return dataclasses.replace(base, status="error", message=APOLOGY)
        hint = other_language_hint(language, idx.languages) if language else no_match_hint(words)
        return dataclasses.replace(
            base, status="no_match", message=f"{NO_MATCH} {hint}", suggestion=hint, suggestions=words
        )

    def _linked(self, answer: Answer) -> Answer:
        """The answer with each quote's page at ONRECORD_PUBLIC_URL: added on the way out, not cached, so
        a changed public URL shows at once."""
        if self._public_url is None or not answer.results:
            return answer
        public = self._public_url
        results = tuple(
            dataclasses.replace(r, context_url=context_url(public, r.document_id, r.char_start, r.char_end))
            if r.char_start is not None and r.char_end is not None
            else r
            for r in answer.results
        )
        return dataclasses.replace(answer, results=results)

    def _page_size(self, options: AskOptions) -> int:
        return max(1, min(options.k or self._results, self._max_results))

    @staticmethod
    def _cache_text(text: str, k: int, scope: Scope) -> str:
        return f"k={k}\0{scope.key}\0{text}"

    def _refusal(self, status: Status, text: str, message: str) -> Answer:
        return Answer(id="", question=text, status=status, message=message, index_version=self.index.version)


def _result(idx: index.Index, hit: index.Hit) -> Result:
    return Result.from_hit(hit, quote_span(idx, hit), f"{idx.version}:{hit.passage.id}")


def _answer_id(idx: index.Index, cache_text: str) -> str:
    material = f"{idx.version}\0{cache_text}"
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:24]
