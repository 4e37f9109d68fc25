"""Running the bot calmly: what admins are told is true, and operators get one clear line."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from knowledge.models import EntryRef
from knowledge.service import KnowledgeService
from knowledge.settings import Settings
from tests.conftest import OWNER, Chat, buttons, chat_with

OWNERS = Settings(admin_ids=frozenset({OWNER}))


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService]) -> KnowledgeService:
    return make_service()


@pytest.fixture
async def owner(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, OWNERS) as chat:
        yield chat


# Admin messages say what happened ------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "ref"),
    [("/delfaq 999", "faq:999"), ("/editfaq 999", "faq:999"), ("/editcontact 999", "contact:999"),
     ("/translate 999 de", "faq:999"), ("/delevent 999", "event:999")],
)  # fmt: skip
async def test_a_missing_entry_is_named_not_answered_with_the_usage(
    owner: Chat, command: str, ref: str
) -> None:
    [reply] = await owner.send(command)
    assert reply["text"] == f"There is no entry {ref}."


async def test_an_edit_that_changes_nothing_says_so(owner: Chat, service: KnowledgeService) -> None:
    name = service.kb.get_doc(EntryRef("contact", 1))["name"]["en"]
    [reply] = await owner.send(f"/editcontact 1 name | {name}")
    assert reply["text"] == "Nothing changed: contact:1 already says exactly that."
    [history] = await owner.send("/history contact:1")
    assert "edited" not in history["text"]


async def test_attaching_an_unanswered_question_is_offered_only_where_it_fits(
    owner: Chat,
) -> None:
    asker = owner.as_user(user_id=4242, first_name="Ivan")
    await asker.send("what is the weather in beijing tomorrow")
    await asker.send("can I take a ferry")
    await owner.send("/addfaq Can I take a ferry? | No, there is no ferry.")
    title, *rows = await owner.send("/unanswered")
    offers = {row["text"].split("\n")[0]: [label for label, _ in buttons(row)] for row in rows}
    [weather] = [labels for text, labels in offers.items() if "weather" in text]
    [ferry] = [labels for text, labels in offers.items() if "ferry" in text]
    assert not any("Attach" in label for label in weather)
    assert "📎 Attach to #24" in ferry
