"""Many admin edits at once, from several admins, through the real Application: each one is
confirmed, and each one is in the knowledge base after it is reopened, including edits that
read and change the same entry or the same synonym table at the same moment."""

from __future__ import annotations

import asyncio
import random
import string
from collections.abc import Callable
from pathlib import Path

from bot import build_application
from knowledge.i18n.catalog import Catalog
from knowledge.records.models import EntryRef
from knowledge.service import KnowledgeService
from knowledge.storage.knowledge_base import KnowledgeBase
from runtime.settings import Settings
from tests.conftest import Chat, chat_with, text_of
from tests.support.crash_writer import NetworkLikeApi

OWNERS = (1001, 1002)
LISTED = (1003, 1004)  # appointed with /addadmin
SHARED_FAQ = 12  # every admin adds phrasings to this one entry at the same time
EDITED_FAQS = {1001: 2, 1002: 3, 1003: 4, 1004: 5}
NEW_PER_ADMIN = 8


class chat_over_the_network(chat_with):
    """``chat_with``, except that every Bot API call lets other updates run while it waits, as
    a real network call does; otherwise each update would run to its end before the next."""

    def __init__(self, service: KnowledgeService, settings: Settings) -> None:
        self.api = NetworkLikeApi()
        self.application = build_application(service, settings, request=self.api)


def word(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(10))


async def test_simultaneous_edits_of_several_admins_are_all_confirmed_and_kept(
    make_service: Callable[..., KnowledgeService], tmp_path: Path
) -> None:
    data_dir = tmp_path / "shared"
    service = make_service(directory=data_dir)
    rng = random.Random(7)
    edits: dict[int, list[str]] = {admin: [] for admin in (*OWNERS, *LISTED)}
    new_questions, phrasings, synonyms, answers = [], [], [], {}
    for admin, commands in edits.items():
        for _ in range(NEW_PER_ADMIN):
            new_questions.append(f"What is {word(rng)}?")
            commands.append(f"/addfaq {new_questions[-1]} | Added by {admin}.")
        for _ in range(3):
            phrasings.append(f"{word(rng)} treaty")
            commands.append(f"/addalt {SHARED_FAQ} {phrasings[-1]}")
        synonyms.append([word(rng), word(rng)])
        commands.append(f"/synonym add {synonyms[-1][0]} {synonyms[-1][1]}")
        answers[EDITED_FAQS[admin]] = f"Rewritten by admin {admin}."
        commands.append(f"/editfaq {EDITED_FAQS[admin]} answer | {answers[EDITED_FAQS[admin]]}")
        rng.shuffle(commands)

    settings = Settings(admin_ids=frozenset(OWNERS))
    async with chat_over_the_network(service, settings) as chat:
        admins = {uid: chat.as_user(user_id=uid, first_name=f"Admin {uid}") for uid in edits}
        for listed in LISTED:
            assert "✅" in text_of(await admins[OWNERS[0]].send(f"/addadmin {listed}"))

        async def send_all(admin: Chat, commands: list[str]) -> None:
            await asyncio.gather(*(admin.send(command) for command in commands))

        # Every admin sends every edit at once.
        await asyncio.gather(*(send_all(admins[uid], edits[uid]) for uid in edits))

        for uid, commands in edits.items():
            replies = [m["text"] for m in chat.api.sent if m["chat"]["id"] == uid]
            replies = replies[len(LISTED) :] if uid == OWNERS[0] else replies
            assert len(replies) == len(commands), (uid, replies)
            assert all(reply.startswith("✅") for reply in replies), replies
    service.close()

    kb = KnowledgeBase.open(data_dir)
    try:
        reopened = KnowledgeService(kb, Catalog.load())
        questions = {q for entry in kb.faqs() for q in entry.questions.get("en", [])}
        assert set(new_questions) <= questions
        shared = kb.get_doc(EntryRef("faq", SHARED_FAQ))
        assert shared is not None and set(phrasings) <= set(shared["questions"]["en"])
        assert all(group in kb.synonym_groups() for group in synonyms)
        for faq_id, answer in answers.items():
            doc = kb.get_doc(EntryRef("faq", faq_id))
            assert doc is not None and doc["answer"]["en"] == answer
        # One audit record per change, and the reopened bot answers with every new entry.
        changes = [c for c in kb.changes() if c["action"] != "admin_add"]
        assert len(changes) == sum(len(commands) for commands in edits.values())
        for question in new_questions:
            assert reopened.ask(question, "en").reply.plain.startswith(question)
    finally:
        kb.close()
