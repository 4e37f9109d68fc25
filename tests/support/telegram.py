"""What Telegram accepts, read strictly: its HTML, its limits; and the settings every
property test runs Hypothesis with."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, settings

MESSAGE_LIMIT = 4096  # UTF-16 code units of visible text
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200
CALLBACK_DATA_LIMIT = 64  # bytes


def hypothesis_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# Telegram's HTML, read strictly -----------------------------------------------------------------

# https://core.telegram.org/bots/api#html-style: the tags, and the attributes each may carry.
TAG_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set() for tag in ("b", "strong", "i", "em", "u", "ins", "s", "strike", "del")},
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
ENTITIES = {"lt", "gt", "amp", "quot"}
_BARE_AMPERSAND = re.compile(r"&(?![A-Za-z]+;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)")
_BARE_LESS_THAN = re.compile(r"<(?!/?[A-Za-z])")


class NotTelegramHtml(ValueError):
    """Telegram would answer "Bad Request: can't parse entities"."""


class TelegramHtmlReader(HTMLParser):
    """Telegram's HTML parse mode on ``html.parser``: only Telegram's tags and attributes,
    every tag closed in order, ``<``, ``>`` and ``&`` only as tags or entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAG_ATTRIBUTES:
            raise NotTelegramHtml(f"unsupported tag <{tag}>")
        values = dict(attrs)
        if len(values) != len(attrs) or not set(values) <= TAG_ATTRIBUTES[tag]:
            raise NotTelegramHtml(f"unsupported attributes on <{tag}>: {attrs}")
        if tag == "span" and values.get("class") != "tg-spoiler":
            raise NotTelegramHtml("a <span> that is not a spoiler")
        if tag == "a" and not values.get("href"):
            raise NotTelegramHtml("a link without href")
        if tag == "tg-emoji" and not (values.get("emoji-id") or "").isdigit():
            raise NotTelegramHtml("a custom emoji without emoji-id")
        language = (values.get("class") or "").startswith("language-")
        if tag == "code" and "class" in values and (self.open[-1:] != ["pre"] or not language):
            raise NotTelegramHtml("a code class other than a language inside <pre>")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise NotTelegramHtml(f"self-closing tag <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise NotTelegramHtml(f"</{tag}> does not close the open {self.open[-1:]}")
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for special in "<>&":
            if special in data:
                raise NotTelegramHtml(f"a bare {special!r} in {data[:40]!r}")
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ENTITIES:
            raise NotTelegramHtml(f"unsupported entity &{name};")
        self.visible.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.visible.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        raise NotTelegramHtml("an HTML comment")

    def handle_decl(self, decl: str) -> None:
        raise NotTelegramHtml("a declaration")

    def handle_pi(self, data: str) -> None:
        raise NotTelegramHtml("a processing instruction")

    def unknown_decl(self, data: str) -> None:
        raise NotTelegramHtml("a CDATA section")


def visible_text(markup: str) -> str:
    """What the reader sees of a message sent with parse mode HTML; raises if Telegram would
    refuse it."""
    for pattern, what in ((_BARE_AMPERSAND, "&"), (_BARE_LESS_THAN, "<")):
        found = pattern.search(markup)
        if found:
            raise NotTelegramHtml(f"a bare {what!r} at {markup[found.start() :][:40]!r}")
    reader = TelegramHtmlReader()
    reader.feed(markup)
    reader.close()
    if reader.open:
        raise NotTelegramHtml(f"unclosed {reader.open}")
    return "".join(reader.visible)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
