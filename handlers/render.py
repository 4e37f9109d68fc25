"""Sending a domain ``Reply`` through Telegram: HTML messages, buttons under the last one."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from knowledge.replies import Reply


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(button.label, callback_data=button.action) for button in row]
            for row in reply.buttons
        ]
    )


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> list[Message]:
    """Send ``reply`` to the chat of ``update``; long text goes out as several messages."""
    chat = update.effective_chat
    if chat is None:
        return []
    texts = reply.messages()
    markup = keyboard(reply)
    sent = []
    for number, text in enumerate(texts, 1):
        last = number == len(texts)
        sent.append(
            await context.bot.send_message(chat.id, text, reply_markup=markup if last else None)
        )
    return sent
