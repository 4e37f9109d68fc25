"""Three things users ran into: flood control stopping people who only walked the menus (and
saying the bot was slow), an admin's half-filled form lost at a restart, and the console chat
(several lines, button numbers, numbers with no buttons, where files are saved)."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from handlers.context import services_of
from handlers.persistence import CONVERSATIONS_FILE
from knowledge.service import KnowledgeService
from knowledge.settings import Settings
from tests.conftest import OWNER, Chat, Clock, buttons, chat_with, run_bot, text_of
from transports.console import ConsoleChat

OWNERS = Settings(admin_ids=frozenset({OWNER}))
WAIT = re.compile(r"Please wait (\d+) s\b")
QUESTIONS = ("when was the agreement signed", "who signed it", "subway agreement")


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService], clock: Clock) -> KnowledgeService:
    return make_service(clock=clock)


@pytest.fixture
async def chat(service: KnowledgeService, clock: Clock) -> AsyncIterator[Chat]:
    """The bot with the default settings; flood control reads the test's clock."""
    async with chat_with(service, Settings()) as conversation:
        services_of(conversation.application).flood.clock = lambda: clock.now.timestamp()
        yield conversation


# Flood control ------------------------------------------------------------------------------


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


# Forms across a restart ---------------------------------------------------------------------


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


# The console chat ---------------------------------------------------------------------------


def test_console_takes_several_lines_with_a_backslash_or_between_triple_quotes(
    tmp_path: Path,
) -> None:
    script = (
        "/addfaq\n"
        "Is there a ferry between the capitals?\n"
        "ferry link\\\n"
        "boat between the capitals\n"
        '"""\n'
        "No.\n"
        "The cities are connected by air and rail only.\n"
        '"""\n'
        "/skip\n"
        "1\n"  # Save, the first button under the preview
        "boat between the capitals\n"
    )
    out = run_bot(tmp_path, "--admin", stdin=script).stdout
    assert "end a line with \\ to go on to the next" in out  # the introduction says how
    asked = out.split("one per line.")[1].split("you>")[0]
    assert 'put them between two """ lines' in asked  # and the prompt that asks for lines
    assert "Saved as faq:24" in out
    answer = out.split("boat between the capitals")[-1]
    assert "No.\n  The cities are connected by air and rail only." in answer


async def console_of(chat: Chat) -> tuple[ConsoleChat, io.StringIO]:
    out = io.StringIO()
    return ConsoleChat(chat.application, chat.api, out=out), out


async def test_console_numbers_buttons_under_their_message_and_presses_the_one_shown(
    service: KnowledgeService,
) -> None:
    async with chat_with(service, OWNERS) as chat:
        asker = chat.as_user(user_id=3006, first_name="Olga")
        for question in ("cake recipe", "what is the weather on mars"):
            await asker.send(question)
        console, out = await console_of(chat)
        await console.say("/unanswered")
        shown = out.getvalue()
        cake, mars = shown.index("cake recipe"), shown.index("what is the weather on mars")
        under_cake = re.findall(r"\[(\d+)\]", shown[cake:mars])
        under_mars = re.findall(r"\[(\d+)\] 🗑 Dismiss", shown[mars:])
        assert under_cake and under_cake[0] == "1"  # right under its question
        assert int(under_mars[0]) > int(under_cake[-1])
        await console.say(under_mars[0])
    assert [row["text"] for row in service.kb.unanswered()] == ["cake recipe"]


async def test_console_says_there_is_no_button_instead_of_asking_a_number(
    service: KnowledgeService,
) -> None:
    async with chat_with(service, OWNERS) as chat:
        console, out = await console_of(chat)
        await console.say("/myid")
        await console.say("3")
        assert "There are no buttons to press now" in out.getvalue()
        await console.say("/start")
        await console.say("7")
        assert "There is no button 7 here: the buttons shown are 1–4." in out.getvalue()
        assert "I don't have an answer" not in out.getvalue()
    assert service.kb.unanswered() == []


async def test_console_saves_files_in_the_data_directory_and_prints_the_path(
    service: KnowledgeService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs_in = tmp_path / "where-the-console-runs"
    runs_in.mkdir()
    monkeypatch.chdir(runs_in)
    exports = (service.kb.path.parent / "exports").resolve()
    async with chat_with(service, OWNERS) as chat:
        console, out = await console_of(chat)
        await console.say("/addevent 2027-03-01 | Moscow Days in Beijing")
        await console.say("/events_ics")
        await console.say("/export")
    [calendar] = exports.glob("*.ics")
    [export] = exports.glob("knowledge-*.json")
    assert "Moscow Days in Beijing" in calendar.read_text()
    assert f"saved as {calendar}" in out.getvalue()
    assert f"saved as {export}" in out.getvalue()
    assert list(runs_in.iterdir()) == []
