"""A typed callback context over one ``Services`` object in ``bot_data`` (as
python-telegram-bot's ``contexttypesbot.py`` does): handlers reach the knowledge service as
``context.kb``, the admin service as ``context.admin``, and so on."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from knowledge.admin import AdminService
from knowledge.inline import InlineSearch
from knowledge.reminders import Reminders
from knowledge.service import KnowledgeService
from runtime.flood import FloodGuard
from runtime.services import Services

SERVICES_KEY = "services"  # the one bot_data key


def services_of(application: Application) -> Services:
    return application.bot_data[SERVICES_KEY]


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    @property
    def services(self) -> Services:
        return services_of(self.application)

    @property
    def kb(self) -> KnowledgeService:
        return self.services.kb

    @property
    def admin(self) -> AdminService:
        return self.services.admin

    @property
    def flood(self) -> FloodGuard:
        return self.services.flood

    @property
    def inline(self) -> InlineSearch:
        return self.services.inline

    @property
    def reminders(self) -> Reminders:
        return self.services.reminders

    def lang(self, update: object, text: str | None = None) -> str:
        """The language to answer ``update`` in (see ``KnowledgeService.reply_language``);
        ``text`` is what the user wrote, for when nothing else tells."""
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            return self.kb.reply_language(None, None, text)
        return self.kb.reply_language(user.id, user.language_code, text)
