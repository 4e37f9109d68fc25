"""Moving the whole knowledge base: export, import, backups and restore."""

from __future__ import annotations

import secrets
from typing import Literal

from knowledge.admin.base import (
    IMPORT_EXPIRY,
    RESTORE_SHOWN,
    AdminPart,
    PendingImport,
)
from knowledge.records.validation import Invalid
from knowledge.replies.buttons import (
    CANCEL,
    IMPORT_APPLY,
    RESTORE,
)
from knowledge.replies.formatter import Button, Formatter, Reply, join_paragraphs, one_per_row
from knowledge.replies.markup import Markup
from knowledge.storage.backups import Backup
from knowledge.storage.transfer import MAX_IMPORT_BYTES, ImportPlan, export_bytes, plan_import


class TransferAdmin(AdminPart):
    """Moving the whole knowledge base: export, import, backups and restore."""

    def import_too_big(self, lang: str) -> Reply:
        return Reply(self.fmt(lang).t("import.too_big", limit=MAX_IMPORT_BYTES // 1_000_000))

    def export(self, by: int, lang: str) -> tuple[bytes, str, Reply]:
        self.permissions.require_admin(by)
        name = f"knowledge-{self.kb.clock():%Y-%m-%d}.json"
        return export_bytes(self.kb), name, self.service.message("export.caption", lang)

    def plan_import(self, by: int, raw: bytes, lang: str) -> tuple[PendingImport | None, Reply]:
        """Check a whole import file; a pending import to confirm, or why there is none."""
        self.permissions.require_admin(by)
        try:
            plan = plan_import(raw, self.kb)
        except Invalid as problem:
            return None, self.import_refused(problem, lang)
        if not plan.changes_anything:
            return None, self.service.message("import.no_changes", lang)
        return self._pending(plan, "import", self.import_summary(plan, lang), lang)

    def _pending(
        self, plan: ImportPlan, reason: Literal["import", "restore"], summary: Markup, lang: str
    ) -> tuple[PendingImport, Reply]:
        expires = self.kb.clock() + IMPORT_EXPIRY
        pending = PendingImport(secrets.token_hex(6), plan, reason, expires)
        fmt = self.fmt(lang)
        apply_label = fmt.label("button.apply_import" if reason == "import" else "button.restore")
        buttons = (
            (
                Button(apply_label, IMPORT_APPLY(pending.token)),
                Button(fmt.label("button.cancel"), CANCEL),
            ),
        )
        return pending, Reply(summary, buttons)

    def import_refused(self, problem: Invalid, lang: str) -> Reply:
        refused = self.service.message("import.refused", lang).html
        return Reply(join_paragraphs([refused, self.problem(problem, lang).html]))

    def import_summary(self, plan: ImportPlan, lang: str, heading: Markup | None = None) -> Markup:
        fmt = self.fmt(lang)
        lines = [
            fmt.t(
                "import.table",
                table=fmt.label(f"table.{table}"),
                added=c.added,
                changed=c.changed,
                removed=c.removed,
            )
            for table, c in plan.changes.items()
            if c.added or c.changed or c.removed
        ]
        return join_paragraphs([heading or fmt.t("import.summary"), "\n".join(lines)])

    def apply_import(self, by: int, pending: PendingImport, lang: str) -> Reply:
        """Apply a checked import or restore, unless it expired or the knowledge base changed
        since the check (then its summary no longer says what it would do)."""
        if pending.expires is not None and self.kb.clock() > pending.expires:
            return self.import_refused(Invalid("import.expired"), lang)
        try:
            self.replace_content(by, pending.plan, pending.reason)
        except Invalid as problem:
            return self.import_refused(problem, lang)
        return self.service.message(f"{pending.reason}.done", lang)

    def replace_content(
        self, by: int, plan: ImportPlan, reason: Literal["import", "restore"]
    ) -> Backup:
        """Apply a checked import or restore, after a snapshot of what it replaces (returned:
        restoring it goes back)."""
        if reason == "restore":
            self.permissions.require_owner(by)
        return self.editor.apply_import(by, plan.content, seen=plan.seen, reason=reason)

    def backup_list(self, by: int, lang: str) -> Reply:
        """The newest backups as buttons; owners only."""
        self.permissions.require_owner(by)
        fmt = self.fmt(lang)
        shown = self.backups.all()[:RESTORE_SHOWN]
        if not shown:
            return self.service.message("restore.none", lang)
        buttons = one_per_row(
            Button(self._backup_label(fmt, backup), RESTORE(backup.name)) for backup in shown
        )
        return Reply(fmt.t("restore.list"), buttons)

    def plan_restore(self, by: int, name: str, lang: str) -> tuple[PendingImport | None, Reply]:
        """What restoring backup ``name`` would change, with a button to do it; owners only."""
        self.permissions.require_owner(by)
        fmt = self.fmt(lang)
        backup = self.backups.find(name)
        if backup is None:
            return None, Reply(fmt.t("restore.unknown", name=name[:64]))
        try:
            plan = plan_import(backup.path.read_bytes(), self.kb, max_bytes=None)
        except Invalid as problem:
            return None, self.import_refused(problem, lang)
        if not plan.changes_anything:
            return None, self.service.message("restore.no_changes", lang)
        heading = fmt.t(
            "restore.summary",
            when=fmt.moment(backup.taken_at),
            reason=fmt.label(f"backup.{backup.reason}"),
        )
        return self._pending(plan, "restore", self.import_summary(plan, lang, heading), lang)

    def _backup_label(self, fmt: Formatter, backup: Backup) -> str:
        reason = fmt.label(f"backup.{backup.reason}")
        return fmt.label("restore.item", when=fmt.moment(backup.taken_at), reason=reason)
