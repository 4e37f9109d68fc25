"""Flood control in front of every handler (see ``runtime.flood``).

It counts only what the bot would act on: private messages, commands and mentions in groups,
and button presses (on a budget of their own). Admins are never limited, so a flood from others
cannot lock them out.
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.addressing import AddressedToBot
from handlers.context import BotContext
from handlers.render import send
from knowledge.replies.formatter import Reply
from runtime.flood import Verdict

FLOOD_GROUP = -100  # its own group, run before all others


def flood_handler() -> TypeHandler:
    return TypeHandler(Update, check_flood)


async def check_flood(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None or not _counts(update) or context.admin.is_admin(user.id):
        return
    button = update.callback_query is not None
    verdict = context.flood.check(user.id, button=button)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.WARN:
        await _warn(update, context, context.flood.seconds_left(user.id, button=button))
    raise ApplicationHandlerStop  # no other handler sees this update


def _counts(update: Update) -> bool:
    if update.callback_query is not None:
        return True
    message = update.effective_message
    if message is None or update.inline_query is not None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    text = message.text or ""
    return text.startswith("/") or AddressedToBot().filter(message)


async def _warn(update: Update, context: BotContext, seconds: int) -> None:
    """Say how long to wait, truthfully: the answers were not slow, the user was fast."""
    lang = context.lang(update)
    if update.callback_query is not None:
        text = context.kb.catalog.text(lang, "errors.please_wait", seconds=seconds)
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(text, show_alert=True)
        return
    notice = context.kb.catalog.html(lang, "errors.please_wait", seconds=seconds)
    await send(update, context, Reply(notice))
