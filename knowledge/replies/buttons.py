"""What a button carries (Telegram's callback data, at most 64 bytes): one small codec per
button kind, used both to make a button's data and to read it back, so the two sides can never
disagree. A button is never trusted for being shown: ``parse`` gives None for data the bot
would not have made (forged, or from an older version), and the handler says so.

A codec's ``matches`` is the handler's pattern (python-telegram-bot takes a callable): it
routes every press of that kind, well-formed or not, to the one handler that answers it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, NamedTuple, TypeVar

from knowledge.records.models import EntryRef, parse_id

T = TypeVar("T")
DATA_LIMIT = 64  # bytes of callback data Telegram carries


@dataclass(frozen=True)
class Codec(Generic[T]):
    """Buttons of one kind: ``kind:value``."""

    kind: str
    write: Callable[[T], str]
    read: Callable[[str], T | None]

    def __call__(self, value: T) -> str:
        data = f"{self.kind}:{self.write(value)}"
        assert len(data.encode()) <= DATA_LIMIT, data
        return data

    def matches(self, data: object) -> bool:
        return isinstance(data, str) and data.startswith(f"{self.kind}:")

    def parse(self, data: object) -> T | None:
        return self.read(data[len(self.kind) + 1 :]) if self.matches(data) else None  # type: ignore[index]


class Fixed(str):
    """A button that carries nothing but its kind (Save, Cancel): the data is the string."""

    __slots__ = ()

    def matches(self, data: object) -> bool:
        return data == self


def _entry(text: str) -> EntryRef | None:
    return EntryRef.parse(text)


def _one_of(values: tuple[str, ...]) -> Callable[[str], str | None]:
    return lambda text: text if text in values else None


def _word(text: str) -> str | None:
    """A short ASCII token (a field name, an import token, a backup name)."""
    return text if text and text.isascii() and text.isprintable() and " " not in text else None


class Vote(NamedTuple):
    vote: str  # "up" or "down"
    ref: EntryRef


def _vote(text: str) -> Vote | None:
    vote, _, ref_text = text.partition(":")
    ref = EntryRef.parse(ref_text)
    return Vote(vote, ref) if vote in VOTES and ref is not None else None


class Attach(NamedTuple):
    row: int  # an unanswered question
    faq: int  # the FAQ entry it becomes another phrasing of


def _attach(text: str) -> Attach | None:
    row, _, faq = text.partition(":")
    row_id, faq_id = parse_id(row), parse_id(faq)
    return Attach(row_id, faq_id) if row_id is not None and faq_id is not None else None


# Anyone's buttons ------------------------------------------------------------------------------

VOTES = ("up", "down")
MENU_PAGES = ("agreement", "events", "contacts", "help")
AUTOMATIC = "auto"  # the language button that goes back to the question's own language

SHOW = Codec[EntryRef]("show", str, _entry)
MENU = Codec[str]("menu", str, _one_of(MENU_PAGES))
VOTE = Codec[Vote]("vote", lambda v: f"{v.vote}:{v.ref}", _vote)
LANGUAGE = Codec[str]("lang", str, _word)  # a language code or AUTOMATIC; checked on use
CALENDAR = Codec[EntryRef]("ics", str, _entry)

# Admins' buttons -------------------------------------------------------------------------------

DELETE = Codec[EntryRef]("del", str, _entry)
UNDO = Codec[int]("undo", str, parse_id)
FAQ_PAGE = Codec[int]("faqs", str, parse_id)
UNANSWERED_NEW = Codec[int]("un:new", str, parse_id)
UNANSWERED_ATTACH = Codec[Attach]("un:attach", lambda a: f"{a.row}:{a.faq}", _attach)
UNANSWERED_DISMISS = Codec[int]("un:dismiss", str, parse_id)
IMPORT_APPLY = Codec[str]("import", str, _word)
RESTORE = Codec[str]("restore", str, _word)
FORM_FIELD = Codec[str]("form:field", str, _word)
FORM_ALTERNATE = Codec[int]("form:alt", str, parse_id)
FORM_SAVE = Fixed("form:save")
FORM_CANCEL = Fixed("form:cancel")
FORM_NEW = Fixed("form:new")
FORM_REAPPLY = Fixed("form:reapply")
CANCEL = Fixed("cancel")
