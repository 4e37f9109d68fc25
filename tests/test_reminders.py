"""Event reminders: /subscribe and /unsubscribe, their buttons, the reminder job firing as the
clock moves (advanced, never waited for), restarts, blocked users, and the bot's
self-introduction in every language."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram.ext import Application

from handlers.reminders import schedule_reminders
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, Clock, buttons, chat_with, seed_data
from transports.local_api import DESCRIPTION_LIMIT, SHORT_DESCRIPTION_LIMIT

SUBSCRIBER = 2002
# The seed's events are past; these are ahead of the test clock (2026-11-22 10:00 UTC).
FORUM = {  # 15:30 Moscow time is 12:30 UTC
    "id": 5,
    "date": "2026-12-10 15:30",
    "title": {"en": "Moscow–Beijing transport forum", "ru": "Транспортный форум"},
    "sources": ["chinadaily"],
}
CULTURE_DAYS = {"id": 6, "date": "2026-12-20", "title": {"en": "Beijing culture days"}}
SPRING = {"id": 7, "date": "2027-03", "title": {"en": "Spring exchange"}}  # no day: no reminder


def seed() -> dict:
    data = seed_data()
    data["events"] += [FORUM, CULTURE_DAYS, SPRING]
    return data


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def service(
    make_service: Callable[..., KnowledgeService], clock: Clock, tmp_path: Path
) -> KnowledgeService:
    return make_service(seed=seed(), clock=clock, directory=tmp_path / "kb")


@pytest.fixture
async def bot(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, Settings(admin_ids=frozenset({OWNER}))) as chat:
        # The job as production schedules it, but first run by the test, never by the timer.
        schedule_reminders(chat.application, first=3600)
        yield chat.as_user(user_id=SUBSCRIBER, first_name="Li")


async def run_reminders(application: Application) -> None:
    [job] = application.job_queue.get_jobs_by_name("reminders")
    await job.run(application)


async def reminders_at(chat: Chat, clock: Clock, moment: str) -> list[str]:
    """Move the clock to ``moment`` (UTC), let the job run, and return what it sent."""
    clock.now = utc(moment)
    before = len(chat.api.sent)
    await run_reminders(chat.application)
    return [message["text"] for message in chat.api.sent[before:]]


# Subscribing ------------------------------------------------------------------------------


async def test_subscribe_confirms_and_offers_other_hours(bot: Chat) -> None:
    [reply] = await bot.send("/subscribe")
    assert "subscribed to event reminders" in reply["text"]
    assert "09:00 Moscow time" in reply["text"]
    labels = [label for label, _ in buttons(reply)]
    assert labels[:6] == ["07:00", "08:00", "✅ 09:00", "10:00", "12:00", "18:00"]
    assert labels[6:] == ["✅ 🕒 Moscow time", "🕒 Beijing time", "🔕 Stop reminders"]


async def test_an_hour_button_changes_the_hour(bot: Chat) -> None:
    [reply] = await bot.send("/subscribe")
    [changed] = await bot.press("sub:hour:18", reply)
    assert "now come at 18:00 Moscow time" in changed["text"]
    assert ("✅ 18:00", "sub:hour:18") in buttons(changed)


async def test_a_clock_button_moves_the_hour_to_beijing_time(bot: Chat, clock: Clock) -> None:
    [reply] = await bot.send("/subscribe")
    [changed] = await bot.press("sub:zone:beijing", reply)
    assert "now come at 09:00 Beijing time" in changed["text"]
    assert ("✅ 🕒 Beijing time", "sub:zone:beijing") in buttons(changed)
    assert await reminders_at(bot, clock, "2026-12-09 00:59") == []
    [tomorrow] = await reminders_at(bot, clock, "2026-12-09 01:00")  # 09:00 in Beijing
    assert "Reminder: tomorrow" in tomorrow


async def test_chinese_readers_get_beijing_time_unless_they_choose_otherwise(bot: Chat) -> None:
    chinese = bot.as_user(user_id=3003, language_code="zh")
    [reply] = await chinese.send("/subscribe")
    assert "北京时间 09:00" in reply["text"]
    [changed] = await chinese.press("sub:zone:moscow", reply)
    assert "莫斯科时间 09:00" in changed["text"]


async def test_events_carry_a_subscribe_button_that_turns_into_stop(bot: Chat) -> None:
    [events] = await bot.send("/events")
    assert buttons(events)[-1] == ("🔔 Remind me of events", "sub:on")
    [subscribed] = await bot.press("sub:on", events)
    assert "subscribed to event reminders" in subscribed["text"]
    [events] = await bot.send("/events")
    assert buttons(events)[-1] == ("🔕 Stop reminders", "sub:off")
    [stopped] = await bot.press("sub:off", events)
    assert "no more event reminders" in stopped["text"]
    assert buttons(stopped) == [("🔔 Remind me of events", "sub:on")]


async def test_the_events_menu_page_has_the_button_too(bot: Chat) -> None:
    [menu] = await bot.send("/start")
    [events] = await bot.press("menu:events", menu)
    assert buttons(events)[-1] == ("🔔 Remind me of events", "sub:on")


@pytest.mark.parametrize("argument", ["25", "nine", "9 10", "9:30", "²", "-1"])
async def test_a_bad_hour_is_explained_and_subscribes_nobody(
    bot: Chat, service: KnowledgeService, argument: str
) -> None:
    [reply] = await bot.send(f"/subscribe {argument}")
    assert "whole number from 0 to 23" in reply["text"]
    assert service.kb.subscriber(SUBSCRIBER) is None


@pytest.mark.parametrize("argument", ["7", "07", "07:00"])
async def test_an_hour_may_be_written_as_people_write_it(bot: Chat, argument: str) -> None:
    [reply] = await bot.send(f"/subscribe {argument}")
    assert "07:00 Moscow time" in reply["text"]


async def test_unsubscribing_when_not_subscribed_says_so(bot: Chat) -> None:
    [reply] = await bot.send("/unsubscribe")
    assert "not subscribed" in reply["text"]


async def test_forged_subscription_buttons_are_refused(
    bot: Chat, service: KnowledgeService
) -> None:
    [events] = await bot.send("/events")
    forged = ("sub:hour:99", "sub:hour:3", "sub:maybe", "sub:", "sub:zone:tokyo", "sub:on:1")
    for data in forged:
        assert await bot.press(data, events) == []
    assert bot.alerts == ["This button is no longer valid. Please ask again."] * len(forged)
    assert service.kb.subscribers() == []


async def test_reminders_are_for_private_chats_only(bot: Chat, service: KnowledgeService) -> None:
    group = bot.as_user(user_id=SUBSCRIBER, chat_id=-100123, chat_type="supergroup")
    [reply] = await group.send("/subscribe")
    assert "private chats only" in reply["text"]
    [events] = await group.send("/events")
    assert buttons(events) == []
    assert service.kb.subscribers() == []


# The reminder job ---------------------------------------------------------------------------


async def test_a_reminder_comes_the_day_before_and_on_the_day_once_each(
    bot: Chat, clock: Clock
) -> None:
    await bot.send("/subscribe")
    assert await reminders_at(bot, clock, "2026-12-09 05:59") == []  # 08:59 in Moscow
    [tomorrow] = await reminders_at(bot, clock, "2026-12-09 06:00")
    assert "Reminder: tomorrow" in tomorrow and "Moscow–Beijing transport forum" in tomorrow
    assert "10 December 2026" in tomorrow
    assert await reminders_at(bot, clock, "2026-12-09 06:01") == []  # sent once, not again
    [today] = await reminders_at(bot, clock, "2026-12-10 06:00")
    assert "Reminder: today" in today and "transport forum" in today
    assert await reminders_at(bot, clock, "2026-12-10 13:00") == []  # it has begun


async def test_a_reminder_carries_the_calendar_and_stop_buttons(bot: Chat, clock: Clock) -> None:
    await bot.send("/subscribe")
    await reminders_at(bot, clock, "2026-12-09 06:00")
    assert buttons(bot.api.sent[-1]) == [
        ("📅 Add to calendar", "ics:event:5"),
        ("🔕 Stop reminders", "sub:off"),
    ]


async def test_reminders_come_at_the_chosen_hour_in_the_readers_language(
    bot: Chat, clock: Clock
) -> None:
    russian = bot.as_user(user_id=3003, language_code="ru")
    await russian.send("/subscribe 18")
    assert await reminders_at(bot, clock, "2026-12-09 14:59") == []
    [tomorrow] = await reminders_at(bot, clock, "2026-12-09 15:00")  # 18:00 in Moscow
    assert "Напоминание: завтра" in tomorrow and "Транспортный форум" in tomorrow


async def test_an_event_that_starts_before_the_hour_is_reminded_of_earlier(
    bot: Chat, clock: Clock
) -> None:
    await bot.send("/subscribe 18")  # the forum starts at 15:30: two hours before, then
    [today] = await reminders_at(bot, clock, "2026-12-10 10:30")  # 13:30 in Moscow
    assert "Reminder: today" in today


async def test_all_day_events_are_reminded_of_too_but_month_only_ones_are_not(
    bot: Chat, clock: Clock
) -> None:
    await bot.send("/subscribe")
    [tomorrow] = await reminders_at(bot, clock, "2026-12-19 06:00")
    assert "Beijing culture days" in tomorrow
    assert await reminders_at(bot, clock, "2027-03-01 06:00") == []


async def test_subscribers_hear_of_a_new_event_once(bot: Chat, clock: Clock) -> None:
    await bot.send("/subscribe")
    owner = bot.as_user(user_id=OWNER)
    await owner.send("/addevent 2027-01-15 11:00 | Joint tourism week | Beijing")
    [notice] = await reminders_at(bot, clock, "2026-11-22 10:01")
    assert "A new event has been added" in notice and "Joint tourism week" in notice
    assert bot.api.sent[-1]["chat"]["id"] == SUBSCRIBER
    assert await reminders_at(bot, clock, "2026-11-22 10:02") == []


async def test_who_subscribes_after_an_event_was_added_gets_no_new_event_notice(
    bot: Chat, clock: Clock
) -> None:
    await bot.as_user(user_id=OWNER).send("/addevent 2027-01-15 | Joint tourism week")
    clock.advance(minutes=1)
    await bot.send("/subscribe")
    assert await reminders_at(bot, clock, "2026-11-22 10:05") == []


async def test_an_event_added_for_tomorrow_gets_one_message_not_two(
    bot: Chat, clock: Clock
) -> None:
    clock.now = utc("2026-11-20 10:00")
    await bot.send("/subscribe")
    clock.now = utc("2026-11-22 14:00")  # 17:00 in Moscow: the day-before hour has passed
    await bot.as_user(user_id=OWNER).send("/addevent 2026-11-23 | Metro expert visit")
    [notice] = await reminders_at(bot, clock, "2026-11-22 14:01")
    assert "Reminder: tomorrow" in notice and "Metro expert visit" in notice
    assert "23 November 2026\n" in notice  # no empty place after the date


async def test_an_event_added_after_the_day_before_hour_is_announced_with_its_date(
    bot: Chat, clock: Clock
) -> None:
    await bot.send("/subscribe")  # at 13:00 Moscow time: today's 09:00 has passed
    await bot.as_user(user_id=OWNER).send("/addevent 2026-11-23 | Metro expert visit")
    [notice] = await reminders_at(bot, clock, "2026-11-22 10:01")
    assert "A new event has been added" in notice and "23 November 2026" in notice
    [today] = await reminders_at(bot, clock, "2026-11-23 06:00")
    assert "Reminder: today" in today


async def test_unsubscribed_chats_get_nothing(bot: Chat, clock: Clock) -> None:
    await bot.send("/subscribe")
    await bot.send("/unsubscribe")
    assert await reminders_at(bot, clock, "2026-12-09 06:00") == []


async def test_a_user_who_blocked_the_bot_is_unsubscribed_not_retried(
    bot: Chat, clock: Clock, service: KnowledgeService
) -> None:
    await bot.send("/subscribe")
    await bot.as_user(user_id=3003).send("/subscribe")
    bot.api.blocked_by.add(SUBSCRIBER)
    [other] = await reminders_at(bot, clock, "2026-12-09 06:00")
    assert "transport forum" in other and bot.api.sent[-1]["chat"]["id"] == 3003
    assert [s["chat_id"] for s in service.kb.subscribers()] == [3003]
    calls = len(bot.api.calls)
    await reminders_at(bot, clock, "2026-12-10 06:00")
    tried = [params["chat_id"] for _, params in bot.api.calls[calls:]]
    assert SUBSCRIBER not in tried


async def test_reminders_due_while_the_bot_was_down_go_out_after_a_restart(
    make_service: Callable[..., KnowledgeService], clock: Clock, tmp_path: Path
) -> None:
    directory = tmp_path / "restart"
    first = make_service(seed=seed(), clock=clock, directory=directory)
    async with chat_with(first) as chat:
        await chat.as_user(user_id=SUBSCRIBER).send("/subscribe")
    first.close()
    clock.now = utc("2026-12-09 08:00")  # the day-before reminder fell due at 06:00, bot down
    second = make_service(seed=seed(), clock=clock, directory=directory)
    async with chat_with(second) as chat:
        schedule_reminders(chat.application, first=3600)
        [tomorrow] = await reminders_at(chat, clock, "2026-12-09 08:00")
        assert "Reminder: tomorrow" in tomorrow
    second.close()
    third = make_service(seed=seed(), clock=clock, directory=directory)
    async with chat_with(third) as chat:  # and after another restart, not again
        schedule_reminders(chat.application, first=3600)
        assert await reminders_at(chat, clock, "2026-12-09 09:00") == []


# The bot's self-introduction ----------------------------------------------------------------


async def test_the_bot_introduces_itself_in_every_language_at_start(bot: Chat) -> None:
    await bot.application.post_init(bot.application)
    descriptions = bot.api.descriptions
    assert set(descriptions) == {"", "en", "de", "ru", "zh"}
    assert "Moscow and Beijing" in descriptions[""]["description"]
    assert "Moskau und Peking" in descriptions["de"]["description"]
    assert "Москвы и Пекина" in descriptions["ru"]["short_description"]
    assert "莫斯科" in descriptions["zh"]["short_description"]
    for texts in descriptions.values():
        assert 0 < len(texts["description"]) <= DESCRIPTION_LIMIT
        assert 0 < len(texts["short_description"]) <= SHORT_DESCRIPTION_LIMIT


async def test_the_menu_offers_the_new_commands(bot: Chat) -> None:
    await bot.application.post_init(bot.application)
    menu = [command["command"] for command in bot.api.commands['{"type": "default"}|']]
    assert {"subscribe", "unsubscribe", "events_ics"} <= set(menu)
