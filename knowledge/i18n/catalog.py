"""Message catalogs: every text the bot shows, per language, in ``locales/<lang>.toml``.

Templates are Telegram HTML with ``{name}`` placeholders. ``Catalog.html`` escapes every value
it substitutes, so a user's words or a knowledge-base text can never inject markup; values that
are already HTML (built by other templates) are passed wrapped in ``Markup``.

A message that states a number of things is a table of CLDR plural categories instead of one
text (``row = { one = "asked once", other = "asked {count} times" }``), never "time(s)": the
form is chosen by the ``count`` value with the language's CLDR rule (Babel), so Russian gets
"21 раз", "22 раза", "25 раз" and Chinese needs only ``other``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.plural import PluralRule

from knowledge.i18n.languages import DEFAULT_LANGUAGE, LOCALES_DIR, read_locales
from knowledge.replies.markup import Markup, escape

PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})
PLURAL_VALUE = "count"  # the value a plural message is chosen by


class Plural(dict[str, str]):
    """A message's forms by CLDR plural category; "other" is always there."""


Message = str | Plural


class Catalog:
    def __init__(self, messages: Mapping[str, Mapping[str, Message]]) -> None:
        self._messages = messages

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR) -> Catalog:
        messages = {code: _flatten(tables) for code, tables in read_locales(directory).items()}
        if DEFAULT_LANGUAGE not in messages:  # the fallback of every message
            raise ValueError(f"no {DEFAULT_LANGUAGE}.toml catalog in {directory}")
        return cls(messages)

    def extended(self, messages: Mapping[str, Mapping[str, Any]]) -> Catalog:
        """This catalog with more messages, given per language as TOML tables are read: the
        texts a new knowledge field brings (its label, its prompt, its place in a card)."""
        merged = {lang: dict(texts) for lang, texts in self._messages.items()}
        for lang, tree in messages.items():
            merged.setdefault(lang, {}).update(_flatten(tree))
        return Catalog(merged)

    @property
    def languages(self) -> list[str]:
        return list(self._messages)

    def keys(self, lang: str = DEFAULT_LANGUAGE) -> set[str]:
        return set(self._messages.get(lang, {}))

    def has(self, lang: str, key: str) -> bool:
        return key in self._messages.get(lang, {}) or key in self._messages[DEFAULT_LANGUAGE]

    def template(self, lang: str, key: str, count: float | None = None) -> str:
        """The message's text; for a plural message the form for ``count`` ("other" if no
        count is given)."""
        for candidate in (lang, DEFAULT_LANGUAGE):
            message = self._messages.get(candidate, {}).get(key)
            if isinstance(message, Plural):
                return message.get(self._category(candidate, count)) or message["other"]
            if message is not None:
                return message
        raise KeyError(f"message {key!r} is in no catalog")

    def forms(self, lang: str, key: str) -> dict[str, str]:
        """Every text of a message by plural category; a plain message is only "other"."""
        message = self._messages.get(lang, {}).get(key)
        if message is None:
            return {"other": self.template(lang, key)}
        return dict(message) if isinstance(message, Plural) else {"other": message}

    def html(self, lang: str, key: str, **values: Any) -> Markup:
        """The message as Telegram HTML, with every plain value escaped."""
        safe = {
            name: value if isinstance(value, Markup) else escape(str(value))
            for name, value in values.items()
        }
        return Markup(self.template(lang, key, values.get(PLURAL_VALUE)).format(**safe))

    def text(self, lang: str, key: str, **values: Any) -> str:
        """The message as plain text, for button labels and other places without markup."""
        return self.template(lang, key, values.get(PLURAL_VALUE)).format(**values)

    def placeholders(self, lang: str, key: str) -> set[str]:
        """The values a message takes, in any of its forms."""
        parse = string.Formatter().parse
        return {
            name for text in self.forms(lang, key).values() for _, name, _, _ in parse(text) if name
        }

    def _category(self, lang: str, count: float | None) -> str:
        if not isinstance(count, int | float):  # no count given: the general form
            return "other"
        return str(plural_rule(self._locale(lang))(count))

    def _locale(self, lang: str) -> str:
        locale = self._messages.get(lang, {}).get("meta.locale")
        return locale if isinstance(locale, str) else lang


@cache
def plural_rule(locale: str) -> PluralRule:
    """The CLDR plural rule of ``locale``: a number to "one", "few", "many", "other"..."""
    return Locale.parse(locale).plural_form


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Message]:
    flat: dict[str, Message] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and _is_plural(value):
            flat[name] = Plural({category: str(text) for category, text in value.items()})
        elif isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


def _is_plural(table: Mapping[str, Any]) -> bool:
    """A table whose keys are all CLDR plural categories, "other" among them, is one message's
    forms; any other table is a group of messages."""
    return "other" in table and set(table) <= PLURAL_CATEGORIES
