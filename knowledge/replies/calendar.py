"""Events as iCalendar files (RFC 5545, written with the ``icalendar`` library), for the
"Add to calendar" button and /events_ics.

Only events known to the day can go into a calendar; one known only by month or year cannot.
A time, where the knowledge base gives one, is in the event's own zone (Moscow or Beijing), named
by TZID with the VTIMEZONE that RFC 5545 requires beside it; an event without a time is an
all-day event. The end is not in the sources, so a timed event has none (calendars show it as
starting then), and nothing is invented.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from knowledge.records.models import Event, pick

if TYPE_CHECKING:
    from icalendar import Event as CalendarEvent

log = logging.getLogger(__name__)

PRODUCT_ID = "-//Moscow-Beijing cooperation bot//EN"
UID_DOMAIN = "moscow-beijing-bot"
# What computing with a stored event's date may raise: a knowledge base written before dates
# were bounded may hold 9999-12-31, which has no next day.
DATE_ERRORS = (OverflowError, ValueError)


@dataclass(frozen=True)
class CalendarFile:
    name: str
    content: bytes


def can_be_added(event: Event) -> bool:
    return event.date.day is not None


def skipped(event: Event, where: str, error: Exception) -> None:
    """Log an event left out of ``where`` for its date; by its ref only (no user text)."""
    log.warning("Skipped %s in %s: its date fails (%s)", event.ref, where, type(error).__name__)


def event_calendar(
    events: Iterable[Event], lang: str, source_line: Callable[[Event], str], stamp: datetime
) -> bytes | None:
    """One VCALENDAR holding ``events`` (those known to the day), texts in ``lang``;
    ``source_line`` names an event's sources, in the reader's words. An event whose date
    cannot be written is left out; None if no event could be."""
    from icalendar import Calendar  # 0.1 s to import: only when a calendar is asked for

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    spans: list[tuple[date, date]] = []
    for event in filter(can_be_added, events):
        try:
            entry = _calendar_event(event, lang, source_line(event), stamp)
            spans += [_zone_span(event)] if event.starts_at else []
        except DATE_ERRORS as error:
            skipped(event, "a calendar", error)
            continue
        calendar.add_component(entry)
    if not calendar.subcomponents:
        return None
    if spans:  # the VTIMEZONE of every TZID used (RFC 5545 3.6.5)
        first, last = min(s[0] for s in spans), max(s[1] for s in spans)
        calendar.add_missing_timezones(first, last)
    return calendar.to_ical()


def _zone_span(event: Event) -> tuple[date, date]:
    """The days a VTIMEZONE must cover for ``event``: a zone's rules over the events' days
    only, not its history (the library's default span would also end in 2038)."""
    day = event.date.first_day
    return day - timedelta(days=1), day + timedelta(days=2)


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
        entry.add("dtstart", event.starts_at)
    entry.add("summary", pick(event.title, lang)[0])
    if event.place:
        entry.add("location", pick(event.place, lang)[0])
    description = [pick(event.description, lang)[0]] if event.description else []
    description += [source_line] if source_line else []
    if description:
        entry.add("description", "\n\n".join(description))
    return entry
