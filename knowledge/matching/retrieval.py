"""Hybrid retrieval: the lexical matcher and the semantic index, fused into one ranking.

Three rankers look at every question:

* ``lexical``: the word matcher over each entry's phrasings (typos, shared words);
* ``passages``: the same word matcher over each entry's passages (answers, descriptions,
  roles), so a question naming a fact finds the entry that states it;
* ``semantic``: sentence embeddings of phrasings and passages (paraphrase, other languages).

Each candidate gets the scores of all three, and one fused score ranks them: a weighted sum
whose weights were fitted by cross-validation on questions written the way people write
(``bench/calibrate.py``; the figures are in the README). ``knowledge.matching.decision`` then
decides from these scores whether to answer, suggest or admit ignorance.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from knowledge import DATA_DIR
from knowledge.matching.matcher import Match, Matcher
from knowledge.matching.semantic import SemanticIndex, SemanticMatch, VectorCache
from knowledge.records.models import Entry, EntryRef, Phrasing

CANDIDATES = 12  # entries each ranker contributes before fusion
CALIBRATION_PATH = DATA_DIR / "calibration.json"


@dataclass(frozen=True)
class Weights:
    """How the fused score is made from the rankers' scores (each scaled to 0–1)."""

    lexical: float
    passage_lexical: float
    phrasing_meaning: float
    passage_meaning: float

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Weights:
        return cls(**json.loads(path.read_text(encoding="utf-8"))["fusion"])


WEIGHTS = Weights.load()  # fitted by bench/calibrate.py, with the decision model


@dataclass(frozen=True)
class Candidate:
    """One entry that may answer a question, with every ranker's view of it."""

    ref: EntryRef
    lexical: float  # 0–100, the word matcher on its phrasings
    passage_lexical: float  # 0–100, the word matcher on its passages
    phrasing_meaning: float  # cosine, its closest phrasing
    passage_meaning: float  # cosine, its closest passage
    score: float  # 0–100, the fused score that orders candidates

    def as_match(self) -> Match:
        return Match(self.ref, self.score)


def fused(
    lexical: Any,
    passage_lexical: Any,
    phrasing_meaning: Any,
    passage_meaning: Any,
    weights: Weights = WEIGHTS,
) -> Any:
    """The fused score, 0–100, of scores given as numbers or as numpy arrays (calibration)."""
    total = (
        weights.lexical * np.asarray(lexical) / 100
        + weights.passage_lexical * np.asarray(passage_lexical) / 100
        + weights.phrasing_meaning * np.maximum(phrasing_meaning, 0.0)
        + weights.passage_meaning * np.maximum(passage_meaning, 0.0)
    )
    norm = (
        weights.lexical
        + weights.passage_lexical
        + weights.phrasing_meaning
        + weights.passage_meaning
    )
    return np.round(100 * total / norm, 2)


@dataclass(frozen=True)
class Retrieved:
    """The candidates for one question, and what the decision needs to know besides."""

    candidates: list[Candidate]
    lexical_first: EntryRef | None  # the word matcher's own first choice
    meaning_first: EntryRef | None  # the embeddings' own first choice
    known_share: float  # of the question's words, the share the knowledge base knows
    bare_topic: bool = False  # one word several entries share: offer, never answer


def fuse(
    lexical: dict[EntryRef, float],
    passages: dict[EntryRef, float],
    meaning: list[SemanticMatch],
    weights: Weights = WEIGHTS,
    limit: int = 5,
    known_share: float = 1.0,
) -> Retrieved:
    """One ranking from the three rankers' scores (an entry a ranker did not find scores 0)."""
    by_meaning = {m.ref: m for m in meaning}
    candidates = []
    for ref in dict.fromkeys([*lexical, *passages, *by_meaning]):
        sem = by_meaning.get(ref)
        scores = (
            lexical.get(ref, 0.0),
            passages.get(ref, 0.0),
            sem.phrasing if sem else 0.0,
            sem.passage if sem else 0.0,
        )
        candidates.append(Candidate(ref, *scores, float(fused(*scores, weights))))
    candidates.sort(key=lambda c: (-c.score, -c.lexical, c.ref))
    lexical_first = max(lexical, key=lambda ref: lexical[ref], default=None)
    meaning_first = max(meaning, key=lambda m: m.phrasing, default=None)
    return Retrieved(
        candidates[:limit],
        lexical_first,
        meaning_first.ref if meaning_first else None,
        known_share,
    )


class _PassageView:
    """An entry seen through its passages, for a second word matcher."""

    def __init__(self, entry: Entry) -> None:
        self.ref = entry.ref
        self._passages = entry.passages()

    def phrasings(self) -> list[Phrasing]:
        return self._passages


class HybridMatcher:
    """The bot's one index of entries: lexical and semantic, kept in step."""

    def __init__(
        self,
        entries: Iterable[Entry],
        synonyms: Iterable[Iterable[str]],
        cache: VectorCache,
        *,
        weights: Weights = WEIGHTS,
    ) -> None:
        entries = list(entries)
        synonyms = [list(group) for group in synonyms]
        self.weights = weights
        self.lexical = Matcher(entries, synonyms)
        self.passages = Matcher([_PassageView(e) for e in entries], synonyms)  # type: ignore[misc]
        self.semantic = SemanticIndex(cache, entries)

    @property
    def revision(self) -> int:
        return self.lexical.revision  # every change passes all three indexes

    def __len__(self) -> int:
        return len(self.lexical)

    @property
    def phrasing_count(self) -> int:
        return self.lexical.phrasing_count

    def upsert(self, entry: Entry) -> None:
        self.lexical.upsert(entry)
        self.passages.upsert(_PassageView(entry))  # type: ignore[arg-type]
        self.semantic.upsert(entry)

    def remove(self, ref: EntryRef) -> None:
        self.lexical.remove(ref)
        self.passages.remove(ref)
        self.semantic.remove(ref)

    def rebuild(self, entries: Iterable[Entry], synonyms: Iterable[Iterable[str]] = ()) -> None:
        entries = list(entries)
        synonyms = [list(group) for group in synonyms]
        self.lexical.rebuild(entries, synonyms)
        self.passages.rebuild([_PassageView(e) for e in entries], synonyms)  # type: ignore[misc]
        self.semantic.rebuild(entries)

    def save(self) -> None:
        """Keep the embedded vectors for the next start."""
        self.semantic.save()

    def retrieve(self, question: str, limit: int = 5) -> Retrieved:
        """The entries that may answer ``question``, best first by the fused score."""
        lexical = {m.ref: m.score for m in self.lexical.rank(question, CANDIDATES)}
        passages = {m.ref: m.score for m in self.passages.rank(question, CANDIDATES)}
        named = list(dict.fromkeys([*lexical, *passages]))
        meaning = self.semantic.rank(question, CANDIDATES, include=named)
        found = fuse(
            lexical, passages, meaning, self.weights, limit, self.lexical.known_share(question)
        )
        return replace(found, bare_topic=self.lexical.is_bare_topic(question))

    def candidates(self, question: str, limit: int = 5) -> list[Candidate]:
        return self.retrieve(question, limit).candidates

    def rank(self, question: str, limit: int = 5) -> list[Match]:
        """Best first, with the fused score: what search, inline mode and duplicates use."""
        return [c.as_match() for c in self.candidates(question, limit)]
