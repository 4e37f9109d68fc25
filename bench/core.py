"""Measurements of the matching core at one knowledge-base size, run in a process of its own
(``python -m bench.core --size N``) so that its peak memory is its own. Prints one JSON object.

Baselines run in the same process on the same questions: exhaustive
``rapidfuzz.process.extractOne(WRatio)`` over every phrasing, and difflib's
``get_close_matches`` (as older FAQ bots use it), on a sample where it would take too long.
"""

from __future__ import annotations

import argparse
import difflib
import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

from bench.generator import Generator, Question
from bench.reference import ExhaustiveScorer
from knowledge.matching.decision import decide, gather
from knowledge.matching.matcher import TIE, Matcher
from knowledge.matching.retrieval import HybridMatcher
from knowledge.matching.semantic import SemanticIndex, VectorCache, default_embedder
from knowledge.records.models import FaqEntry

LIMIT = 5
SEMANTIC_MAX = 10_000  # above this the vectors need more than 2 GB: the stage is projected
VECTOR_BYTES = 512 * 4  # one text's vector in memory (float32)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 3),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 3),
        "runs": len(seconds),
    }


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure(
    size: int, question_count: int, repeat: int, sample: int, semantic_max: int = SEMANTIC_MAX
) -> dict[str, Any]:
    generator = Generator(seed=size)
    entries = generator.entries(size)
    questions = generator.questions(entries, question_count)
    report: dict[str, Any] = {"entries": size, "questions": len(questions)}

    build_seconds, matcher = timed(lambda: Matcher(entries))
    report["phrasings"] = matcher.phrasing_count
    report["build_s"] = round(build_seconds, 3)
    report["rss_after_build_mb"] = peak_rss_mb()

    latencies, ours = [], {}
    for _ in range(repeat):
        for number, question in enumerate(questions):
            seconds, ranked = timed(lambda q=question: matcher.rank(q.text, LIMIT))
            latencies.append(seconds)
            ours[number] = ranked
    report["query"] = summary_ms(latencies)
    report["quality"] = _quality(questions, ours)

    # Exhaustive WRatio costs over a second a question at 100,000 entries: a smaller sample.
    report["wratio"] = _wratio(entries, questions, ours, sample if size <= 10_000 else sample // 6)
    report["ratio_vs_wratio"] = round(
        report["wratio"]["latency"]["p50_ms"] / report["query"]["p50_ms"], 1
    )
    if size <= 10_000:
        report["difflib"] = _difflib(entries, questions, max(5, sample // 30))
        report["ratio_vs_difflib"] = round(
            report["difflib"]["latency"]["p50_ms"] / report["query"]["p50_ms"], 1
        )
        report["reference"] = _reference(entries, questions, ours, max(10, sample // 10))
    report["edit"] = _edit_latency(matcher, generator, entries)
    report["peak_rss_mb"] = peak_rss_mb()
    if size <= semantic_max:
        report["semantic"] = _semantic_stage(entries, questions, repeat, sample, generator)
        # Through the admin path (the texts are embedded already: the cache is per process).
        report["edit_durable"] = _durable_edit(entries, generator)
    else:
        texts = sum(len(e.phrasings()) + len(e.passages()) for e in entries)
        report["semantic"] = {
            "skipped": True,
            "texts": texts,
            "vectors_mb_projected": round(texts * VECTOR_BYTES / 1e6),
        }
    return report


def _semantic_stage(
    entries: list[FaqEntry],
    questions: list[Question],
    repeat: int,
    sample: int,
    generator: Generator,
) -> dict[str, Any]:
    """The bot's whole ranking and decision: lexical, passages and embeddings fused."""
    before = peak_rss_mb()
    build_seconds, hybrid = timed(
        lambda: HybridMatcher(entries, [], VectorCache(default_embedder()))
    )
    result: dict[str, Any] = {"build_s": round(build_seconds, 1), "rss_mb": peak_rss_mb()}
    result["rss_added_mb"] = round(result["rss_mb"] - before, 1)
    answers = {e.id: e.answer.get("en", "") for e in entries}
    latencies, decisions = [], {}
    for _ in range(repeat):
        for number, question in enumerate(questions):
            seconds, decision = timed(lambda q=question: _decide(hybrid, q.text, answers))
            latencies.append(seconds)
            decisions[number] = decision
    result["query"] = summary_ms(latencies)
    result["quality"] = _decision_quality(questions, decisions)
    result["shortlist_agreement"] = _shortlist_agreement(hybrid.semantic, questions, sample)
    result["edit"] = _edit_latency(hybrid, generator, entries, runs=10, marker="zqw")
    return result


def _decide(hybrid: HybridMatcher, question: str, answers: dict[int, str]) -> Any:
    found = hybrid.retrieve(question)
    first = found.candidates[0].ref.id if found.candidates else None
    return decide(found.candidates, gather(question, found, answers.get(first, "")))


def _decision_quality(questions: list[Question], decisions: dict[int, Any]) -> dict[str, Any]:
    in_scope = [n for n, q in enumerate(questions) if q.expected is not None]
    out_of_scope = [n for n, q in enumerate(questions) if q.expected is None]
    first = {n: (d.matches[0].ref.id if d.matches else None) for n, d in decisions.items()}
    answered = [n for n in in_scope if decisions[n].outcome == "answer"]
    right = sum(1 for n in answered if first[n] == questions[n].expected)
    offered = sum(
        1 for n in in_scope if questions[n].expected in {m.ref.id for m in decisions[n].matches}
    )
    refused = sum(1 for n in out_of_scope if decisions[n].outcome != "answer")
    return {
        "answered_right": round(right / max(1, len(in_scope)), 4),
        "answered_wrong": round((len(answered) - right) / max(1, len(in_scope)), 4),
        "right_entry_shown": round(offered / max(1, len(in_scope)), 4),
        "out_of_scope_refused": round(refused / max(1, len(out_of_scope)), 4),
    }


def _shortlist_agreement(
    index: SemanticIndex, questions: list[Question], sample: int
) -> dict[str, Any]:
    """The two-stage search (entry means, then exact) against scoring every vector."""
    same = 0
    picked = questions[:sample]
    for question in picked:
        vector = index.encode(question.text)
        fast = index.rank(vector, 1)
        full = index.rank(vector, 1, shortlist=len(index) + 1)  # every entry scored exactly
        same += bool(fast and full and fast[0].ref == full[0].ref) or (not fast and not full)
    return {"top1_agreement": round(same / max(1, len(picked)), 4), "sample": len(picked)}


def _quality(questions: list[Question], ours: dict[int, list[Any]]) -> dict[str, Any]:
    in_scope = [n for n, q in enumerate(questions) if q.expected is not None]
    out_of_scope = [n for n, q in enumerate(questions) if q.expected is None]
    correct = sum(1 for n in in_scope if _top(ours[n]) == questions[n].expected)
    by_damage: dict[str, list[bool]] = {}
    by_language: dict[str, list[bool]] = {}
    for n in in_scope:
        right = _top(ours[n]) == questions[n].expected
        by_damage.setdefault(questions[n].damage, []).append(right)
        by_language.setdefault(questions[n].lang, []).append(right)
    return {
        "top1_correct": round(correct / max(1, len(in_scope)), 4),
        "out_of_scope_found_nothing": round(
            sum(1 for n in out_of_scope if not ours[n]) / max(1, len(out_of_scope)), 4
        ),
        "top1_by_damage": {k: round(sum(v) / len(v), 4) for k, v in sorted(by_damage.items())},
        "top1_by_language": {k: round(sum(v) / len(v), 4) for k, v in sorted(by_language.items())},
    }


def _top(ranked: list[Any]) -> int | None:
    return ranked[0].ref.id if ranked else None


def _processed_phrasings(entries: list[FaqEntry]) -> tuple[dict[int, str], dict[int, int]]:
    """Every phrasing, preprocessed once (rapidfuzz does none unless asked), by a key; and the
    entry each key belongs to."""
    choices: dict[int, str] = {}
    owner: dict[int, int] = {}
    for entry in entries:
        for _, text, _ in entry.phrasings():
            key = len(choices)
            choices[key] = utils.default_process(text)
            owner[key] = entry.id
    return choices, owner


def _wratio(
    entries: list[FaqEntry], questions: list[Question], ours: dict[int, list[Any]], sample: int
) -> dict[str, Any]:
    """Exhaustive WRatio over every phrasing: its speed, and how often it agrees with us."""
    choices, owner = _processed_phrasings(entries)
    picked = list(range(len(questions)))[:sample]
    latencies, agree, in_scope, correct = [], 0, 0, 0
    for number in picked:
        question = questions[number]
        seconds, best = timed(
            lambda q=question: process.extractOne(
                utils.default_process(q.text), choices, scorer=fuzz.WRatio, score_cutoff=1
            )
        )
        latencies.append(seconds)
        if question.expected is None:
            continue
        in_scope += 1
        top = owner[best[2]] if best else None
        agree += top == _top(ours[number])
        correct += top == question.expected
    return {
        "latency": summary_ms(latencies),
        "top1_agreement_in_scope": round(agree / max(1, in_scope), 4),
        "top1_correct": round(correct / max(1, in_scope), 4),
        "sample": len(picked),
    }


def _difflib(entries: list[FaqEntry], questions: list[Question], sample: int) -> dict[str, Any]:
    texts = [text.lower() for entry in entries for _, text, _ in entry.phrasings()]
    latencies = [
        timed(lambda q=q: difflib.get_close_matches(q.text.lower(), texts, n=1, cutoff=0.6))[0]
        for q in questions[:sample]
    ]
    return {"latency": summary_ms(latencies), "sample": len(latencies)}


def _reference(
    entries: list[FaqEntry], questions: list[Question], ours: dict[int, list[Any]], sample: int
) -> dict[str, Any]:
    """Exhaustive scoring with the bot's own formula, phrasing by phrasing: the index must
    give the same top entry and the same scores."""
    scorer = ExhaustiveScorer(entries)
    same_top = same_scores = 0
    for number in range(min(sample, len(questions))):
        scores = scorer.scores(questions[number].text)
        reference = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:LIMIT]
        mine = ours[number]
        if not reference or not mine:
            same_top += not reference and not mine
        else:  # our top entry is a best one (ties at the top are equally right)
            same_top += scores.get(mine[0].ref, 0.0) >= reference[0][1] - TIE - 0.05
        same_scores += all(abs(m.score - scores.get(m.ref, 0.0)) < 0.05 for m in mine)
    checked = min(sample, len(questions))
    return {
        "top1_agreement": round(same_top / checked, 4),
        "score_agreement": round(same_scores / checked, 4),
        "sample": checked,
    }


def _edit_latency(
    matcher: Matcher | HybridMatcher,
    generator: Generator,
    entries: list[FaqEntry],
    runs: int = 20,
    marker: str = "zqx",
) -> dict:
    """From an admin's new entry to the first question that finds it: index update only (for
    the hybrid matcher that includes embedding the new texts)."""
    seconds = []
    for number in range(runs):
        new_id = len(entries) + 1000 + number
        question = f"{marker}{number} " + " ".join(
            generator.foreign["en"][number * 3 : number * 3 + 3]
        )
        answer = {"en": f"answer {marker} {number}"}
        entry = FaqEntry(new_id, {"en": [question]}, {"answer": answer})

        def edit_and_ask(entry: FaqEntry = entry, question: str = question) -> bool:
            matcher.upsert(entry)
            return matcher.rank(question, 1)[0].ref.id == entry.id

        elapsed, found = timed(edit_and_ask)
        assert found
        seconds.append(elapsed)
    return summary_ms(seconds)


def _durable_edit(entries: list[FaqEntry], generator: Generator) -> dict:
    """The same, through the admin path: validated, written to disk with its audit record, then
    answerable."""
    from knowledge.admin.editing import Editor
    from knowledge.admin.permissions import Roles
    from knowledge.storage.knowledge_base import KnowledgeBase

    with tempfile.TemporaryDirectory() as directory:
        kb = KnowledgeBase.open(Path(directory))
        docs = [
            {"id": e.id, "questions": e.questions, "answer": e.answer, "tags": [], "sources": []}
            for e in entries
        ]
        with kb.transaction():
            kb.replace_content({"faq": docs, "sources": [], "synonyms": []})
        matcher = HybridMatcher(kb.entries(), [], VectorCache(default_embedder()))
        editor = Editor(kb, matcher, Roles(kb, frozenset({1})))
        seconds = []
        for number in range(10):
            question = f"zqy{number} " + " ".join(generator.foreign["de"][number : number + 3])

            def edit_and_ask(question: str = question) -> bool:
                ref = editor.create(
                    1, "faq", {"questions": {"en": [question]}, "answer": {"en": "answer"}}
                )
                return matcher.rank(question, 1)[0].ref == ref

            elapsed, found = timed(edit_and_ask)
            assert found
            seconds.append(elapsed)
        result = summary_ms(seconds)
        result["file_mb"] = round(kb.path.stat().st_size / 1e6, 2)
        kb.close()
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.core")
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--questions", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=300, help="questions for slow baselines")
    parser.add_argument("--semantic-max", type=int, default=SEMANTIC_MAX)
    args = parser.parse_args(argv)
    report = measure(args.size, args.questions, args.repeat, args.sample, args.semantic_max)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
