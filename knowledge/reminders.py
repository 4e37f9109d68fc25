"""Event reminders, free of Telegram: who subscribed, and which notice is due to whom.

A subscriber chooses an hour, in Moscow time like the events themselves. They get a reminder
at that hour the day before an event, another one at that hour on the day (or two hours before
an event that starts earlier), and a notice when an admin adds an event. Everything needed is
stored in the knowledge base: the subscribers, each added event's moment, and every notice
sent. So the schedule is worked out afresh from the file at each check; a notice that fell due
while the bot was down still goes out after a restart, and none goes out twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from knowledge.calendar import EVENT_TIMEZONE, can_be_added
from knowledge.models import EntryRef, Event
from knowledge.replies import (
    Button,
    Reply,
    calendar_action,
    in_rows,
    join_paragraphs,
    one_per_row,
)
from knowledge.service import KnowledgeService

SUBSCRIBE = "sub"  # button actions: sub:on, sub:off, sub:hour:9
HOURS = (7, 8, 9, 10, 12, 18)  # offered as buttons; /subscribe takes any hour 0–23
DEFAULT_HOUR = 9
EARLY_START_NOTICE = timedelta(hours=2)  # "today" for an event that starts before the hour
KEEP_RECORDS = timedelta(days=90)  # sent-notice records outlive any event they were about
# The most specific notice wins when several fall due together (say, an event added today
# for tomorrow: "tomorrow" says all that "new event" would).
KINDS = ("new", "day_before", "on_day")


def subscribe_action(hour: int | None = None) -> str:
    return f"{SUBSCRIBE}:on" if hour is None else f"{SUBSCRIBE}:hour:{hour}"


UNSUBSCRIBE_ACTION = f"{SUBSCRIBE}:off"
_HOUR = re.compile(r"^([01]?[0-9]|2[0-3])(?::00)?$")


def parse_hour(text: str) -> int | None:
    """An hour as people write it: "8", "08" or "08:00"; None for anything else."""
    match = _HOUR.match(text.strip())
    return int(match.group(1)) if match and text.isascii() else None


def parse_action(action: str) -> tuple[str, int | None] | None:
    """A subscription button's action as ("on" | "off" | "hour", hour); None if forged."""
    match = re.fullmatch(rf"{SUBSCRIBE}:(on|off|hour:(\d{{1,2}}))", action)
    if match is None:
        return None
    if match.group(2) is None:
        return match.group(1), None
    hour = int(match.group(2))
    return ("hour", hour) if hour in HOURS else None


@dataclass(frozen=True)
class Notice:
    """One message to one chat, about one event; ``keys`` are recorded once it is sent."""

    chat_id: int
    ref: EntryRef
    keys: tuple[str, ...]
    reply: Reply


@dataclass(frozen=True)
class _Due:
    kind: str
    key: str
    due: datetime  # from when it may go out
    until: datetime  # and until when: after that it is pointless


