"""A typed callback context, so handlers reach the knowledge service as ``context.kb``."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from knowledge.admin import AdminService
from knowledge.flood import FloodGuard
from knowledge.inline import InlineSearch
from knowledge.reminders import Reminders
from knowledge.service import KnowledgeService

SERVICE_KEY = "service"
ADMIN_KEY = "admin"
MODE_KEY = "mode"  # how the bot reaches Telegram, for the start line: long polling, webhook …
FLOOD_KEY = "flood"
INLINE_KEY = "inline"
REMINDERS_KEY = "reminders"


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    @property
    def kb(self) -> KnowledgeService:
        return self.application.bot_data[SERVICE_KEY]

    @property
    def admin(self) -> AdminService:
        return self.application.bot_data[ADMIN_KEY]

    @property
    def flood(self) -> FloodGuard:
        return self.application.bot_data[FLOOD_KEY]

    @property
    def inline(self) -> InlineSearch:
        return self.application.bot_data[INLINE_KEY]

    @property
    def reminders(self) -> Reminders:
        return self.application.bot_data[REMINDERS_KEY]

    def lang(self, update: object, text: str | None = None) -> str:
        """The language to answer ``update`` in (see ``KnowledgeService.reply_language``);
        ``text`` is what the user wrote, for when nothing else tells."""
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            return self.kb.reply_language(None, None, text)
        return self.kb.reply_language(user.id, user.language_code, text)


def attach_services(
    application: Application, service: KnowledgeService, admin: AdminService, flood: FloodGuard
) -> None:
    application.bot_data[SERVICE_KEY] = service
    application.bot_data[ADMIN_KEY] = admin
    application.bot_data[FLOOD_KEY] = flood
    application.bot_data[INLINE_KEY] = InlineSearch(service)
    application.bot_data[REMINDERS_KEY] = Reminders(service)
