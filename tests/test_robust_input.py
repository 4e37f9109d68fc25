"""Input at the edges: an event dated at the end of the calendar, digits that are not ASCII or
not a Telegram user id, user text kept out of the logs, an edited /import caption, and a
shutdown on a full disk."""

from __future__ import annotations

import errno
import io
import logging
import os
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram.ext import Application

from handlers.reminders import schedule_reminders
from knowledge.service import KnowledgeService
from knowledge.storage.knowledge_base import KnowledgeBase
from runtime.settings import Settings, SettingsError, load_settings
from tests.conftest import (
    OWNER,
    Chat,
    Clock,
    chat_with,
    clean_environment,
    run_bot_py,
    seed_data,
    text_of,
)
from transports.console import ConsoleChat

OWNERS = Settings(admin_ids=frozenset({OWNER}))
SUBSCRIBER = 2002


# Event dates -------------------------------------------------------------------------------

FORUM = {  # ahead of the test clock (2026-11-22 10:00 UTC)
    "id": 5,
    "date": "2026-12-10 15:30",
    "title": {"en": "Moscow–Beijing transport forum"},
}
# What a knowledge base written before dates were bounded may hold: its day has no next day.
END_OF_CALENDAR = {"date": "9999-12-31", "title": {"en": "The last day there is"}}


@pytest.fixture
def dated(make_service: Callable[..., KnowledgeService], clock: Clock) -> KnowledgeService:
    data = seed_data()
    data["events"].append(FORUM)
    service = make_service(seed=data, clock=clock)
    service.kb.insert("event", END_OF_CALENDAR)  # straight into the store, as an old file
    return service


