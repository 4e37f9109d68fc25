"""Every service the bot uses, built in one place from the settings (no Telegram here): the
knowledge service answers, the admin service changes and reports, flood control, inline search
and reminders. The handlers reach them as one ``Services`` object in ``bot_data``."""

from __future__ import annotations

from dataclasses import dataclass, replace

from knowledge.admin import AdminService
from knowledge.admin.editing import Editor
from knowledge.admin.permissions import Roles
from knowledge.i18n.catalog import Catalog
from knowledge.inline import InlineSearch
from knowledge.reminders import Reminders
from knowledge.service import KnowledgeService
from knowledge.storage.backups import Backups
from knowledge.storage.knowledge_base import KnowledgeBase
from runtime.flood import FloodGuard
from runtime.settings import Settings

BACKUPS_DIR = "backups"  # inside the data directory
COMMAND_LINE_USER_ID = 0  # who `bot.py import` and `restore` act as, in the audit trail


def open_service(settings: Settings) -> KnowledgeService:
    return KnowledgeService(KnowledgeBase.open(settings.data_dir), Catalog.load())


def admin_service(service: KnowledgeService, settings: Settings) -> AdminService:
    backups = Backups(service.kb, service.kb.path.parent / BACKUPS_DIR, settings.backups_kept)
    roles = Roles(service.kb, settings.admin_ids)
    editor = Editor(service.kb, service.matcher, roles, backups)
    return AdminService(service, editor, service.activity, backups)


def command_line_admin(service: KnowledgeService, settings: Settings) -> AdminService:
    """Whoever runs bot.py on the server owns the data: they act as an owner."""
    return admin_service(service, replace(settings, admin_ids=frozenset({COMMAND_LINE_USER_ID})))


@dataclass
class Services:
    """Everything the handlers use, built once by ``build_services``."""

    kb: KnowledgeService
    admin: AdminService
    flood: FloodGuard
    inline: InlineSearch
    reminders: Reminders
    mode: str = "console chat"  # how the bot reaches Telegram, for the start line


def build_services(service: KnowledgeService, settings: Settings) -> Services:
    """The services around an opened knowledge service, as the settings ask."""
    return Services(
        kb=service,
        admin=admin_service(service, settings),
        flood=FloodGuard(settings.flood_limit),
        inline=InlineSearch(service),
        reminders=Reminders(service),
    )
