"""The knowledge base's records: FAQ entries, events, contacts and sources.

Every text a user reads is stored per language (``{"en": "...", "ru": "..."}``) so that a
translation is one more key, not one more record.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from knowledge.text import whole_number

Kind = Literal["faq", "event", "contact"]
KINDS: tuple[Kind, ...] = ("faq", "event", "contact")
DEFAULT_LANGUAGE = "en"

Localized = dict[str, str]

# The one definition of a record's id, for commands, buttons, links, imports and new entries:
# at most nine digits, so every id fits in a command and in 64 bytes of button data.
MAX_ID = 999_999_999


def parse_id(text: str) -> int | None:
    """``text`` as a record id (ASCII digits, 1 to ``MAX_ID``), else None."""
    number = whole_number(text, max_digits=len(str(MAX_ID)))
    return number if number is not None and 1 <= number <= MAX_ID else None


# A contact's role or organization describes it less directly than its name or a question
# asked about it, so a match there counts for less.
SECONDARY_WEIGHT = 0.9


class Phrasing(NamedTuple):
    """One text an entry is recognised by, in a language, with how much a match on it counts."""

    lang: str
    text: str
    weight: float = 1.0


def pick(texts: Localized, lang: str) -> tuple[str, str]:
    """The text in ``lang``, else English, else any; with the language actually used."""
    for candidate in (lang, DEFAULT_LANGUAGE):
        if texts.get(candidate):
            return texts[candidate], candidate
    for candidate, text in texts.items():
        if text:
            return text, candidate
    return "", lang


@dataclass(frozen=True, order=True)
class EntryRef:
    """Names one record across kinds, e.g. ``faq:12``; the form used in ids and buttons."""

    kind: Kind
    id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str, separator: str = ":") -> EntryRef | None:
        kind, _, digits = text.partition(separator)
        number = parse_id(digits)
        if kind not in KINDS or number is None:
            return None
        return cls(kind, number)  # type: ignore[arg-type]

    @property
    def payload(self) -> str:
        """The form a deep link carries (``faq_12``): /start payloads allow no colon."""
        return f"{self.kind}_{self.id}"

    @classmethod
    def from_payload(cls, text: str) -> EntryRef | None:
        return cls.parse(text, separator="_")


@dataclass(frozen=True)
class FaqEntry:
    id: int
    questions: dict[str, list[str]]
    answer: Localized
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    kind: Kind = field(default="faq", init=False)

    @property
    def ref(self) -> EntryRef:
        return EntryRef("faq", self.id)

    def label(self, lang: str) -> str:
        """The short name shown on buttons: the main question."""
        return pick({code: qs[0] for code, qs in self.questions.items() if qs}, lang)[0]

    def phrasings(self) -> list[Phrasing]:
        """Every text the matcher should recognise this entry by."""
        return [Phrasing(lang, q) for lang, qs in self.questions.items() for q in qs]

    def passages(self) -> list[Phrasing]:
        """The texts that state what the entry says: its answer, in every language."""
        return [Phrasing(lang, text) for lang, text in self.answer.items() if text]

    @classmethod
    def from_doc(cls, doc_id: int, doc: dict[str, Any]) -> FaqEntry:
        return cls(
            id=doc_id,
            questions={lang: list(qs) for lang, qs in doc.get("questions", {}).items()},
            answer=dict(doc.get("answer", {})),
            tags=list(doc.get("tags", [])),
            sources=list(doc.get("sources", [])),
        )


_EVENT_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?: (\d{2}):(\d{2}))?)?)?$")


@dataclass(frozen=True, order=True)
class EventDate:
    """A date as precise as the source: a year, a month, a day, or a day and a time."""

    year: int
    month: int | None = None
    day: int | None = None
    at: time | None = None

    @classmethod
    def parse(cls, text: str) -> EventDate:
        match = _EVENT_DATE.match(text.strip())
        if not match:
            raise ValueError(f"not a date of the form YYYY[-MM[-DD[ HH:MM]]]: {text!r}")
        year, month, day, hour, minute = (int(g) if g else None for g in match.groups())
        assert year is not None
        # Validate by constructing the real values; raises ValueError when out of range.
        date(year, month or 1, day or 1)
        at = time(hour, minute) if hour is not None and minute is not None else None
        return cls(year, month, day, at)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
        if self.day:
            text += f"-{self.day:02d}"
        if self.at:
            text += f" {self.at:%H:%M}"
        return text

    @property
    def first_day(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> date:
        if self.day:
            return self.first_day
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def is_past(self, today: date) -> bool:
        """Past once its whole span is over: "December 2020" is not past on 2020-12-20."""
        return self.last_day < today

    @property
    def sort_key(self) -> tuple[date, time]:
        """Chronological order; an event known only by month comes after that month's dates."""
        return (self.last_day, self.at or time.min)


