"""Fit the fusion weights and the decision model, and report held-out figures.

    python -m bench.calibrate [QUESTIONS.jsonl ...] [--folds 5] [--write]

The questions are the development set (``../shared/eval/questions.jsonl``) and the bot's own
``bench/questions.jsonl`` (typos, word order and paraphrases of the knowledge base's wording,
which the development set has few of). One JSON object a line: ``q``, ``lang``, and either
``expect`` (groups of strings an answer must contain, one of each group), ``refs`` (the
entries that answer it) or ``oos`` for out-of-scope questions. Every question is run
through the bot's own retrieval once; then, by k-fold cross-validation (folds stratified by
language and scope), the fusion weights and the decision are fitted on k-1 folds and judged
on the fold left out. The figures printed are those held-out ones. ``--write`` then fits on
every question and writes ``knowledge/data/calibration.json``.

What is fitted, and nothing else: four fusion weights (a grid on the simplex, chosen for the
most right first candidates), a logistic regression over ``knowledge.matching.decision.Evidence``
(L2-regularized), and the confidence from which to answer (the most right answers, with a
wrong answer or an out-of-scope one answered costing ``WRONG_COST`` right ones).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from knowledge.i18n.catalog import Catalog
from knowledge.matching.decision import DecisionModel, decide
from knowledge.matching.retrieval import CALIBRATION_PATH, Weights, fuse, fused
from knowledge.service import KnowledgeService
from knowledge.storage.knowledge_base import KnowledgeBase

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "questions.jsonl"
OWN_SET = Path(__file__).with_name("questions.jsonl")
WRONG_COST = 5.0  # a wrong answer is worth this many right ones
L2 = 1.0
GRID_STEP = 0.1
# Product choices, not fitted: offer "did you mean" from a one-in-five chance that the best
# candidate is right; name related topics under "no answer" from this fused score.
SUGGEST_AT = 0.2
TOPIC_AT = 40.0


@dataclass
class Question:
    source: str  # the file's name
    text: str
    lang: str
    reply_lang: str
    in_scope: bool
    refs: list  # every entry
    lexical: np.ndarray  # per entry
    passage_lexical: np.ndarray
    phrasing_meaning: np.ndarray
    passage_meaning: np.ndarray
    right: np.ndarray  # per entry: its card answers the question
    known_share: float
    bare_topic: bool


def _norm(text: str) -> str:
    dashes = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
    quotes = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u0060\u00b4"), "'")
    text = unicodedata.normalize("NFKC", text).lower().translate(dashes).translate(quotes)
    return re.sub(r"\s+", " ", text.replace("ё", "е"))


def answers(expect: list[list[str]], card: str) -> bool:
    """The development set's rule: one string of each group in the answer."""
    hay = " " + _norm(card).strip() + " "
    return all(any(_norm(alt) in hay for alt in group) for group in expect)


def is_right(row: dict, ref: str, card: str) -> bool:
    if row.get("oos"):
        return False
    if "refs" in row:
        return ref in row["refs"]
    return answers(row["expect"], card)


