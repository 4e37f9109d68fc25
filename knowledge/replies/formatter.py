"""What the bot says, as data: HTML text plus buttons, built from catalog templates.

Nothing here knows about Telegram. A ``Button`` carries an *action* string; the Telegram side
turns it into callback data and routes presses back to the service.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_decimal

from knowledge.i18n.catalog import Catalog
from knowledge.records.models import (
    EVENT_ZONES,
    Contact,
    Entry,
    Event,
    EventDate,
    FaqEntry,
    Source,
    pick,
)
from knowledge.replies.markup import Markup, escape, escape_attribute, split_html, to_plain


@dataclass(frozen=True)
class Button:
    label: str
    action: str = ""
    share: str | None = None  # a deep-link payload (faq_12): the button shares a link to it


@dataclass(frozen=True)
class Reply:
    html: Markup
    buttons: tuple[tuple[Button, ...], ...] = ()

    @property
    def plain(self) -> str:
        return to_plain(self.html)

    def messages(self) -> list[str]:
        """The text cut into messages Telegram accepts; buttons go under the last one."""
        return split_html(self.html)


def one_per_row(buttons: Iterable[Button]) -> tuple[tuple[Button, ...], ...]:
    return tuple((button,) for button in buttons)


def in_rows(buttons: Sequence[Button], width: int) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + width]) for i in range(0, len(buttons), width))


class Formatter:
    """Renders knowledge-base records in one language."""

    def __init__(self, catalog: Catalog, sources: dict[str, Source], lang: str) -> None:
        self.catalog = catalog
        self.sources = sources
        self.lang = lang

    def t(self, key: str, **values: object) -> Markup:
        return self.catalog.html(self.lang, key, **values)

    def label(self, key: str, **values: object) -> str:
        return self.catalog.text(self.lang, key, **values)

    def local(self, texts: dict[str, str]) -> str:
        return pick(texts, self.lang)[0]

    def entry_card(self, entry: Entry) -> Markup:
        """An entry in full; a note says so when it is not yet in the reader's language."""
        body, used = self.entry_body(entry)
        note = ""
        if used != self.lang:
            note = self.t("answer.untranslated", language=self.language_name(used))
        return join_paragraphs([body, note, self.source_line(entry.sources)])

    def entry_body(self, entry: Entry) -> tuple[Markup, str]:
        """What an entry says, without its sources; and the language it is written in."""
        if isinstance(entry, FaqEntry):
            answer, used = pick(entry.answer, self.lang)
            return self.t("answer.card", question=entry.label(self.lang), answer=answer), used
        if isinstance(entry, Event):
            used = pick(entry.title, self.lang)[1]
            return _without_empty_parts(self.t("event.card", **self._event_values(entry))), used
        used = pick(entry.name, self.lang)[1]
        return _without_empty_lines(self.t("contact.card", **self._contact_values(entry))), used

    def language_name(self, code: str) -> str:
        """A language named in the reader's language ("英语", not "English"), from CLDR."""
        names = Locale.parse(self.catalog.text(self.lang, "meta.locale")).languages
        return names.get(code) or self.catalog.text(code, "meta.name")

    def number(self, value: float) -> str:
        """A number as the reader's language writes it (12 345 in Russian, 12,345 in English)."""
        return format_decimal(value, locale=self.catalog.text(self.lang, "meta.locale"))

    def moment(self, when: datetime) -> str:
        """A point in time as the reader's language writes it, in UTC: 22 Nov 2026, 10:00 UTC."""
        locale = self.catalog.text(self.lang, "meta.locale")
        return format_datetime(when, "medium", tzinfo=UTC, locale=locale) + " UTC"

    def event_summary(self, event: Event) -> Markup:
        return _without_empty_parts(self.t("events.event", **self._event_values(event)))

    def contact_summary(self, contact: Contact) -> Markup:
        return _without_empty_lines(self.t("contacts.contact", **self._contact_values(contact)))

    def source_line(self, source_ids: Iterable[str]) -> Markup:
        titles = [self.local(self.sources[s].name) for s in source_ids if s in self.sources]
        if not titles:
            return Markup("")
        separator = self.label("answer.source_separator")
        return self.t("answer.sources", sources=separator.join(dict.fromkeys(titles)))

    def date(self, when: EventDate) -> str:
        locale = self.catalog.text(self.lang, "meta.locale")
        if when.day is None:
            if when.month is None:
                return str(when.year)
            return format_skeleton("yMMMM", when.first_day, locale=locale)
        text = format_date(when.first_day, format="long", locale=locale)
        if when.at is not None:
            moment = datetime.combine(when.first_day, when.at)
            text += " " + format_time(moment, format="short", locale=locale)
        return text

    def event_date(self, event: Event) -> str:
        """When an event is: its date, and for a timed one the time on both cities' clocks,
        its own first: "15 March 2027 14:30 Moscow time / 19:30 Beijing time"."""
        start = event.starts_at
        if start is None:
            return self.date(event.date)
        locale = self.catalog.text(self.lang, "meta.locale")
        other = next(zone for zone in EVENT_ZONES if zone != event.timezone)
        times = self.label(
            "event.times",
            own=self._clock(start, event.timezone),
            other=self._clock(start, other),
        )
        return f"{format_date(start.date(), format='long', locale=locale)} {times}"

    def _clock(self, start: datetime, zone: str) -> str:
        """``start`` on the clock of ``zone``, naming the day when it is another one there."""
        locale = self.catalog.text(self.lang, "meta.locale")
        local = start.astimezone(ZoneInfo(zone))
        hour = format_time(local.replace(tzinfo=None), format="short", locale=locale)
        text = self.label(f"event.at_{EVENT_ZONES[zone]}", time=hour)
        if local.date() == start.date():
            return text
        day = format_skeleton("MMMMd", local.date(), locale=locale)
        return self.label("event.other_day", time=text, day=day)

    def link(self, url: str) -> Markup:
        parts = urlsplit(url)
        shown = (parts.netloc + parts.path).removeprefix("www.").rstrip("/")
        return Markup(f'<a href="{escape_attribute(url)}">{escape(shown)}</a>')

    def reach(self, contact: Contact) -> Markup:
        """The shortest way to reach a contact: its website, else how the sources say."""
        return self.link(contact.website) if contact.website else escape(self.local(contact.reach))

    def contact_link(self, contact: Contact) -> Markup:
        reach = self.local(contact.reach)
        if contact.website:
            return self.t("contacts.website", reach=reach, link=self.link(contact.website))
        return escape(reach)

    def field_label(self, name: str) -> str:
        """A record field as admins read it ("Answer"); its stored name if it has no label."""
        key = f"field.{name}"
        return self.label(key) if self.catalog.has(self.lang, key) else name

    def _texts(self, entry: Event | Contact) -> dict[str, object]:
        """Each of an entry's localized texts in the reader's language, by field name: what
        its card template reads, so a new field needs only its place in the template."""
        return {name: self.local(texts) for name, texts in entry.texts.items()}

    def _event_values(self, event: Event) -> dict[str, object]:
        return self._texts(event) | {"date": self.event_date(event)}

    def _contact_values(self, contact: Contact) -> dict[str, object]:
        return self._texts(contact) | {"reach": self.contact_link(contact)}


def join_paragraphs(parts: Iterable[str]) -> Markup:
    return Markup("\n\n".join(part for part in parts if part))


def _without_empty_parts(card: Markup) -> Markup:
    """A card whose optional parts are empty, without their separator or blank lines: an
    event with no place reads "10 December 2026", not "10 December 2026 · "."""
    text = re.sub(r" · (?=\n|$)", "", card)
    return Markup(re.sub(r"\n{3,}", "\n\n", text).strip())


def _without_empty_lines(card: Markup) -> Markup:
    """A contact whose role, organization or way to reach is unknown, without empty lines or
    a dangling dash: "<b>Name</b>", not "<b>Name</b> – " and two blank lines."""
    lines = (re.sub(r" – $", "", line) for line in card.splitlines())
    return Markup("\n".join(line for line in lines if line.strip()))
