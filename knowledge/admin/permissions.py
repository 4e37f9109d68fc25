"""Who may change what: owners, set in BOT_ADMIN_IDS, and the admins they appoint in the chat
(listed in the knowledge base). Every change checks the caller's role here, whatever the
interface that asked; a refused caller raises ``NotAllowed``."""

from __future__ import annotations

from knowledge.records.validation import Invalid
from knowledge.storage.knowledge_base import KnowledgeBase


class NotAllowed(PermissionError):
    """The caller's role does not allow this."""


class Roles:
    def __init__(self, kb: KnowledgeBase, owners: frozenset[int]) -> None:
        self.kb = kb
        self.owners = owners

    def is_owner(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.owners

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and (self.is_owner(user_id) or self.kb.is_listed_admin(user_id))

    def require_admin(self, user_id: int) -> None:
        if not self.is_admin(user_id):
            raise NotAllowed(user_id)

    def require_owner(self, user_id: int) -> None:
        if not self.is_owner(user_id):
            raise NotAllowed(user_id)

    def add_admin(self, by: int, user_id: int, name: str) -> bool:
        """Make ``user_id`` an admin; False if they already are one."""
        self.require_owner(by)
        if self.is_admin(user_id):
            return False
        with self.kb.transaction():
            self.kb.add_admin(user_id, name, by)
            self.kb.record_change(by, "admin_add", None, None, {"user_id": user_id})
        return True

    def remove_admin(self, by: int, user_id: int) -> bool:
        """Remove a listed admin; owners are set in BOT_ADMIN_IDS and cannot be removed here."""
        self.require_owner(by)
        if self.is_owner(user_id):
            raise Invalid("admins.owner_fixed")
        with self.kb.transaction():
            removed = self.kb.remove_admin(user_id)
            if removed:
                self.kb.record_change(by, "admin_remove", None, {"user_id": user_id}, None)
        return removed
