"""The knowledge base's records: FAQ entries, events, contacts and sources.

Every text a user reads is stored per language (``{"en": "...", "ru": "..."}``) so that a
translation is one more key, not one more record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from knowledge.i18n.languages import DEFAULT_LANGUAGE
from knowledge.matching.text import whole_number
from knowledge.records import schema
from knowledge.records.dates import DEFAULT_EVENT_ZONE, EVENT_ZONES, EventDate
from knowledge.records.schema import KINDS, Kind

Localized = dict[str, str]

# The one definition of a record's id, for commands, buttons, links, imports and new entries:
# at most nine digits, so every id fits in a command and in 64 bytes of button data.
MAX_ID = 999_999_999


def parse_id(text: str) -> int | None:
    """``text`` as a record id (ASCII digits, 1 to ``MAX_ID``), else None."""
    number = whole_number(text, max_digits=len(str(MAX_ID)))
    return number if number is not None and 1 <= number <= MAX_ID else None


class Phrasing(NamedTuple):
    """One text an entry is recognised by, in a language, with how much a match on it counts."""

    lang: str
    text: str
    weight: float = 1.0


def pick(texts: Localized, lang: str) -> tuple[str, str]:
    """The text in ``lang``, else in the default language, else any; with the language
    actually used."""
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


def _texts(kind: Kind, doc: dict[str, Any]) -> dict[str, Localized]:
    """A record's localized texts, as its schema names them."""
    return {f.name: dict(doc.get(f.stored_as, {})) for f in schema.localized(kind)}


def _localized(name: str) -> property:
    """A property reading one of a record's localized texts (``{}`` where it has none)."""
    return property(lambda record: record.texts.get(name, {}), doc=f"The {name}, per language.")


class _Record:
    """What every kind of record shares: the texts its schema declares localized are in
    ``texts``; the matcher recognises it by the ones its schema marks ``matched`` and reads
    the ``passage`` ones as what it says."""

    kind: Kind
    id: int
    texts: dict[str, Localized]

    @property
    def ref(self) -> EntryRef:
        return EntryRef(self.kind, self.id)

    def label(self, lang: str) -> str:
        """The short name shown on buttons: its first localized text (a title, a name)."""
        return pick(self.texts.get(schema.localized(self.kind)[0].name, {}), lang)[0]

    def phrasings(self) -> list[Phrasing]:
        """Every text the matcher should recognise this entry by."""
        return [
            Phrasing(lang, text, f.matched)
            for f in schema.fields(self.kind)
            if f.matched
            for lang, text in self.texts.get(f.name, {}).items()
            if text
        ]

    def passages(self) -> list[Phrasing]:
        """The texts that state what the entry says, in every language."""
        return [
            Phrasing(lang, text)
            for f in schema.fields(self.kind)
            if f.passage
            for lang, text in self.texts.get(f.name, {}).items()
            if text
        ]


@dataclass(frozen=True)
class FaqEntry(_Record):
    id: int
    questions: dict[str, list[str]]
    texts: dict[str, Localized]
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    kind: Kind = field(default="faq", init=False)

    answer = _localized("answer")

    def label(self, lang: str) -> str:
        """The short name shown on buttons: the main question."""
        return pick({code: qs[0] for code, qs in self.questions.items() if qs}, lang)[0]

    def phrasings(self) -> list[Phrasing]:
        """An FAQ entry is recognised by its questions, every phrasing of them."""
        asked = [Phrasing(lang, q) for lang, qs in self.questions.items() for q in qs]
        return asked + super().phrasings()

    @classmethod
    def from_doc(cls, doc_id: int, doc: dict[str, Any]) -> FaqEntry:
        return cls(
            id=doc_id,
            questions={lang: list(qs) for lang, qs in doc.get("questions", {}).items()},
            texts=_texts("faq", doc),
            tags=list(doc.get("tags", [])),
            sources=list(doc.get("sources", [])),
        )


@dataclass(frozen=True)
class Event(_Record):
    id: int
    date: EventDate
    texts: dict[str, Localized]
    sources: list[str] = field(default_factory=list)
    timezone: str = DEFAULT_EVENT_ZONE  # one of EVENT_ZONES: the clock its time is read by

    kind: Kind = field(default="event", init=False)

    title = _localized("title")
    place = _localized("place")
    description = _localized("description")

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
            texts=_texts("event", doc),
            sources=list(doc.get("sources", [])),
            timezone=timezone,
        )


@dataclass(frozen=True)
class Contact(_Record):
    id: int
    texts: dict[str, Localized]
    website: str = ""
    tags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    kind: Kind = field(default="contact", init=False)

    name = _localized("name")
    role = _localized("role")
    organization = _localized("organization")
    reach = _localized("reach")

    @classmethod
    def from_doc(cls, doc_id: int, doc: dict[str, Any]) -> Contact:
        return cls(
            id=doc_id,
            texts=_texts("contact", doc),
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

__all__ = [
    "DEFAULT_EVENT_ZONE", "EVENT_ZONES", "KINDS", "Contact", "Entry", "EntryRef", "Event",
    "EventDate", "FaqEntry", "Kind", "Localized", "Phrasing", "Source", "parse_id", "pick",
]  # fmt: skip
