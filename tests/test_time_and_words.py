"""Event times on both cities' clocks (a zone per event, in the card, /events, the calendar file
and reminders), and words that fit their number and their reader: CLDR plurals in every
language, people named where the bot knows their name, languages named in the reader's own."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from telegram.ext import Application

from handlers.reminders import schedule_reminders
from knowledge.i18n.catalog import Catalog, plural_rule
from knowledge.i18n.languages import LOCALES_DIR
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, Clock, chat_with, seed_data

OWNERS = Settings(admin_ids=frozenset({OWNER}), flood_limit=0)  # asking 21 times is allowed
CATALOG = Catalog.load()
LANGUAGES = ["en", "ru", "zh", "de"]
# Ahead of the test clock (2026-11-22 10:00 UTC). Stored before events had a zone: Moscow time.
FORUM = {"id": 5, "date": "2026-12-10 15:30", "title": {"en": "Moscow–Beijing transport forum"}}
OPEN_DAY = {  # 09:00 in Beijing is 01:00 UTC, 04:00 in Moscow
    "id": 6,
    "date": "2026-12-10 09:00",
    "timezone": "Asia/Shanghai",
    "title": {"en": "Beijing subway open day"},
}


def seed() -> dict:
    data = seed_data()
    data["events"] += [FORUM, OPEN_DAY]
    return data


@pytest.fixture
def service(
    make_service: Callable[..., KnowledgeService], clock: Clock, tmp_path: Path
) -> KnowledgeService:
    return make_service(seed=seed(), clock=clock, directory=tmp_path / "kb")


@pytest.fixture
async def owner(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, OWNERS) as chat:
        yield chat


async def events_text(chat: Chat) -> str:
    [events] = await chat.send("/events")
    return events["text"]


# Event time zones -----------------------------------------------------------------------------


async def test_an_event_stored_without_a_zone_is_in_moscow_time_and_shown_on_both_clocks(
    owner: Chat,
) -> None:
    text = await events_text(owner.as_user(user_id=2001))
    assert "10 December 2026 15:30 Moscow time / 20:30 Beijing time" in text


@pytest.mark.parametrize(
    ("lang", "shown"),
    [
        ("en", "10 December 2026 09:00 Beijing time / 04:00 Moscow time"),
        (
            "ru",
            "10 декабря 2026\u202fг. 09:00 по пекинскому времени / 04:00 по московскому времени",
        ),
        ("zh", "2026年12月10日 北京时间 09:00 / 莫斯科时间 04:00"),
        ("de", "10. Dezember 2026 09:00 Uhr Pekinger Zeit / 04:00 Uhr Moskauer Zeit"),
    ],
)
async def test_a_beijing_event_reads_by_beijing_clock_first_in_every_language(
    owner: Chat, lang: str, shown: str
) -> None:
    assert shown in await events_text(owner.as_user(user_id=2002, language_code=lang))


async def test_the_other_clock_names_its_day_when_it_is_another_one(owner: Chat) -> None:
    await owner.send("/addevent 2027-03-15 21:00 | Evening call")
    assert "15 March 2027 21:00 Moscow time / 02:00 Beijing time (16 March)" in await events_text(
        owner
    )


async def test_admins_set_the_zone_in_one_line_and_in_edits_and_a_wrong_one_is_refused(
    owner: Chat,
) -> None:
    [saved] = await owner.send("/addevent 2027-03-15 14:30 | Metro expert visit | Beijing | | 北京")
    assert "Saved as event:7" in saved["text"]
    assert "15 March 2027 14:30 Beijing time / 09:30 Moscow time" in await events_text(owner)
    [refused] = await owner.send("/addevent 2027-03-16 10:00 | Berlin visit | | | Berlin")
    assert "Berlin is not a time zone I keep events in" in refused["text"]
    [edited] = await owner.send("/editevent 7 timezone | Europe/Moscow")
    assert "saved" in edited["text"] and "Asia/Shanghai" in edited["text"]
    assert "15 March 2027 14:30 Moscow time / 19:30 Beijing time" in await events_text(owner)
    [refused] = await owner.send("/editevent 7 timezone | Mars")
    assert "Mars is not a time zone I keep events in" in refused["text"]
    assert "Berlin visit" not in await events_text(owner)


async def test_the_guided_form_asks_for_the_clock_of_a_time_only(owner: Chat) -> None:
    await owner.send("/addevent")
    await owner.send("Joint tourism week")
    [zone] = await owner.send("2027-05-20 18:00")
    assert "Moscow or the Beijing clock" in zone["text"]
    [again] = await owner.send("Berlin")
    assert "not a time zone" in again["text"] and "Beijing clock" in again["text"]
    [place] = await owner.send("Beijing")
    assert "place" in place["text"]
    await owner.send("Chaoyang Park")
    [preview] = await owner.send("/skip")
    assert "20 May 2027 18:00 Beijing time / 13:00 Moscow time · Chaoyang Park" in preview["text"]
    await owner.press("form:save", preview)
    await owner.send("/addevent")
    await owner.send("Spring exchange")
    [place] = await owner.send("2027-06")  # a month reads the same on either clock: not asked
    assert "place" in place["text"] and "clock" not in place["text"]


def export_with(owner: Chat, **event: object) -> bytes:
    document = json.loads(owner.api.documents[-1]["content"])
    document["events"][-1] |= event
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("zone", "complaint"),
    [("Europe/Berlin", "Europe/Berlin is not a time zone"), (8, "timezone must be text")],
)
async def test_an_import_with_another_zone_is_refused(
    owner: Chat, zone: object, complaint: str
) -> None:
    await owner.send("/export")
    upload = owner.api.upload(export_with(owner, timezone=zone), "kb.json")
    [reply] = await owner.process(owner.user.document(upload, caption="/import"))
    assert "The file was not imported" in reply["text"] and complaint in reply["text"]


async def test_an_imported_zone_is_kept_and_the_export_imports_again(owner: Chat) -> None:
    await owner.send("/export")
    upload = owner.api.upload(export_with(owner, timezone="Europe/Moscow"), "kb.json")
    [summary] = await owner.process(owner.user.document(upload, caption="/import"))
    await owner.press(next(b["callback_data"] for b in buttons_of(summary)), summary)
    assert "09:00 Moscow time / 14:00 Beijing time" in await events_text(owner)
    await owner.send("/export")
    again = owner.api.upload(owner.api.documents[-1]["content"], "kb.json")
    [reply] = await owner.process(owner.user.document(again, caption="/import"))
    assert "nothing to import" in reply["text"]


def buttons_of(message: dict) -> list[dict]:
    return [b for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_the_calendar_file_holds_each_events_zone_and_the_right_instant(
    owner: Chat,
) -> None:
    await owner.as_user(user_id=2003).send("/events_ics")
    calendar = Calendar.from_ical(owner.api.documents[-1]["content"])
    zones = {str(zone["TZID"]): zone for zone in calendar.walk("VTIMEZONE")}
    starts = {}
    for event in calendar.walk("VEVENT"):
        tzid = event["DTSTART"].params["TZID"]
        assert tzid in zones, f"no VTIMEZONE for {tzid}"  # RFC 5545 3.2.19
        [offset] = {rule["TZOFFSETTO"].td for rule in zones[tzid].subcomponents}
        local = event["DTSTART"].dt.replace(tzinfo=None)
        starts[str(event["SUMMARY"])] = (tzid, (local - offset).replace(tzinfo=UTC))
    assert starts == {
        "Moscow–Beijing transport forum": (
            "Europe/Moscow",
            datetime(2026, 12, 10, 12, 30, tzinfo=UTC),
        ),
        "Beijing subway open day": ("Asia/Shanghai", datetime(2026, 12, 10, 1, 0, tzinfo=UTC)),
    }


async def run_reminders_at(chat: Chat, clock: Clock, moment: str) -> list[str]:
    """Move the clock to ``moment`` (UTC), run the reminder job once, return what it sent."""
    clock.now = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    before = len(chat.api.sent)
    application: Application = chat.application
    [job] = application.job_queue.get_jobs_by_name("reminders")
    await job.run(application)
    return [message["text"] for message in chat.api.sent[before:]]


async def test_reminders_count_from_the_events_own_clock(owner: Chat, clock: Clock) -> None:
    schedule_reminders(owner.application, first=3600)
    subscriber = owner.as_user(user_id=2004)
    await subscriber.send("/subscribe")  # 09:00 Moscow time: after the open day has begun
    # So "today" comes two hours before 09:00 in Beijing: 23:00 UTC the evening before.
    assert await run_reminders_at(owner, clock, "2026-12-09 22:30") == []
    [today] = await run_reminders_at(owner, clock, "2026-12-09 23:30")
    assert "Reminder: today" in today and "Beijing subway open day" in today
    assert "09:00 Beijing time / 04:00 Moscow time" in today
    assert await run_reminders_at(owner, clock, "2026-12-10 01:30") == []  # it has begun


# Plurals ---------------------------------------------------------------------------------------

PLURALS = {  # key, then what 1, 2, 5 and 21 read as in each language
    "unanswered.row": {
        "en": ["asked once", "asked 2 times", "asked 5 times", "asked 21 times"],
        "ru": ["задавали 1 раз", "задавали 2 раза", "задавали 5 раз", "задавали 21 раз"],
        "zh": ["被问 1 次", "被问 2 次", "被问 5 次", "被问 21 次"],
        "de": ["einmal gestellt", "2-mal gestellt", "5-mal gestellt", "21-mal gestellt"],
    },
    "faqs.line": {
        "en": ["(1 phrasing)", "(2 phrasings)", "(5 phrasings)", "(21 phrasings)"],
        "ru": ["(1 формулировка)", "(2 формулировки)", "(5 формулировок)", "(21 формулировка)"],
        "zh": ["（1 种问法）", "（2 种问法）", "（5 种问法）", "（21 种问法）"],
        "de": ["(1 Formulierung)", "(2 Formulierungen)", "(5 Formulierungen)",
               "(21 Formulierungen)"],
    },
    "stats.events": {
        "en": ["1 event", "2 events", "5 events", "21 events"],
        "ru": ["1 мероприятие", "2 мероприятия", "5 мероприятий", "21 мероприятие"],
        "zh": ["活动 1 项", "活动 2 项", "活动 5 项", "活动 21 项"],
        "de": ["1 Veranstaltung", "2 Veranstaltungen", "5 Veranstaltungen", "21 Veranstaltungen"],
    },
    "form.added_as_alternate": {
        "en": ["1 phrasing to", "2 phrasings to", "5 phrasings to", "21 phrasings to"],
        "ru": ["добавлена 1 формулировка", "добавлены 2 формулировки",
               "добавлено 5 формулировок", "добавлена 21 формулировка"],
        "zh": ["添加 1 种问法", "添加 2 种问法", "添加 5 种问法", "添加 21 种问法"],
        "de": ["um 1 Formulierung", "um 2 Formulierungen", "um 5 Formulierungen",
               "um 21 Formulierungen"],
    },
}  # fmt: skip


@pytest.mark.parametrize("key", PLURALS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_of_1_2_5_and_21(key: str, lang: str) -> None:
    values = {name: "x" for name in CATALOG.placeholders(lang, key)}
    for count, expected in zip((1, 2, 5, 21), PLURALS[key][lang], strict=True):
        assert expected in CATALOG.text(lang, key, **{**values, "count": count}), (count, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plural_message_has_each_form_its_language_uses(lang: str) -> None:
    locale = CATALOG.text(lang, "meta.locale")
    needed = plural_rule(locale).tags | {"other"}
    plural = [key for key in CATALOG.keys("en") if len(CATALOG.forms("en", key)) > 1]
    assert len(plural) >= 8
    for key in plural:
        assert needed <= set(CATALOG.forms(lang, key)), (key, needed)


def test_no_catalog_writes_a_plural_in_brackets() -> None:
    bracketed = re.compile(r"[^\W\d_]\([^\W\d_]{1,4}\)")  # time(s), Formulierung(en), добавлен(а)
    for path in sorted(LOCALES_DIR.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        tomllib.loads(text)  # and it still loads
        assert not bracketed.findall(text), (path.name, bracketed.findall(text))


async def test_admins_read_counts_in_words_that_fit_them(owner: Chat) -> None:
    asker = owner.as_user(user_id=2005, first_name="Masha")
    for _ in range(21):
        await asker.send("Is there a ferry to Beijing?")
    await asker.send("Is there a Beijing restaurant week for the forum?")
    [_, ferry, week] = await owner.send("/unanswered")
    assert "asked 21 times" in ferry["text"] and "asked once" in week["text"]
    russian = owner.as_user(user_id=OWNER, language_code="ru")
    [_, ferry, week] = await russian.send("/unanswered")
    assert "задавали 21 раз," in ferry["text"] and "задавали 1 раз," in week["text"]
    await owner.send("/addfaq Is there a night train? | Yes, twice a week.")
    [listing] = await owner.send("/faq 3")
    assert "Is there a night train? (1 phrasing)" in listing["text"]
    [stats] = await russian.send("/stats")
    assert "6 мероприятий" in stats["text"]


# Names -----------------------------------------------------------------------------------------


async def test_an_admin_added_by_id_alone_leaves_no_double_space(owner: Chat) -> None:
    [added] = await owner.send("/addadmin 123456789")
    assert added["text"] == "✅ 123456789 is now an administrator."
    [listing] = await owner.send("/admins")
    assert "  " not in listing["text"] and "123456789 – added by 1001 on" in listing["text"]


async def test_history_and_undo_name_an_admin_whose_name_is_known(owner: Chat) -> None:
    sender = {"id": 778, "is_bot": False, "first_name": "Wang", "last_name": "Fang"}
    forwarded = owner.user.forwarded_from(sender)["message"]
    [added] = await owner.process(owner.user.message("/addadmin", reply_to_message=forwarded))
    assert added["text"] == "✅ Wang Fang (778) is now an administrator."
    colleague = owner.as_user(user_id=778, first_name="Wang")
    await colleague.send("/editfaq 13 answer | Corrected.")
    await owner.send("/editfaq 13 answer | Corrected again.")
    [history] = await owner.send("/history 13")
    assert "edited faq:13 by Wang Fang (778)" in history["text"]
    assert "edited faq:13 by 1001" in history["text"]  # an owner from settings: no name known
    [offer] = await colleague.send("/undo")
    assert "by Wang Fang (778)" in offer["text"]
    [listing] = await owner.send("/admins")
    assert "• Wang Fang (778) – added by 1001 on 2026-11-22" in listing["text"]


async def test_a_language_is_named_in_the_readers_language(owner: Chat) -> None:
    await owner.send("/addfaq Is there a ferry between the capitals? | There is none.")
    chinese = owner.as_user(user_id=2006, first_name="Li", language_code="zh")
    [reply] = await chinese.send("ferry capitals")
    assert "此回答暂无中文版本，现以英语显示。" in reply["text"] and "English" not in reply["text"]
    german = owner.as_user(user_id=OWNER, language_code="de")
    [start] = await german.send("/translate 24 zh")
    assert "Zielsprache: Chinesisch" in start["text"]
