"""Usage data stays bounded whatever users send: unanswered questions are kept distinct, cut
short and few, and 👍/👎 are counted only for answers that exist, once per user."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator, Callable

import pytest

from knowledge.activity import MAX_UNANSWERED
from knowledge.records.validation import LIMITS
from knowledge.service import KnowledgeService
from knowledge.storage.knowledge_base import DATABASE_NAME, UNANSWERED
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, Clock, buttons, chat_with

# Flood control off: one test user stands for the many users of a busy day.
OWNERS = Settings(admin_ids=frozenset({OWNER}), flood_limit=0)
USER = 4000
STALE = "This button is no longer valid. Please ask again."
THANKS = "Thank you for your feedback!"
FERRY = "Is there a ferry to Beijing?"


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService], clock: Clock) -> KnowledgeService:
    return make_service(clock=clock)


@pytest.fixture
async def owner(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, OWNERS) as chat:
        yield chat


def long_question(n: int) -> str:
    """A distinct question as long as a Telegram message may be."""
    return f"Question number {n} about the {n}th district " + f"and more words {n} " * 200


def data(message: dict, label_part: str) -> str:
    matches = [d for label, d in buttons(message) if label_part in label]
    assert matches, (label_part, buttons(message))
    return matches[0]


# Unanswered questions -----------------------------------------------------------------------


async def test_a_long_unanswered_question_is_kept_cut_and_can_still_become_an_entry(
    owner: Chat, service: KnowledgeService
) -> None:
    await owner.as_user(user_id=USER).send(FERRY + " And back? " * 400)
    [_, row] = await owner.send("/unanswered")
    [kept] = service.kb.unanswered()
    assert kept["text"].startswith(FERRY) and len(kept["text"]) <= LIMITS["question"]
    assert len(row["text"]) < 2 * LIMITS["question"]  # the admin is shown the cut text
    [prompt] = await owner.press(data(row, "New FAQ"), row)
    assert "other ways to ask" in prompt["text"]  # the cut text is a valid question


async def test_unanswered_questions_are_capped_newest_kept_and_repeats_counted(
    owner: Chat, service: KnowledgeService, clock: Clock
) -> None:
    activity, kb = service.activity, service.kb
    size_before = kb.path.stat().st_size
    total = 3 * MAX_UNANSWERED
    for n in range(total):
        if n % 100 == 0:  # asked again and again: kept among the most recently asked
            await owner.as_user(user_id=USER).send(FERRY)
        # As KnowledgeService.ask records each question it cannot answer; the matcher takes
        # half a second on a 4,000-character question, too slow for thousands of them here.
        activity.unanswered(long_question(n))
        clock.advance(seconds=1)
        if n % 100 == 99:
            activity.flush()  # as the job every few seconds
    activity.flush()
    rows = kb.unanswered()
    assert len(rows) == MAX_UNANSWERED
    assert rows[0]["text"] == FERRY and rows[0]["count"] == total // 100  # counted, not duplicated
    newest = {long_question(n)[:40] for n in range(total - MAX_UNANSWERED + 1, total)}
    assert {row["text"][:40] for row in rows[1:]} == newest
    assert all(len(row["text"]) <= LIMITS["question"] for row in rows)
    assert all(len(doc["key"]) <= LIMITS["question"] for doc in kb.db.table(UNANSWERED))
    growth = (kb.path.parent / DATABASE_NAME).stat().st_size - size_before
    assert growth < MAX_UNANSWERED * 1_000  # about 700 bytes a question, whatever is asked
    [title, *_] = await owner.send("/unanswered")
    assert f"Unanswered questions</b> ({MAX_UNANSWERED})" in title["html"]


def test_questions_waiting_for_the_next_write_take_bounded_memory(
    service: KnowledgeService,
) -> None:
    many = 10 * MAX_UNANSWERED  # 20 MB of text if each were kept whole
    tracemalloc.start()
    try:
        for n in range(many):
            service.activity.unanswered(long_question(n))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000
    service.activity.flush()
    rows = service.kb.unanswered()
    assert len(rows) == MAX_UNANSWERED
    assert rows[-1]["text"].startswith(long_question(many - 1)[:40])  # the newest are kept


# Votes --------------------------------------------------------------------------------------


async def answer_with_votes(chat: Chat) -> dict:
    [answer] = await chat.send("how much trade is there between moscow and china")
    assert "vote:up:faq:13" in [d for _, d in buttons(answer)]
    return answer


async def test_votes_for_entries_that_do_not_exist_are_refused_and_not_stored(
    owner: Chat, service: KnowledgeService
) -> None:
    user = owner.as_user(user_id=USER)
    answer = await answer_with_votes(user)
    forged = [f"vote:down:faq:{900_000 + n}" for n in range(200)]
    for press in forged:
        assert await user.press(press, answer) == []
    assert user.alerts == [STALE] * len(forged)
    [stats] = await owner.send("/stats")
    assert "Lowest-rated" not in stats["text"]
    assert service.kb.votes() == {}


async def test_one_vote_per_user_and_answer_the_last_one_counts(
    owner: Chat, service: KnowledgeService
) -> None:
    first, second = owner.as_user(user_id=USER), owner.as_user(user_id=USER + 1)
    answer = await answer_with_votes(first)
    for press in ("vote:down:faq:13", "vote:down:faq:13", "vote:up:faq:13"):
        await first.press(press, answer)
    service.activity.flush()
    await first.press("vote:down:faq:13", answer)  # written already: replaced, not added
    await second.press("vote:down:faq:13", answer)
    assert first.alerts[-1] == THANKS
    [stats] = await owner.send("/stats")
    assert service.kb.votes() == {"faq:13": {"up": 0, "down": 2}}
    assert "How much trade is there between Moscow and China? – 👍 0 · 👎 2" in stats["text"]


async def delete_faq(owner: Chat, faq_id: int) -> None:
    [confirm] = await owner.send(f"/delfaq {faq_id}")
    [deleted] = await owner.press(data(confirm, "Delete"), confirm)
    assert f"faq:{faq_id} deleted" in deleted["text"]


async def test_a_vote_for_an_entry_deleted_before_it_is_written_is_dropped(
    owner: Chat, service: KnowledgeService
) -> None:
    user = owner.as_user(user_id=USER)
    answer = await answer_with_votes(user)
    await user.press("vote:down:faq:13", answer)
    assert user.alerts == [THANKS]
    await delete_faq(owner, 13)
    service.activity.flush()
    assert service.kb.votes() == {}
    await user.press("vote:up:faq:13", answer)  # the button outlived its answer
    assert user.alerts[-1] == STALE


async def test_stats_never_list_deleted_entries(owner: Chat, service: KnowledgeService) -> None:
    user = owner.as_user(user_id=USER)
    answer = await answer_with_votes(user)
    await user.press("vote:down:faq:13", answer)
    [before] = await owner.send("/stats")
    assert "How much trade is there between Moscow and China? – 1" in before["text"]
    assert "👎 1" in before["text"]
    await delete_faq(owner, 13)
    [after] = await owner.send("/stats")
    assert "Most asked" not in after["text"] and "Lowest-rated" not in after["text"]
    assert "faq:13" not in after["text"]
