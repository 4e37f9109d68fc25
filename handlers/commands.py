"""Command handlers: /start, /help, /agreement, /events_ics, /contacts, /search (/events and
the reminders are in ``handlers.reminders``)."""

from __future__ import annotations

from telegram import Update

from handlers.addressing import private_chat_id
from handlers.context import BotContext
from handlers.render import send, send_calendar
from knowledge.records.models import EntryRef


async def start(update: Update, context: BotContext) -> None:
    """/start, or a deep link ``t.me/<bot>?start=faq_12`` that opens an entry directly."""
    user = update.effective_user
    lang = context.lang(update)
    ref = EntryRef.from_payload(context.args[0]) if context.args else None
    if ref is not None and context.kb.has(ref):
        await send(update, context, context.kb.open(ref, lang))
        return
    await send(update, context, context.kb.start(lang, user and user.first_name))


async def help_command(update: Update, context: BotContext) -> None:
    user = update.effective_user
    in_private = private_chat_id(update) is not None
    admin = in_private and context.admin.is_admin(user.id if user else None)
    await send(update, context, context.kb.help(context.lang(update), admin=admin))


async def language(update: Update, context: BotContext) -> None:
    await send(update, context, context.kb.language_menu(context.lang(update)))


async def my_id(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is not None:
        await send(update, context, context.kb.my_id(user.id, context.lang(update)))


async def agreement(update: Update, context: BotContext) -> None:
    await send(update, context, context.kb.agreement(context.lang(update)))


async def events_calendar(update: Update, context: BotContext) -> None:
    """/events_ics: every upcoming event in one calendar file."""
    await send_calendar(update, context, context.kb.upcoming_calendar(context.lang(update)))


async def contacts(update: Update, context: BotContext) -> None:
    await send(update, context, context.kb.contacts(context.lang(update)))


async def search(update: Update, context: BotContext) -> None:
    words = " ".join(context.args or [])
    await send(update, context, context.kb.search(words, context.lang(update)))


async def unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    command = next(iter((message.text or "").split() if message else []), "")
    _, at, addressee = command.partition("@")
    for_another_bot = at and addressee.lower() != (context.bot.username or "").lower()
    if for_another_bot and private_chat_id(update) is None:
        return  # /start@other_bot in a group: another bot's command, not ours to refuse
    await send(update, context, context.kb.message("errors.unknown_command", context.lang(update)))
