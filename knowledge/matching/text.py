"""Text normalization shared by the knowledge base and the matcher.

A question and a stored phrasing are compared as bags of *content words*: Unicode-normalized,
case-folded, with punctuation and function words ("the", "when", "что", "的") removed, and
reduced to Snowball stems. Chinese has no spaces: every Han character is a word of its own,
which keeps the index and the scorer working without a segmentation dictionary.

A phrasing's language is known, so it is analysed with that language's rules. A question's
language is not: each of its words is analysed with the rules of every language written in the
word's script (a Latin word as English and as German), and all its stems are looked up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache

import Stemmer

from knowledge.i18n.languages import (
    DEFAULT_LANGUAGE,
    Language,
    detect,
    detect_clearly,
    is_han,
    languages,
    of_script,
    script_of,
)

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A Han character alone, or a run of other letters and digits.
_WORD = re.compile(rf"[{_HAN}]|[^\W{_HAN}]+")
# Longer runs are no words ("donaudampfschifffahrtsgesellschaft" has 34 letters) and are cut:
# the typo search grows with the cube of a word's length, and a 4096-letter one needed gigabytes.
MAX_WORD_LENGTH = 40


def whole_number(text: str, max_digits: int = 9) -> int | None:
    """``text`` as a number if it is plain ASCII digits (``str.isdigit`` also accepts "²" and
    "①", which ``int`` refuses), else None."""
    if text.isascii() and text.isdigit() and len(text) <= max_digits:
        return int(text)
    return None


# Telegram user ids are positive and have at most 52 significant bits.
USER_ID_LIMIT = 2**52


def parse_user_id(text: str) -> int | None:
    """``text`` as a Telegram user id (ASCII digits, 1 to below ``USER_ID_LIMIT``), else None:
    a larger number would be stored, then refused by Telegram at every use."""
    number = whole_number(text.strip(), max_digits=len(str(USER_ID_LIMIT)))
    return number if number is not None and 0 < number < USER_ID_LIMIT else None


def fold(text: str) -> str:
    """Unicode-normalize and case-fold ``text`` (Ё/ё folds to е as Russian readers expect)."""
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def words(text: str, phrases: Mapping[str, str] | None = None) -> list[str]:
    """All words of ``text``, folded, punctuation dropped, stopwords kept.

    ``phrases`` maps synonyms of several words (U-Bahn, small and medium enterprises, and Han
    words such as 莫斯科) to one token each; other Han characters are words of their own.
    """
    folded = fold(text)
    if phrases:
        folded = _replace_phrases(folded, phrases)
    return [word[:MAX_WORD_LENGTH] for word in _WORD.findall(folded)]


def _replace_phrases(text: str, phrases: Mapping[str, str]) -> str:
    for phrase in sorted(phrases, key=len, reverse=True):  # longest first
        if phrase in text:
            text = _phrase_pattern(phrase).sub(f" {phrases[phrase]} ", text)
    return text


@cache
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    if is_han(phrase[0]):
        return re.compile(re.escape(phrase))  # Chinese has no word boundaries to respect
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")


def analyze(
    text: str, lang: str = DEFAULT_LANGUAGE, phrases: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Each content word of a text in ``lang``: as written (folded), and as its stem.

    The matcher compares stems, so that "signed" and "signing" are one word, and looks for
    typos among words as written, where "sined" is one letter from "signed".
    """
    language = languages().get(lang) or languages()[DEFAULT_LANGUAGE]
    pairs = []
    for word in words(text, phrases):
        rules = _rules_for(word, language)
        if word in rules.stopwords:
            continue
        pairs.append((word, stem(word, rules)))
    return pairs


def analyze_question(
    text: str, phrases: Mapping[str, str] | None = None
) -> list[tuple[str, list[str]]]:
    """Each content word of a question of unknown language, with its stem in every language
    of its script (first the most likely). A stopword of any of those languages is dropped."""
    found = words(text, phrases)
    detected = detect(found)
    analysed = []
    for word in found:
        candidates = of_script(script_of(word) or "") or [languages()[DEFAULT_LANGUAGE]]
        if any(word in lang.stopwords for lang in candidates):
            continue
        candidates.sort(key=lambda lang: lang.code != detected)
        analysed.append((word, list(dict.fromkeys(stem(word, lang) for lang in candidates))))
    return analysed


def detect_language(text: str) -> str | None:
    """The language ``text`` is written in, if there is a clue: see ``languages.detect``."""
    return detect(words(text))


def clear_language(text: str) -> str | None:
    """The language ``text`` is unmistakably written in: see ``languages.detect_clearly``."""
    return detect_clearly(words(text))


def _rules_for(word: str, language: Language) -> Language:
    """The language whose rules apply to ``word`` in a text of ``language``: a Chinese
    character in an English phrasing is still Chinese."""
    if language.script != "han" and word and is_han(word[0]):
        return next(iter(of_script("han")), language)
    return language


def stem(word: str, language: Language) -> str:
    stemmer = _stemmer(language.stemmer)
    return stemmer.stemWord(word) if stemmer else word


def stem_words(found: list[str], lang: str = DEFAULT_LANGUAGE) -> list[str]:
    language = languages().get(lang) or languages()[DEFAULT_LANGUAGE]
    return [stem(word, language) for word in found]


def word_forms(word: str) -> set[str]:
    """``word`` folded, and its stem in every language: what a synonym must catch."""
    folded = fold(word)
    return {folded, *(stem(folded, lang) for lang in languages().values())}


def all_stopwords() -> frozenset[str]:
    return frozenset().union(*(lang.stopwords for lang in languages().values()))


@cache
def _stemmer(algorithm: str) -> Stemmer.Stemmer | None:
    return Stemmer.Stemmer(algorithm) if algorithm else None
