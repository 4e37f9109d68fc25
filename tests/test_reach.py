"""Reaching people where they are: deep links and Share buttons, calendar files, inline mode,
event reminders and the bot's self-introduction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from knowledge.inline import InlineSearch
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, buttons, chat_with, links, seed_data

MOSCOW = ZoneInfo("Europe/Moscow")
BOT_LINK = "https://t.me/moscow_beijing_bot"


def with_upcoming_events() -> dict:
    seed = seed_data()
    seed["events"] += [
        {
            "id": 5,
            "date": "2026-12-10 15:30",
            "title": {"en": "Moscow–Beijing transport forum", "ru": "Транспортный форум"},
            "place": {"en": "Moscow, Zaryadye"},
            "description": {"en": "Metro and rail cooperation."},
            "sources": ["chinadaily"],
        },
        {
            "id": 6,
            "date": "2026-12-20",
            "title": {"en": "Beijing culture days"},
            "sources": ["beijing"],
        },
        {"id": 7, "date": "2027-03", "title": {"en": "Spring exchange (date to follow)"}},
    ]
    return seed


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService]) -> KnowledgeService:
    return make_service(seed=with_upcoming_events(), today=date(2026, 11, 22))


@pytest.fixture
async def chat(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service) as conversation:
        yield conversation


def shared_deep_link(message: dict) -> str:
    """The deep link inside the Share button's t.me/share URL."""
    [(label, url)] = links(message)
    assert "Share" in label and url.startswith("https://t.me/share/url?")
    return parse_qs(urlsplit(url).query)["url"][0]


# Deep links and sharing ---------------------------------------------------------------------


async def test_every_answer_has_a_share_button_with_its_deep_link(chat: Chat) -> None:
    [answer] = await chat.send("when was the agreement signed")
    assert shared_deep_link(answer) == f"{BOT_LINK}?start=faq_2"
    assert [label for label, _ in buttons(answer)] == ["👍", "👎"]


async def test_a_deep_link_opens_the_answer_directly(chat: Chat) -> None:
    [answer] = await chat.as_user(user_id=2002, first_name="Anna").send("/start faq_2")
    assert "7 December 2020" in answer["text"]
    assert "Hello" not in answer["text"]


async def test_events_are_shared_the_same_way(chat: Chat) -> None:
    [card] = await chat.send("/start event_5")
    assert "Moscow–Beijing transport forum" in card["text"]
    assert shared_deep_link(card) == f"{BOT_LINK}?start=event_5"


@pytest.mark.parametrize("payload", ["faq_999", "event_", "nonsense", "faq_²", "x" * 64])
async def test_a_stale_or_garbled_deep_link_gives_the_usual_welcome(
    chat: Chat, payload: str
) -> None:
    [welcome] = await chat.send(f"/start {payload}")
    assert "Hello, Anna!" in welcome["text"]


# Calendar files -----------------------------------------------------------------------------


def parse_calendar(content: bytes) -> list:
    return Calendar.from_ical(content).walk("VEVENT")


async def test_add_to_calendar_sends_the_event_as_an_ics_file(chat: Chat) -> None:
    [card] = await chat.send("/start event_5")
    [press] = [data for label, data in buttons(card) if "Add to calendar" in label]
    await chat.press(press, card)
    [document] = chat.api.documents
    assert document["filename"] == "event-5.ics"
    [event] = parse_calendar(document["content"])
    assert str(event["summary"]) == "Moscow–Beijing transport forum"
    assert str(event["location"]) == "Moscow, Zaryadye"
    assert event.decoded("dtstart") == datetime(2026, 12, 10, 15, 30, tzinfo=MOSCOW)
    assert "China Daily" in str(event["description"])
    assert str(event["uid"]) == "event-5@moscow-beijing-bot"


async def test_the_calendar_speaks_the_readers_language(chat: Chat) -> None:
    russian = chat.as_user(user_id=2003, first_name="Oleg", language_code="ru")
    [card] = await russian.send("/start event_5")
    [press] = [data for label, data in buttons(card) if "календарь" in label]
    await russian.press(press, card)
    [event] = parse_calendar(chat.api.documents[-1]["content"])
    assert str(event["summary"]) == "Транспортный форум"