# The clocks an event may be scheduled by: the two cities' (IANA name: city, as catalog keys
# name it). A record without one is in Moscow time, as every event was before events had one.
EVENT_ZONES: dict[str, str] = {"Europe/Moscow": "moscow", "Asia/Shanghai": "beijing"}
DEFAULT_EVENT_ZONE = "Europe/Moscow"


@dataclass(frozen=True)
class Event:
    id: int
    date: EventDate
    title: Localized
    place: Localized = field(default_factory=dict)
    description: Localized = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    timezone: str = DEFAULT_EVENT_ZONE  # one of EVENT_ZONES: the clock its time is read by

    kind: Kind = field(default="event", init=False)

    @property
    def ref(self) -> EntryRef:
        return EntryRef("event", self.id)

    def label(self, lang: str) -> str:
        return pick(self.title, lang)[0]

    def phrasings(self) -> list[Phrasing]:
        return [Phrasing(lang, text) for lang, text in self.title.items() if text]

    def passages(self) -> list[Phrasing]:
        return [Phrasing(lang, text) for lang, text in self.description.items() if text]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def starts_at(self) -> datetime | None:
        """The instant a timed event starts; None for one known to the day or less."""
        if self.date.at is None:
            return None
        return datetime.combine(self.date.first_day, self.date.at, tzinfo=self.zone)

    @classmethod
    def from_doc(cls, doc_id: int, doc: dict[str, Any]) -> Event:
        timezone = doc.get("timezone") or DEFAULT_EVENT_ZONE
        if timezone not in EVENT_ZONES:  # a hand-edited file: skipped like an unreadable date
            raise ValueError(f"not an event time zone: {timezone!r}")
        return cls(
            id=doc_id,
            date=EventDate.parse(doc["date"]),
            title=dict(doc.get("title", {})),
            place=dict(doc.get("place", {})),
            description=dict(doc.get("description", {})),
            sources=list(doc.get("sources", [])),
            timezone=timezone,
        )


@dataclass(frozen=True)
class Contact:
    id: int
    name: Localized
    role: Localized = field(default_factory=dict)
    organization: Localized = field(default_factory=dict)
    reach: Localized = field(default_factory=dict)
    website: str = ""
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    kind: Kind = field(default="contact", init=False)

    @property
    def ref(self) -> EntryRef:
        return EntryRef("contact", self.id)

    def label(self, lang: str) -> str:
        return pick(self.name, lang)[0]

    def phrasings(self) -> list[Phrasing]:
        names = [Phrasing(lang, text) for lang, text in self.name.items() if text]
        described = [
            Phrasing(lang, text, SECONDARY_WEIGHT)
            for texts in (self.role, self.organization)
            for lang, text in texts.items()
            if text
        ]
        return names + described

    def passages(self) -> list[Phrasing]:
        return [Phrasing(lang, text) for lang, text in self.role.items() if text]

    @classmethod
    def from_doc(cls, doc_id: int, doc: dict[str, Any]) -> Contact:
        return cls(
            id=doc_id,
            name=dict(doc.get("name", {})),
            role=dict(doc.get("role", {})),
            organization=dict(doc.get("organization", {})),
            reach=dict(doc.get("reach", {})),
            website=str(doc.get("website", "")),
            tags=list(doc.get("tags", [])),
            sources=list(doc.get("sources", [])),
        )


@dataclass(frozen=True)
class Source:
    """A publication the answers come from: a short name for answers, a full citation."""

    id: str
    name: Localized
    title: Localized

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Source:
        title = dict(doc.get("title", {}))
        return cls(id=str(doc["id"]), name=dict(doc.get("name", title)), title=title)


Entry = FaqEntry | Event | Contact