class Reminders:
    def __init__(self, service: KnowledgeService) -> None:
        self.service = service
        self.kb = service.kb

    # Subscribing ---------------------------------------------------------------------------

    def is_subscribed(self, chat_id: int) -> bool:
        return self.kb.subscriber(chat_id) is not None

    def bad_hour(self, lang: str) -> Reply:
        return Reply(self.service.formatter(lang).t("reminders.bad_hour"))

    def private_only(self, lang: str) -> Reply:
        return Reply(self.service.formatter(lang).t("reminders.private_only"))

    def events(self, chat_id: int | None, lang: str) -> Reply:
        """The events list; in a private chat (``chat_id``) with the subscribe or stop button."""
        reply = self.service.events(lang)
        if chat_id is None:
            return reply
        return Reply(reply.html, (*reply.buttons, (self.toggle_button(chat_id, lang),)))

    def subscribe(self, chat_id: int, lang: str, hour: int | None = None) -> Reply:
        """Subscribe ``chat_id``, or change its hour; the reply offers other hours."""
        current = self.kb.subscriber(chat_id)
        if hour is None:
            hour = current["hour"] if current else DEFAULT_HOUR
        self.kb.subscribe(chat_id, lang, hour)
        fmt = self.service.formatter(lang)
        key = "reminders.hour_changed" if current else "reminders.subscribed"
        hours = [
            Button(("✅ " if h == hour else "") + f"{h:02d}:00", subscribe_action(h)) for h in HOURS
        ]
        stop = Button(fmt.label("button.unsubscribe"), UNSUBSCRIBE_ACTION)
        return Reply(fmt.t(key, hour=f"{hour:02d}:00"), (*in_rows(hours, 3), (stop,)))

    def unsubscribe(self, chat_id: int, lang: str) -> Reply:
        fmt = self.service.formatter(lang)
        if not self.kb.unsubscribe(chat_id):
            return Reply(fmt.t("reminders.not_subscribed"))
        again = Button(fmt.label("button.subscribe"), subscribe_action())
        return Reply(fmt.t("reminders.unsubscribed"), one_per_row([again]))

    def drop(self, chat_id: int) -> None:
        """The chat is gone or blocked the bot: no more reminders, and no retries."""
        self.kb.unsubscribe(chat_id)

    def toggle_button(self, chat_id: int, lang: str) -> Button:
        """Under the events list: subscribe, or stop, whichever the chat can do."""
        fmt = self.service.formatter(lang)
        if self.is_subscribed(chat_id):
            return Button(fmt.label("button.unsubscribe"), UNSUBSCRIBE_ACTION)
        return Button(fmt.label("button.subscribe"), subscribe_action())

    # What is due ---------------------------------------------------------------------------

    def due(self) -> list[Notice]:
        """Every notice due now and not yet sent, one per chat and event."""
        now = self.kb.clock()
        sent = self.kb.notices_sent()
        upcoming = [e for e in self.kb.events() if can_be_added(e) and _starts(e) > now]
        added = {doc["ref"]: _moment(doc["at"]) for doc in self.kb.announcements()}
        languages = self.kb.languages_chosen()
        notices = []
        for subscriber in self.kb.subscribers():
            chat_id, since = subscriber["chat_id"], _moment(subscriber["since"])
            lang = languages.get(chat_id, subscriber["lang"])
            for event in upcoming:
                schedule = list(_schedule(event, subscriber["hour"], added.get(str(event.ref))))
                due = [
                    d
                    for d in schedule
                    if since <= d.due <= now < d.until and (chat_id, d.key) not in sent
                ]
                if due:
                    notices.append(self._notice(chat_id, event, due, lang))
        return notices

    def sent(self, notice: Notice) -> None:
        with self.kb.transaction():
            self.kb.record_notices_sent(notice.chat_id, notice.keys)
            moment = self.kb.clock() - KEEP_RECORDS
            self.kb.forget_notices_before(moment.isoformat(timespec="seconds"))

    def _notice(self, chat_id: int, event: Event, due: list[_Due], lang: str) -> Notice:
        fmt = self.service.formatter(lang)
        kind = max(due, key=lambda d: KINDS.index(d.kind)).kind
        text = join_paragraphs([fmt.t(f"reminders.{kind}"), fmt.entry_card(event)])
        buttons = (
            Button(fmt.label("button.calendar"), calendar_action(event.ref)),
            Button(fmt.label("button.unsubscribe"), UNSUBSCRIBE_ACTION),
        )
        keys = tuple(d.key for d in due)
        return Notice(chat_id, event.ref, keys, Reply(text, (buttons,)))


def _schedule(event: Event, hour: int, added: datetime | None) -> Iterator[_Due]:
    day = event.date.first_day
    day_start = datetime.combine(day, time.min, tzinfo=EVENT_TIMEZONE)
    start = _starts(event)
    at_hour = datetime.combine(day, time(hour), tzinfo=EVENT_TIMEZONE)
    # The date is part of the key: an event moved to another day is reminded of again.
    key = f"{event.ref}@{event.date}"
    if added is not None:
        yield _Due("new", f"new:{event.ref}@{added.isoformat()}", added, start)
    yield _Due("day_before", f"day_before:{key}", at_hour - timedelta(days=1), day_start)
    if event.date.at is not None and at_hour >= start:
        at_hour = max(day_start, start - EARLY_START_NOTICE)
    yield _Due("on_day", f"on_day:{key}", at_hour, start)


def _starts(event: Event) -> datetime:
    """When a reminder stops being useful: the start time, or the end of an all-day event."""
    day = event.date.first_day
    if event.date.at is not None:
        return datetime.combine(day, event.date.at, tzinfo=EVENT_TIMEZONE)
    return datetime.combine(day, time.min, tzinfo=EVENT_TIMEZONE) + timedelta(days=1)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
