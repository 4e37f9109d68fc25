"""The meaning-aware stage: paraphrases across languages, answer passages, the vector cache and
edits in place, with the real model (it ships inside its package)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge.matching.semantic import SemanticIndex, VectorCache, default_embedder, entry_texts
from knowledge.records.models import EntryRef, FaqEntry
from knowledge.service import KnowledgeService

_instances = itertools.count()


class CountingEmbedder:
    """The bot's real model, noting every text it is asked to embed."""

    dimensions = 512

    def __init__(self) -> None:
        self.name = f"counting-{next(_instances)}"  # its own: the process memory is per model
        self.embedded: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return default_embedder().encode(texts)


def faq(entry_id: int, question: str, answer: str) -> FaqEntry:
    return FaqEntry(entry_id, {"en": [question]}, {"answer": {"en": answer}})


ENTRIES = [
    faq(1, "Is there an agreement between the two subways?", "A new five-year deal is planned."),
    faq(2, "How much trade is there between the cities?", "Trade grew to $20.5 billion."),
    faq(3, "Which orchestras played at the gala concert?", "The Osipov folk orchestra."),
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("на сколько лет продлят договор метрополитенов", 1),
        ("Wie viel Handel treiben die beiden Städte miteinander?", 2),
        ("哪些乐团参加了演出", 3),
        ("for how long will they extend the metro deal", 1),
    ],
)
def test_a_paraphrase_in_another_language_finds_the_entry(question: str, expected: int) -> None:
    index = SemanticIndex(VectorCache(default_embedder()), ENTRIES)
    assert index.rank(question, 1)[0].ref == EntryRef("faq", expected)


def test_an_answer_passage_is_found_by_the_fact_it_states() -> None:
    index = SemanticIndex(VectorCache(default_embedder()), ENTRIES)
    [best] = index.rank("did the Osipov orchestra perform", 1)
    assert best.ref == EntryRef("faq", 3)
    assert best.passage > 0.4  # its answer names the orchestra; its question does not


def test_a_second_start_embeds_nothing_and_an_edit_only_what_is_new(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npz"
    first = CountingEmbedder()
    SemanticIndex(VectorCache(first, path), ENTRIES).save()
    assert len(first.embedded) == 6  # three questions, three answers
    again = CountingEmbedder()
    again.name = first.name
    index = SemanticIndex(VectorCache(again, path), ENTRIES)
    assert again.embedded == []  # every vector came from the file
    index.upsert(faq(2, "How much trade is there between the cities?", "Imports: $19 billion."))
    assert again.embedded == ["Imports: $19 billion."]
    assert index.rank("how big are imports from China", 1)[0].ref == EntryRef("faq", 2)


def test_text_that_is_not_well_formed_is_embedded_all_the_same() -> None:
    index = SemanticIndex(VectorCache(default_embedder()), ENTRIES)
    assert index.rank("metro deal\udfff", 1)[0].ref == EntryRef("faq", 1)  # a lone surrogate


def test_a_removed_entry_is_no_longer_found() -> None:
    index = SemanticIndex(VectorCache(default_embedder()), ENTRIES)
    index.remove(EntryRef("faq", 1))
    assert EntryRef("faq", 1) not in {m.ref for m in index.rank("metro agreement", 5)}
    assert len(index) == 2


def test_an_unreadable_cache_is_embedded_again(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npz"
    path.write_bytes(b"not a numpy file")
    embedder = CountingEmbedder()
    index = SemanticIndex(VectorCache(embedder, path), ENTRIES)
    assert len(embedder.embedded) == 6
    assert index.rank("subway deal", 1)[0].ref == EntryRef("faq", 1)


def test_a_shortlist_smaller_than_the_index_still_finds_the_best() -> None:
    many = [faq(n, f"Question number {n} about topic {n}", f"Answer {n}") for n in range(10, 80)]
    index = SemanticIndex(VectorCache(default_embedder()), [*ENTRIES, *many], shortlist=8)
    assert index.rank("which orchestras performed at the concert", 1)[0].ref == EntryRef("faq", 3)


def test_the_seed_s_vectors_ship_with_the_bot(service: KnowledgeService) -> None:
    """A first start embeds nothing; after a seed change: python -m knowledge.matching.semantic."""
    cache = VectorCache(default_embedder())  # no data directory: only what ships
    texts = [text for entry in service.kb.entries() for text in entry_texts(entry)]
    assert cache.missing(texts) == []


def test_the_service_keeps_new_vectors_for_the_next_start(
    make_service: Callable[..., KnowledgeService], tmp_path: Path
) -> None:
    from knowledge.admin.editing import Editor
    from knowledge.admin.permissions import Roles

    directory = tmp_path / "kept"
    service = make_service(directory=directory)
    service.close()
    assert not (directory / "vectors.npz").exists()  # the seed's vectors ship with the bot
    service = make_service(directory=directory)
    Editor(service.kb, service.matcher, Roles(service.kb, frozenset({1}))).create(
        1, "faq", {"questions": {"en": ["Is there a ferry?"]}, "answer": {"en": "No ferry."}}
    )
    service.close()
    cache = VectorCache(default_embedder(), directory / "vectors.npz")
    assert cache.missing(["Is there a ferry?", "No ferry."]) == []


def test_an_admin_edit_is_answerable_at_once_by_meaning(service: KnowledgeService) -> None:
    from knowledge.admin.editing import Editor
    from knowledge.admin.permissions import Roles

    editor = Editor(service.kb, service.matcher, Roles(service.kb, frozenset({1})))
    ref = editor.create(
        1,
        "faq",
        {
            "questions": {"en": ["Is there a ferry between the river ports?"]},
            "answer": {"en": "Yes: the river ferry runs twice a day from May to September."},
        },
    )
    answer = service.ask("how often does the boat on the river go")
    assert ref in [answer.ref, *(s.ref for s in answer.suggestions)]