@pytest.fixture
async def dated_bot(dated: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(dated, OWNERS) as chat:
        schedule_reminders(chat.application, first=3600)  # run by the test, not the timer
        yield chat


async def run_reminders(application: Application) -> None:
    [job] = application.job_queue.get_jobs_by_name("reminders")
    await job.run(application)


async def test_an_event_at_the_end_of_the_calendar_does_not_stop_other_reminders(
    dated_bot: Chat, clock: Clock
) -> None:
    subscriber = dated_bot.as_user(user_id=SUBSCRIBER, first_name="Li")
    await subscriber.send("/subscribe")
    clock.now = datetime(2026, 12, 9, 6, 0, tzinfo=UTC)  # 09:00 in Moscow, the day before
    before = len(dated_bot.api.sent)
    await run_reminders(dated_bot.application)
    [reminder] = dated_bot.api.sent[before:]
    assert reminder["chat"]["id"] == SUBSCRIBER
    assert "Reminder: tomorrow" in reminder["text"]
    assert "transport forum" in reminder["text"]


async def test_an_event_at_the_end_of_the_calendar_leaves_the_others_listed(
    dated_bot: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    [listing] = await dated_bot.send("/events")
    assert "transport forum" in listing["text"]
    with caplog.at_level(logging.WARNING):
        replies = await dated_bot.send("/events_ics")
    assert "Skipped event:6" in caplog.text  # the operator learns which record to fix
    assert "last day" not in caplog.text
    assert "went wrong" not in text_of(replies)
    [calendar] = dated_bot.api.documents
    assert b"transport forum" in calendar["content"]
    assert b"The last day there is" not in calendar["content"]  # it has no end to write


async def test_the_calendar_button_of_an_event_at_the_end_of_the_calendar_is_polite(
    dated_bot: Chat, dated: KnowledgeService
) -> None:
    [listing] = await dated_bot.send("/events")
    [far] = [e for e in dated.kb.events() if e.date.year == 9999]
    await dated_bot.press(f"ics:event:{far.id}", listing)
    assert "no longer valid" in dated_bot.alerts[-1]
    await dated_bot.press("ics:event:5", listing)
    [calendar] = dated_bot.api.documents
    assert b"transport forum" in calendar["content"]


@pytest.mark.parametrize("date", ["9999-12-31", "2101-01", "1899-12-31 10:00", "0001"])
async def test_an_event_date_out_of_range_is_refused_politely(
    dated_bot: Chat, dated: KnowledgeService, date: str
) -> None:
    before = len(dated.kb.events())
    [reply] = await dated_bot.send(f"/addevent {date} | Far away")
    assert "1900" in reply["text"] and "2100" in reply["text"]
    assert "went wrong" not in reply["text"]
    assert len(dated.kb.events()) == before


async def test_the_range_is_named_in_the_admins_language(dated_bot: Chat) -> None:
    russian = dated_bot.as_user(user_id=OWNER, language_code="ru")
    [reply] = await russian.send("/addevent 9999-12-31 | Далеко")
    assert "1900" in reply["text"] and "2100" in reply["text"]
    assert "год" in reply["text"]


async def test_an_event_in_range_is_still_added(dated_bot: Chat, dated: KnowledgeService) -> None:
    [reply] = await dated_bot.send("/addevent 2100-12-31 | The century's last forum")
    assert "Saved" in reply["text"], reply["text"]
    assert any(e.date.year == 2100 for e in dated.kb.events())


# Digits ------------------------------------------------------------------------------------

# Telegram user ids are positive and below 2**52; str.isdigit() also takes "²" and "١٢٣".
NOT_USER_IDS = ["18446744073709551616", str(2**52), "0", "²", "١٢٣", "１２３"]


@pytest.fixture
async def owner(make_service: Callable[..., KnowledgeService]) -> AsyncIterator[Chat]:
    async with chat_with(make_service(), OWNERS) as chat:
        yield chat


@pytest.mark.parametrize("argument", NOT_USER_IDS)
async def test_addadmin_with_no_user_id_explains_and_changes_nothing(
    owner: Chat, argument: str
) -> None:
    [reply] = await owner.send(f"/addadmin {argument}")
    assert "Send /addadmin ID" in reply["text"]
    [admins] = await owner.send("/admins")
    assert admins["text"].count("•") == 1  # the owner, alone


@pytest.mark.parametrize("argument", NOT_USER_IDS)
async def test_deladmin_with_no_user_id_explains(owner: Chat, argument: str) -> None:
    [reply] = await owner.send(f"/deladmin {argument}")
    assert "Send /deladmin ID" in reply["text"]


async def test_the_largest_user_id_is_still_one(owner: Chat) -> None:
    largest = str(2**52 - 1)
    [reply] = await owner.send(f"/addadmin {largest}")
    [admins] = await owner.send("/admins")
    assert largest in admins["text"], reply["text"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_ADMIN_IDS", "²"),
        ("BOT_ADMIN_IDS", "12,١٢٣"),  # Arabic-Indic digits: int() reads them as 123
        ("BOT_ADMIN_IDS", "１２３"),  # fullwidth digits
        ("BOT_ADMIN_IDS", "18446744073709551616"),
        ("BOT_ADMIN_IDS", "0"),
        ("BOT_FLOOD_LIMIT", "²"),
        ("BOT_FLOOD_LIMIT", "١٢"),
        ("BOT_BACKUPS_KEPT", "³"),
    ],
)
def test_a_setting_that_is_no_bounded_ascii_number_is_refused_in_one_line(
    name: str, value: str
) -> None:
    with pytest.raises(SettingsError, match=name) as refused:
        load_settings({name: value}, dotenv_path=None)
    assert "\n" not in str(refused.value)


def test_the_largest_user_id_is_a_valid_admin_setting() -> None:
    settings = load_settings({"BOT_ADMIN_IDS": f"7, {2**52 - 1}"}, dotenv_path=None)
    assert settings.admin_ids == {7, 2**52 - 1}


def test_bot_refuses_a_superscript_setting_with_one_line(tmp_path: Path) -> None:
    env = clean_environment(BOT_BACKUPS_KEPT="³")
    result = run_bot_py(tmp_path, env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("bot.py: BOT_BACKUPS_KEPT must be a whole number")


async def test_the_console_takes_a_superscript_as_text_not_as_a_button(
    make_service: Callable[..., KnowledgeService],
) -> None:
    session = chat_with(make_service())
    async with session as chat:
        out = io.StringIO()
        console = ConsoleChat(chat.application, chat.api, out=out)
        await console.say("/start")
        shown = len(out.getvalue())
        await console.say("²")  # button 2 only to str.isdigit(), which int() then refuses
    assert "I don't have an answer to that yet" in out.getvalue()[shown:]


# Logs carry no user text ------------------------------------------------------------------

SECRET = "MyPassportNumber-4510-123456"
ADMIN = 2002


def assert_no_part_of_the_secret(log: str) -> None:
    for part in ("Passport", "4510", "123456"):
        assert part not in log


async def test_a_removed_admin_mid_form_is_refused_and_the_log_holds_no_part_of_the_message(
    owner: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    await owner.send(f"/addadmin {ADMIN}")
    admin = owner.as_user(user_id=ADMIN, first_name="Ivan")
    await admin.send("/addfaq")  # the form now waits for the question
    await owner.send(f"/deladmin {ADMIN}")
    with caplog.at_level(logging.INFO):
        [reply] = await admin.send(f"{SECRET} is what I need to ask about")
    assert "only for the bot's administrators" in reply["text"]
    assert f"from user {ADMIN}" in caplog.text  # the refusal is still logged
    assert "a text message" in caplog.text
    assert_no_part_of_the_secret(caplog.text)


async def test_a_refused_command_is_logged_by_its_name_only(
    owner: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = owner.as_user(user_id=555)
    with caplog.at_level(logging.INFO):
        await stranger.send(f"/addfaq {SECRET} | yes")
        upload = owner.api.upload(b"{}", "knowledge.json")
        await stranger.process(stranger.user.document(upload, caption=f"/import {SECRET}"))
    assert "/addfaq" in caplog.text and "/import" in caplog.text
    assert_no_part_of_the_secret(caplog.text)


@pytest.mark.parametrize(
    ("data", "logged"),
    [
        (f"del:{SECRET}", "button 'del'"),
        (f"undo:{SECRET}", "button 'undo'"),
        (f"un:attach:{SECRET}", "button 'un'"),
        ("cancel", "button 'cancel'"),
    ],
)
async def test_a_forged_button_is_logged_by_its_kind_only(
    owner: Chat, caplog: pytest.LogCaptureFixture, data: str, logged: str
) -> None:
    stranger = owner.as_user(user_id=555)
    [menu] = await stranger.send("/start")
    with caplog.at_level(logging.INFO):
        await stranger.press(data, menu)
    assert logged in caplog.text
    assert_no_part_of_the_secret(caplog.text)


# Edited messages ---------------------------------------------------------------------------


async def test_editing_a_document_caption_to_import_checks_nothing(owner: Chat) -> None:
    upload = owner.api.upload(b'{"format": "moscow-beijing-bot/1"}', "knowledge.json")
    sent = owner.user.document(upload, caption="our file")
    await owner.process(sent)
    edited = owner.user.document(upload, caption="/import")
    edited["edited_message"] = edited.pop("message") | {
        "message_id": sent["message"]["message_id"],
        "edit_date": sent["message"]["date"] + 60,
    }
    assert await owner.process(edited) == []  # no import check, no reply
    assert not any(name == "getFile" for name, _ in owner.api.calls)


# Shutdown on a full disk -------------------------------------------------------------------


async def test_a_failed_flush_at_shutdown_still_releases_the_knowledge_base(
    make_service: Callable[..., KnowledgeService],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory = tmp_path / "kb"
    service = make_service(directory=directory)
    session = chat_with(service)
    async with session as chat:
        await chat.send("who signed the agreement")  # counted in memory, written at shutdown

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)  # every atomic write now fails
    application = session.application
    with caplog.at_level(logging.INFO):
        await application.post_shutdown(application)  # as run_polling ends
    monkeypatch.undo()
    [failed] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "No space left on device" in failed.getMessage()
    assert failed.exc_info is None and "\n" not in failed.getMessage()  # one line
    assert service.kb.closed
    KnowledgeBase.open(directory).close()  # the lock is free: the next start is not refused


async def test_an_event_whose_date_cannot_be_read_leaves_the_others_listed(
    dated: KnowledgeService, caplog: pytest.LogCaptureFixture
) -> None:
    unreadable = dated.kb.insert("event", {"date": "2026-13-01", "title": {"en": "Month 13"}})
    async with chat_with(dated, OWNERS) as chat:
        with caplog.at_level(logging.WARNING):
            [listing] = await chat.send("/events")
    assert "transport forum" in listing["text"] and "Month 13" not in listing["text"]
    assert f"Skipped {unreadable}" in caplog.text and "Month 13" not in caplog.text
