"""A typed callback context, so handlers reach the knowledge service as ``context.kb``."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from knowledge.admin import AdminService
from knowledge.service import KnowledgeService

SERVICE_KEY = "service"
ADMIN_KEY = "admin"


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    @property
    def kb(self) -> KnowledgeService:
        return self.application.bot_data[SERVICE_KEY]

    @property
    def admin(self) -> AdminService:
        return self.application.bot_data[ADMIN_KEY]

    def lang(self, update: object) -> str:
        """The language to answer ``update`` in: the user's Telegram language when we speak it."""
        user = update.effective_user if isinstance(update, Update) else None
        code = (user.language_code or "").split("-")[0].lower() if user else ""
        return code if code in self.kb.catalog.languages else "en"


def attach_services(
    application: Application, service: KnowledgeService, admin: AdminService
) -> None:
    application.bot_data[SERVICE_KEY] = service
    application.bot_data[ADMIN_KEY] = admin