def collect(paths: list[Path]) -> tuple[KnowledgeService, list[Question]]:
    rows = [
        {**json.loads(line), "source": f"{path.parent.name}/{path.name}"}
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    service = KnowledgeService(KnowledgeBase.open(Path(tempfile.mkdtemp())), Catalog.load())
    matcher = service.matcher
    refs = [entry.ref for entry in service.kb.entries()]
    questions = []
    for row in rows:
        text = row["q"]
        reply_lang = service.reply_language(None, None, text)
        lexical = {m.ref: m.score for m in matcher.lexical.rank(text, len(refs))}
        passages = {m.ref: m.score for m in matcher.passages.rank(text, len(refs))}
        meaning = {m.ref: m for m in matcher.semantic.rank(text, len(refs), include=refs)}
        cards = {ref: service.show(ref, reply_lang).plain for ref in refs}
        in_scope = not row.get("oos")
        questions.append(
            Question(
                row["source"],
                text,
                row["lang"],
                reply_lang,
                in_scope,
                refs,
                np.array([lexical.get(r, 0.0) for r in refs]),
                np.array([passages.get(r, 0.0) for r in refs]),
                np.array([meaning[r].phrasing for r in refs]),
                np.array([meaning[r].passage for r in refs]),
                np.array([is_right(row, str(r), cards[r]) for r in refs]),
                matcher.lexical.known_share(text),
                matcher.lexical.is_bare_topic(text),
            )
        )
    return service, questions


def fused_scores(q: Question, weights: Weights) -> np.ndarray:
    return fused(q.lexical, q.passage_lexical, q.phrasing_meaning, q.passage_meaning, weights)


def fit_weights(questions: list[Question]) -> Weights:
    """The weights that put a right entry first most often; among equals, the one whose
    right entries lead the best wrong one by the widest mean margin (robust, not lucky)."""
    steps = np.arange(0, 1 + 1e-9, GRID_STEP)
    answerable = [q for q in questions if q.in_scope and q.right.any() and not q.right.all()]
    best: tuple[float, float, Weights] | None = None
    for combo in itertools.product(steps, repeat=4):
        if abs(sum(combo) - 1) > 1e-6:
            continue
        weights = Weights(*(round(float(w), 3) for w in combo))
        right, margin = 0, 0.0
        for q in answerable:
            scores = fused_scores(q, weights)
            lead = scores[q.right].max() - scores[~q.right].max()
            right += lead > 0
            margin += float(lead)
        key = (right, margin / max(len(answerable), 1), weights)
        if best is None or key[:2] > best[:2]:
            best = key
    assert best is not None
    return best[2]


def retrieved(q: Question, weights: Weights):
    lexical = {r: s for r, s in zip(q.refs, q.lexical, strict=True) if s > 0}
    passages = {r: s for r, s in zip(q.refs, q.passage_lexical, strict=True) if s > 0}
    from knowledge.matching.semantic import SemanticMatch

    meaning = [
        SemanticMatch(r, float(a), float(b))
        for r, a, b in zip(q.refs, q.phrasing_meaning, q.passage_meaning, strict=True)
    ]
    found = fuse(lexical, passages, meaning, weights, limit=5, known_share=q.known_share)
    return replace(found, bare_topic=q.bare_topic)


def evidence_rows(service: KnowledgeService, questions: list[Question], weights: Weights):
    """Per question: its evidence vector, whether the first candidate is right, the outcome."""
    rows = []
    for q in questions:
        found = retrieved(q, weights)
        evidence = service.evidence(q.text, found, q.reply_lang)
        first = found.candidates[0].ref
        right = bool(q.right[q.refs.index(first)])
        rows.append((evidence, right, found))
    return rows


def fit_decision(rows, suggest_at: float = SUGGEST_AT) -> DecisionModel:
    x = np.array([evidence.values() for evidence, _, _ in rows])
    y = np.array([right for _, right, _ in rows], dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = np.r_[np.full(len(beta) - 1, L2), 0.0]
    for _ in range(100):  # Newton's method
        p = 1 / (1 + np.exp(-z @ beta))
        gradient = z.T @ (p - y) + penalty * beta
        hessian = (z.T * (p * (1 - p))) @ z + np.diag(penalty)
        beta -= np.linalg.solve(hessian + 1e-9 * np.eye(len(beta)), gradient)
    model = DecisionModel(
        tuple(mean.round(6)),
        tuple(scale.round(6)),
        tuple(beta[:-1].round(6)),
        round(float(beta[-1]), 6),
        1.0,
        suggest_at,
        TOPIC_AT,
    )
    confidences = np.array([model.confidence(evidence) for evidence, _, _ in rows])
    best_gain, answer_at = 0.0, 1.0
    for threshold in sorted(set(confidences.round(4))):
        answered = confidences >= threshold
        gain = (answered & (y == 1)).sum() - WRONG_COST * (answered & (y == 0)).sum()
        if gain > best_gain:
            best_gain, answer_at = gain, float(threshold)
    return replace(model, answer_at=round(answer_at, 4))


def outcome(model: DecisionModel, row) -> str:
    evidence, right, found = row
    decision = decide(found.candidates, evidence, model, bare_topic=found.bare_topic)
    if decision.outcome != "answer":
        return "suggested" if decision.outcome == "suggest" else "none"
    return "right" if right else "wrong"


def folds_of(questions: list[Question], k: int) -> list[int]:
    """Stratified by set, language and scope; deterministic."""
    groups: dict[tuple[str, str, bool], list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        groups[(q.source, q.lang, q.in_scope)].append(i)
    fold = [0] * len(questions)
    rng = np.random.default_rng(12)
    for members in groups.values():
        order = rng.permutation(members)
        for n, i in enumerate(order):
            fold[int(i)] = n % k
    return fold


def cross_validate(service: KnowledgeService, questions: list[Question], k: int) -> Counter:
    fold = folds_of(questions, k)
    tally: Counter = Counter()
    for held in range(k):
        train = [q for q, f in zip(questions, fold, strict=True) if f != held]
        test = [q for q, f in zip(questions, fold, strict=True) if f == held]
        weights = fit_weights(train)
        model = fit_decision(evidence_rows(service, train, weights))
        for q, row in zip(test, evidence_rows(service, test, weights), strict=True):
            tally[(q.source, q.lang, q.in_scope, outcome(model, row))] += 1
    return tally


def report(tally: Counter, out=sys.stdout) -> None:
    for source in sorted({key[0] for key in tally}):
        print(f"{source}, held out:", file=out)
        report_one(Counter({k[1:]: v for k, v in tally.items() if k[0] == source}), out)


def report_one(tally: Counter, out=sys.stdout) -> None:
    langs = sorted({lang for lang, _, _ in tally}, key=["en", "ru", "zh", "de"].index)
    print("lang      n   right  suggested  wrong  oos refused", file=out)
    for lang in [*langs, "all"]:
        pick = langs if lang == "all" else [lang]
        n = sum(v for (lg, ins, _), v in tally.items() if lg in pick and ins)
        oos = sum(v for (lg, ins, _), v in tally.items() if lg in pick and not ins)
        right = sum(tally[(lg, True, "right")] for lg in pick)
        wrong = sum(tally[(lg, True, "wrong")] for lg in pick)
        suggested = n - right - wrong
        refused = oos - sum(tally[(lg, False, o)] for lg in pick for o in ("right", "wrong"))
        print(
            f"{lang:<8} {n:3}  {100 * right / max(n, 1):5.1f}%  {100 * suggested / max(n, 1):8.1f}%"
            f"  {100 * wrong / max(n, 1):4.1f}%  {100 * refused / max(oos, 1):6.1f}%",
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("questions", nargs="*", type=Path, default=[DEV_SET, OWN_SET])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="fit on all, write the result")
    args = parser.parse_args(argv)
    service, questions = collect(args.questions)
    try:
        report(cross_validate(service, questions, args.folds))
        if args.write:
            weights = fit_weights(questions)
            model = fit_decision(evidence_rows(service, questions, weights))
            calibration = {"fusion": weights.__dict__, "decision": model.to_json()}
            CALIBRATION_PATH.write_text(json.dumps(calibration, indent=1) + "\n")
            print(f"wrote {CALIBRATION_PATH.name}: {weights}, answer at {model.answer_at}")
    finally:
        service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
