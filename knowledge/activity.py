"""Usage, counted in memory and written to the knowledge base in one step every few seconds.

Questions asked, answers given, unanswered questions and 👍/👎 votes are statistics, not
content: writing the whole knowledge base file for each of them would cap the bot at a few
hundred questions a second. They are flushed on a timer and at shutdown; a hard crash can lose
at most the last interval of them. Admin changes never wait here: they are written before the
admin is told they are saved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

from knowledge.matching.text import words
from knowledge.records.models import EntryRef
from knowledge.records.validation import LIMITS
from knowledge.storage.knowledge_base import KnowledgeBase

FLUSH_INTERVAL = 5.0  # seconds
# Unanswered questions kept, in the file and in memory between writes; past it the least
# recently asked go. Unbounded, a flood of distinct questions grew the file by megabytes a
# minute, and every write and admin edit with it.
MAX_UNANSWERED = 500
# A question is kept as long as an FAQ question may be, so "📎 attach" can take it as it is.
MAX_QUESTION_LENGTH = LIMITS["question"]


@dataclass
class _Unanswered:
    text: str
    count: int
    first_seen: str
    last_seen: str


@dataclass
class Summary:
    asked: int = 0
    answered: int = 0


class Activity:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._asked = 0
        self._answered = 0
        self._since_summary = Summary()
        self._topics: Counter[str] = Counter()
        self._unanswered: dict[str, _Unanswered] = {}  # least recently asked first
        self._votes: dict[tuple[int, str], str] = {}

    def question(self, answered_ref: str | None) -> None:
        """Count a free-text question, and the entry it was answered with."""
        self._asked += 1
        self._since_summary.asked += 1
        if answered_ref is not None:
            self._answered += 1
            self._since_summary.answered += 1
            self._topics[answered_ref] += 1

    def since_last_summary(self) -> Summary:
        """Questions asked and answered since the last call (for the log's hourly line)."""
        summary, self._since_summary = self._since_summary, Summary()
        return summary

    def opened(self, ref: str) -> None:
        """Count an entry opened from a button: it is a topic people want too."""
        self._topics[ref] += 1

    def unanswered(self, text: str) -> None:
        """Count a question nobody could answer; the same words asked again count once more."""
        text = shortened(text)
        key = " ".join(words(text))[:MAX_QUESTION_LENGTH]
        now = self.kb.now()
        # Taken out and put back last, so the dict runs from least to most recently asked.
        pending = self._unanswered.pop(key, None) or _Unanswered(text, 0, now, now)
        pending.count += 1
        pending.last_seen = now
        self._unanswered[key] = pending
        if len(self._unanswered) > MAX_UNANSWERED:
            del self._unanswered[next(iter(self._unanswered))]

    def vote(self, user_id: int, ref: str, vote: str) -> None:
        self._votes[(user_id, ref)] = vote

    def _exists(self, ref_text: str) -> bool:
        ref = EntryRef.parse(ref_text)
        return ref is not None and self.kb.get_doc(ref) is not None

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
            rows = ({"key": key, **asdict(row)} for key, row in self._unanswered.items())
            self.kb.add_unanswered(rows, keep=MAX_UNANSWERED)
            for (user_id, ref), vote in self._votes.items():
                if self._exists(ref):  # not deleted since the press
                    self.kb.set_vote(user_id, ref, vote)
        self._asked = self._answered = 0
        self._topics.clear()
        self._unanswered.clear()
        self._votes.clear()


def shortened(text: str) -> str:
    """``text`` on one line, cut to ``MAX_QUESTION_LENGTH`` with "…" where it was cut."""
    text = " ".join(text.split())
    if len(text) <= MAX_QUESTION_LENGTH:
        return text
    return text[: MAX_QUESTION_LENGTH - 1].rstrip() + "…"
