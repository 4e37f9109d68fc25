"""Inline mode (``@bot subway`` typed in any chat): the matching entries as ready-to-send
cards, ranked by the same matcher as questions; an empty query lists the most asked topics.

Telegram sends an inline query on nearly every keystroke, so results are cached for a minute
per query and language, and the cache is dropped whenever an entry changes.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.records.models import EntryRef
from knowledge.replies.formatter import Reply
from knowledge.replies.markup import to_plain
from knowledge.service import SEARCH_FLOOR, KnowledgeService

MAX_RESULTS = 10  # Telegram shows about this many without scrolling
CACHE_SECONDS = 60.0
CACHE_SIZE = 512
MAX_QUERY = 256  # Telegram's own limit on inline query text
DESCRIPTION_CHARS = 100


@dataclass(frozen=True)
class InlineArticle:
    ref: EntryRef
    title: str
    description: str  # the first words of the answer, shown under the title
    card: Reply  # what is sent into the chat when the article is chosen


class InlineSearch:
    def __init__(
        self,
        service: KnowledgeService,
        ttl: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.ttl = ttl
        self.clock = clock
        self._cache: OrderedDict[tuple[str, str], tuple[float, list[InlineArticle]]] = OrderedDict()
        self._content_seen: int | None = None

    def results(self, query: str, lang: str) -> list[InlineArticle]:
        key = (" ".join(query[:MAX_QUERY].split()).casefold(), lang)
        self._forget_if_changed()
        now = self.clock()
        cached = self._cache.get(key)
        if cached is not None and now - cached[0] < self.ttl:
            self._cache.move_to_end(key)
            return cached[1]
        articles = [self._article(ref, lang) for ref in self._refs(key[0])]
        found = [a for a in articles if a is not None]
        self._cache[key] = (now, found)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return found

    def _refs(self, query: str) -> list[EntryRef]:
        if not query:
            return self.most_asked()
        ranked = self.service.matcher.rank(query, limit=MAX_RESULTS)
        return [m.ref for m in ranked if m.score >= SEARCH_FLOOR]

    def most_asked(self) -> list[EntryRef]:
        """The topics answered or opened most often; the FAQ in order until people have asked."""
        counts = self.service.kb.stats().get("by_entry", {})
        ranked = [EntryRef.parse(ref) for ref, _ in sorted(counts.items(), key=lambda i: -i[1])]
        ranked += [faq.ref for faq in self.service.kb.faqs()]
        return list(dict.fromkeys(r for r in ranked if r is not None))[:MAX_RESULTS]

    def _article(self, ref: EntryRef, lang: str) -> InlineArticle | None:
        entry = self.service.kb.get(ref)
        if entry is None:
            return None
        card = self.service.show(ref, lang)
        body = to_plain(card.html).split("\n", 1)[-1].strip()  # the card without its title
        description = " ".join(body.split())[:DESCRIPTION_CHARS]
        return InlineArticle(ref, entry.label(lang), description, card)

    def _forget_if_changed(self) -> None:
        revision = self.service.matcher.revision  # every entry change passes the matcher
        if revision != self._content_seen:
            self._cache.clear()
            self._content_seen = revision
