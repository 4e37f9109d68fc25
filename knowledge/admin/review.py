"""Looking back: undo, history, what users asked and the usage statistics."""

from __future__ import annotations

from datetime import datetime

from knowledge.admin.base import (
    ATTACH_FLOOR,
    HISTORY_SHOWN,
    TOP_SHOWN,
    UNANSWERED_SHOWN,
    AdminPart,
    changed_fields,
    entry_ref,
    person,
)
from knowledge.records.models import EntryRef
from knowledge.records.validation import Invalid
from knowledge.replies.buttons import (
    CANCEL,
    UNANSWERED_ATTACH,
    UNANSWERED_DISMISS,
    UNANSWERED_NEW,
    UNDO,
    Attach,
)
from knowledge.replies.formatter import Button, Reply, join_paragraphs, one_per_row
from knowledge.replies.markup import Markup
from knowledge.storage.knowledge_base import Doc


class ReviewAdmin(AdminPart):
    """Looking back: undo, history, what users asked and the usage statistics."""

    def offer_undo(self, by: int, lang: str) -> Reply:
        change = self.editor.undoable_change(by)
        fmt = self.fmt(lang)
        if change is None:
            return Reply(fmt.t("undo.nothing"))
        text = fmt.t("undo.confirm", change=self._describe(change, lang))
        buttons = (
            (
                Button(fmt.label("button.undo"), UNDO(change["id"])),
                Button(fmt.label("button.keep"), CANCEL),
            ),
        )
        return Reply(text, buttons)

    def undo(self, by: int, change_id: int, lang: str) -> Reply:
        try:
            change = self.editor.undo(by, change_id)
        except Invalid as problem:
            return self.problem(problem, lang)
        return Reply(self.fmt(lang).t("undo.done", change=self._describe(change, lang)))

    def history(self, by: int, text: str, lang: str) -> Reply:
        self.permissions.require_admin(by)
        ref = EntryRef.parse(text.strip()) or entry_ref("faq", text.strip())
        if ref is None:
            return self.service.message("history.usage", lang)
        fmt = self.fmt(lang)
        changes = self.editor.history(ref)[-HISTORY_SHOWN:]
        if not changes:
            return Reply(fmt.t("history.none", ref=str(ref)))
        names = self._names()
        lines = [self._describe(change, lang, names) for change in reversed(changes)]
        lines = [fmt.t("history.line", change=line) for line in lines]
        return Reply(join_paragraphs([fmt.t("history.title", ref=str(ref)), "\n".join(lines)]))

    def _describe(self, change: Doc, lang: str, names: dict[int, str] | None = None) -> Markup:
        fmt = self.fmt(lang)
        names = self._names() if names is None else names
        when = datetime.fromisoformat(change["at"]).strftime("%Y-%m-%d %H:%M")
        fields = changed_fields(change["before"], change["after"])
        return fmt.t(
            "history.change",
            when=when,
            action=fmt.label(f"action.{change['action']}"),
            ref=change["ref"] or "",
            by=person(fmt, change["by"], names.get(change["by"], "")),
            fields=fmt.t(
                "history.fields",
                fields=", ".join(fmt.field_label(f) for f in fields),
            )
            if fields
            else "",
        )

    def unanswered(self, by: int, lang: str) -> list[Reply]:
        self.permissions.require_admin(by)
        self.activity.flush()
        fmt = self.fmt(lang)
        rows = self.kb.unanswered()[:UNANSWERED_SHOWN]
        if not rows:
            return [Reply(fmt.t("unanswered.none"))]
        replies = [Reply(fmt.t("unanswered.title", count=len(self.kb.unanswered())))]
        for row in rows:
            buttons = [Button(fmt.label("button.new_faq"), UNANSWERED_NEW(row["id"]))]
            best = [
                m
                for m in self.service.matcher.rank(row["text"], 3)
                if m.ref.kind == "faq" and m.score >= ATTACH_FLOOR
            ]
            if best:
                buttons.append(
                    Button(
                        fmt.label("button.attach", id=best[0].ref.id),
                        UNANSWERED_ATTACH(Attach(row["id"], best[0].ref.id)),
                    )
                )
            buttons.append(Button(fmt.label("button.dismiss"), UNANSWERED_DISMISS(row["id"])))
            text = fmt.t(
                "unanswered.row", text=row["text"], count=row["count"], last=row["last_seen"][:10]
            )
            replies.append(Reply(text, one_per_row(buttons)))
        return replies

    def attach_unanswered(self, by: int, row_id: int, faq_id: int, lang: str) -> Reply:
        try:
            self.editor.attach_unanswered(by, row_id, faq_id, lang)
        except Invalid as problem:
            return self.problem(problem, lang)
        return Reply(self.fmt(lang).t("unanswered.attached", id=faq_id))

    def dismiss_unanswered(self, by: int, row_id: int, lang: str) -> Reply:
        self.editor.dismiss_unanswered(by, row_id)
        return self.service.message("unanswered.dismissed", lang)

    def stats(self, by: int, lang: str) -> Reply:
        self.permissions.require_admin(by)
        self.activity.flush()
        fmt = self.fmt(lang)
        stats = self.kb.stats()
        asked, answered = stats["asked"], stats["answered"]
        rate = round(100 * answered / asked) if asked else 0
        parts = [
            fmt.t("stats.title"),
            fmt.t(
                "stats.counts",
                faq=fmt.t("stats.faqs", count=len(self.kb.faqs())),
                events=fmt.t("stats.events", count=len(self.kb.events())),
                contacts=fmt.t("stats.contacts", count=len(self.kb.contacts())),
                asked=fmt.number(asked),
                answered=fmt.number(answered),
                rate=fmt.number(rate),
                unanswered=fmt.number(len(self.kb.unanswered())),
            ),
        ]
        # Usage and votes of deleted entries stay in the file, but are no one's to act on.
        live = {str(entry.ref) for entry in self.kb.entries()}
        used = [(ref, count) for ref, count in stats["by_entry"].items() if ref in live]
        top = sorted(used, key=lambda item: -item[1])[:TOP_SHOWN]
        if top:
            lines = [
                fmt.t("stats.topic", title=self._title(ref, lang), count=count)
                for ref, count in top
            ]
            parts.append(fmt.t("stats.top") + "\n" + "\n".join(lines))
        rated = [(ref, v) for ref, v in self.kb.votes().items() if v["down"] and ref in live]
        rated.sort(
            key=lambda item: (
                -item[1]["down"] / (item[1]["up"] + item[1]["down"]),
                -item[1]["down"],
            )
        )
        if rated:
            lines = [
                fmt.t("stats.rated", title=self._title(ref, lang), up=v["up"], down=v["down"])
                for ref, v in rated[:TOP_SHOWN]
            ]
            parts.append(fmt.t("stats.worst") + "\n" + "\n".join(lines))
        return Reply(join_paragraphs(parts))

    def _title(self, ref_text: str, lang: str) -> str:
        ref = EntryRef.parse(ref_text)
        entry = self.kb.get(ref) if ref else None
        return entry.label(lang) if entry else ref_text
