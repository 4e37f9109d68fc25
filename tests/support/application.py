"""What the bot knows, read from a built Application: every handler (those inside the admin
forms' conversation too), the commands they answer and the buttons they take."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler

from knowledge.replies.buttons import Codec, Fixed


def handlers_of(application: Application) -> Iterator[Any]:
    def walk(handler: Any) -> Iterator[Any]:
        yield handler
        if isinstance(handler, ConversationHandler):
            nested = [*handler.entry_points, *handler.fallbacks]
            nested += [h for state in handler.states.values() for h in state]
            for inner in nested:
                yield from walk(inner)

    for group in application.handlers.values():
        for handler in group:
            yield from walk(handler)


def commands_of(application: Application) -> list[str]:
    """Every command any handler answers, admin forms' commands included."""
    names = {
        name
        for handler in handlers_of(application)
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }
    return sorted(names)


def button_prefixes_of(application: Application) -> list[str]:
    """The literal beginnings of the callback data the bot's button handlers take."""
    prefixes = set()
    for handler in handlers_of(application):
        if isinstance(handler, CallbackQueryHandler):
            prefixes.update(_kinds(handler.pattern))
    return sorted(prefixes - {""})


def _kinds(pattern: Any) -> set[str]:
    """The data beginnings a button handler's pattern takes: a codec's ``kind:`` or a fixed
    button's data."""
    codec = getattr(pattern, "__self__", None)
    if isinstance(codec, Codec):
        return {f"{codec.kind}:"}
    if isinstance(codec, Fixed):
        return {str(codec)}
    if pattern is None:  # the catch-all for buttons no one else takes
        return set()
    assert isinstance(pattern, re.Pattern), pattern
    return set(re.sub(r"[\^$()]", "", pattern.pattern).split("|"))