async def test_events_known_only_by_month_have_no_calendar_button(chat: Chat) -> None:
    [card] = await chat.send("/start event_7")
    assert not any("calendar" in label for label, _ in buttons(card))


async def test_events_ics_holds_every_upcoming_event_known_to_the_day(chat: Chat) -> None:
    await chat.send("/events_ics")
    [document] = chat.api.documents
    events = parse_calendar(document["content"])
    assert [str(e["summary"]) for e in events] == [
        "Moscow–Beijing transport forum",
        "Beijing culture days",
    ]
    all_day = events[1]
    assert all_day.decoded("dtstart") == date(2026, 12, 20)
    assert all_day.decoded("dtend") == date(2026, 12, 21)


async def test_events_ics_without_upcoming_events_says_so(
    make_service: Callable[..., KnowledgeService],
) -> None:
    async with chat_with(make_service()) as chat:  # the seed's events are all past
        [reply] = await chat.send("/events_ics")
    assert "nothing to add to a calendar" in reply["text"]
    assert chat.api.documents == []


async def test_a_forged_calendar_button_is_refused(chat: Chat) -> None:
    [card] = await chat.send("/start event_5")
    for forged in ("ics:event:999", "ics:faq:2", "ics:event:7", "ics:"):
        assert await chat.press(forged, card) == []
        assert "no longer valid" in chat.alerts[-1]
    assert chat.api.documents == []


# Inline mode --------------------------------------------------------------------------------


async def inline(chat: Chat, text: str, **user: object) -> dict:
    asker = chat.as_user(**user) if user else chat
    await asker.process(asker.user.inline_query(text))
    return chat.api.inline_answers[-1]


async def test_inline_query_offers_matching_answers_to_send_into_any_chat(chat: Chat) -> None:
    answer = await inline(chat, "subway agreement")
    first = answer["results"][0]
    assert first["title"] == "Is there an agreement between the Moscow and Beijing subways?"
    assert "five-year term" in first["input_message_content"]["message_text"]
    assert first["input_message_content"]["parse_mode"] == "HTML"
    [[open_in_bot]] = first["reply_markup"]["inline_keyboard"]
    assert open_in_bot["url"] == f"{BOT_LINK}?start=faq_12"
    assert len(answer["results"]) <= 10
    assert answer["cache_time"] == 60


async def test_inline_results_are_in_the_users_language(chat: Chat) -> None:
    answer = await inline(chat, "метро соглашение", user_id=2004, language_code="ru")
    first = answer["results"][0]
    assert first["title"] == "Есть ли соглашение между метро?"
    assert answer["button"]["text"] == "💬 Спросить бота в личном чате"


async def test_an_empty_inline_query_lists_the_most_asked_topics(
    chat: Chat, service: KnowledgeService
) -> None:
    for _ in range(3):
        await chat.send("is there a subway agreement")
    service.activity.flush()
    answer = await inline(chat, "", user_id=2005)
    titles = [result["title"] for result in answer["results"]]
    assert titles[0] == "Is there an agreement between the Moscow and Beijing subways?"
    assert len(titles) == 10


async def test_nothing_found_inline_offers_to_ask_the_bot(chat: Chat) -> None:
    answer = await inline(chat, "weather forecast tomorrow")
    assert answer["results"] == []
    assert answer["button"]["start_parameter"] == "inline"


async def test_inline_results_follow_an_admins_edit_at_once(service: KnowledgeService) -> None:
    async with chat_with(service, Settings(admin_ids=frozenset({OWNER}))) as owner:
        before = await inline(owner, "subway agreement", user_id=2006)
        assert "five-year term" in before["results"][0]["input_message_content"]["message_text"]
        await owner.send("/editfaq 12 answer | Yes: signed in December 2020 for ten years.")
        after = await inline(owner, "subway agreement", user_id=2006)
    assert "for ten years" in after["results"][0]["input_message_content"]["message_text"]


def test_inline_results_are_cached_for_a_minute(service: KnowledgeService) -> None:
    now = [0.0]
    search = InlineSearch(service, clock=lambda: now[0])
    first = search.results("subway agreement", "en")
    now[0] += 59
    assert search.results("  Subway   AGREEMENT ", "en") is first
    now[0] += 2
    again = search.results("subway agreement", "en")
    assert again is not first and again == first
