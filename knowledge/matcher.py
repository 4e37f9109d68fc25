"""Matching a free-text question to knowledge-base entries.

Each entry is known by several phrasings (an FAQ entry's questions, an event's title, a
contact's name, role and organization). A question is scored against a phrasing by how much of
its *content* the phrasing covers:

* both are reduced to content words and their stems (``knowledge.text``): a phrasing with its
  own language's rules, a question with those of every language of each word's script, so a
  question in any of the bot's languages meets the entries in all of them;
* each question word is paired with its closest phrasing word. Equal stems count fully. A typo
  counts by the share of letters left intact: it is looked up among the words as written, with
  rapidfuzz's optimal string alignment distance, one edit allowed from 4 letters and two from
  8. A truncated word of 4+ letters ("info") counts 0.9. Two words that the knowledge base
  writes as one ("corona virus") are joined;
* synonyms (admin-edited word groups such as metro, subway, underground) count as one word;
* words weigh by rarity across entries (IDF); a word the knowledge base has never seen weighs
  the most, which is why "weather in Moscow" scores low although "Moscow" is everywhere;
* score = 100 * (0.75 * share of the question covered + 0.25 * share of the phrasing covered).

A contact's role or organization counts 0.9 of its name. An entry's score is that of its best
phrasing. Only phrasings that share a (fuzzily) equal word with the question can score above
zero, so an inverted index over stems finds every candidate without scanning the whole
knowledge base.
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
from knowledge.text import (
    all_stopwords,
    analyze,
    analyze_question,
    fold,
    is_han,
    word_forms,
    words,
)

QUESTION_WEIGHT = 0.75
MIN_FUZZY_LENGTH = 4  # shorter words must match exactly: "tv" is no typo of "to"
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
    words: tuple[str, ...]  # stems
    spelled: tuple[tuple[str, str], ...]  # (word as written, stem)
    weight: float


class Matcher:
    """An in-memory index of every entry's phrasings, updated entry by entry."""

    def __init__(
        self, entries: Iterable[Entry] = (), synonyms: Iterable[Iterable[str]] = ()
    ) -> None:
        self._stopwords = all_stopwords()
        self.rebuild(entries, synonyms)

    def rebuild(self, entries: Iterable[Entry], synonyms: Iterable[Iterable[str]] = ()) -> None:
        """Index everything afresh, e.g. after the synonym groups changed."""
        self._canonical, self._phrases = _canonical_forms(synonyms)
        self._phrasings: dict[int, _Phrasing] = {}
        self._by_entry: dict[EntryRef, list[int]] = {}
        self._postings: dict[str, set[int]] = defaultdict(set)  # stem -> phrasing ids
        self._entry_frequency: Counter[str] = Counter()  # stem -> entries using it
        self._spellings: dict[str, Counter[str]] = {}  # word as written -> its stems, counted
        self._sorted_spellings: list[str] = []  # for prefix lookups
        self._next_id = 0
        for form, token in self._canonical.items():
            self._add_spelling(form, token)  # so that a typo of any synonym is caught too
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
            spelled = tuple(dict.fromkeys(self._analyze(text, lang)))
            if not spelled:
                continue
            phrasing_id = self._next_id
            self._next_id += 1
            stems = tuple(dict.fromkeys(stem for _, stem in spelled))
            self._phrasings[phrasing_id] = _Phrasing(entry.ref, text, stems, spelled, weight)
            for stem in stems:
                self._postings[stem].add(phrasing_id)
            for word, stem in spelled:
                self._add_spelling(word, stem)
            ids.append(phrasing_id)
        self._by_entry[entry.ref] = ids
        self._entry_frequency.update({w for i in ids for w in self._phrasings[i].words})

    def _add_spelling(self, word: str, stem: str) -> None:
        if word not in self._spellings:
            self._spellings[word] = Counter()
            insort(self._sorted_spellings, word)
        self._spellings[word][stem] += 1

    def remove(self, ref: EntryRef) -> None:
        ids = self._by_entry.pop(ref, [])
        self._entry_frequency.subtract({w for i in ids for w in self._phrasings[i].words})
        for phrasing_id in ids:
            phrasing = self._phrasings.pop(phrasing_id)
            for stem in phrasing.words:
                postings = self._postings[stem]
                postings.discard(phrasing_id)
                if not postings:
                    del self._postings[stem]
                    del self._entry_frequency[stem]
            for word, stem in phrasing.spelled:
                stems = self._spellings[word]
                stems[stem] -= 1
                if stems[stem] <= 0:
                    del stems[stem]
                if not stems:
                    del self._spellings[word]
                    self._sorted_spellings.pop(bisect_left(self._sorted_spellings, word))

    # Querying -----------------------------------------------------------------------------

    def rank(self, question: str, limit: int = 5) -> list[Match]:
        """The best-scoring entries for ``question``, one match per entry, best first."""
        similar = {
            self._weight_key(stems): self._similar(word, stems)
            for word, stems in self._query_words(question)
        }
        if not similar:
            return []
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

    def _analyze(self, text: str, lang: str) -> list[tuple[str, str]]:
        return [
            (word, self._canonical.get(stem, stem))
            for word, stem in analyze(text, lang, self._phrases)
        ]

    def _query_words(self, question: str) -> list[tuple[str, list[str]]]:
        """(word as written, its possible stems) of the question's content words, one entry per
        meaning: typo'd stopwords dropped, split compounds joined."""
        analysed = self._join_split_words(analyze_question(question, self._phrases))
        seen: set[str] = set()
        result = []
        for word, stems in analysed:
            stems = list(dict.fromkeys(self._canonical.get(stem, stem) for stem in stems))
            if seen.intersection(stems):
                continue
            seen.update(stems)
            known = any(s in self._postings for s in stems) or word in self._spellings
            if known or not self._misspelt_stop(word):
                result.append((word, stems))
        return result

    def _join_split_words(
        self, analysed: list[tuple[str, list[str]]]
    ) -> list[tuple[str, list[str]]]:
        # "corona virus" is the knowledge base's "coronavirus".
        joined: list[tuple[str, list[str]]] = []
        index = 0
        while index < len(analysed):
            pair = "".join(word for word, _ in analysed[index : index + 2])
            if index + 1 < len(analysed) and pair in self._spellings and not is_han(pair[0]):
                joined.append((pair, list(self._spellings[pair])))
                index += 2
            else:
                joined.append(analysed[index])
                index += 1
        return joined

    def _weight_key(self, stems: list[str]) -> str:
        """The stem a question word weighs as: its most common indexed reading, if any."""
        indexed = [s for s in stems if s in self._entry_frequency]
        return max(indexed, key=self._entry_frequency.__getitem__) if indexed else stems[0]

    def _misspelt_stop(self, word: str) -> bool:
        # "wen was the agrement signd": "wen" is "when", not an unknown topic word.
        if self._similar(word, [word]):
            return False
        return any(
            Levenshtein.distance(word, stop, score_cutoff=1) <= 1
            for stop in self._stopwords
            if abs(len(stop) - len(word)) <= 1 and len(stop) >= 3
        )

    def _similar(self, word: str, stems: list[str]) -> dict[str, float]:
        """Indexed stems that stand for the question word, with their similarity in (0, 1]."""
        similar: dict[str, float] = {}
        if len(word) >= MIN_PREFIX_LENGTH:
            start = bisect_left(self._sorted_spellings, word)
            for spelling in self._sorted_spellings[start:]:
                if not spelling.startswith(word):
                    break
                for variant in self._spellings[spelling]:
                    similar[variant] = PREFIX_SIMILARITY
        if len(word) >= MIN_FUZZY_LENGTH:
            max_edits = 2 if len(word) >= LONG_WORD_LENGTH else 1
            for spelling, edits, _ in process.extract(
                word,
                self._sorted_spellings,
                scorer=OSA.distance,
                score_cutoff=max_edits,
                limit=None,
            ):
                similarity = 1 - edits / max(len(word), len(spelling))
                for variant in self._spellings[spelling]:
                    similar[variant] = max(similar.get(variant, 0.0), similarity)
        for stem in stems:
            if stem in self._postings:
                similar[stem] = 1.0
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


def _canonical_forms(groups: Iterable[Iterable[str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Every form of every one-word synonym mapped to a token standing for its group; and the
    synonyms of several words (莫斯科 is three), which the tokenizer replaces by that token."""
    canonical: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for number, group in enumerate(groups):
        token = f"σ{number}"  # a Greek letter and a number: no word of ours looks like it
        canonical[token] = token
        for member in group:
            if len(words(member)) > 1:  # "u-bahn", "small and medium enterprises", "莫斯科"
                phrases[fold(member)] = token
            else:
                for form in word_forms(member):
                    canonical[form] = token
    return canonical, phrases
