"""Message catalogs: every text the bot shows, per language, in ``knowledge/locales/<lang>.toml``.

Templates are Telegram HTML with ``{name}`` placeholders. ``Catalog.html`` escapes every value
it substitutes, so a user's words or a knowledge-base text can never inject markup; values that
are already HTML (built by other templates) are passed wrapped in ``Markup``.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from knowledge.markup import Markup, escape

LOCALES_DIR = Path(__file__).with_name("locales")
FALLBACK_LANGUAGE = "en"


class Catalog:
    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        self._messages = messages

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR) -> Catalog:
        messages = {}
        # English first (the fallback), then the others by code: the order of /language.
        for path in sorted(
            directory.glob("*.toml"), key=lambda p: (p.stem != FALLBACK_LANGUAGE, p.stem)
        ):
            with path.open("rb") as file:
                messages[path.stem] = _flatten(tomllib.load(file))
        if FALLBACK_LANGUAGE not in messages:
            raise ValueError(f"no {FALLBACK_LANGUAGE}.toml catalog in {directory}")
        return cls(messages)

    @property
    def languages(self) -> list[str]:
        return list(self._messages)

    def keys(self, lang: str = FALLBACK_LANGUAGE) -> set[str]:
        return set(self._messages.get(lang, {}))

    def has(self, lang: str, key: str) -> bool:
        return key in self._messages.get(lang, {}) or key in self._messages[FALLBACK_LANGUAGE]

    def template(self, lang: str, key: str) -> str:
        for candidate in (lang, FALLBACK_LANGUAGE):
            template = self._messages.get(candidate, {}).get(key)
            if template is not None:
                return template
        raise KeyError(f"message {key!r} is in no catalog")

    def html(self, lang: str, key: str, **values: Any) -> Markup:
        """The message as Telegram HTML, with every plain value escaped."""
        safe = {
            name: value if isinstance(value, Markup) else escape(str(value))
            for name, value in values.items()
        }
        return Markup(self.template(lang, key).format(**safe))

    def text(self, lang: str, key: str, **values: Any) -> str:
        """The message as plain text, for button labels and other places without markup."""
        return self.template(lang, key).format(**values)

    def placeholders(self, lang: str, key: str) -> set[str]:
        return {
            name for _, name, _, _ in string.Formatter().parse(self.template(lang, key)) if name
        }


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat
