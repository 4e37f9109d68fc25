"""The matcher's score computed the slow, obvious way: every phrasing of every entry, one by one,
straight from the definition in ``knowledge.matching.matcher``'s docstring (a question word and a
phrasing word are similar if their stems are equal, or if some spelling of the phrasing word's stem
is a typo or an extension of the question word). It shares only the reading of the text with the
matcher, so agreement between the two shows that the inverted index, the typo index and the
vectorised scoring lose nothing."""

from __future__ import annotations

import math
from collections import Counter

from rapidfuzz.distance import OSA

from knowledge.matching.matcher import (
    MIN_PREFIX_LENGTH,
    PREFIX_SIMILARITY,
    QUESTION_WEIGHT,
    Matcher,
)
from knowledge.matching.typos import LONG_LENGTH, MIN_LENGTH
from knowledge.records.models import Entry, EntryRef


class ExhaustiveScorer:
    def __init__(self, entries: list[Entry], synonyms: list[list[str]] | None = None) -> None:
        # The matcher reads phrasings and questions (synonyms, joins, stopword typos); it is
        # given the same entries, so it knows the same words. Its scoring is not used.
        self._analysis = Matcher(entries, synonyms or [])
        self.phrasings: list[tuple[EntryRef, float, list[tuple[str, str]]]] = []
        frequency: Counter[str] = Counter()
        for entry in entries:
            stems: set[str] = set()
            for lang, text, weight in entry.phrasings():
                spelled = list(dict.fromkeys(self._analysis._analyze(text, lang)))
                if spelled:
                    self.phrasings.append((entry.ref, weight, spelled))
                    stems.update(stem for _, stem in spelled)
            frequency.update(stems)
        self.entries = len(entries)
        self.frequency = frequency
        # Every way each stem is written: in the phrasings, and as a synonym group's member.
        self.spellings: dict[str, set[str]] = {}
        for _, _, spelled in self.phrasings:
            for word, stem in spelled:
                self.spellings.setdefault(stem, set()).add(word)
        for form, token in self._analysis._canonical.items():
            self.spellings.setdefault(token, set()).add(form)
        self.known_words = set().union(*self.spellings.values()) if self.spellings else set()

    def weight(self, stem: str) -> float:
        return math.log((self.entries + 1) / (self.frequency.get(stem, 0) + 1)) + 1

    def scores(self, question: str) -> dict[EntryRef, float]:
        """Every entry's score for ``question`` (entries scoring nothing left out)."""
        query = self._analysis._query_words(question)
        best: dict[EntryRef, float] = {}
        for ref, weight, spelled in self.phrasings:
            score = weight * self._score(query, spelled)
            if score > best.get(ref, 0.0):
                best[ref] = score
        return best

    def rank(self, question: str, limit: int = 5) -> list[tuple[EntryRef, float]]:
        ranked = sorted(self.scores(question).items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]

    def _score(self, query: list[tuple[str, list[str]]], spelled: list[tuple[str, str]]) -> float:
        question_total = question_covered = phrasing_covered = 0.0
        for word, stems in query:
            indexed = [s for s in stems if s in self.frequency]
            key = max(indexed, key=self.frequency.__getitem__) if indexed else stems[0]
            weight = self.weight(key) if indexed else math.log(self.entries + 1) + 1
            question_total += weight
            known = bool(indexed) or word in self.known_words
            best_similarity = best_weighted = 0.0
            for phrase_stem in dict.fromkeys(stem for _, stem in spelled):
                similarity = max(
                    _similarity(word, stems, other, phrase_stem, known)
                    for other in self.spellings[phrase_stem]
                )
                best_similarity = max(best_similarity, similarity)
                best_weighted = max(best_weighted, similarity * self.weight(phrase_stem))
            question_covered += weight * best_similarity
            phrasing_covered += best_weighted
        if not question_total:
            return 0.0
        phrasing_total = sum(self.weight(stem) for stem in dict.fromkeys(s for _, s in spelled))
        return 100 * (
            QUESTION_WEIGHT * question_covered / question_total
            + (1 - QUESTION_WEIGHT) * min(phrasing_covered / phrasing_total, 1.0)
        )


def _similarity(word: str, stems: list[str], other: str, other_stem: str, known: bool) -> float:
    if other_stem in stems:
        return 1.0
    similarity = 0.0
    if len(word) >= MIN_PREFIX_LENGTH and other.startswith(word):
        similarity = PREFIX_SIMILARITY
    if not known and len(word) >= MIN_LENGTH:
        edits = 2 if len(word) >= LONG_LENGTH else 1
        distance = OSA.distance(word, other, score_cutoff=edits)
        if distance <= edits:
            similarity = max(similarity, 1 - distance / max(len(word), len(other)))
    return similarity
