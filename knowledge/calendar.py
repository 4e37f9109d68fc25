"""Events as iCalendar files (RFC 5545, written with the ``icalendar`` library), for the
"Add to calendar" button and /events_ics.

Only events known to the day can go into a calendar; one known only by month or year cannot.
A time, where the knowledge base gives one, is in ``EVENT_TIMEZONE``; an event without a time is
an all-day event. The end is not in the sources, so a timed event has none (calendars show it
as starting then), and nothing is invented.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from knowledge.models import Event, pick

if TYPE_CHECKING:
    from icalendar import Event as CalendarEvent

EVENT_TIMEZONE = ZoneInfo("Europe/Moscow")  # where the program's events are scheduled
PRODUCT_ID = "-//Moscow-Beijing cooperation bot//EN"
UID_DOMAIN = "moscow-beijing-bot"


@dataclass(frozen=True)
class CalendarFile:
    name: str
    content: bytes


def can_be_added(event: Event) -> bool:
    return event.date.day is not None


def event_calendar(
    events: Iterable[Event], lang: str, source_line: Callable[[Event], str], stamp: datetime
) -> bytes:
    """One VCALENDAR holding ``events`` (those known to the day), texts in ``lang``;
    ``source_line`` names an event's sources, in the reader's words."""
    from icalendar import Calendar  # 0.1 s to import: only when a calendar is asked for

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for event in events:
        if can_be_added(event):
            calendar.add_component(_calendar_event(event, lang, source_line(event), stamp))
    return calendar.to_ical()


def _calendar_event(event: Event, lang: str, source_line: str, stamp: datetime) -> CalendarEvent:
    from icalendar import Event as CalendarEvent

    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}@{UID_DOMAIN}")  # stable: a re-import updates, not copies
    entry.add("dtstamp", stamp)
    day = event.date.first_day
    if event.date.at is None:
        entry.add("dtstart", day)
        entry.add("dtend", day + timedelta(days=1))  # all-day events end the next day (RFC 5545)
    else:
        entry.add("dtstart", datetime.combine(day, event.date.at, tzinfo=EVENT_TIMEZONE))
    entry.add("summary", pick(event.title, lang)[0])
    if event.place:
        entry.add("location", pick(event.place, lang)[0])
    description = [pick(event.description, lang)[0]] if event.description else []
    description += [source_line] if source_line else []
    if description:
        entry.add("description", "\n\n".join(description))
    return entry
