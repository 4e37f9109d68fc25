"""The tests' own support, tested: the reader of Telegram's HTML accepts what Telegram
accepts and refuses what it refuses, and the generators of tests/support/generated.py reach
every command and button the bot knows."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from handlers.command_table import ADMIN_COMMANDS, MENU_COMMANDS
from runtime.settings import Settings
from tests.conftest import OWNER
from tests.support.application import button_prefixes_of, commands_of
from tests.support.running_bot import NO_FLOOD, RunningBot
from tests.support.telegram import NotTelegramHtml, visible_text


@pytest.mark.parametrize(
    ("markup", "shown"),
    [
        ("plain", "plain"),
        ("<b>bold</b> &amp; <i>it</i>", "bold & it"),
        ('<a href="https://mos.ru/">mos.ru</a> &lt;3 &#128512; &quot;', 'mos.ru <3 😀 "'),
        ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy"),
        ('<pre><code class="language-python">1</code></pre>', "1"),
        ("<blockquote expandable>quote</blockquote>", "quote"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
    ],
)
def test_the_html_reader_accepts_telegram_html(markup: str, shown: str) -> None:
    assert visible_text(markup) == shown


@pytest.mark.parametrize(
    "markup",
    [
        "<b>open",
        "<b><i>crossed</b></i>",
        "</b>",
        "<p>paragraph</p>",
        "line<br>break",
        "<br/>",
        "a < b",
        "a > b",
        "fish & chips",
        "&nbsp;",
        "&amp without semicolon",
        "<a>no href</a>",
        '<a href="x" target="_blank">x</a>',
        '<span class="red">x</span>',
        '<code class="language-python">x</code>',
        "<!-- comment -->",
        "<b",
    ],
)
def test_the_html_reader_refuses_what_telegram_refuses(markup: str) -> None:
    with pytest.raises(NotTelegramHtml):
        visible_text(markup)


def test_the_generators_cover_every_command_and_button_the_bot_knows(
    start_bot: Callable[[Settings], RunningBot],
) -> None:
    bot = start_bot(Settings(admin_ids=frozenset({OWNER}), flood_limit=NO_FLOOD))
    commands = commands_of(bot.application)
    assert set(MENU_COMMANDS) | set(ADMIN_COMMANDS) | {"skip", "myid"} <= set(commands)
    prefixes = button_prefixes_of(bot.application)
    for prefix in ("show:", "menu:", "vote:", "lang:", "form:save", "del:", "import:", "cancel"):
        assert prefix in prefixes
