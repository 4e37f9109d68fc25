"""The console chat (``python bot.py --admin``): several lines with a backslash or between
triple quotes, buttons numbered under their message, a number with no button to press, and
files saved in the data directory with their path printed."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, Clock, chat_with, run_bot
from transports.console import ConsoleChat

OWNERS = Settings(admin_ids=frozenset({OWNER}))


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService], clock: Clock) -> KnowledgeService:
    return make_service(clock=clock)


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
