"""Telegram HTML helpers: escaping, plain text, and clean splitting of long messages."""

from __future__ import annotations

import pytest

from knowledge.i18n.catalog import Catalog
from knowledge.replies.markup import escape, split_html, telegram_length, to_plain
from transports.local_api import BadRequest, TelegramHTML


def test_escape_neutralises_markup() -> None:
    assert escape("<b>5 & 6</b>") == "&lt;b&gt;5 &amp; 6&lt;/b&gt;"
    assert to_plain(escape("<b>5 & 6</b>")) == "<b>5 & 6</b>"


def test_catalog_escapes_values_but_not_its_own_markup() -> None:
    html = Catalog.load().html("en", "search.results", query="<script>")
    assert "<i>&lt;script&gt;</i>" in html


def test_short_text_is_one_message() -> None:
    assert split_html("<b>hi</b>") == ["<b>hi</b>"]


def test_long_text_splits_at_line_breaks_into_valid_html() -> None:
    lines = [f"<b>Point {n}</b> – " + "detail " * 20 for n in range(200)]
    text = "\n".join(lines)
    parts = split_html(text)
    assert len(parts) > 1
    for part in parts:
        assert telegram_length(part) <= 4096
        TelegramHTML.to_plain(part)  # raises on broken markup
        assert not part.startswith("\n") and "<b>Point" in part.split("\n")[0]
    assert "".join(to_plain(p) for p in parts).count("Point") == 200


def test_a_tag_open_across_a_cut_is_closed_and_reopened() -> None:
    text = "<i>" + "word " * 2000 + "</i>"
    parts = split_html(text, limit=1000)
    assert len(parts) >= 10
    for part in parts:
        assert part.startswith("<i>") and part.endswith("</i>")
        TelegramHTML.to_plain(part)


def test_a_single_word_longer_than_a_message_is_cut_hard() -> None:
    parts = split_html("x" * 10_000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_entities_are_never_cut_in_half() -> None:
    parts = split_html("&amp;" * 3000, limit=100)
    for part in parts:
        assert to_plain(part) == "&" * len(to_plain(part))


def test_emoji_count_double_as_telegram_counts_them() -> None:
    parts = split_html("😀" * 3000)
    assert all(telegram_length(p) <= 4096 for p in parts) and len(parts) == 2


@pytest.mark.parametrize(
    "bad", ["<script>x</script>", "<b>unclosed", "a < b", "</i>", "<b><i>x</b></i>", "&nbsp;"]
)
def test_the_local_bot_api_refuses_what_telegram_refuses(bad: str) -> None:
    with pytest.raises(BadRequest):
        TelegramHTML.to_plain(bad)
