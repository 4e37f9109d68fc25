"""What every room of the admin service shares: the services it works with, button
actions, the flow types, and how problems and people are put into words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from knowledge.activity import Activity
from knowledge.admin.editing import Editor
from knowledge.admin.forms import Form
from knowledge.i18n.catalog import Catalog
from knowledge.records.models import EntryRef, Kind, parse_id
from knowledge.records.validation import Invalid
from knowledge.replies.buttons import FORM_CANCEL
from knowledge.replies.formatter import Button, Formatter, Reply
from knowledge.replies.markup import Markup
from knowledge.service import KnowledgeService
from knowledge.storage.backups import Backups
from knowledge.storage.knowledge_base import RECORD_TYPES, TABLES, Doc
from knowledge.storage.transfer import ImportPlan

FAQ_PAGE_SIZE = 10
UNANSWERED_SHOWN = 10
HISTORY_SHOWN = 15
TOP_SHOWN = 5
PREVIEW_CHARS = 120
# "📎 Attach" is offered only from this fused score (the floor of "↪" related answers): a
# weather question is no other way to ask entry #4, whatever ranks first for it.
ATTACH_FLOOR = 45.0

State = Literal["filling", "choosing", "duplicate", "confirming", "done"]

RESTORE_SHOWN = 10


@dataclass
class Step:
    """A reply in a guided flow, with the form as it now stands and what comes next."""

    reply: Reply
    form: Form | None
    state: State


IMPORT_EXPIRY = timedelta(minutes=15)  # an Apply button older than this is refused


@dataclass
class PendingImport:
    token: str
    plan: ImportPlan
    reason: Literal["import", "restore"] = "import"
    expires: datetime | None = None


class AdminPart:
    """The services an admin room works with, and what every room says the same way."""

    def __init__(
        self, service: KnowledgeService, editor: Editor, activity: Activity, backups: Backups
    ) -> None:
        self.service = service
        self.editor = editor
        self.activity = activity
        self.backups = backups
        self.kb = service.kb
        self.permissions = editor.roles

    def fmt(self, lang: str) -> Formatter:
        return self.service.formatter(lang)

    def is_admin(self, user_id: int | None) -> bool:
        return self.permissions.is_admin(user_id)

    def refusal(self, lang: str) -> Reply:
        return self.service.message("admin.refused", lang)

    def problem(self, problem: Invalid, lang: str) -> Reply:
        """A validation problem in words, naming the field and where it is."""
        return Reply(problem_text(self.service.catalog, problem, lang))

    def _names(self) -> dict[int, str]:
        """Listed admins' names by id, to name people in admin screens (owners have none)."""
        return {a["user_id"]: a["name"] for a in self.kb.admins() if a.get("name")}

    def _existing(self, ref: EntryRef) -> Doc:
        doc = self.kb.get_doc(ref)
        if doc is None:
            raise Invalid("admin.no_such_entry", ref=str(ref))
        return doc

    def _card(self, kind: Kind, doc: Doc, lang: str, entry_id: int) -> Markup:
        entry = RECORD_TYPES[kind].from_doc(entry_id, doc)
        return self.fmt(lang).entry_card(entry)

    def _cancel_row(self, fmt: Formatter) -> tuple[Button, ...]:
        return (Button(fmt.label("button.cancel"), FORM_CANCEL),)

    def usage(self, key: str, lang: str) -> Reply:
        return self.service.message(key, lang)

    def cancel(self, lang: str) -> Reply:
        return self.service.message("form.cancelled", lang)


def person(fmt: Formatter, user_id: int, name: str) -> Markup:
    """Someone in an admin screen: by name where one is known, always with the id."""
    name = " ".join(name.split())  # an empty name must leave no double space
    if not name:
        return fmt.t("person.unnamed", id=user_id)
    return fmt.t("person.named", id=user_id, name=name)


def changed_fields(before: object, after: object) -> list[str]:
    if not isinstance(before, dict) or not isinstance(after, dict) or "backup" in before:
        return []  # (an import's record points at its backup: the fields are not in it)
    if set(before) & set(TABLES.values()):
        return [t for t in TABLES.values() if before.get(t) != after.get(t)]
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def problem_text(catalog: Catalog, problem: Invalid, lang: str) -> Markup:
    """A validation problem in words, naming the field and where it is."""
    fmt = Formatter(catalog, {}, lang)
    params = dict(problem.params)
    field = params.get("field")
    # In an import file the JSON key says more than a translated label.
    if field and "path" not in params:
        params["field"] = fmt.field_label(str(field))
    text = fmt.t(f"problem.{problem.key}", **params)
    if "path" in params:
        text = fmt.t("problem.at", path=params["path"], problem=text)
    return text


def entry_ref(kind: Kind, text: str) -> EntryRef | None:
    number = parse_id(text.lstrip("#"))
    return EntryRef(kind, number) if number is not None else None
