"""Text normalization shared by the knowledge base and the matcher.

A question and a stored phrasing are compared as bags of *content words*: Unicode-normalized,
case-folded, with punctuation and function words ("the", "when", "is") removed. Function words
carry no topic, and keeping them would let any two questions look alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import Stemmer

_WORD = re.compile(r"\w+")

# Function words. Question words are here on purpose: FAQ answers cover who, when and how of a
# topic together, and "when" alone must not make "when is the weather nice" look like a match.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """
        a an the is are was were be been being am do does did doing done have has had having
        i me my mine myself we us our ours you your yours he him his she her hers it its they them
        their theirs this that these those there here what which who whom whose when where why how
        whats whos wheres hows of in on at to for from by with about into onto over under between
        through during before after above below up down out off again further then once and or
        but nor not no yes so than too very can could will would shall should may might must s t
        d ll ve re m also just all any both each few more most other some such own same only
        please tell know want like give show let get got much many something anything
        thing things kind sort lot lots dear hi hey ok okay thanks thank one time
        """.split()
    ),
}


def fold(text: str) -> str:
    """Unicode-normalize and case-fold ``text`` (Ё/ё folds to е as Russian readers expect)."""
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def words(text: str) -> list[str]:
    """All words of ``text``, folded, punctuation dropped, stopwords kept."""
    return _WORD.findall(fold(text))


# Snowball stemmers, so that "signed" and "signing" are one word to the matcher.
STEMMERS = {"en": "english"}


def content_words(text: str, lang: str = "en") -> list[str]:
    """The words of ``text`` that carry meaning, in order, unstemmed."""
    stop = STOPWORDS.get(lang, frozenset())
    return [word for word in words(text) if word not in stop]


def analyze(text: str, lang: str = "en") -> list[tuple[str, str]]:
    """Each content word of ``text`` as written (folded) and as its stem.

    The matcher compares stems, so that "signed" and "signing" are one word, and looks for
    typos among words as written, where "sined" is one letter from "signed".
    """
    found = content_words(text, lang)
    return list(zip(found, stem_words(found, lang), strict=True))


def stem_words(found: list[str], lang: str = "en") -> list[str]:
    stemmer = _stemmer(lang)
    return stemmer.stemWords(found) if stemmer else list(found)


def word_forms(word: str) -> set[str]:
    """``word`` folded, and its stem in every language we stem: what a synonym must catch."""
    folded = fold(word)
    return {folded, *(stem_words([folded], lang)[0] for lang in STEMMERS)}


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer | None:
    algorithm = STEMMERS.get(lang)
    return Stemmer.Stemmer(algorithm) if algorithm else None


def all_stopwords() -> frozenset[str]:
    return frozenset().union(*STOPWORDS.values())
