"""Start and stop hooks: introduce the bot's commands to Telegram, close the knowledge base."""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import Application

from handlers.context import SERVICE_KEY
from knowledge.service import KnowledgeService

log = logging.getLogger(__name__)

MENU_COMMANDS = ("start", "help", "agreement", "events", "contacts", "search")


async def post_init(application: Application) -> None:
    service: KnowledgeService = application.bot_data[SERVICE_KEY]
    commands = [
        BotCommand(name, service.catalog.text("en", f"commands.{name}")) for name in MENU_COMMANDS
    ]
    await application.bot.set_my_commands(commands)
    log.info("Registered %d commands", len(commands))


async def post_shutdown(application: Application) -> None:
    service: KnowledgeService = application.bot_data[SERVICE_KEY]
    service.kb.close()
