"""Every kind of record, declared once: its fields and every rule about each.

A field's line says how it is stored, whether it is required, localized or translated, its
limit, how an admin's text is parsed, its place in a one-line command and whether the matcher
recognises an entry by it. Validation, imports, the guided and one-line forms, /translate, the
records' texts and the cards are all derived from here. A new field is one line below plus
its catalog texts (``field.<name>``, ``prompt.<kind>.<name>``, and its place in the card).

Every record also has an ``id`` and a list of ``sources``; those are the same for every kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from knowledge.records.dates import DEFAULT_EVENT_ZONE
from knowledge.records.validation import (
    Invalid,
    clean_text,
    localized_text,
    parse_date,
    parse_lines,
    parse_tags,
    parse_timezone,
    parse_website,
    question_lists,
    source_list,
    tag_list,
    text_value,
)

Kind = Literal["faq", "event", "contact"]
KINDS: tuple[Kind, ...] = ("faq", "event", "contact")

# A contact's role or organization describes it less directly than its name or a question
# asked about it, so a match there counts for less.
SECONDARY_WEIGHT = 0.9


@dataclass(frozen=True)
class Field:
    """One field of a kind of record, with every rule about it."""

    name: str  # as admins name it (``/editcontact 3 role | …``) and, by default, as stored
    limit: int = 0  # characters of each text; 0: the field's own parser bounds it
    required: bool = False
    localized: bool = False  # stored as one text per language
    translated: bool = False  # asked again by /translate
    multiline: bool = False  # its text may take several lines
    one_line: int = 0  # its place in a one-line ``/add…`` command (``A | B | …``); 0: not there
    matched: float = 0.0  # how much a match on it counts in recognising the entry; 0: not used
    passage: bool = False  # states what the entry says (the semantic matcher reads it)
    many: bool = False  # a list of values (cleared to ``[]``)
    in_form: bool = True  # asked in the guided form
    parser: Callable[[str], Any] | None = None  # an admin's text -> the value; default: text
    checker: Callable[[Any], Any] | None = None  # a stored value -> its clean copy
    key: str = ""  # the record's key, where it differs from ``name``
    default: Any = None  # stored when it is not given; None: left out of the record
    implied: str = ""  # what a record without it means, shown as its current value

    @property
    def stored_as(self) -> str:
        return self.key or self.name

    def parse(self, text: str) -> Any:
        """The value an admin typed, as it will be stored; raises ``Invalid``."""
        if self.parser is not None:
            return self.parser(text)
        return clean_text(text, self.name, limit=self.limit, multiline=self.multiline)

    def check(self, value: Any) -> Any:
        """A stored or imported value, checked and cleaned; raises ``Invalid``."""
        if self.checker is not None:
            return self.checker(value)
        if self.localized:
            return localized_text(value, self.name, limit=self.limit, multiline=self.multiline)
        return self.parse(text_value(value, self.name))

    def given(self, doc: dict[str, Any]) -> bool:
        """Whether ``doc`` holds this field; an empty plain value (a cleared form field) is
        as good as none."""
        if self.stored_as not in doc:
            return False
        return self.localized or self.many or doc[self.stored_as] not in (None, "")


def _text(name: str, limit: int, **rules: Any) -> Field:
    """A localized text field, translated with the rest of the entry."""
    return Field(name, limit, localized=True, translated=True, **rules)


def _question(text: str) -> str:
    return clean_text(text, "question")


SCHEMAS: dict[Kind, tuple[Field, ...]] = {
    # The order of each kind's fields is the order the guided form asks them in.
    "faq": (
        Field(
            "question", required=True, translated=True, one_line=1,
            parser=_question, checker=question_lists, key="questions",
        ),
        Field(
            "alternates", translated=True, multiline=True, many=True,
            parser=lambda text: parse_lines(text, "question"), key="questions",
        ),
        _text("answer", 4000, required=True, multiline=True, one_line=2, passage=True),
        Field("tags", many=True, parser=parse_tags, checker=tag_list, default=[]),
    ),
    "event": (
        _text("title", 300, required=True, one_line=2, matched=1.0),
        Field("date", required=True, one_line=1, parser=parse_date),
        # Asked only for a date with a time: a day without one reads the same on either clock.
        Field("timezone", one_line=5, parser=parse_timezone, implied=DEFAULT_EVENT_ZONE),
        _text("place", 300, one_line=3),
        _text("description", 4000, multiline=True, one_line=4, passage=True),
    ),
    "contact": (
        _text("name", 200, required=True, one_line=1, matched=1.0),
        _text("role", 300, one_line=2, matched=SECONDARY_WEIGHT, passage=True),
        _text("organization", 300, one_line=3, matched=SECONDARY_WEIGHT),
        _text("reach", 500, one_line=4),
        Field("website", one_line=5, parser=parse_website, default=""),
        Field("tags", many=True, parser=parse_tags, checker=tag_list, default=[], in_form=False),
    ),
}  # fmt: skip


def fields(kind: Kind) -> tuple[Field, ...]:
    return SCHEMAS[kind]


def field_of(kind: Kind, name: str) -> Field:
    for candidate in SCHEMAS[kind]:
        if candidate.name == name:
            return candidate
    raise Invalid("form.no_such_field", field=name)


def form_fields(kind: Kind) -> list[Field]:
    """The fields the guided form asks, in order."""
    return [f for f in SCHEMAS[kind] if f.in_form]


def localized(kind: Kind) -> list[Field]:
    """The fields stored as one text per language: what a record's ``texts`` hold."""
    return [f for f in SCHEMAS[kind] if f.localized]


def translated(kind: Kind) -> list[str]:
    """What /translate asks, in order."""
    return [f.name for f in form_fields(kind) if f.translated]


def one_line_order(kind: Kind) -> list[str]:
    """The values of a one-line ``/add…`` command, in order, separated by "|"."""
    placed = sorted((f for f in SCHEMAS[kind] if f.one_line), key=lambda f: f.one_line)
    return [f.name for f in placed]


def translation_order(kind: Kind) -> list[str]:
    """The texts of a one-line /translate, in order: the translated ones a line can hold."""
    return [f.name for f in form_fields(kind) if f.translated and f.one_line]


def _stored(kind: Kind) -> list[Field]:
    """One field per record key (an FAQ's question and alternates share ``questions``)."""
    return list({f.stored_as: f for f in reversed(SCHEMAS[kind])}.values())[::-1]


def validate_record(kind: Kind, doc: Any, known_sources: set[str]) -> dict[str, Any]:
    """A complete record of ``kind``, checked field by field; returns a clean copy."""
    if not isinstance(doc, dict):
        raise Invalid("invalid.not_object")
    stored = _stored(kind)
    unknown = set(doc) - {"id", "sources", *(f.stored_as for f in stored)}
    if unknown:
        raise Invalid("invalid.unknown_field", field=sorted(unknown)[0][:40])
    for field in stored:
        if field.required and not doc.get(field.stored_as):
            raise Invalid("invalid.missing", field=field.stored_as)
    clean: dict[str, Any] = {}
    for field in stored:
        if field.given(doc):
            clean[field.stored_as] = field.check(doc[field.stored_as])
        elif field.default is not None:
            clean[field.stored_as] = type(field.default)(field.default)  # a fresh copy
    clean["sources"] = source_list(doc.get("sources", []), known_sources)
    return clean


__all__ = ["KINDS", "SCHEMAS", "SECONDARY_WEIGHT", "Field", "Kind", "validate_record"]
