"""The content itself: deleting, other phrasings, the FAQ list and synonyms."""

from __future__ import annotations

from knowledge.admin.base import (
    FAQ_PAGE_SIZE,
    AdminPart,
    entry_ref,
)
from knowledge.records.models import EntryRef, FaqEntry, Kind
from knowledge.records.validation import Invalid
from knowledge.replies.buttons import (
    CANCEL,
    DELETE,
    FAQ_PAGE,
)
from knowledge.replies.formatter import Button, Formatter, Reply, join_paragraphs
from knowledge.replies.markup import Markup


class ContentAdmin(AdminPart):
    """The content itself: deleting, other phrasings, the FAQ list and synonyms."""

    def confirm_delete(self, by: int, kind: Kind, text: str, lang: str) -> Reply:
        self.permissions.require_admin(by)
        ref = entry_ref(kind, text.strip())
        if ref is None:
            return self.service.message(f"delete.usage_{kind}", lang)
        doc = self._existing(ref)
        fmt = self.fmt(lang)
        body = join_paragraphs(
            [fmt.t("delete.confirm", ref=str(ref)), self._card(kind, doc, lang, ref.id)]
        )
        buttons = (
            (
                Button(fmt.label("button.delete"), DELETE(ref)),
                Button(fmt.label("button.cancel"), CANCEL),
            ),
        )
        return Reply(body, buttons)

    def delete(self, by: int, ref: EntryRef, lang: str) -> Reply:
        try:
            self.editor.delete(by, ref)
        except Invalid as problem:
            return self.problem(problem, lang)
        return Reply(self.fmt(lang).t("delete.done", ref=str(ref)))

    def add_alternate(self, by: int, text: str, lang: str) -> Reply:
        self.permissions.require_admin(by)
        number, _, phrasing = text.strip().partition(" ")
        ref = entry_ref("faq", number)
        if ref is None or not phrasing.strip():
            return self.service.message("alternate.usage", lang)
        try:
            self.editor.add_alternate(by, ref.id, lang, phrasing)
        except Invalid as problem:
            return self.problem(problem, lang)
        return Reply(self.fmt(lang).t("alternate.added", id=ref.id, phrasing=phrasing.strip()))

    def faq_list(self, by: int, page: int, lang: str) -> Reply:
        self.permissions.require_admin(by)
        fmt = self.fmt(lang)
        entries = sorted(self.kb.faqs(), key=lambda e: e.id)
        pages = max(1, -(-len(entries) // FAQ_PAGE_SIZE))
        page = min(max(page, 1), pages)
        shown = entries[(page - 1) * FAQ_PAGE_SIZE : page * FAQ_PAGE_SIZE]
        lines = [
            fmt.t(
                "faqs.line",
                id=e.id,
                title=e.label(lang),
                count=sum(len(q) for q in e.questions.values()),
                missing=self._missing_note(fmt, e),
            )
            for e in shown
        ]
        body = join_paragraphs(
            [fmt.t("faqs.title", page=page, pages=pages, total=len(entries)), "\n".join(lines)]
        )
        nav = []
        if page > 1:
            nav.append(Button(fmt.label("button.previous"), FAQ_PAGE(page - 1)))
        if page < pages:
            nav.append(Button(fmt.label("button.next"), FAQ_PAGE(page + 1)))
        return Reply(body, (tuple(nav),) if nav else ())

    def _missing_note(self, fmt: Formatter, entry: FaqEntry) -> Markup:
        """ " 🌐 missing: zh, de" for an entry not yet in every language the bot speaks."""
        missing = [
            code
            for code in self.service.catalog.languages
            if not (entry.questions.get(code) and entry.answer.get(code))
        ]
        return fmt.t("faqs.missing", languages=", ".join(missing)) if missing else Markup("")

    def synonyms(self, by: int, lang: str) -> Reply:
        self.permissions.require_admin(by)
        fmt = self.fmt(lang)
        groups = self.kb.synonym_groups()
        lines = [fmt.t("synonyms.group", words=", ".join(group)) for group in groups]
        body = [
            fmt.t("synonyms.title"),
            "\n".join(lines) or fmt.t("synonyms.none"),
            fmt.t("synonyms.usage"),
        ]
        return Reply(join_paragraphs(body))

    def synonym_command(self, by: int, args: list[str], lang: str) -> Reply:
        self.permissions.require_admin(by)
        fmt = self.fmt(lang)
        action, words = (args[0].lower(), args[1:]) if args else ("", [])
        words = [word.replace("_", " ") for word in words]  # small_and_medium_enterprises
        try:
            if action == "add" and words:
                group = self.editor.add_synonyms(by, words)
                return Reply(fmt.t("synonyms.added", words=", ".join(group)))
            if action == "del" and len(words) == 1:
                removed = self.editor.remove_synonym(by, words[0])
                key = "synonyms.removed" if removed else "synonyms.unknown"
                return Reply(fmt.t(key, word=words[0]))
        except Invalid as problem:
            return self.problem(problem, lang)
        return self.service.message("synonyms.usage", lang)
