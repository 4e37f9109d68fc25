"""Answer, suggest or admit ignorance: a calibrated decision over the retrieval's evidence.

The best candidate (``knowledge.matching.retrieval``) is answered outright only when a small
logistic model, given what the rankers and the asked-fact check say about it, is confident enough
that it is the right answer. A wrong confident answer is worse than a "did you mean", so the
threshold was chosen to keep wrong answers rare. Below it, the closest candidates are offered as
suggestions; with nothing close, the bot says it does not know.

The model's parameters are data (``calibration.json``), fitted by ``bench/calibrate.py``
with cross-validation on questions written the way people write; ``decide`` itself is pure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal

from knowledge.matching.asked import asked_kind, holds, unstated_numbers
from knowledge.matching.matcher import Match
from knowledge.matching.retrieval import CALIBRATION_PATH, Candidate, Retrieved

MAX_SUGGESTIONS = 3
# However the evidence adds up, candidates this far from the question (fused score) are not
# offered as "did you mean": "cake recipe" shares nothing with them worth a button.
SUGGEST_FLOOR = 30.0

Outcome = Literal["answer", "suggest", "none", "empty"]


@dataclass(frozen=True)
class Evidence:
    """What is known about the best candidate for a question (scores scaled to 0–1)."""

    score: float  # the fused score
    margin: float  # how far it leads the next entry
    lexical: float
    passage_lexical: float
    phrasing_meaning: float
    passage_meaning: float
    lexical_first: float  # 1 if the word matcher alone ranks it first
    meaning_first: float  # 1 if the embeddings alone rank it first
    known_share: float  # share of the question's words the knowledge base knows
    fact_missing: float  # 1 if the question asks a who/when/how much its answer cannot tell
    number_missing: float  # 1 if the question names a number its answer never states

    def values(self) -> list[float]:
        return [float(getattr(self, f.name)) for f in fields(self)]


FEATURES = tuple(f.name for f in fields(Evidence))


def gather(
    question: str, retrieved: Retrieved, answer_text: str, names: Iterable[str] = ()
) -> Evidence | None:
    """The evidence about the best candidate, whose answer reads ``answer_text``; ``names``
    are the people and bodies that answer a "who" (``knowledge.matching.asked``)."""
    if not retrieved.candidates:
        return None
    best, *rest = retrieved.candidates
    kind = asked_kind(question)
    return Evidence(
        score=best.score / 100,
        margin=(best.score - (rest[0].score if rest else 0.0)) / 100,
        lexical=best.lexical / 100,
        passage_lexical=best.passage_lexical / 100,
        phrasing_meaning=best.phrasing_meaning,
        passage_meaning=best.passage_meaning,
        lexical_first=float(retrieved.lexical_first == best.ref),
        meaning_first=float(retrieved.meaning_first == best.ref),
        known_share=retrieved.known_share,
        fact_missing=float(kind is not None and not holds(kind, answer_text, names)),
        number_missing=float(unstated_numbers(question, answer_text)),
    )


@dataclass(frozen=True)
class DecisionModel:
    """Logistic regression on standardized evidence, and the thresholds that use it."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    answer_at: float  # confidence from which the best candidate is answered outright
    suggest_at: float  # confidence from which candidates are offered as "did you mean"
    topic_at: float  # fused score from which a candidate is named as a related topic

    def confidence(self, evidence: Evidence) -> float:
        """The probability that the best candidate is the right answer."""
        z = self.bias + sum(
            w * (x - m) / s
            for w, x, m, s in zip(
                self.weights, evidence.values(), self.mean, self.scale, strict=True
            )
        )
        return 1 / (1 + math.exp(-max(min(z, 60.0), -60.0)))

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> DecisionModel:
        data = json.loads(path.read_text(encoding="utf-8"))["decision"]
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path.name} was fitted for other features; run bench/calibrate.py")
        return cls(
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            weights=tuple(data["weights"]),
            bias=float(data["bias"]),
            answer_at=float(data["answer_at"]),
            suggest_at=float(data["suggest_at"]),
            topic_at=float(data["topic_at"]),
        )

    def to_json(self) -> dict[str, object]:
        return {"features": list(FEATURES), **asdict(self)}


MODEL = DecisionModel.load()


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    matches: list[Match]
    confidence: float = 0.0


def decide(
    candidates: list[Candidate],
    evidence: Evidence | None,
    model: DecisionModel = MODEL,
    *,
    bare_topic: bool = False,
) -> Decision:
    """Answer, suggest or admit ignorance, from the candidates (best first) and the evidence
    about the first of them. A bare topic ("subway": the metro agreement, or either metro's
    card?) is never answered outright, however close its best candidate comes."""
    if not candidates or evidence is None:
        return Decision("none", [])
    confidence = model.confidence(evidence)
    if confidence >= model.answer_at and not bare_topic:
        return Decision("answer", [candidates[0].as_match()], confidence)
    if confidence >= model.suggest_at and candidates[0].score >= SUGGEST_FLOOR:
        offered = [c.as_match() for c in candidates[:MAX_SUGGESTIONS]]
        return Decision("suggest", offered, confidence)
    related = [c.as_match() for c in candidates[:MAX_SUGGESTIONS] if c.score >= model.topic_at]
    return Decision("none", related, confidence)
