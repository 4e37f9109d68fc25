"""Event reminders, free of Telegram: who subscribed, and which notice is due to whom.

A subscriber chooses an hour, in Moscow or Beijing time (Beijing for those who read Chinese,
unless they choose otherwise). They get a reminder at that hour the day before an event,
another one at that hour on the day (or two hours before an event that starts earlier), and a
notice when an admin adds an event. Everything needed is stored in the knowledge base: the
subscribers, each added event's moment, and every notice sent. So the schedule is worked out
afresh from the file at each check; a notice that fell due while the bot was down still goes
out after a restart, and none goes out twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from knowledge.records.models import EntryRef, Event
from knowledge.replies.buttons import CALENDAR, Codec
from knowledge.replies.calendar import DATE_ERRORS, can_be_added, skipped
from knowledge.replies.formatter import (
    Button,
    Reply,
    in_rows,
    join_paragraphs,
    one_per_row,
)
from knowledge.service import KnowledgeService

HOURS = (7, 8, 9, 10, 12, 18)  # offered as buttons; /subscribe takes any hour 0–23
DEFAULT_HOUR = 9
# The two cities' clocks, for the reminder hour; each event has its own (Event.timezone).
ZONES = {"moscow": ZoneInfo("Europe/Moscow"), "beijing": ZoneInfo("Asia/Shanghai")}
DEFAULT_ZONE = "moscow"
ZONE_BY_LANGUAGE = {"zh": "beijing"}
EARLY_START_NOTICE = timedelta(hours=2)  # "today" for an event that starts before the hour
KEEP_RECORDS = timedelta(days=90)  # sent-notice records outlive any event they were about
# The most specific notice wins when several fall due together (say, an event added today
# for tomorrow: "tomorrow" says all that "new event" would).
KINDS = ("new", "day_before", "on_day")


_HOUR = re.compile(r"^([01]?[0-9]|2[0-3])(?::00)?$")


def parse_hour(text: str) -> int | None:
    """An hour as people write it: "8", "08" or "08:00"; None for anything else."""
    match = _HOUR.match(text.strip())
    return int(match.group(1)) if match and text.isascii() else None


@dataclass(frozen=True)
class Choice:
    """A press on a subscription button: "on", "off", "hour" (with ``hour``) or "zone"."""

    what: str
    hour: int | None = None
    zone: str | None = None


def _write_choice(choice: Choice) -> str:
    if choice.what == "hour":
        return f"hour:{choice.hour}"
    if choice.what == "zone":
        return f"zone:{choice.zone}"
    return choice.what


def _read_choice(text: str) -> Choice | None:
    """The choice a subscription button carries; None if the bot never issues it (forged, or
    from an older version)."""
    what, _, value = text.partition(":")
    if what in ("on", "off") and not value:
        return Choice(what)
    if what == "hour" and value in {str(h) for h in HOURS}:
        return Choice(what, hour=int(value))
    if what == "zone" and value in ZONES:
        return Choice(what, zone=value)
    return None


# The subscription buttons: sub:on, sub:off, sub:hour:9, sub:zone:beijing.
SUBSCRIPTION = Codec[Choice]("sub", _write_choice, _read_choice)


def subscribe_action(hour: int | None = None) -> str:
    return SUBSCRIPTION(Choice("on") if hour is None else Choice("hour", hour=hour))


def zone_action(zone: str) -> str:
    return SUBSCRIPTION(Choice("zone", zone=zone))


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
        self._failing: set[tuple[EntryRef, str]] = set()  # events whose date fails, logged once

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

    def subscribe(
        self, chat_id: int, lang: str, hour: int | None = None, zone: str | None = None
    ) -> Reply:
        """Subscribe ``chat_id``, or change its hour or clock; the reply offers the others."""
        current = self.kb.subscriber(chat_id)
        if hour is None:
            hour = current["hour"] if current else DEFAULT_HOUR
        if zone is None:
            zone = _zone_of(current) if current else ZONE_BY_LANGUAGE.get(lang, DEFAULT_ZONE)
        self.kb.subscribe(chat_id, lang, hour, zone)
        fmt = self.service.formatter(lang)
        key = "reminders.changed" if current else "reminders.subscribed"
        at = fmt.label(f"reminders.at_{zone}", hour=f"{hour:02d}:00")
        hours = [Button(_ticked(f"{h:02d}:00", h == hour), subscribe_action(h)) for h in HOURS]
        zones = [
            Button(_ticked(fmt.label(f"button.zone_{z}"), z == zone), zone_action(z)) for z in ZONES
        ]
        stop = Button(fmt.label("button.unsubscribe"), SUBSCRIPTION(Choice("off")))
        return Reply(fmt.t(key, time=at), (*in_rows(hours, 3), tuple(zones), (stop,)))

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
            return Button(fmt.label("button.unsubscribe"), SUBSCRIPTION(Choice("off")))
        return Button(fmt.label("button.subscribe"), subscribe_action())

    # What is due ---------------------------------------------------------------------------

    def due(self) -> list[Notice]:
        """Every notice due now and not yet sent, one per chat and event."""
        now = self.kb.clock()
        sent = self.kb.notices_sent()
        upcoming = [e for e in self.kb.events() if can_be_added(e) and self._ahead(e, now)]
        added = {doc["ref"]: _moment(doc["at"]) for doc in self.kb.announcements()}
        languages = self.kb.languages_chosen()
        schedules: dict[tuple[int, str], list[tuple[Event, list[_Due]]]] = {}
        notices = []
        for subscriber in self.kb.subscribers():
            chat_id, since = subscriber["chat_id"], _moment(subscriber["since"])
            lang = languages.get(chat_id, subscriber["lang"])
            reminder_time = subscriber["hour"], _zone_of(subscriber)
            if reminder_time not in schedules:  # the same for everyone with this hour and clock
                schedules[reminder_time] = self._schedules(upcoming, reminder_time, added)
            for event, schedule in schedules[reminder_time]:
                due = [
                    d
                    for d in schedule
                    if since <= d.due <= now < d.until and (chat_id, d.key) not in sent
                ]
                if due:
                    notices.append(self._notice(chat_id, event, due, lang))
        return notices

    # One event whose date fails (9999-12-31 has no next day) is skipped, not every reminder.

    def _ahead(self, event: Event, now: datetime) -> bool:
        try:
            return _starts(event) > now
        except DATE_ERRORS as error:
            self._skip(event, error)
            return False

    def _schedules(
        self, events: list[Event], reminder_time: tuple[int, str], added: dict[str, datetime]
    ) -> list[tuple[Event, list[_Due]]]:
        schedules = []
        for event in events:
            try:
                due = list(_schedule(event, reminder_time, added.get(str(event.ref))))
            except DATE_ERRORS as error:
                self._skip(event, error)
                continue
            schedules.append((event, due))
        return schedules

    def _skip(self, event: Event, error: Exception) -> None:
        if (event.ref, str(event.date)) not in self._failing:  # logged once, not every minute
            self._failing.add((event.ref, str(event.date)))
            skipped(event, "reminders", error)

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
            Button(fmt.label("button.calendar"), CALENDAR(event.ref)),
            Button(fmt.label("button.unsubscribe"), SUBSCRIPTION(Choice("off"))),
        )
        keys = tuple(d.key for d in due)
        return Notice(chat_id, event.ref, keys, Reply(text, (buttons,)))


def _schedule(
    event: Event, reminder_time: tuple[int, str], added: datetime | None
) -> Iterator[_Due]:
    hour, zone = reminder_time[0], ZONES[reminder_time[1]]
    day = event.date.first_day
    day_start = datetime.combine(day, time.min, tzinfo=event.zone)  # the day where it happens
    start = _starts(event)
    at_hour = datetime.combine(day, time(hour), tzinfo=zone)
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
    if event.starts_at is not None:
        return event.starts_at
    return datetime.combine(event.date.first_day, time.min, tzinfo=event.zone) + timedelta(days=1)


def _zone_of(subscriber: dict) -> str:
    zone = subscriber.get("zone")
    return zone if zone in ZONES else DEFAULT_ZONE


def _ticked(label: str, chosen: bool) -> str:
    return f"✅ {label}" if chosen else label


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)
