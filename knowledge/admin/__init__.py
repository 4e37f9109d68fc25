"""What admins can do, and what the bot says to them. No Telegram here either.

Each method takes the acting user's id and returns the reply to show (and, for guided forms,
the form's next state). Roles are enforced by ``Editor``; a refused caller raises
``NotAllowed``, which the Telegram side turns into a polite refusal.

The service has one room per feature, each a class of its own module:

- ``roles``: who may edit (/admins, /addadmin, /deladmin);
- ``forms``: adding, editing and translating entries (one-line commands and guided forms);
- ``content``: deleting, other phrasings, the FAQ list, synonyms;
- ``review``: undo, history, unanswered questions, statistics;
- ``transfer``: export, import, backups and restore.
"""

from __future__ import annotations

from knowledge.activity import Activity
from knowledge.admin.base import (
    AdminPart,
    PendingImport,
    Step,
    problem_text,
)
from knowledge.admin.content import ContentAdmin
from knowledge.admin.editing import Editor
from knowledge.admin.guided import FormsAdmin
from knowledge.admin.permissions import NotAllowed
from knowledge.admin.review import ReviewAdmin
from knowledge.admin.roles import RolesAdmin
from knowledge.admin.transfer import TransferAdmin
from knowledge.service import KnowledgeService
from knowledge.storage.backups import Backups


class AdminService(AdminPart):
    """The admin rooms over one set of services; what they all share is on ``AdminPart``."""

    def __init__(
        self, service: KnowledgeService, editor: Editor, activity: Activity, backups: Backups
    ) -> None:
        super().__init__(service, editor, activity, backups)
        parts = (service, editor, activity, backups)
        self.roles = RolesAdmin(*parts)
        self.forms = FormsAdmin(*parts)
        self.content = ContentAdmin(*parts)
        self.review = ReviewAdmin(*parts)
        self.transfer = TransferAdmin(*parts)


__all__ = ["AdminService", "NotAllowed", "PendingImport", "Step", "problem_text"]
