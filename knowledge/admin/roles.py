"""Who may edit: the owners from the settings, and the admins they appoint."""

from __future__ import annotations

from knowledge.admin.base import (
    AdminPart,
    person,
)
from knowledge.replies.formatter import Reply, join_paragraphs


class RolesAdmin(AdminPart):
    """Who may edit: the owners from the settings, and the admins they appoint."""

    def admins(self, by: int, lang: str) -> Reply:
        self.permissions.require_admin(by)
        fmt = self.fmt(lang)
        owners = [fmt.t("admins.owner", id=uid) for uid in sorted(self.permissions.owners)]
        names = self._names()
        listed = [
            fmt.t(
                "admins.admin",
                who=person(fmt, a["user_id"], a["name"]),
                by=person(fmt, a["added_by"], names.get(a["added_by"], "")),
                at=a["added_at"][:10],
            )
            for a in self.kb.admins()
        ]
        return Reply(join_paragraphs([fmt.t("admins.title"), "\n".join(owners + listed)]))

    def add_admin(self, by: int, target: int | None, name: str, lang: str) -> Reply:
        if target is None:
            return self.service.message("admins.add_usage", lang)
        added = self.permissions.add_admin(by, target, name)
        fmt = self.fmt(lang)
        if not added:
            return Reply(fmt.t("admins.already", id=target))
        return Reply(fmt.t("admins.added", who=person(fmt, target, name)))

    def remove_admin(self, by: int, target: int | None, lang: str) -> Reply:
        if target is None:
            return self.service.message("admins.remove_usage", lang)
        removed = self.permissions.remove_admin(by, target)
        key = "admins.removed" if removed else "admins.not_admin"
        return Reply(self.fmt(lang).t(key, id=target))
