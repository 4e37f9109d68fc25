"""Flood control: a user going too fast is told once how long to wait and then ignored until
then; admins and other users carry on. At the default limit, someone who only walks the menus
is never stopped (users once were, and told the bot was slow), and a flood is told the real
wait, in seconds, in every language."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import pytest

from handlers.context import services_of
from knowledge.service import KnowledgeService
from runtime.flood import BUTTON_FACTOR, WINDOW, FloodGuard, Verdict
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, Clock, buttons, chat_with, text_of

TOO_FAST = "Please wait"
LIMITED = Settings(admin_ids=frozenset({OWNER}), flood_limit=3)
WAIT = re.compile(r"Please wait (\d+) s\b")
QUESTIONS = ("when was the agreement signed", "who signed it", "subway agreement")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_is_a_count_per_minute_then_one_warning_then_silence() -> None:
    clock = FakeClock()
    guard = FloodGuard(limit=20, clock=clock)
    verdicts = []
    for _ in range(25):
        verdicts.append(guard.check(7))
        clock.now += 1
    assert verdicts == [Verdict.ALLOW] * 20 + [Verdict.WARN] + [Verdict.IGNORE] * 4
    assert guard.check(8) is Verdict.ALLOW  # someone else is not affected
    clock.now += WINDOW
    assert guard.check(7) is Verdict.ALLOW  # after the pause the user is answered again


def test_a_steady_pace_under_the_limit_is_never_stopped() -> None:
    clock = FakeClock()
    guard = FloodGuard(limit=20, clock=clock)
    for _ in range(200):  # one message every 3.5 s: about 17 a minute
        assert guard.check(7) is Verdict.ALLOW
        clock.now += 3.5
    clock.now += WINDOW
    assert guard.check(7) is Verdict.ALLOW


def test_a_limit_of_zero_turns_flood_control_off() -> None:
    guard = FloodGuard(limit=0)
    assert {guard.check(7) for _ in range(1000)} == {Verdict.ALLOW}


@pytest.fixture
async def limited(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, LIMITED) as chat:
        yield chat


async def test_a_flooding_user_is_told_once_and_then_ignored(limited: Chat) -> None:
    user = limited.as_user(user_id=4040, first_name="Bot-like")
    for _ in range(3):
        assert "7 December 2020" in text_of(await user.send("when was the agreement signed"))
    [warning] = await user.send("when was the agreement signed")
    assert TOO_FAST in warning["text"]
    for _ in range(20):
        assert await user.send("when was the agreement signed") == []
        assert await user.send("/help") == []


async def test_button_presses_count_on_their_own_budget_and_the_warning_is_an_alert(
    limited: Chat,
) -> None:
    user = limited.as_user(user_id=4041, first_name="Clicker")
    [results] = await user.send("/search subway")  # the first of three messages allowed
    for _ in range(3 * BUTTON_FACTOR):
        assert "five-year term" in text_of(await user.press("show:faq:12", results))
    assert await user.press("show:faq:12", results) == []
    assert TOO_FAST in limited.alerts[-1]


async def test_admins_and_other_users_are_not_locked_out_by_a_flood(limited: Chat) -> None:
    flooder = limited.as_user(user_id=4042, first_name="Flooder")
    neighbour = limited.as_user(user_id=4043, first_name="Neighbour")
    for _ in range(30):
        await flooder.send("spam spam spam")
    for _ in range(10):  # the owner is never limited
        assert "Administrator commands" in text_of(await limited.send("/help"))
    for _ in range(3):
        assert "7 December 2020" in text_of(await neighbour.send("when was it signed"))


async def test_group_chatter_not_addressed_to_the_bot_does_not_count(limited: Chat) -> None:
    member = limited.as_user(
        user_id=4044, first_name="Wang", chat_id=-100123, chat_type="supergroup"
    )
    for _ in range(10):
        assert await member.send("colleagues talking among themselves") == []
    [reply] = await member.send("/help")
    assert "How to use this bot" in reply["text"]


# At the default limit, on the test's clock ----------------------------------------------------


@pytest.fixture
async def chat(make_service: Callable[..., KnowledgeService], clock: Clock) -> AsyncIterator[Chat]:
    """The bot with the default settings; its knowledge base and flood control read the test's
    clock."""
    async with chat_with(make_service(clock=clock), Settings()) as conversation:
        services_of(conversation.application).flood.clock = lambda: clock.now.timestamp()
        yield conversation


async def test_a_person_walking_the_menus_is_answered_every_time(chat: Chat, clock: Clock) -> None:
    user = chat.as_user(user_id=3001, first_name="Walker")
    [menu] = await user.send("/start")
    pages = [data for _, data in buttons(menu) if data.startswith("menu:")]
    for press in range(40):  # 40 presses and 15 questions in 55 seconds
        page = pages[press % len(pages)]
        assert text_of(await user.press(page, menu)), f"press {press + 1} was not answered"
        clock.advance(seconds=1)
        if press % 3 == 0:
            reply = text_of(await user.send(QUESTIONS[press % len(QUESTIONS)]))
            assert reply and "Please wait" not in reply
    assert not any("wait" in alert.lower() for alert in chat.alerts)


async def test_a_flood_of_text_is_told_the_real_wait_and_answered_right_after_it(
    chat: Chat, clock: Clock
) -> None:
    user = chat.as_user(user_id=3002, first_name="Fast")
    for _ in range(20):  # the typed budget: 20 a minute, one a second here
        assert "7 December 2020" in text_of(await user.send("when was the agreement signed"))
        clock.advance(seconds=1)
    [notice] = await user.send("when was the agreement signed")
    assert "faster than I can answer" not in notice["text"]  # the answers were not slow
    seconds = int(WAIT.search(notice["text"])[1])
    assert seconds == 40  # the first of the 20 leaves the minute 40 s from now
    clock.advance(seconds=seconds - 1)
    assert await user.send("who signed it") == []  # told to wait: not yet
    clock.advance(seconds=1)
    assert "Sobyanin" in text_of(await user.send("who signed it"))  # the first one after it


@pytest.mark.parametrize(
    ("lang", "wait"),
    [("en", "Please wait 60 s"), ("ru", "Подождите, пожалуйста, 60 с"), ("zh", "请等待 60 秒"),
     ("de", "Bitte warten Sie 60 s")],
)  # fmt: skip
async def test_the_wait_is_said_in_seconds_in_every_language(
    chat: Chat, lang: str, wait: str
) -> None:
    user = chat.as_user(user_id=3003, first_name="Fast", language_code=lang)
    for _ in range(20):
        await user.send("/help")
    [notice] = await user.send("/help")
    assert wait in notice["text"]


async def test_buttons_have_a_budget_of_their_own_and_a_wait_in_seconds(
    chat: Chat, clock: Clock
) -> None:
    user = chat.as_user(user_id=3004, first_name="Clicker")
    [results] = await user.send("/search subway")
    for _ in range(60):
        assert "five-year term" in text_of(await user.press("show:faq:12", results))
    clock.advance(seconds=30)
    assert await user.press("show:faq:12", results) == []
    assert "Please wait 30 s" in chat.alerts[-1]
    assert "7 December 2020" in text_of(await user.send("when was the agreement signed"))
    clock.advance(seconds=30)
    assert "five-year term" in text_of(await user.press("show:faq:12", results))
