"""Matching a free-text question to knowledge-base entries.

Each entry is known by several phrasings (an FAQ entry's questions, an event's title, a
contact's name, role and organization). A question is scored against a phrasing by how much of
its *content* the phrasing covers:

* both are reduced to content words (``knowledge.text``);
* each question word (stemmed) is paired with its closest phrasing word: equal words count
  fully; a typo (one edit in words of 5 to 7 letters, two from 8, found with rapidfuzz's
  optimal string alignment distance) counts by the share of letters left intact; a truncated
  word (4+ letters) counts 0.9;
* words weigh by rarity across entries (IDF); a word the knowledge base has never seen weighs
  the most, which is why "weather in Moscow" scores low although "Moscow" is everywhere;
* score = 100 * (0.75 * share of the question covered + 0.25 * share of the phrasing covered).

A contact's role or organization counts 0.9 of its name. An entry's score is that of its best
phrasing. Only phrasings that share at least one
(fuzzily) equal word with the question can score above zero, so an inverted index over words
finds every candidate without scanning the whole knowledge base.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from knowledge.models import Entry, EntryRef
from knowledge.text import all_stopwords, terms

QUESTION_WEIGHT = 0.75
MIN_FUZZY_LENGTH = 5  # shorter words must match exactly: "pari(s)" is not a typo of "part"
MIN_PREFIX_LENGTH = 4  # "info" stands for "information"
LONG_WORD_LENGTH = 8  # from here two typos are allowed, as in "agrement" for "agreement"
PREFIX_SIMILARITY = 0.9


@dataclass(frozen=True)
class Match:
    ref: EntryRef
    score: float
    phrasing: str


@dataclass(frozen=True)
class _Phrasing:
    ref: EntryRef
    text: str
    words: tuple[str, ...]
    weight: float


class Matcher:
    """An in-memory index of every entry's phrasings, updated entry by entry."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._phrasings: dict[int, _Phrasing] = {}
        self._by_entry: dict[EntryRef, list[int]] = {}
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._entry_frequency: Counter[str] = Counter()
        self._vocabulary: list[str] = []  # sorted, for prefix lookups
        self._next_id = 0
        self._stopwords = all_stopwords()
        for entry in entries:
            self.upsert(entry)

    def __len__(self) -> int:
        return len(self._by_entry)

    # Maintenance --------------------------------------------------------------------------

    def upsert(self, entry: Entry) -> None:
        """Index ``entry``, replacing what was indexed under its ref before."""
        self.remove(entry.ref)
        ids = []
        for lang, text, weight in entry.phrasings():
            words = tuple(dict.fromkeys(terms(text, lang)))
            if not words:
                continue
            phrasing_id = self._next_id
            self._next_id += 1
            self._phrasings[phrasing_id] = _Phrasing(entry.ref, text, words, weight)
            for word in words:
                if word not in self._postings:
                    insort(self._vocabulary, word)
                self._postings[word].add(phrasing_id)
            ids.append(phrasing_id)
        self._by_entry[entry.ref] = ids
        self._entry_frequency.update({w for i in ids for w in self._phrasings[i].words})

    def remove(self, ref: EntryRef) -> None:
        ids = self._by_entry.pop(ref, [])
        self._entry_frequency.subtract({w for i in ids for w in self._phrasings[i].words})
        for phrasing_id in ids:
            for word in self._phrasings.pop(phrasing_id).words:
                postings = self._postings[word]
                postings.discard(phrasing_id)
                if not postings:
                    del self._postings[word]
                    del self._entry_frequency[word]
                    self._vocabulary.pop(bisect_left(self._vocabulary, word))

    # Querying -----------------------------------------------------------------------------

    def rank(self, question: str, limit: int = 5) -> list[Match]:
        """The best-scoring entries for ``question``, one match per entry, best first."""
        words = self._query_words(question)
        if not words:
            return []
        similar = {word: self._similar_words(word) for word in words}
        candidates = set().union(
            *(self._postings[v] for variants in similar.values() for v in variants)
        )
        best: dict[EntryRef, Match] = {}
        for phrasing_id in candidates:
            phrasing = self._phrasings[phrasing_id]
            score = phrasing.weight * self._score(similar, phrasing.words)
            current = best.get(phrasing.ref)
            if current is None or score > current.score:
                best[phrasing.ref] = Match(phrasing.ref, score, phrasing.text)
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.ref))
        return [m for m in ranked if m.score > 0][:limit]

    def _query_words(self, question: str) -> list[str]:
        words = dict.fromkeys(terms(question))
        return [w for w in words if w in self._postings or not self._is_misspelt_stopword(w)]

    def _is_misspelt_stopword(self, word: str) -> bool:
        # "wen was the agrement signd": "wen" is "when", not an unknown topic word.
        if self._similar_words(word):
            return False
        return any(
            Levenshtein.distance(word, stop, score_cutoff=1) <= 1
            for stop in self._stopwords
            if abs(len(stop) - len(word)) <= 1 and len(stop) >= 3
        )

    def _similar_words(self, word: str) -> dict[str, float]:
        """Vocabulary words that stand for ``word``, with their similarity in (0, 1]."""
        similar: dict[str, float] = {}
        if word in self._postings:
            similar[word] = 1.0
        if len(word) >= MIN_FUZZY_LENGTH:
            max_edits = 2 if len(word) >= LONG_WORD_LENGTH else 1
            for variant, edits, _ in process.extract(
                word, self._vocabulary, scorer=OSA.distance, score_cutoff=max_edits, limit=None
            ):
                similar.setdefault(variant, 1 - edits / max(len(word), len(variant)))
        if len(word) < MIN_PREFIX_LENGTH:
            return similar
        start = bisect_left(self._vocabulary, word)
        for variant in self._vocabulary[start:]:
            if not variant.startswith(word):
                break
            similar[variant] = max(similar.get(variant, 0.0), PREFIX_SIMILARITY)
        return similar

    def _weight(self, word: str) -> float:
        entries = len(self._by_entry)
        return math.log((entries + 1) / (self._entry_frequency.get(word, 0) + 1)) + 1

    def _score(self, similar: dict[str, dict[str, float]], words: tuple[str, ...]) -> float:
        question_total = question_covered = 0.0
        phrasing_hits: dict[str, float] = {}
        for word, variants in similar.items():
            weight = self._weight(word)
            question_total += weight
            hit, similarity = max(
                ((w, variants.get(w, 0.0)) for w in words), key=lambda pair: pair[1]
            )
            if similarity:
                question_covered += weight * similarity
                phrasing_hits[hit] = max(phrasing_hits.get(hit, 0.0), similarity)
        phrasing_total = sum(self._weight(w) for w in words)
        phrasing_covered = sum(self._weight(w) * s for w, s in phrasing_hits.items())
        return 100 * (
            QUESTION_WEIGHT * question_covered / question_total
            + (1 - QUESTION_WEIGHT) * phrasing_covered / phrasing_total
        )
