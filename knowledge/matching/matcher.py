"""Matching a free-text question to knowledge-base entries.

Each entry is known by several phrasings (an FAQ entry's questions, an event's title, a
contact's name, role and organization). A question is scored against a phrasing by how much of
its *content* the phrasing covers:

* both are reduced to content words and their stems (``knowledge.matching.text``): a phrasing
  with its own language's rules, a question with those of every language of each word's script, so a
  question in any of the bot's languages meets the entries in all of them;
* each question word is paired with its closest phrasing word. Equal stems count fully. A word the
  knowledge base does not know is looked up as a typo among the words as written (one edit from 4
  letters, two from 8, see ``knowledge.matching.typos``) and counts by the share of letters left
  intact. A truncated word of 4+ letters ("info") counts 0.9. Two words that the knowledge base
  writes as one ("corona virus") are joined;
* synonyms (admin-edited groups such as metro, subway, underground) count as one word;
* words weigh by rarity across entries (IDF); a word the knowledge base has never seen weighs
  the most, which is why "weather in Moscow" scores low although "Moscow" is everywhere;
* score = 100 * (0.75 * share of the question covered + 0.25 * share of the phrasing covered).

A contact's role or organization counts 0.9 of its name. An entry's score is that of its best
phrasing. Entries that tie are ordered by how closely their phrasing matches the question as
written (rapidfuzz's WRatio); the score itself is not changed.

Speed: only phrasings that share a (fuzzily) equal word with the question can score above zero,
so an inverted index over stems finds every candidate, and the score of all candidates is
computed at once with numpy. Nothing is approximated: the result is what scoring every phrasing
would give. Entries are added, changed and removed in place; nothing is rebuilt.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from knowledge.matching.text import (
    all_stopwords,
    analyze,
    analyze_question,
    fold,
    is_han,
    word_forms,
    words,
)
from knowledge.matching.typos import TypoIndex
from knowledge.records.models import Entry, EntryRef

QUESTION_WEIGHT = 0.75
MIN_PREFIX_LENGTH = 4  # "info" stands for "information"
PREFIX_SIMILARITY = 0.9
# Entries this close in score are ordered by their written text. Below the decision's margin
# for a clear answer (knowledge.service.CLOSE_MARGIN), so it only orders the suggestions.
TIE = 4.0
SAME_SCORE = 0.25  # an entry's phrasings this close to its best all stand for it
BARE_TOPIC_ENTRIES = 3  # a one-word question whose word this many entries use is ambiguous
VARIANTS_REMEMBERED = 50_000  # words whose variants are kept between questions


@dataclass(frozen=True)
class Match:
    ref: EntryRef
    score: float


class Matcher:
    """An in-memory index of every entry's phrasings, updated entry by entry."""

    def __init__(
        self, entries: Iterable[Entry] = (), synonyms: Iterable[Iterable[str]] = ()
    ) -> None:
        self.revision = 0  # counts changes, so caches of answers know when they are stale
        self._stopword_typos = TypoIndex(min_length=2, max_edits=1)
        for stopword in all_stopwords():
            if len(stopword) >= 3:
                self._stopword_typos.add(stopword)
        self.rebuild(entries, synonyms)

    def rebuild(self, entries: Iterable[Entry], synonyms: Iterable[Iterable[str]] = ()) -> None:
        """Index everything afresh, e.g. after the synonym groups changed."""
        self.revision += 1
        self._canonical, self._phrases = _canonical_forms(synonyms)
        # Stems: ids, the phrasings using each (postings), how many entries use each.
        self._stem_ids: dict[str, int] = {}
        self._postings: list[array] = []
        self._entry_frequency = array("i")
        # Phrasings, by id: entry slot, weight (0 once removed), stems (CSR layout).
        self._phrasing_entry = array("i")
        self._phrasing_weight = array("f")
        self._stem_start = array("q", [0])
        self._stems_of = array("i")
        self._texts = bytearray()  # the phrasings as written (UTF-8), to break ties
        self._text_start = array("q", [0])
        # Entries: a slot each.
        self._slot: dict[EntryRef, int] = {}
        self._refs: list[EntryRef | None] = []
        self._phrasings_of: dict[int, list[int]] = {}
        # Words as written: which stems they stand for; sorted for prefixes; typo index. This
        # vocabulary only grows (until a rebuild): a word of a removed entry still leads to its
        # stems, whose postings no longer hold live phrasings, so it matches nothing.
        self._spellings: dict[str, set[str]] = {}
        self._sorted_spellings: list[str] = []
        self._typos = TypoIndex()
        self._cache: tuple[np.ndarray, np.ndarray] | None = None  # stem weights, phrasing totals
        self._variants: dict[tuple[str, tuple[str, ...]], dict[int, float]] = {}  # per word
        # The last question's analysis: rank, known_share and is_bare_topic all read it.
        self._last_query: tuple[str, list[tuple[str, list[str]]]] | None = None
        self._scratch = np.zeros((4, 0), dtype=np.float32)
        for form, token in self._canonical.items():
            self._add_spelling(form, token)  # so that a typo of any synonym is caught too
        for entry in entries:
            self.upsert(entry)

    def __len__(self) -> int:
        return len(self._slot)

    @property
    def phrasing_count(self) -> int:
        return sum(1 for weight in self._phrasing_weight if weight > 0)

    # Maintenance --------------------------------------------------------------------------

    def upsert(self, entry: Entry) -> None:
        """Index ``entry``, replacing what was indexed under its ref before."""
        self.remove(entry.ref)
        slot = len(self._refs)
        self._refs.append(entry.ref)
        self._slot[entry.ref] = slot
        phrasing_ids, stems_all = [], set()
        for lang, text, weight in entry.phrasings():
            spelled = list(dict.fromkeys(self._analyze(text, lang)))
            if not spelled:
                continue
            stem_ids = list(dict.fromkeys(self._stem_id(stem) for _, stem in spelled))
            phrasing_id = len(self._phrasing_entry)
            self._phrasing_entry.append(slot)
            self._phrasing_weight.append(weight)
            self._stems_of.extend(stem_ids)
            self._stem_start.append(len(self._stems_of))
            self._texts += text.encode()
            self._text_start.append(len(self._texts))
            for stem_id in stem_ids:
                self._postings[stem_id].append(phrasing_id)
            phrasing_ids.append(phrasing_id)
            stems_all.update(stem_ids)
            for word, stem in spelled:
                self._add_spelling(word, stem)
        for stem_id in stems_all:
            self._entry_frequency[stem_id] += 1
        self._phrasings_of[slot] = phrasing_ids
        self._cache = None
        self._variants.clear()
        self._last_query = None

    def remove(self, ref: EntryRef) -> None:
        self.revision += 1
        slot = self._slot.pop(ref, None)
        if slot is None:
            return
        self._refs[slot] = None
        stems = set()
        for phrasing_id in self._phrasings_of.pop(slot):
            self._phrasing_weight[phrasing_id] = 0.0  # a removed phrasing scores nothing
            start, end = self._stem_start[phrasing_id], self._stem_start[phrasing_id + 1]
            stems.update(self._stems_of[start:end])
        for stem_id in stems:
            self._entry_frequency[stem_id] -= 1
        self._cache = None
        self._variants.clear()
        self._last_query = None

    def _stem_id(self, stem: str) -> int:
        stem_id = self._stem_ids.get(stem)
        if stem_id is None:
            stem_id = self._stem_ids[stem] = len(self._postings)
            self._postings.append(array("i"))
            self._entry_frequency.append(0)
        return stem_id

    def _add_spelling(self, word: str, stem: str) -> None:
        stems = self._spellings.get(word)
        if stems is None:
            stems = self._spellings[word] = set()
            insort(self._sorted_spellings, word)
            self._typos.add(word)
        stems.add(stem)

    # Querying -----------------------------------------------------------------------------

    def rank(self, question: str, limit: int = 5) -> list[Match]:
        """The best-scoring entries for ``question``, one match per entry, best first."""
        query = [
            (self._weight_key(stems), self._similar(word, stems))
            for word, stems in self._query_words(question)
        ]
        if not query or not self._refs:
            return []
        stem_weights, phrasing_totals = self._weights()
        unknown = self._unknown_weight()
        question_total = sum(
            float(stem_weights[self._stem_ids[key]]) if key in self._stem_ids else unknown
            for key, _ in query
        )
        covered = self._coverage(query, stem_weights, unknown)
        if covered is None:
            return []
        candidates, question_part, phrasing_part = covered
        weights = np.frombuffer(self._phrasing_weight, dtype=np.float32)[candidates]
        phrasing_share = np.minimum(phrasing_part / phrasing_totals[candidates], 1.0)
        scores = (
            100.0
            * weights
            * (
                QUESTION_WEIGHT * question_part / question_total
                + (1 - QUESTION_WEIGHT) * phrasing_share
            )
        )
        return self._best_entries(question, candidates, scores, limit)

    def known_share(self, question: str) -> float:
        """The share of the question's content words the knowledge base knows in some form
        (typos and truncations included): "visa" or "recipe" in a question is a sign that it
        asks about something the bot does not cover, however close the rest comes."""
        query = self._query_words(question)
        if not query:
            return 0.0
        known = sum(1 for word, stems in query if self._similar(word, stems))
        return known / len(query)

    def is_bare_topic(self, question: str) -> bool:
        """Whether the question is a lone word that several entries share ("moscow", "subway"):
        a topic, not a question, which no single entry answers ("who signed it" is a
        question: its other words ask something)."""
        query = self._query_words(question)
        if len(query) != 1 or len(words(question, self._phrases)) != 1:
            return False
        _, stems = query[0]
        users = [self._entry_frequency[self._stem_ids[s]] for s in stems if s in self._stem_ids]
        return max(users, default=0) >= BARE_TOPIC_ENTRIES

    def _coverage(
        self, query: list[tuple[str, dict[int, float]]], stem_weights: np.ndarray, unknown: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """For every phrasing sharing a word with the question: the weight of the question it
        covers, and the weight of its own words covered (both before normalizing)."""
        size = len(self._phrasing_entry)
        if self._scratch.shape[1] < size:  # zeroed once, and kept zero after each question
            self._scratch = np.zeros((4, max(size, 2 * self._scratch.shape[1])), np.float32)
        best, best_weight, question_part, phrasing_part = self._scratch[:, :size]
        hit = False
        for key, variants in query:
            key_id = self._stem_ids.get(key)
            weight = float(stem_weights[key_id]) if key_id is not None else unknown
            if len(variants) == 1:  # most words: one reading, no maximum to keep
                [(stem_id, similarity)] = variants.items()
                ids = np.frombuffer(self._postings[stem_id], dtype=np.int32)
                question_part[ids] += weight * similarity
                phrasing_part[ids] += similarity * stem_weights[stem_id]
                hit = hit or bool(len(ids))
                continue
            mine = []
            for stem_id, similarity in variants.items():
                ids = np.frombuffer(self._postings[stem_id], dtype=np.int32)
                if not len(ids):
                    continue
                # The best similarity of this question word per phrasing, and its weight.
                before = best[ids]
                after = np.maximum(before, similarity)
                question_part[ids] += weight * (after - before)
                best[ids] = after
                before = best_weight[ids]
                after = np.maximum(before, similarity * stem_weights[stem_id])
                phrasing_part[ids] += after - before
                best_weight[ids] = after
                mine.append(ids)
            for ids in mine:
                best[ids] = 0.0
                best_weight[ids] = 0.0
            hit = hit or bool(mine)
        if not hit:
            return None
        # Every touched phrasing gained a positive share: one pass finds them, sorted.
        candidates = np.flatnonzero(question_part > 0)  # (10x faster than on the floats)
        result = (candidates, question_part[candidates].copy(), phrasing_part[candidates].copy())
        question_part[candidates] = 0.0
        phrasing_part[candidates] = 0.0
        return result

    def _best_entries(
        self, question: str, candidates: np.ndarray, scores: np.ndarray, limit: int
    ) -> list[Match]:
        entries = np.frombuffer(self._phrasing_entry, dtype=np.int32)[candidates]
        shown = min(len(candidates), max(limit * 8, 32))
        while True:
            top = np.argpartition(-scores, shown - 1)[:shown] if shown < len(scores) else None
            order = np.arange(len(scores)) if top is None else top
            best: dict[int, tuple[float, list[int]]] = {}  # slot: score, its best phrasings
            for index in order.tolist():
                score = float(scores[index])
                slot = int(entries[index])
                held = best.get(slot)
                if score <= 0 or (held and score < held[0] - SAME_SCORE):
                    continue
                phrasing = int(candidates[index])
                if held is None or score > held[0] + SAME_SCORE:
                    best[slot] = (score, [phrasing])
                else:  # another phrasing as good as the best: the tie-break may need it
                    best[slot] = (max(score, held[0]), [*held[1], phrasing])
            if len(best) >= limit or top is None:
                break
            shown *= 4
        ranked = sorted(
            ((score, slot, phrasings) for slot, (score, phrasings) in best.items()),
            key=lambda item: (-item[0], self._refs[item[1]] or EntryRef("faq", 0)),
        )
        ranked = self._break_ties(question, ranked)
        return [Match(ref, score) for score, slot, _ in ranked[:limit] if (ref := self._refs[slot])]

    def _break_ties(
        self, question: str, ranked: list[tuple[float, int, list[int]]]
    ) -> list[tuple[float, int, list[int]]]:
        """Entries whose scores tie (within ``TIE``) are ordered by how closely their best
        phrasing matches the question as written (rapidfuzz WRatio on the whole text): the
        stems alone cannot tell "when was it signed" from a twin entry with the same words."""
        if len(ranked) < 2 or ranked[1][0] < ranked[0][0] - TIE:
            return ranked
        query = default_process(question)
        tied = [item for item in ranked if item[0] >= ranked[0][0] - TIE]
        closeness = {
            slot: max(
                (fuzz.WRatio(query, default_process(self._text(p))) for p in phrasings),
                default=0.0,
            )
            for _, slot, phrasings in tied
        }
        tied.sort(key=lambda item: -closeness[item[1]])
        return tied + ranked[len(tied) :]

    def _text(self, phrasing_id: int) -> str:
        start, end = self._text_start[phrasing_id], self._text_start[phrasing_id + 1]
        return self._texts[start:end].decode()

    def _weights(self) -> tuple[np.ndarray, np.ndarray]:
        """IDF of every stem, and the total weight of every phrasing's words (cached until the
        next change)."""
        if self._cache is None:
            frequency = np.frombuffer(self._entry_frequency, dtype=np.int32)
            entries = len(self._slot)
            stem_weights = (np.log((entries + 1) / (frequency + 1.0)) + 1.0).astype(np.float32)
            stems = np.frombuffer(self._stems_of, dtype=np.int32)
            starts = np.frombuffer(self._stem_start, dtype=np.int64)[:-1]
            if len(stems):
                totals = np.add.reduceat(stem_weights[stems], starts)
                totals[starts == len(stems)] = 1.0  # (no phrasing is empty; guards reduceat)
            else:
                totals = np.ones(len(starts), dtype=np.float32)
            self._cache = (stem_weights, np.maximum(totals, 1e-6).astype(np.float32))
        return self._cache

    def _unknown_weight(self) -> float:
        return math.log(len(self._slot) + 1) + 1

    def _analyze(self, text: str, lang: str) -> list[tuple[str, str]]:
        return [
            (word, self._canonical.get(stem, stem))
            for word, stem in analyze(text, lang, self._phrases)
        ]

    def _query_words(self, question: str) -> list[tuple[str, list[str]]]:
        """(word as written, its possible stems) of the question's content words, one entry per
        meaning: typo'd stopwords dropped, split compounds joined."""
        if self._last_query is not None and self._last_query[0] == question:
            return self._last_query[1]
        analysed = self._join_split_words(analyze_question(question, self._phrases))
        seen: set[str] = set()
        result = []
        for word, stems in analysed:
            stems = list(dict.fromkeys(self._canonical.get(stem, stem) for stem in stems))
            if seen.intersection(stems):
                continue
            seen.update(stems)
            if self._known(word, stems) or not self._misspelt_stop(word):
                result.append((word, stems))
        self._last_query = (question, result)
        return result

    def _known(self, word: str, stems: list[str]) -> bool:
        return word in self._spellings or any(stem in self._stem_ids for stem in stems)

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
        indexed = [s for s in stems if s in self._stem_ids]
        if not indexed:
            return stems[0]
        return max(indexed, key=lambda s: self._entry_frequency[self._stem_ids[s]])

    def _misspelt_stop(self, word: str) -> bool:
        # "wen was the agrement signd": "wen" is "when", not an unknown topic word.
        return not self._similar(word, [word]) and bool(self._stopword_typos.near(word))

    def _similar(self, word: str, stems: list[str]) -> dict[int, float]:
        """Indexed stems (by id) that stand for the question word, with their similarity.
        Remembered until the index changes: questions repeat their words."""
        key = (word, tuple(stems))
        found = self._variants.get(key)
        if found is None:
            if len(self._variants) >= VARIANTS_REMEMBERED:
                self._variants.clear()
            found = self._variants[key] = self._look_up(word, stems)
        return found

    def _look_up(self, word: str, stems: list[str]) -> dict[int, float]:
        similar: dict[int, float] = {}

        def offer(stem: str, similarity: float) -> None:
            stem_id = self._stem_ids.get(stem)
            if stem_id is not None and similarity > similar.get(stem_id, 0.0):
                similar[stem_id] = similarity

        if len(word) >= MIN_PREFIX_LENGTH:
            start = bisect_left(self._sorted_spellings, word)
            for spelling in self._sorted_spellings[start:]:
                if not spelling.startswith(word):
                    break
                for stem in self._spellings[spelling]:
                    offer(stem, PREFIX_SIMILARITY)
        if not self._known(word, stems):  # look for typos only of words we do not know
            for spelling, edits in self._typos.near(word).items():
                for stem in self._spellings[spelling]:
                    offer(stem, 1 - edits / max(len(word), len(spelling)))
        for stem in stems:
            offer(stem, 1.0)
        return similar


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
