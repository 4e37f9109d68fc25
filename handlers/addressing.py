"""Which messages are meant for the bot."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext.filters import MessageFilter


class AddressedToBot(MessageFilter):
    """Private messages, and group messages that mention the bot or reply to it.

    In a group the bot would otherwise answer every line of everyone's conversation.
    """

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied is not None and replied.from_user and replied.from_user.id == bot.id:
            return True
        return f"@{bot.username}".lower() in (mention.lower() for mention in _mentions(message))


def _mentions(message: Message) -> list[str]:
    """The @mentions in the text. Not ``Message.parse_entities``: a lone surrogate (from a
    "\\ud800" escape) makes its UTF-16 encoding raise, in a filter that runs on every update."""
    text = (message.text or "").encode("utf-16-le", "surrogatepass")
    return [
        text[2 * entity.offset : 2 * (entity.offset + entity.length)].decode(
            "utf-16-le", "surrogatepass"
        )
        for entity in message.entities
        if entity.type == MessageEntity.MENTION
    ]


def without_mention(text: str, username: str) -> str:
    """The question without the ``@bot`` that addressed it."""
    return " ".join(word for word in text.split() if word.lower() != f"@{username}".lower())


def private_chat_id(update: Update) -> int | None:
    """The chat's id if ``update`` comes from a private chat, else None."""
    chat = update.effective_chat
    return chat.id if chat is not None and chat.type == ChatType.PRIVATE else None
