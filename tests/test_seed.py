"""The seed knowledge base: every fact of the two sources is answerable, and nothing is invented."""

from __future__ import annotations

import re

import pytest

from knowledge.matching.text import analyze
from knowledge.records.models import EventDate
from knowledge.service import KnowledgeService
from tests.conftest import seed_data

# (a question a user might ask, what the answer must say)
FACTS = [
    ("Who signed the agreement?", ["Sergei Sobyanin", "Chen Jining"]),
    ("When was the agreement signed?", ["7 December 2020"]),
    ("How was it signed?", ["video conference", "Moscow–Beijing-25"]),
    ("What was the Moscow-Beijing-25 forum?", ["25th anniversary", "online forum"]),
    ("Which anniversary did the partnership celebrate?", ["25th anniversary", "1995"]),
    ("What period does the program cover?", ["2021 to 2023"]),
    ("What is the official title of the plan?", ["Cooperation Plan of the Beijing Municipal"]),
    (
        "Which areas of cooperation does the program cover?",
        [
            "trade",
            "innovation",
            "science and technology",
            "education",
            "urban planning",
            "transport",
            "public health",
            "tourism and culture",
            "media",
        ],
    ),
    ("What is the expert database?", ["database of industry-specific experts", "talent"]),
    ("Humanities cooperation", ["instructors, students and schoolchildren", "joint study"]),
    ("Winter Olympics transport planning", ["2022 Winter Olympic Games", "transport planning"]),
    ("Coronavirus cooperation", ["coronavirus control", "treatment of COVID-19", "diagnostics"]),
    ("Will the subways sign a new agreement?", ["five-year term", "infrastructure"]),
    (
        "How much trade is there between Moscow and China?",
        ["10%", "$20.5 billion", "first nine months of 2020"],
    ),
    ("How much does Moscow export to China?", ["$1.46 billion", "$19 billion"]),
    (
        "Which orchestras played at the gala concert?",
        [
            "Bolshoi Theatre Chamber Orchestra",
            "Osipov State Russian Folk Orchestra",
            "Beijing Symphony Orchestra",
        ],
    ),
    ("Which TV channels broadcast the concert?", ["Culture TV channel", "BTV"]),
    (
        "What was the September 2020 innovation agreement?",
        ["Moscow Innovation Cluster", "Zhongguancun", "by video"],
    ),
    ("Digital economy cooperation", ["digital economy", "small and medium-sized enterprises"]),
    ("What are the two zones?", ["“two zones”", "invest"]),
    ("Tourism cooperation", ["tourism", "after the pandemic"]),
    ("What did Chen Jining say?", ["two heads of state"]),
    ("What did Sobyanin say?", ["had not held back", "traffic management"]),
    ("Where does this information come from?", ["China Daily", "Beijing Daily", "TASS"]),
]


@pytest.mark.parametrize(("question", "facts"), FACTS, ids=[q for q, _ in FACTS])
def test_every_fact_of_the_sources_is_answerable(
    service: KnowledgeService, question: str, facts: list[str]
) -> None:
    answer = service.ask(question)
    assert answer.matched, (question, answer.suggestions)
    for fact in facts:
        assert fact in answer.reply.plain, (question, fact)
    assert "Source:" in answer.reply.plain


def test_seed_records_are_complete_and_reference_known_sources() -> None:
    seed = seed_data()
    source_ids = {source["id"] for source in seed["sources"]}
    for table in ("faq", "events", "contacts"):
        ids = [record["id"] for record in seed[table]]
        assert len(ids) == len(set(ids)), f"duplicate ids in {table}"
        for record in seed[table]:
            assert record["sources"], record
            assert set(record["sources"]) <= source_ids, record
    for entry in seed["faq"]:
        assert len(entry["questions"]["en"]) >= 3 and entry["answer"]["en"]
    for event in seed["events"]:
        EventDate.parse(event["date"])


def test_no_two_entries_share_a_phrasing() -> None:
    owner: dict[tuple[str, ...], int] = {}
    for entry in seed_data()["faq"]:
        for question in entry["questions"]["en"]:
            stems = tuple(sorted({stem for _, stem in analyze(question)}))
            assert owner.setdefault(stems, entry["id"]) == entry["id"], question


def test_no_invented_phone_numbers_or_e_mail_addresses() -> None:
    text = re.sub(r"\d{4}(-\d{2}){0,2}|\d{4}–\d{4}", "", str(seed_data()))  # dates and periods
    assert not re.search(r"\+?\d[\d ()-]{6,}\d", text)
    assert not re.search(r"[\w.]+@[\w-]+\.\w+", text)


def test_contact_websites_are_official_https_portals() -> None:
    official = {"www.mos.ru", "english.beijing.gov.cn", "i.moscow", "mosmetro.ru"}
    for contact in seed_data()["contacts"]:
        if contact["website"]:
            scheme, _, rest = contact["website"].partition("://")
            assert scheme == "https" and rest.split("/")[0] in official, contact
