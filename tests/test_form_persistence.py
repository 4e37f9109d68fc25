"""Forms across a restart: an admin's half-filled form is kept in the data directory, so
that after a restart the next message fills the next field; a form left past its timeout is
closed with a notice, never recorded as a question; a damaged conversations file is kept aside
and the bot starts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from handlers.persistence import CONVERSATIONS_FILE
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, Clock, chat_with, text_of

OWNERS = Settings(admin_ids=frozenset({OWNER}))


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService], clock: Clock) -> KnowledgeService:
    return make_service(clock=clock)


async def start_a_form(service: KnowledgeService) -> None:
    """An owner fills in the question and other phrasings of a new FAQ entry, then the bot
    stops (as at a restart) and its knowledge base is closed."""
    async with chat_with(service, OWNERS) as owner:
        await owner.send("/addfaq")
        await owner.send("Is there a ferry between Moscow and Beijing?")
        [prompt] = await owner.send("ferry connection\nboat between the capitals")
        assert "Send the answer" in prompt["text"]
    service.close()


async def test_a_half_filled_form_carries_on_after_a_restart(
    make_service: Callable[..., KnowledgeService], service: KnowledgeService, clock: Clock
) -> None:
    await start_a_form(service)
    restarted = make_service(directory=service.kb.path.parent, clock=clock)
    async with chat_with(restarted, OWNERS) as owner:
        [prompt] = await owner.send("No. The cities are connected by air and rail only.")
        assert "tags" in prompt["text"]  # the next field of the same form
        [preview] = await owner.send("/skip")
        [saved] = await owner.press("form:save", preview)
        assert "Saved as faq:24" in saved["text"]
        asker = owner.as_user(user_id=3005, first_name="Olga")
        assert "air and rail" in text_of(await asker.send("boat between the capitals"))
    assert restarted.kb.unanswered() == []


async def test_a_form_left_past_its_timeout_across_a_restart_is_closed_and_said_so(
    make_service: Callable[..., KnowledgeService], service: KnowledgeService, clock: Clock
) -> None:
    await start_a_form(service)
    clock.advance(minutes=16)  # the bot was down longer than the form may wait
    restarted = make_service(directory=service.kb.path.parent, clock=clock)
    async with chat_with(restarted, OWNERS) as owner:
        [closed] = await owner.send("No. The cities are connected by air and rail only.")
        assert "The form was left for 15 minutes and has been closed" in closed["text"]
        assert "Sobyanin" in text_of(await owner.send("who signed the agreement"))
        asker = owner.as_user(user_id=3005, first_name="Olga")
        assert "air and rail" not in text_of(await asker.send("boat between the capitals"))
    assert not any("air and rail" in row["text"] for row in restarted.kb.unanswered())


async def test_a_damaged_conversations_file_is_kept_aside_and_the_bot_starts(
    service: KnowledgeService,
) -> None:
    directory = service.kb.path.parent
    (directory / CONVERSATIONS_FILE).write_bytes(b"not a pickle")
    async with chat_with(service, OWNERS) as owner:
        [prompt] = await owner.send("/addfaq")
        assert "Send the <b>question</b>" in prompt["html"]
    [kept] = directory.glob(f"{CONVERSATIONS_FILE}.damaged-*")
    assert kept.read_bytes() == b"not a pickle"
