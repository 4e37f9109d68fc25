"""Command handlers: /start, /help, /agreement, /events, /contacts, /search."""

from __future__ import annotations

from telegram import Update

from handlers.context import BotContext
from handlers.render import send


async def start(update: Update, context: BotContext) -> None:
    user = update.effective_user
    await send(update, context, context.kb.start(context.lang(update), user and user.first_name))


async def help_command(update: Update, context: BotContext) -> None:
    user = update.effective_user
    admin = context.admin.is_admin(user.id if user else None) and _private(update)
    await send(update, context, context.kb.help(context.lang(update), admin=admin))


async def language(update: Update, context: BotContext) -> None:
    await send(update, context, context.kb.language_menu(context.lang(update)))


async def my_id(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is not None:
        await send(update, context, context.kb.my_id(user.id, context.lang(update)))


def _private(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type == "private"


async def agreement(update: Update, context: BotContext) -> None:
    await send(update, context, context.kb.agreement(context.lang(update)))


async def events(update: Update, context: BotContext) -> None:
    await send(update, context, context.kb.events(context.lang(update)))


async def contacts(update: Update, context: BotContext) -> None:
    await send(update, context, context.kb.contacts(context.lang(update)))


async def search(update: Update, context: BotContext) -> None:
    words = " ".join(context.args or [])
    await send(update, context, context.kb.search(words, context.lang(update)))


async def unknown_command(update: Update, context: BotContext) -> None:
    await send(update, context, context.kb.message("errors.unknown_command", context.lang(update)))
