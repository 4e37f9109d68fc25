"""A typed callback context over one ``Services`` object in ``bot_data`` (as
python-telegram-bot's ``contexttypesbot.py`` does): handlers reach the knowledge service as
``context.kb``, the admin service as ``context.admin``, and so on."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from knowledge.admin import AdminService
from knowledge.flood import FloodGuard
from knowledge.inline import InlineSearch
from knowledge.reminders import Reminders
from knowledge.service import KnowledgeService

SERVICES_KEY = "services"  # the one bot_data key


@dataclass
class Services:
    """Everything the handlers use, built once by ``bot.build_application``."""

    kb: KnowledgeService
    admin: AdminService
    flood: FloodGuard
    inline: InlineSearch
    reminders: Reminders
    mode: str = "console chat"  # how the bot reaches Telegram, for the start line

    @classmethod
    def build(cls, kb: KnowledgeService, admin: AdminService, flood: FloodGuard) -> Services:
        return cls(kb, admin, flood, InlineSearch(kb), Reminders(kb))


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
