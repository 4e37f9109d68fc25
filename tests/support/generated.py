"""Generated input for the tests that send the bot anything at all: any Unicode (lone
surrogates too), markup look-alikes, odd numbers, whitespace only, 4096-character text; every
command the bot knows and some it does not; button data it never issued; and the updates a
private chat can bring, built for a ``RunningBot``."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from telegram.ext import Application

from tests.support.application import button_prefixes_of, commands_of
from tests.support.running_bot import BOT_NAME, RunningBot, bot_message
from tests.support.telegram import CALLBACK_DATA_LIMIT, MESSAGE_LIMIT
from transports.local_api import JSONDict, UpdateFactory

SPECIAL_CHARACTERS = [
    *"\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\xa0\xad",
    "\u0300",  # combining grave accent
    "\u0301",
    "\u0336",  # combining long stroke
    "\u061c",  # Arabic letter mark
    "\u200b",  # zero-width space
    "\u200c",
    "\u200d",  # zero-width joiner
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    *"\u202a\u202b\u202c\u202d\u202e",  # bidi embeddings and overrides
    *"\u2066\u2067\u2068\u2069",  # bidi isolates
    "\u2028",
    "\u2029",
    "\u3000",
    "\ufeff",
    "\ufffd",
    "\uffff",
    "😀",
    "\U0001f3fd",  # skin tone modifier
    "\U000e0001",  # language tag
    "\U0010ffff",
    "ё",
    "ß",
    "İ",
    "ﬁ",
    "Å",
    "＜",
    "﹠",
]
SPECIAL_SEQUENCES = [
    "e\u0301\u0302\u0303",  # a letter under three combining marks
    "👍🏽",
    "👨\u200d👩\u200d👧\u200d👦",  # one family, joined by zero-width joiners
    "🇷🇺",
    "🇨🇳",
    "\u202eevil\u202c",  # right-to-left override
    "שלום עולם",
    "مرحبا",
]
MARKUP_LOOKALIKES = [
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<b><i>",
    "</b></i>",
    "<u>",
    "<s>",
    "<code>",
    "</code>",
    "<pre>",
    "<tg-spoiler>",
    '<span class="tg-spoiler">',
    '<a href="https://mos.ru/">',
    '<a href="javascript:alert(1)">x</a>',
    "</a>",
    "<script>alert(1)</script>",
    "<!--",
    "-->",
    "<br/>",
    "<",
    ">",
    "&",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&#39;",
    "&#x1F600;",
    "&nbsp;",
    "&amp",
    "*bold*",
    "_italic_",
    "__underline__",
    "~strike~",
    "||spoiler||",
    "`code`",
    "```\ncode\n```",
    "[link](https://example.com)",
    "\\*",
    "{name}",
    "{0}",
    "{",
    "}",
    "%s",
    "%(name)s",
    "' OR 1=1 --",
    "http://[::1",
    "https://mos.ru/?a=1&b=<2>",
]
WORDS = [
    "agreement",
    "signed",
    "when",
    "who",
    "subway",
    "metro",
    "Moscow",
    "Beijing",
    "trade",
    "events",
    "contacts",
    "когда",
    "подписано",
    "соглашение",
    "метро",
    "Москва",
    "莫斯科",
    "北京",
    "协议",
    "地铁",
    "Abkommen",
    "U-Bahn",
    "wann",
    "?",
    "!",
    "...",
]
WHITESPACE = " \t\n\r\xa0\u2000\u2003\u2009\u202f\u205f\u3000\u2028\u2029"
# Digits in other scripts that int() reads ("١٢" is 12), and those it does not ("²").
DIGITS = ["0", "00", "-1", "1.5", "1e3", "#2", "１２", "١٢", "۳", "٠", "99999999999"]
NOT_DECIMAL = ["²", "①", "¹²", "Ⅻ"]  # str.isdigit() says yes, int() says no

ANY_CHARACTER = st.one_of(
    st.characters(),  # any code point but a surrogate
    st.sampled_from(SPECIAL_CHARACTERS),
    st.characters(categories=["Cs"]),  # a lone surrogate: a "\ud800" JSON escape carries one
)


def strings(characters: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    """Strings of ``characters``; unlike st.text, keeps the lone surrogates among them."""
    return st.lists(characters, max_size=max_size).map("".join)


def texts(characters: st.SearchStrategy[str], digits: list[str]) -> st.SearchStrategy[str]:
    """Free text: pieces of questions, markup look-alikes, odd characters and numbers, joined
    by spaces, line breaks, pipes; also whitespace only and 4096 characters."""
    number = st.one_of(
        st.integers(-5, 40).map(str),
        st.integers(-(10**40), 10**40).map(str),
        st.sampled_from(digits),
    )
    piece = st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(MARKUP_LOOKALIKES),
        st.sampled_from(SPECIAL_SEQUENCES),
        strings(characters, 12),
        number,
        st.builds(
            "{}{}{}".format,
            st.sampled_from(["faq", "event", "contact", "x", ""]),
            st.sampled_from([":", "_", " ", ""]),
            number,
        ),
    )
    separator = st.sampled_from([" ", " ", "", "\n", " | ", "|", "\t", ", "])
    phrase = st.lists(st.tuples(piece, separator), max_size=10).map(
        lambda pairs: "".join(piece + gap for piece, gap in pairs)
    )
    whitespace = st.text(st.sampled_from(WHITESPACE), max_size=8)
    full_length = st.builds(
        lambda unit, size: (unit * MESSAGE_LIMIT)[:size],
        st.one_of(phrase, strings(characters, 8)).filter(bool),
        st.sampled_from([MESSAGE_LIMIT - 1, MESSAGE_LIMIT]),
    )
    return st.one_of(phrase, phrase, strings(characters, 40), whitespace, st.just(""), full_length)


def commands(
    names: list[str], text: st.SearchStrategy[str], digits: list[str]
) -> st.SearchStrategy[str]:
    """Every command the bot knows and some it does not, for it or for another bot, with no
    arguments, numbers, references, pipes or anything at all."""
    name = st.one_of(
        st.sampled_from(names),
        st.sampled_from(names).map(str.upper),
        st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789_"), min_size=1, max_size=40),
        st.sampled_from(["старт", "😀", "start_", "", "events_", "help/me"]),
    )
    addressee = st.sampled_from(
        ["", "", "", f"@{BOT_NAME}", f"@{BOT_NAME.upper()}", "@", "@other_bot"]
    )
    arguments = st.one_of(
        st.just(""),
        text,
        st.sampled_from(digits),
        st.integers(-(10**30), 10**30).map(str),
        st.builds(
            "{} {}".format,
            st.sampled_from(["faq:2", "event:1", "contact:1", "faq_2", "2", "99999", "add", "del"]),
            text,
        ),
        st.lists(text, min_size=1, max_size=6).map(" | ".join),
    )
    gap = st.sampled_from([" ", " ", "  ", "\n", "\t", ""])
    return st.builds("/{}{}{}{}".format, name, addressee, gap, arguments)


def button_data(
    prefixes: list[str], characters: st.SearchStrategy[str], digits: list[str]
) -> st.SearchStrategy[str]:
    """Callback data the bot never issued: random, and near misses of its real prefixes."""
    suffix = st.one_of(
        st.just(""),
        st.integers(-(10**20), 10**20).map(str),
        st.sampled_from(digits),
        st.sampled_from(["faq:2", "faq:", ":", "::", "faq:2:3", "up:faq:2", "down:event:1"]),
        st.sampled_from(["en", "EN", "auto", "xx", "agreement", "nothing", "0123456789ab"]),
        st.sampled_from(["../../etc/passwd", "20261122-100000-daily", "field:answer"]),
        strings(characters, 64),
    )
    near_miss = st.builds(
        "{}{}{}".format,
        st.sampled_from(prefixes),
        st.sampled_from(["", "", ":", " ", "x"]),
        suffix,
    )
    real = st.sampled_from(["show:faq:2", "menu:events", "lang:ru", "lang:auto", "vote:up:faq:2"])
    return st.one_of(near_miss, near_miss, strings(characters, 64), real).map(clip)


def clip(data: str) -> str:
    """Callback data as Telegram carries it: 1 to 64 bytes of UTF-8."""
    kept = data.encode("utf-8", "surrogatepass")[:CALLBACK_DATA_LIMIT]
    return kept.decode("utf-8", "ignore") or "x"


# Updates a private chat can bring, as (kind, content): readable in Hypothesis' reports.
Action = tuple[str, Any]


def private_actions(
    text: st.SearchStrategy[str],
    command: st.SearchStrategy[str],
    data: st.SearchStrategy[str],
) -> st.SearchStrategy[list[Action]]:
    action = st.one_of(
        st.tuples(st.just("message"), text),
        st.tuples(st.just("message"), command),
        st.tuples(st.just("message"), command),
        st.tuples(st.just("edited"), st.one_of(text, command)),
        st.tuples(st.just("press"), st.tuples(data, st.booleans())),
        st.tuples(st.just("press"), st.tuples(data, st.booleans())),
        st.tuples(st.just("sticker"), st.none()),
        st.tuples(st.just("forward"), text),
        st.tuples(st.just("document"), st.sampled_from(["/import", "/import extra", None, "x"])),
    )
    return st.lists(action, min_size=1, max_size=8)


def build(bot: RunningBot, factory: UpdateFactory, action: Action) -> JSONDict:
    kind, content = action
    if kind == "message":
        return factory.message(content)
    if kind == "edited":
        return factory.edited_message(content)
    if kind == "press":
        data, accessible = content
        message = bot_message(factory, accessible, next(bot.bot_message_ids))
        return factory.callback(data, message)
    if kind == "sticker":
        return factory.non_text()
    if kind == "forward":
        return factory.forwarded_from({"id": 4242, "is_bot": False, "first_name": "Ivan"}, content)
    assert kind == "document"
    upload = bot.api.upload(b'{"format": "moscow-beijing-bot/1"}', "knowledge.json")
    return factory.document(upload, caption=content)


def anything_for(
    application: Application,
) -> tuple[st.SearchStrategy[str], st.SearchStrategy[str], st.SearchStrategy[str]]:
    """Texts, commands of ``application`` and button data, with any character and number."""
    numbers = DIGITS + NOT_DECIMAL
    text = texts(ANY_CHARACTER, numbers)
    command = commands(commands_of(application), text, numbers)
    data = button_data(button_prefixes_of(application), ANY_CHARACTER, numbers)
    return text, command, data
