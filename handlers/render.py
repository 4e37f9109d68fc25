"""Sending a domain ``Reply`` through Telegram: HTML messages, buttons under the last one."""

from __future__ import annotations

from urllib.parse import urlencode

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from knowledge.replies.calendar import CalendarFile
from knowledge.replies.formatter import Button, Reply
from knowledge.replies.markup import well_formed


def keyboard(reply: Reply, bot_username: str) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[_button(button, bot_username) for button in row] for row in reply.buttons]
    )


def _button(button: Button, bot_username: str) -> InlineKeyboardButton:
    label = well_formed(button.label)
    if button.share is not None:
        return InlineKeyboardButton(label, url=share_link(bot_username, button.share))
    return InlineKeyboardButton(label, callback_data=button.action)


def deep_link(bot_username: str, payload: str) -> str:
    """Opens a chat with the bot and sends /start ``payload``."""
    return f"https://t.me/{bot_username}?start={payload}"


def share_link(bot_username: str, payload: str) -> str:
    """Telegram's "share to a chat" page for the deep link to ``payload``."""
    return "https://t.me/share/url?" + urlencode({"url": deep_link(bot_username, payload)})


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> list[Message]:
    """Send ``reply`` to the chat of ``update``."""
    chat = update.effective_chat
    if chat is None:
        return []
    return await send_to(context.bot, chat.id, reply)


async def send_to(bot: Bot, chat_id: int, reply: Reply) -> list[Message]:
    """Send ``reply`` to ``chat_id``; long text goes out as several messages. A user's words
    echoed back may hold a lone surrogate, which no request could carry."""
    texts = [well_formed(text) for text in reply.messages()]
    markup = keyboard(reply, bot.username)
    sent = []
    for number, text in enumerate(texts, 1):
        last = number == len(texts)
        sent.append(await bot.send_message(chat_id, text, reply_markup=markup if last else None))
    return sent


async def send_calendar(
    update: Update, context: ContextTypes.DEFAULT_TYPE, calendar: CalendarFile | Reply
) -> None:
    """An .ics file as a document (calendar apps open it), or the note that there is none."""
    if isinstance(calendar, Reply):
        await send(update, context, calendar)
    elif update.effective_chat is not None:
        await context.bot.send_document(
            update.effective_chat.id, calendar.content, filename=calendar.name
        )
