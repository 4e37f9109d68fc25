"""The Telegram side: translate updates into calls on the knowledge service and render replies.

``register`` wires every handler into an ``Application``; nothing in ``knowledge`` knows about
Telegram, and nothing here decides what to answer.
"""

from __future__ import annotations

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from handlers import admin, commands, inline, questions, reminders
from handlers.addressing import AddressedToBot
from handlers.command_table import COMMANDS, routed
from handlers.errors import on_error
from handlers.flood import FLOOD_GROUP, flood_handler
from knowledge.reminders import SUBSCRIPTION
from knowledge.replies.buttons import CALENDAR, LANGUAGE, MENU, SHOW, VOTE


def register(application: Application) -> None:
    application.add_handler(flood_handler(), group=FLOOD_GROUP)
    # First: an admin's form takes the text it is waiting for.
    admin.register(application, COMMANDS)
    for command in routed("everyone"):
        application.add_handler(CommandHandler(command.name, command.callback))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, commands.unknown_command)
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND & AddressedToBot(),
            questions.question,
        )
    )
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.TEXT,
            questions.not_text,
        )
    )
    application.add_handler(CallbackQueryHandler(questions.show_button, pattern=SHOW.matches))
    application.add_handler(CallbackQueryHandler(questions.menu_button, pattern=MENU.matches))
    application.add_handler(CallbackQueryHandler(questions.vote_button, pattern=VOTE.matches))
    application.add_handler(
        CallbackQueryHandler(questions.language_button, pattern=LANGUAGE.matches)
    )
    application.add_handler(
        CallbackQueryHandler(questions.calendar_button, pattern=CALENDAR.matches)
    )
    application.add_handler(
        CallbackQueryHandler(reminders.subscription_button, pattern=SUBSCRIPTION.matches)
    )
    application.add_handler(CallbackQueryHandler(questions.stale_button))
    application.add_handler(InlineQueryHandler(inline.inline_query))
    application.add_error_handler(on_error)
