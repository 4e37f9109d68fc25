"""The error handler: log the fault with its traceback, tell the user, keep running."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError

from handlers.context import BotContext
from handlers.render import send

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    log.error("Error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):  # already answered, or too old to answer
            await update.callback_query.answer()
    try:
        await send(update, context, context.kb.message("errors.generic", context.lang(update)))
    except TelegramError:
        log.exception("Could not tell the user about the error")
