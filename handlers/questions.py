"""Free-text questions and the buttons that answers carry."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError

from handlers.addressing import private_chat_id, without_mention
from handlers.context import BotContext
from handlers.render import send, send_calendar
from knowledge.replies.buttons import AUTOMATIC, CALENDAR, LANGUAGE, MENU, SHOW, VOTE


async def question(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    text = without_mention(message.text, context.bot.username)
    answer = context.kb.ask(text, context.lang(update, text))
    await send(update, context, answer.reply)


async def not_text(update: Update, context: BotContext) -> None:
    await send(update, context, context.kb.message("errors.not_text", context.lang(update)))


async def show_button(update: Update, context: BotContext) -> None:
    """A press on a topic button (``show:faq:12``): answer with that entry."""
    query = update.callback_query
    assert query is not None
    ref = SHOW.parse(query.data)
    if ref is None:
        await stale_button(update, context)
        return
    await query.answer()
    await send(update, context, context.kb.open(ref, context.lang(update)))


async def menu_button(update: Update, context: BotContext) -> None:
    """A press on a main-menu button (``menu:events``)."""
    query = update.callback_query
    assert query is not None
    page = MENU.parse(query.data)
    if page is None:
        await stale_button(update, context)
        return
    await query.answer()
    lang = context.lang(update)
    if page == "events":  # with the subscribe button, as /events has
        reply = context.reminders.events(private_chat_id(update), lang)
    else:
        reply = context.kb.menu(page, lang)
    await send(update, context, reply)


async def stale_button(update: Update, context: BotContext) -> None:
    """Any button we do not recognise: old, from another bot version, or forged."""
    query = update.callback_query
    assert query is not None
    notice = context.kb.catalog.text(context.lang(update), "errors.stale_button")
    await query.answer(notice, show_alert=True)


async def vote_button(update: Update, context: BotContext) -> None:
    """👍 or 👎 under an answer (``vote:up:faq:12``): counted once per user and answer."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    vote = VOTE.parse(query.data)
    thanks = None
    if vote is not None:  # the service takes votes for existing FAQ answers only
        user_id, lang = update.effective_user.id, context.lang(update)
        thanks = context.kb.vote(user_id, vote.ref, vote.vote, lang)
    if thanks is None:  # not a vote, or for no answer we have
        await stale_button(update, context)
        return
    await query.answer(thanks)
    with contextlib.suppress(TelegramError):  # the buttons go: one vote per answer shown
        await query.edit_message_reply_markup(None)


async def language_button(update: Update, context: BotContext) -> None:
    """A choice from /language (``lang:ru``, or ``lang:auto`` to follow Telegram again)."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    code = LANGUAGE.parse(query.data)
    if code is None or (code != AUTOMATIC and code not in context.kb.catalog.languages):
        await stale_button(update, context)
        return
    await query.answer()
    reply = context.kb.choose_language(
        update.effective_user.id, None if code == AUTOMATIC else code
    )
    await send(update, context, reply)


async def calendar_button(update: Update, context: BotContext) -> None:
    """ "Add to calendar" under an event (``ics:event:3``): the event as an .ics file."""
    query = update.callback_query
    assert query is not None
    ref = CALENDAR.parse(query.data)
    calendar = context.kb.event_calendar(ref, context.lang(update)) if ref else None
    if calendar is None:
        await stale_button(update, context)
        return
    await query.answer()
    await send_calendar(update, context, calendar)
