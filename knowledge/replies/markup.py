"""Telegram HTML: escaping, conversion to plain text, and splitting long messages cleanly."""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096  # Telegram's limit on a message's text

_TAG = re.compile(r"<(/?)([a-zA-Z-]+)[^<>]*>")
_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|\n|[^\S\n]+|[^<&\s]+|[<&]")


class Markup(str):
    """A string that is already valid Telegram HTML and must not be escaped again."""


def escape(text: str) -> Markup:
    """Telegram HTML escaping of plain text: only ``<``, ``>`` and ``&`` are special."""
    return Markup(html.escape(text, quote=False))


def escape_attribute(text: str) -> Markup:
    return Markup(html.escape(text, quote=True))


def well_formed(text: str) -> str:
    """``text`` with any lone surrogate (from a "\\ud800" JSON escape; never valid UTF-8)
    replaced by U+FFFD, so that it can be stored and sent."""
    if text.isascii():
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def to_plain(text: str) -> str:
    """What a reader sees of an HTML message: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", text))


def telegram_length(text: str) -> int:
    """Length as Telegram counts it, in UTF-16 code units (an emoji may count two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2  # a lone surrogate counts one


_utf16 = telegram_length


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split ``text`` into messages of at most ``limit``, each valid HTML on its own.

    Cuts prefer a line break, then a space, in the second half of a message; a tag open at a
    cut is closed at the end of one message and reopened at the start of the next.
    """
    if telegram_length(text) <= limit:
        return [text]
    chunks: list[str] = []
    reopen = ""  # the tags still open from the previous message, opened again
    current: list[str] = []
    stack: tuple[tuple[str, str], ...] = ()  # open tags at the start of `current`
    open_now, length = stack, 0  # open tags and UTF-16 length at the end of `current`
    for token in _tokens(text, max(limit // 4, 1)):
        after = _apply(open_now, token)
        if current and length + _utf16(token) + _utf16(_closers(after)) > limit:
            cut = _best_cut(current, limit)
            head, tail = current[:cut], _drop_leading_space(current[cut:])
            head_stack = _replay(stack, head)
            chunks.append(reopen + "".join(head).rstrip() + _closers(head_stack))
            reopen = "".join(opener for _, opener in head_stack)
            stack, current = head_stack, tail
            open_now = _replay(stack, current)
            length = _utf16(reopen) + sum(_utf16(t) for t in current)
            if not current and token.isspace():
                continue
            after = _apply(open_now, token)
        current.append(token)
        open_now, length = after, length + _utf16(token)
    chunks.append(reopen + "".join(current) + _closers(open_now))
    return [chunk for chunk in chunks if to_plain(chunk).strip()]


def _replay(stack: tuple[tuple[str, str], ...], tokens: list[str]) -> tuple[tuple[str, str], ...]:
    for token in tokens:
        stack = _apply(stack, token)
    return stack


def _drop_leading_space(tokens: list[str]) -> list[str]:
    start = 0
    while start < len(tokens) and tokens[start].isspace():
        start += 1
    return tokens[start:]


def _tokens(text: str, longest: int) -> list[str]:
    tokens = []
    for token in _TOKEN.findall(text):
        if len(token) > longest and not token.startswith("<"):
            tokens.extend(token[i : i + longest] for i in range(0, len(token), longest))
        else:
            tokens.append(token)
    return tokens


def _apply(stack: tuple[tuple[str, str], ...], token: str) -> tuple[tuple[str, str], ...]:
    tag = _TAG.fullmatch(token)
    if not tag:
        return stack
    closing, name = tag.group(1), tag.group(2).lower()
    if not closing:
        return (*stack, (name, token))
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth][0] == name:
            return stack[:depth]
    return stack


def _closers(stack: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _best_cut(tokens: list[str], limit: int) -> int:
    """How many of ``tokens`` to keep: up to a line break or space late enough, or all."""
    half = limit // 2
    for separator in ("\n", " "):
        position = 0
        best = 0
        for index, token in enumerate(tokens):
            position += len(token)
            if token.startswith(separator) and position >= half:
                best = index + 1
        if best:
            return best
    return len(tokens)
