"""What kind of fact a question asks for, and whether an answer holds one.

"Who runs Beijing" wants a name, "when was it signed" a date, "how much does Moscow export"
a number. An answer that holds no fact of the asked kind is not the answer, however close its
words come: the decision (``knowledge.matching.decision``) takes this into account. The cue words of
each language are in the ``[meta]`` table of its ``locales/<lang>.toml`` (``asks_person``,
``asks_date``, ``asks_number``, ``number_words``), so a new language brings its own.

The check is deliberately coarse: a date is a year or a day of a month, a number any digit or
number word, a person or body any name the knowledge base lists as a contact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Literal

from knowledge.i18n.languages import languages
from knowledge.matching.text import fold

FactKind = Literal["person", "date", "number"]
KINDS: tuple[FactKind, ...] = ("person", "date", "number")

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_HAN_DATE = re.compile(r"\d+\s*[年月日号]")
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@cache
def _cues() -> dict[str, tuple[re.Pattern[str], ...]]:
    """Per kind (and "number_words"), one pattern per language."""
    found: dict[str, list[re.Pattern[str]]] = {}
    for language in sorted(languages().values(), key=lambda lang: lang.code):
        han = language.script == "han"
        for key in (*(f"asks_{kind}" for kind in KINDS), "number_words"):
            cues = [fold(cue) for cue in language.meta.get(key, "").split("|") if cue.strip()]
            if cues:
                found.setdefault(key, []).append(_pattern(cues, han))
    return {key: tuple(patterns) for key, patterns in found.items()}


def _pattern(cues: list[str], han: bool) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(cue) for cue in sorted(cues, key=len, reverse=True))
    if han:  # Chinese has no spaces between words
        return re.compile(alternatives)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def asked_kind(question: str) -> FactKind | None:
    """The kind of fact ``question`` asks for, if a cue says so; the first cue wins."""
    text = fold(question)
    first: tuple[int, FactKind] | None = None
    for kind in KINDS:
        for pattern in _cues().get(f"asks_{kind}", ()):
            found = pattern.search(text)
            if found and (first is None or found.start() < first[0]):
                first = (found.start(), kind)
    return first[1] if first else None


def holds(kind: FactKind, text: str, names: Iterable[str] = ()) -> bool:
    """Whether ``text`` (an answer as the user reads it) states a fact of ``kind``;
    ``names`` are the people and bodies that count as an answer to "who"."""
    folded = fold(text)
    if kind == "date":
        return bool(_YEAR.search(folded) or _HAN_DATE.search(folded))
    if kind == "number":
        if _DIGIT.search(folded):
            return True
        return any(p.search(folded) for p in _cues().get("number_words", ()))
    return any(fold(name) in folded for name in names if name.strip())


def unstated_numbers(question: str, text: str) -> bool:
    """Whether the question names a number (a year, an amount) that the answer never states:
    "a program for 2024 to 2026" is not answered by the one for 2021 to 2023."""
    asked = {n for n in _NUMBER.findall(fold(question)) if len(n) >= 2}
    if not asked:
        return False
    stated = set(_NUMBER.findall(fold(text)))
    return not asked <= stated
