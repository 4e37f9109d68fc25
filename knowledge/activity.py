"""Usage, counted in memory and written to the knowledge base in one step every few seconds.

Questions asked, answers given, unanswered questions and 👍/👎 votes are statistics, not
content: writing the whole knowledge base file for each of them would cap the bot at a few
hundred questions a second. They are flushed on a timer and at shutdown; a hard crash can lose
at most the last interval of them. Admin changes never wait here: they are written before the
admin is told they are saved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from knowledge.store import KnowledgeBase
from knowledge.text import words

FLUSH_INTERVAL = 5.0  # seconds


@dataclass
class _Unanswered:
    text: str
    count: int
    first_seen: str
    last_seen: str


class Activity:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._asked = 0
        self._answered = 0
        self._topics: Counter[str] = Counter()
        self._unanswered: dict[str, _Unanswered] = {}
        self._votes: dict[tuple[int, str], str] = {}

    def question(self, answered_ref: str | None) -> None:
        """Count a free-text question, and the entry it was answered with."""
        self._asked += 1
        if answered_ref is not None:
            self._answered += 1
            self._topics[answered_ref] += 1

    def opened(self, ref: str) -> None:
        """Count an entry opened from a button: it is a topic people want too."""
        self._topics[ref] += 1

    def unanswered(self, text: str) -> None:
        key = " ".join(words(text))
        now = self.kb.now()
        pending = self._unanswered.get(key)
        if pending is None:
            self._unanswered[key] = _Unanswered(text, 1, now, now)
        else:
            pending.count += 1
            pending.last_seen = now

    def vote(self, user_id: int, ref: str, vote: str) -> None:
        self._votes[(user_id, ref)] = vote

    @property
    def pending(self) -> bool:
        return bool(self._asked or self._topics or self._unanswered or self._votes)

    def flush(self) -> None:
        """Write everything counted so far in one atomic step."""
        if not self.pending:
            return
        with self.kb.transaction():
            stats = self.kb.stats()
            stats["asked"] += self._asked
            stats["answered"] += self._answered
            by_entry = Counter(stats["by_entry"])
            by_entry.update(self._topics)
            stats["by_entry"] = dict(by_entry)
            self.kb.save_stats(stats)
            for key, row in self._unanswered.items():
                self.kb.add_unanswered(key, row.text, row.count, row.first_seen, row.last_seen)
            for (user_id, ref), vote in self._votes.items():
                self.kb.set_vote(user_id, ref, vote)
        self._asked = self._answered = 0
        self._topics.clear()
        self._unanswered.clear()
        self._votes.clear()
