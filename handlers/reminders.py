"""Event reminders over Telegram: /subscribe, /unsubscribe, their buttons, and the job that
sends what is due (``knowledge.reminders`` decides what that is)."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, ContextTypes

from handlers.addressing import private_chat_id
from handlers.context import BotContext, services_of
from handlers.questions import stale_button
from handlers.render import send, send_to
from knowledge.reminders import SUBSCRIPTION, parse_hour

log = logging.getLogger(__name__)

CHECK_INTERVAL = 60  # seconds between looks at what is due: reminders go out within a minute
FIRST_CHECK = 5  # seconds after start: what fell due while the bot was down goes out then
GONE_CHAT = re.compile(r"chat\s+not\s+found", re.IGNORECASE)  # deleted; blocked is Forbidden


async def events(update: Update, context: BotContext) -> None:
    """/events: the list, with the subscribe (or stop) button in a private chat."""
    reply = context.reminders.events(private_chat_id(update), context.lang(update))
    await send(update, context, reply)


async def subscribe(update: Update, context: BotContext) -> None:
    """/subscribe, or /subscribe 8 for reminders at 08:00 (Moscow or Beijing time)."""
    lang = context.lang(update)
    chat_id = private_chat_id(update)
    hour = parse_hour(context.args[0]) if context.args else None
    if chat_id is None:
        reply = context.reminders.private_only(lang)
    elif len(context.args or ()) > 1 or (context.args and hour is None):
        reply = context.reminders.bad_hour(lang)
    else:
        reply = context.reminders.subscribe(chat_id, lang, hour)
    await send(update, context, reply)


async def unsubscribe(update: Update, context: BotContext) -> None:
    lang = context.lang(update)
    chat_id = private_chat_id(update)
    if chat_id is None:
        await send(update, context, context.reminders.private_only(lang))
        return
    await send(update, context, context.reminders.unsubscribe(chat_id, lang))


async def subscription_button(update: Update, context: BotContext) -> None:
    """🔔 / 🔕 under /events and reminders, the hour buttons (``sub:hour:9``) and the clock
    buttons (``sub:zone:beijing``)."""
    query = update.callback_query
    assert query is not None
    choice = SUBSCRIPTION.parse(query.data)
    chat_id = private_chat_id(update)
    if choice is None or chat_id is None:
        await stale_button(update, context)
        return
    await query.answer()
    lang = context.lang(update)
    if choice.what == "off":
        reply = context.reminders.unsubscribe(chat_id, lang)
    else:
        reply = context.reminders.subscribe(chat_id, lang, choice.hour, choice.zone)
    await send(update, context, reply)


async def send_due_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The job: send every notice that is due, one at a time through the rate limiter."""
    reminders = services_of(context.application).reminders
    for notice in reminders.due():
        try:
            await send_to(context.bot, notice.chat_id, notice.reply)
        except Forbidden:  # blocked the bot, or left it: stop, do not retry forever
            log.info("Refused by chat %s (it blocked the bot): unsubscribed", notice.chat_id)
            reminders.drop(notice.chat_id)
            continue
        except BadRequest as error:
            if GONE_CHAT.search(error.message):
                log.info("Refused by chat %s (it is gone): unsubscribed", notice.chat_id)
                reminders.drop(notice.chat_id)
                continue
            # Telegram refuses this message and would refuse it again: count it as sent.
            log.error("Refused reminder to chat %s: %s", notice.chat_id, error)
        except (NetworkError, RetryAfter) as error:
            log.warning("Error sending reminders, the rest go at the next check: %s", error)
            return  # nothing recorded: what was not sent goes at the next check
        reminders.sent(notice)


def schedule_reminders(application: Application, first: float = FIRST_CHECK) -> None:
    """Check every minute; the first check, ``first`` seconds after start, sends what fell due
    while the bot was down."""
    if application.job_queue is None:
        return
    application.job_queue.run_repeating(
        send_due_reminders, interval=CHECK_INTERVAL, first=first, name="reminders"
    )
