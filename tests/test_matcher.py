"""The matcher and the answer decision: typos, word order, paraphrase, and out-of-scope
questions, judged by what the user gets (an answer, a choice, or an honest "no answer")."""

from __future__ import annotations

import pytest

from bench.reference import ExhaustiveScorer
from knowledge.matching.matcher import TIE, Matcher
from knowledge.records.models import EntryRef, FaqEntry
from knowledge.service import KnowledgeService

TYPOS = [
    ("wen was the agrement signd", "faq:2"),
    ("who sined the agreemnt", "faq:2"),
    ("trade betwen moskow and chna", "faq:13"),
    ("experts databse", "faq:7"),
    ("corona virus cooperation", "faq:11"),
    ("gala conсert orchestras", "faq:14"),
    ("subwya agreement", "faq:12"),
    ("winter olimpics", "faq:10"),
]

WORD_ORDER = [
    ("signed agreement when was the", "faq:2"),
    ("china moscow trade volume", "faq:13"),
    ("database experts industry", "faq:7"),
    ("concert gala online", "faq:14"),
    ("zones two the are what", "faq:17"),
]

PARAPHRASE = [
    ("how much trade is there between Moscow and China", "faq:13"),
    ("how much does moscow export", "faq:13"),
    ("imports from china to moscow", "faq:13"),
    ("how long have the cities been partners", "faq:6"),
    ("can students go on exchange", "faq:8"),
    ("how did they sign the program", "faq:2"),
    ("was it signed online", "faq:2"),
    ("how long is the program", "faq:3"),
    ("which orchestras played", "faq:14"),
    ("which tv channel broadcast the concert", "faq:14"),
    ("what did sobyanin say", "faq:21"),
    ("where is this info from", "faq:22"),
    ("small and medium enterprises", "faq:16"),
    ("invest in beijing", "faq:17"),
    ("traffic management", "faq:9"),
    ("metro cooperation", "faq:12"),
    ("is the program still valid", "faq:3"),
]

# Weak paraphrases: the words differ too much for a confident answer, but the right topic
# must be offered first.
WEAK_PARAPHRASE = [
    ("which fields are covered", "faq:4"),
    ("how long will the plan run", "faq:3"),
]

OUT_OF_SCOPE = [
    "what's the weather in Paris",
    "recipe for chocolate cake",
    "bitcoin price",
    "tell me a joke",
    "what time is it",
    "is there a football match today",
    "weather in moscow tomorrow",
    "best restaurants in beijing",
    "population of moscow",
    "who won the world cup",
    "hello",
    "asdfghjkl",
    "???",
]


@pytest.mark.parametrize(("question", "expected"), TYPOS + WORD_ORDER + PARAPHRASE)
def test_question_is_answered_with_the_right_entry(
    service: KnowledgeService, question: str, expected: str
) -> None:
    answer = service.ask(question)
    assert answer.outcome == "answer", (question, answer.suggestions)
    assert str(answer.ref) == expected


@pytest.mark.parametrize(("question", "expected"), WEAK_PARAPHRASE)
def test_weak_paraphrase_offers_the_right_topic_first(
    service: KnowledgeService, question: str, expected: str
) -> None:
    answer = service.ask(question)
    assert answer.outcome in ("answer", "suggest")
    first = answer.ref if answer.outcome == "answer" else answer.suggestions[0].ref
    assert str(first) == expected


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_out_of_scope_question_is_not_answered(service: KnowledgeService, question: str) -> None:
    answer = service.ask(question)
    assert answer.outcome in ("none", "suggest"), (question, answer.score, answer.suggestions)
    assert not answer.matched


def test_empty_question_is_guarded(service: KnowledgeService) -> None:
    for question in ("", "   ", "\n"):
        answer = service.ask(question)
        assert answer.outcome == "empty"
        assert "write your question in words" in answer.reply.plain
    assert service.kb.unanswered() == []


def test_only_stopwords_find_nothing(service: KnowledgeService) -> None:
    assert service.matcher.lexical.rank("what is the") == []


def test_scores_are_percentages_best_first(service: KnowledgeService) -> None:
    ranked = service.matcher.rank("subway agreement", limit=5)
    scores = [m.score for m in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 100 for s in scores)
    assert len({m.ref for m in ranked}) == len(ranked)  # one match per entry


def test_event_titles_and_contact_names_are_matched(service: KnowledgeService) -> None:
    assert service.matcher.rank("Osipov orchestra gala")[0].ref.kind in ("faq", "event")
    assert service.matcher.rank("Moscow Metro")[0].ref == EntryRef("contact", 6)
    assert service.matcher.rank("online gala concert closing the forum")[0].ref in (
        EntryRef("event", 3),
        EntryRef("faq", 14),
    )


def entry(entry_id: int, *questions: str) -> FaqEntry:
    return FaqEntry(entry_id, {"en": list(questions)}, {"answer": {"en": "answer"}})


def test_upsert_and_remove_are_visible_to_the_next_query() -> None:
    matcher = Matcher([entry(1, "When does the ferry leave?")])
    assert matcher.rank("ferry timetable")[0].ref == EntryRef("faq", 1)
    matcher.upsert(entry(1, "Where is the museum?"))
    assert matcher.rank("ferry timetable") == []
    assert matcher.rank("museum")[0].ref == EntryRef("faq", 1)
    matcher.remove(EntryRef("faq", 1))
    assert matcher.rank("museum") == []
    assert len(matcher) == 0


def test_rare_words_outweigh_common_ones() -> None:
    matcher = Matcher(
        [
            entry(1, "Moscow metro"),
            entry(2, "Moscow parks"),
            entry(3, "Moscow theatres"),
        ]
    )
    best = matcher.rank("metro in moscow")
    assert best[0].ref == EntryRef("faq", 1)
    assert best[0].score - best[1].score > 25


def test_the_index_scores_exactly_as_scoring_every_phrasing_would(
    service: KnowledgeService,
) -> None:
    """The inverted index, the typo index and the vectorised scoring lose nothing: every
    score is the exhaustive one, the top entry is a best one, and no better entry is missed
    (near-ties, within TIE, may come in either order)."""
    scorer = ExhaustiveScorer(list(service.kb.entries()), service.kb.synonym_groups())
    questions = [q for q, _ in TYPOS + WORD_ORDER + PARAPHRASE + WEAK_PARAPHRASE]
    for question in questions + OUT_OF_SCOPE:
        fast = service.matcher.lexical.rank(question, 5)
        exhaustive = scorer.scores(question)
        assert bool(fast) == bool(exhaustive), question
        if not fast:
            continue
        for match in fast:
            assert match.score == pytest.approx(exhaustive[match.ref], abs=0.05), question
        assert exhaustive[fast[0].ref] >= max(exhaustive.values()) - TIE - 0.05, question
        missed = [score for ref, score in exhaustive.items() if ref not in {m.ref for m in fast}]
        if len(fast) == 5 and missed:
            assert max(missed) <= fast[-1].score + TIE + 0.05, question


def test_near_ties_are_ordered_by_text() -> None:
    twins = Matcher([entry(1, "ferry timetable summer"), entry(2, "summer ferry timetable")])
    assert [m.ref.id for m in twins.rank("summer ferry timetable")] == [2, 1]
    assert [m.ref.id for m in twins.rank("ferry timetable summer")] == [1, 2]
