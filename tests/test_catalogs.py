"""Every language's catalog says everything English says: same keys, same placeholders, valid
Telegram HTML, the same /commands; and no handler holds a user-facing string."""

from __future__ import annotations

import ast
import re
import tomllib

import pytest

from knowledge.i18n.catalog import Catalog
from knowledge.i18n.languages import LOCALES_DIR
from tests.conftest import REPO
from transports.local_api import TelegramHTML

CATALOG = Catalog.load()
LANGUAGES = ["en", "de", "ru", "zh"]
LANGUAGE_NEUTRAL = {"meta.locale", "meta.script", "meta.stemmer", "meta.stopwords"}


def test_the_four_languages_are_there() -> None:
    assert sorted(CATALOG.languages) == sorted(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_catalog_has_every_key_of_english_and_no_other(lang: str) -> None:
    assert CATALOG.keys(lang) == CATALOG.keys("en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match_english(lang: str) -> None:
    for key in CATALOG.keys("en") - LANGUAGE_NEUTRAL:
        assert CATALOG.placeholders(lang, key) == CATALOG.placeholders("en", key), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_valid_telegram_html(lang: str) -> None:
    for key in CATALOG.keys(lang) - LANGUAGE_NEUTRAL:
        filled = CATALOG.template(lang, key).format_map(
            {name: "x" for name in CATALOG.placeholders(lang, key)}
        )
        TelegramHTML.to_plain(filled)  # raises on markup Telegram would refuse


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_commands_are_not_translated(lang: str) -> None:
    command = re.compile(r"(?<![\w/])/[a-z_]{2,}")
    for key in CATALOG.keys("en") - LANGUAGE_NEUTRAL:
        english = set(command.findall(CATALOG.template("en", key)))
        assert english <= set(command.findall(CATALOG.template(lang, key))), (key, english)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_meta_is_usable(lang: str) -> None:
    meta = tomllib.loads((LOCALES_DIR / f"{lang}.toml").read_text(encoding="utf-8"))["meta"]
    assert meta["name"] and meta["locale"] and meta["script"] in ("latin", "cyrillic", "han")
    assert len(meta["stopwords"].split()) >= 20


def _string_literals(tree: ast.AST) -> list[str]:
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_handler_holds_a_user_facing_string() -> None:
    """Strings in handlers/ are keys, patterns, names and log lines, never prose for users."""
    prose = re.compile(r"[A-Za-zА-Яа-я]{3,}[,.!?]?\s+[A-Za-zА-Яа-я]{3,}\s+[A-Za-zА-Яа-я]{3,}")
    allowed = re.compile(r"^(Ignored|Refused|Error|Could not|Registered|Ready|Starting)\b")
    for path in sorted((REPO / "handlers").glob("*.py")):
        if path.name == "local_api.py":  # stands in for Telegram: its texts are Telegram's
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for text in _string_literals(tree):
            if prose.search(text) and not allowed.match(text):
                pytest.fail(f"{path.name} holds user-facing text: {text!r}")
