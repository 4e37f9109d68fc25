"""The languages the bot speaks, read from the ``[meta]`` table of each ``locales/<lang>.toml``.

``read_locales`` is the one reader of those files (the message catalog reads them through it
too), and ``DEFAULT_LANGUAGE`` the one language the bot falls back to: the catalog's, the
knowledge base's and the command line's.

A language brings its name, its Babel locale, its script, its Snowball stemmer and its stopwords,
so adding a language is adding one file. ``detect`` guesses the language of a text from its
script and, among languages sharing a script, from their stopwords.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

LOCALES_DIR = Path(__file__).with_name("locales")
# The language every text exists in, shown when one is missing in the reader's language.
DEFAULT_LANGUAGE = "en"
SCRIPTS = ("latin", "cyrillic", "han")
# A question is "clearly" in a language (and answered in it, whatever the client's language)
# from this many letters of one script, holding this share of all letters; a script that only
# one of the bot's languages uses (Cyrillic, Han) needs fewer.
CLEAR_LETTERS = 8
CLEAR_OWN_SCRIPT = 2
CLEAR_SHARE = 0.8


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    locale: str
    script: str
    stemmer: str
    stopwords: frozenset[str]
    meta: Mapping[str, Any]  # the whole ``[meta]`` table, the question cues among it


@cache
def read_locales(directory: Path = LOCALES_DIR) -> dict[str, dict[str, Any]]:
    """Every ``<lang>.toml`` in ``directory``, parsed once per process (the languages and the
    catalog both read them at start), by language code: the default language first, then the
    others by code (the order of /language). Shared: read it, never change it."""
    paths = sorted(directory.glob("*.toml"), key=lambda p: (p.stem != DEFAULT_LANGUAGE, p.stem))
    tables = {}
    for path in paths:
        with path.open("rb") as file:
            tables[path.stem] = tomllib.load(file)
    return tables


@cache
def languages(directory: Path = LOCALES_DIR) -> dict[str, Language]:
    found = {}
    for code, tables in read_locales(directory).items():
        meta = tables["meta"]
        found[code] = Language(
            code=code,
            name=meta["name"],
            locale=meta["locale"],
            script=meta["script"],
            stemmer=meta.get("stemmer", ""),
            stopwords=frozenset(meta.get("stopwords", "").split()),
            meta=meta,
        )
    return found


def codes() -> list[str]:
    return list(languages())


def of_script(script: str) -> list[Language]:
    return list(_of_script(script))


@cache
def _of_script(script: str) -> tuple[Language, ...]:
    return tuple(lang for lang in languages().values() if lang.script == script)


def is_han(char: str) -> bool:
    return (
        "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff"
    )


def script_of(word: str) -> str | None:
    """The script of a word: by its first letter (words are split at script changes)."""
    for char in word:
        if char.isalpha():
            return _script_of_letter(char)
    return None


@cache
def _script_of_letter(char: str) -> str | None:
    if is_han(char):
        return "han"
    name = unicodedata.name(char, "")
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("LATIN"):
        return "latin"
    return None


def detect(words: list[str]) -> str | None:
    """The language these (folded) words are most likely in; None if there is no clue."""
    letters: dict[str, int] = {}
    for word in words:
        script = script_of(word)
        if script:
            letters[script] = letters.get(script, 0) + len(word)
    if not letters:
        return None
    script = max(letters, key=lambda s: letters[s])
    candidates = of_script(script)
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0].code

    def evidence(lang: Language) -> tuple[int, bool]:
        # Stopwords are the tell between languages of one script; English breaks ties.
        return (sum(1 for w in words if w in lang.stopwords), lang.code == DEFAULT_LANGUAGE)

    best = max(candidates, key=evidence)
    if best.code != "de" and any(ch in "äöüß" for w in words for ch in w):
        german = languages().get("de")
        return german.code if german else best.code
    return best.code


def detect_clearly(words: list[str]) -> str | None:
    """The language of these (folded) words when there is no doubt about it: one script
    holds nearly all letters, there are enough of them, and among languages sharing that
    script the stopwords (or German letters) single one out. Short or mixed texts: None."""
    letters: dict[str, int] = {}
    for word in words:
        script = script_of(word)
        if script:
            letters[script] = letters.get(script, 0) + len(word)
    total = sum(letters.values())
    if not total:
        return None
    script = max(letters, key=lambda s: letters[s])
    candidates = of_script(script)
    if not candidates or letters[script] < CLEAR_SHARE * total:
        return None
    if len(candidates) == 1:  # the script alone says which language it is
        return candidates[0].code if letters[script] >= CLEAR_OWN_SCRIPT else None
    if letters[script] < CLEAR_LETTERS:
        return None
    if any(ch in "äöüß" for w in words for ch in w) and "de" in {c.code for c in candidates}:
        return "de"
    evidence = sorted(
        ((sum(1 for w in words if w in lang.stopwords), lang.code) for lang in candidates),
        reverse=True,
    )
    (best, code), (second, _) = evidence[0], evidence[1]
    return code if best > second else None
