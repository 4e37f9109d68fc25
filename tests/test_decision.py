"""What a question asks for, the decision over the rankers' evidence, and the reply language."""

from __future__ import annotations

from dataclasses import replace

import pytest

from knowledge.matching.asked import asked_kind, holds, unstated_numbers
from knowledge.matching.decision import MODEL, Evidence, decide
from knowledge.matching.retrieval import Candidate
from knowledge.matching.text import clear_language
from knowledge.records.models import EntryRef
from knowledge.service import KnowledgeService
from tests.conftest import Chat


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("who runs beijing", "person"),
        ("moscow mayor name?", "person"),
        ("кто подписал программу", "person"),
        ("北京市长是谁", "person"),
        ("Wer hat unterschrieben?", "person"),
        ("when was it signed", "date"),
        ("когда подписали", "date"),
        ("合作计划是什么时候签的", "date"),
        ("wann war das konzert", "date"),
        ("how much does moscow export", "number"),
        ("сколько лет длится программа", "number"),
        ("贸易额是多少", "number"),
        ("wie viel importiert Moskau", "number"),
        ("what is the forum about", None),
        ("metro agreement", None),
    ],
)
def test_the_kind_of_fact_asked_for_is_recognised(question: str, kind: str | None) -> None:
    assert asked_kind(question) == kind


def test_an_answer_holds_a_fact_of_a_kind_or_not() -> None:
    assert holds("date", "It was signed on 7 December 2020.")
    assert holds("date", "于2020年12月7日签署")
    assert not holds("date", "It was signed by video.")
    assert holds("number", "for another five-year term")
    assert holds("number", "на 20,5 млрд долларов")
    assert not holds("number", "Specialists share their expertise.")
    assert holds("person", "Mayor Chen Jining said…", ["Chen Jining", "Sergei Sobyanin"])
    assert not holds("person", "Beijing Subway", ["Chen Jining"])


def test_a_number_the_answer_never_states_is_noticed() -> None:
    assert unstated_numbers("a program for 2024 to 2026?", "The program covers 2021 to 2023.")
    assert not unstated_numbers("the 2021-2023 program", "The program covers 2021 to 2023.")
    assert not unstated_numbers("what is the program", "The program covers 2021 to 2023.")


def evidence(**changes: float) -> Evidence:
    confident = Evidence(
        score=0.8,
        margin=0.3,
        lexical=0.9,
        passage_lexical=0.6,
        phrasing_meaning=0.8,
        passage_meaning=0.4,
        lexical_first=1.0,
        meaning_first=1.0,
        known_share=1.0,
        fact_missing=0.0,
        number_missing=0.0,
    )
    return replace(confident, **changes)


def candidates(*scores: float) -> list[Candidate]:
    return [Candidate(EntryRef("faq", n + 1), s, 0, 0.5, 0.3, s) for n, s in enumerate(scores)]


def test_a_clear_best_candidate_is_answered() -> None:
    decision = decide(candidates(80, 50), evidence())
    assert decision.outcome == "answer"
    assert [m.ref.id for m in decision.matches] == [1]


def test_a_weak_candidate_is_offered_and_nothing_close_is_not() -> None:
    weak = evidence(
        score=0.45,
        margin=0.0,
        lexical=0.45,
        passage_lexical=0.2,
        phrasing_meaning=0.4,
        passage_meaning=0.2,
        lexical_first=0.0,
        meaning_first=0.0,
        known_share=0.7,
    )
    assert MODEL.suggest_at <= MODEL.confidence(weak) < MODEL.answer_at
    assert decide(candidates(40, 39, 38), weak).outcome == "suggest"
    remote = replace(weak, score=0.15, phrasing_meaning=0.2, lexical=0.0, known_share=0.0)
    assert MODEL.confidence(remote) < MODEL.suggest_at
    assert decide(candidates(15, 9), remote).outcome == "none"
    assert decide([], None).outcome == "none"


@pytest.mark.parametrize(
    "doubt",
    [
        {"fact_missing": 1.0},  # "who runs beijing" and the answer names nobody
        {"number_missing": 1.0},  # "a program for 2024–2026" and the answer is for 2021–2023
        {"known_share": 0.3},  # "visa" and "price" are words the knowledge base never uses
        {"margin": 0.0},  # a twin entry just as close
    ],
)
def test_each_sign_of_doubt_lowers_the_confidence(doubt: dict[str, float]) -> None:
    assert MODEL.confidence(evidence(**doubt)) < MODEL.confidence(evidence())


def test_a_role_question_is_answered_with_the_person(service: KnowledgeService) -> None:
    answer = service.ask("who runs beijing")
    shown = [answer.reply.plain] + [s.title for s in answer.suggestions]
    assert any("Chen Jining" in text for text in shown)
    assert answer.ref != EntryRef("contact", 8)  # not the Beijing Subway's card


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("кто подписал программу", "ru"),
        ("wer hat das Programm unterschrieben", "de"),
        ("北京市长是谁", "zh"),
        ("who signed the program", "en"),
        ("Zhongguancun", None),  # a name is in no language
        ("metro 地铁", None),  # mixed
    ],
)
def test_the_language_a_question_is_clearly_written_in(text: str, lang: str | None) -> None:
    assert clear_language(text) == lang


async def test_a_russian_question_from_an_english_client_is_answered_in_russian(
    chat: Chat,
) -> None:
    english_client = chat.as_user(user_id=2101, first_name="Ivan", language_code="en")
    [reply] = await english_client.send("кто подписал программу сотрудничества")
    assert "Собянин" in reply["text"]
    [short] = await english_client.send("Sobyanin Chen Jining")  # in no language: the client's
    assert "Source:" in short["text"] or "Did you mean" in short["text"]


def test_a_bare_topic_is_offered_not_answered(service: KnowledgeService) -> None:
    subway = service.ask("subway")  # the metro agreement, or either metro's card?
    assert subway.outcome == "suggest"
    assert EntryRef("faq", 12) in [s.ref for s in subway.suggestions]
    assert service.ask("orchestra").outcome == "answer"  # one entry uses the word: no doubt


def test_an_answer_offers_the_entries_that_came_almost_as_close(
    service: KnowledgeService,
) -> None:
    answer = service.ask("who signed the agreement")
    assert answer.ref == EntryRef("faq", 2)
    labels = [button.label for row in answer.reply.buttons for button in row]
    assert any(label.startswith("↪ ") for label in labels)
