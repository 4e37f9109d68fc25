"""The domain's services, built in one place from the settings (no Telegram here): the
knowledge service answers, the admin service changes and reports."""

from __future__ import annotations

from dataclasses import replace

from knowledge.admin import AdminService
from knowledge.backups import Backups
from knowledge.catalog import Catalog
from knowledge.editing import Editor
from knowledge.roles import Roles
from knowledge.service import KnowledgeService
from knowledge.settings import Settings
from knowledge.store import KnowledgeBase

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
