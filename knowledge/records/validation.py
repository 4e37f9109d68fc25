"""The checks the knowledge base makes of a value: texts, dates, zones, links, lists.

Each record field's schema (``knowledge.records.schema``) names the parser and limit it is checked
with, so a record is valid however it arrives: a guided form, a one-line command or an import.
Problems raise ``Invalid`` with a catalog key and values, so the bot can say what is wrong in
the admin's language.
"""

from __future__ import annotations

import re
import reprlib
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from knowledge.records.dates import EVENT_ZONES, EventDate
from knowledge.replies.markup import well_formed

# The limits of the values checked here, in characters; a record field's own limit is in its
# schema (``knowledge.records.schema``).
LIMITS = {
    "question": 300,  # one phrasing of an FAQ question
    "website": 300,
    "tag": 50,
    "source": 500,
    "synonym": 50,
}
MAX_TAGS = 20
MAX_PHRASINGS = 50  # per language
MAX_SYNONYMS = 20  # words in one group
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
# The years an event may fall in. Reminders and calendars compute the day after an event and
# its time in other zones: 9999-12-31 has no next day, and no program plans a millennium ahead.
EVENT_YEARS = range(1900, 2101)
# An event's clock as admins write it, in the bot's languages; stored by its IANA name.
ZONE_NAMES = {name.casefold(): name for name in EVENT_ZONES} | {
    alias: zone
    for zone, aliases in {
        "Europe/Moscow": ("moscow", "москва", "moskau", "莫斯科"),
        "Asia/Shanghai": ("beijing", "peking", "пекин", "北京"),
    }.items()
    for alias in aliases
}


class Invalid(ValueError):
    """A value the knowledge base will not take; ``key`` names the catalog message."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key, params)
        self.key = key
        # Values are quoted back to the admin: a lone surrogate (a "\\ud800" escape in an
        # import) could be neither sent nor printed.
        self.params = {k: well_formed(v) if isinstance(v, str) else v for k, v in params.items()}

    def at(self, path: str) -> Invalid:
        """The same problem, located in a record (for import errors)."""
        return Invalid(self.key, **{**self.params, "path": path})


def clean_text(
    value: object, field: str, *, limit: int | None = None, multiline: bool = False
) -> str:
    """A non-empty text of at most ``limit`` characters (default: ``LIMITS[field]``), with
    control characters removed."""
    if not isinstance(value, str):
        raise Invalid("invalid.not_text", field=field)
    kept = "".join(
        ch
        for ch in value
        if (multiline and ch == "\n") or ch == "\t" or unicodedata.category(ch)[0] != "C"
    )
    kept = "\n".join(" ".join(line.split()) for line in kept.strip().split("\n"))
    if not kept:
        raise Invalid("invalid.empty", field=field)
    limit = limit or LIMITS[field]
    if len(kept) > limit:
        raise Invalid("invalid.too_long", field=field, limit=limit, count=len(kept))
    return kept


def parse_lines(text: str, field: str) -> list[str]:
    """Several values, one per line (alternate phrasings)."""
    values = [clean_text(line, field) for line in text.splitlines() if line.strip()]
    if not values:
        raise Invalid("invalid.empty", field=field)
    if len(values) > MAX_PHRASINGS:
        raise Invalid("invalid.too_many", field=field, limit=MAX_PHRASINGS)
    return list(dict.fromkeys(values))


def parse_tags(text: str) -> list[str]:
    tags = [clean_text(tag, "tag").lower() for tag in text.split(",") if tag.strip()]
    if len(tags) > MAX_TAGS:
        raise Invalid("invalid.too_many", field="tag", limit=MAX_TAGS)
    return list(dict.fromkeys(tags))


def parse_date(text: str) -> str:
    """An event date as stored, within ``EVENT_YEARS``."""
    try:
        parsed = EventDate.parse(text)
    except ValueError:
        raise Invalid("invalid.date", value=text.strip()[:40]) from None
    if parsed.year not in EVENT_YEARS:
        first, last = EVENT_YEARS[0], EVENT_YEARS[-1]
        raise Invalid("invalid.date_range", value=text.strip()[:40], first=first, last=last)
    return str(parsed)


def parse_timezone(text: str) -> str:
    """An event's time zone: one of ``EVENT_ZONES``, by its name or its city's."""
    zone = ZONE_NAMES.get(" ".join(text.split()).casefold())
    if zone is None:
        raise Invalid("invalid.timezone", field="timezone", value=text.strip()[:40])
    return zone


def parse_website(text: str) -> str:
    url = clean_text(text, "website")
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[::1": an unclosed IPv6 address
        raise Invalid("invalid.website", value=url[:80]) from None
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in url:
        raise Invalid("invalid.website", value=url[:80])
    return url


MAX_SYNONYM_WORDS = 5


def parse_synonyms(words: list[str]) -> list[str]:
    """A synonym group: words, or short phrases such as "small and medium enterprises"."""
    cleaned = [clean_text(word, "synonym").lower() for word in words]
    if any(len(word.split()) > MAX_SYNONYM_WORDS for word in cleaned):
        raise Invalid("invalid.synonym_word", limit=MAX_SYNONYM_WORDS)
    unique = list(dict.fromkeys(cleaned))
    if len(unique) < 2:
        raise Invalid("invalid.synonym_group")
    if len(unique) > MAX_SYNONYMS:
        raise Invalid("invalid.too_many", field="synonym", limit=MAX_SYNONYMS)
    return unique


def text_value(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise Invalid("invalid.not_text", field=field)
    return value


def _language(code: Any) -> str:
    if not isinstance(code, str) or not LANGUAGE_CODE.match(code):
        raise Invalid("invalid.language", value=str(code)[:10])
    return code


def localized_text(
    value: Any, field: str, *, limit: int | None = None, multiline: bool = False
) -> dict[str, str]:
    """One text per language, each checked like ``clean_text``."""
    if not isinstance(value, dict) or not value:
        raise Invalid("invalid.not_localized", field=field)
    return {
        _language(lang): clean_text(text, field, limit=limit, multiline=multiline)
        for lang, text in value.items()
    }


def question_lists(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict) or not value:
        raise Invalid("invalid.not_localized", field="questions")
    questions = {}
    for lang, texts in value.items():
        if not isinstance(texts, list) or not texts:
            raise Invalid("invalid.not_list", field="questions")
        if len(texts) > MAX_PHRASINGS:
            raise Invalid("invalid.too_many", field="question", limit=MAX_PHRASINGS)
        questions[_language(lang)] = list(dict.fromkeys(clean_text(t, "question") for t in texts))
    return questions


def tag_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise Invalid("invalid.not_list", field="tags")
    if len(value) > MAX_TAGS:
        raise Invalid("invalid.too_many", field="tag", limit=MAX_TAGS)
    return list(dict.fromkeys(clean_text(tag, "tag").lower() for tag in value))


def source_list(value: Any, known: set[str]) -> list[str]:
    if not isinstance(value, list):
        raise Invalid("invalid.not_list", field="sources")
    for source in value:
        if not isinstance(source, str) or source not in known:  # a list or object: unhashable
            shown = source if isinstance(source, str) else reprlib.repr(source)
            raise Invalid("invalid.unknown_source", value=shown[:40])
    return list(dict.fromkeys(value))
