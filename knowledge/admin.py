"""What admins can do, and what the bot says to them. No Telegram here either.

Each method takes the acting user's id and returns the reply to show (and, for guided forms,
the form's next state). Roles are enforced by ``Editor``; a refused caller raises
``NotAllowed``, which the Telegram side turns into a polite refusal.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from knowledge.activity import Activity
from knowledge.backups import Backup, Backups
from knowledge.catalog import Catalog
from knowledge.editing import ChangedMeanwhile, Editor, NotAllowed
from knowledge.forms import Form, field_names, one_line, one_line_translation
from knowledge.markup import Markup
from knowledge.models import DEFAULT_LANGUAGE, EntryRef, FaqEntry, Kind, parse_id
from knowledge.replies import Button, Formatter, Reply, in_rows, join_paragraphs, one_per_row
from knowledge.service import KnowledgeService
from knowledge.store import RECORD_TYPES, TABLES, Doc
from knowledge.transfer import MAX_IMPORT_BYTES, ImportPlan, export_bytes, plan_import
from knowledge.validation import Invalid

FAQ_PAGE_SIZE = 10
UNANSWERED_SHOWN = 10
HISTORY_SHOWN = 15
TOP_SHOWN = 5
PREVIEW_CHARS = 120
# "📎 Attach" is offered only from this fused score (the floor of "↪" related answers): a
# weather question is no other way to ask entry #4, whatever ranks first for it.
ATTACH_FLOOR = 45.0

State = Literal["filling", "choosing", "duplicate", "confirming", "done"]

# Button actions of the admin screens (callback data), each under 64 bytes.
FORM_SAVE, FORM_CANCEL, FORM_FIELD, FORM_ALTERNATE, FORM_NEW, FORM_REAPPLY = (
    "form:save",
    "form:cancel",
    "form:field:",
    "form:alt:",
    "form:new",
    "form:reapply",
)
DELETE, UNDO, FAQ_PAGE = "del:", "undo:", "faqs:"
UNANSWERED_NEW, UNANSWERED_ATTACH, UNANSWERED_DISMISS = "un:new:", "un:attach:", "un:dismiss:"
IMPORT_APPLY = "import:"
RESTORE = "restore:"
RESTORE_SHOWN = 10
CANCEL = "cancel"


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


class AdminService:
    def __init__(
        self, service: KnowledgeService, editor: Editor, activity: Activity, backups: Backups
    ) -> None:
        self.service = service
        self.editor = editor
        self.activity = activity
        self.backups = backups
        self.kb = service.kb

    def fmt(self, lang: str) -> Formatter:
        return self.service.formatter(lang)

    def is_admin(self, user_id: int | None) -> bool:
        return self.editor.is_admin(user_id)

    def refusal(self, lang: str) -> Reply:
        return self.service.message("admin.refused", lang)

    def problem(self, problem: Invalid, lang: str) -> Reply:
        """A validation problem in words, naming the field and where it is."""
        return Reply(problem_text(self.service.catalog, problem, lang))

    # Admins -------------------------------------------------------------------------------

    def admins(self, by: int, lang: str) -> Reply:
        self.editor.require_admin(by)
        fmt = self.fmt(lang)
        owners = [fmt.t("admins.owner", id=uid) for uid in sorted(self.editor.owners)]
        names = self._names()
        listed = [
            fmt.t(
                "admins.admin",
                who=_person(fmt, a["user_id"], a["name"]),
                by=_person(fmt, a["added_by"], names.get(a["added_by"], "")),
                at=a["added_at"][:10],
            )
            for a in self.kb.admins()
        ]
        return Reply(join_paragraphs([fmt.t("admins.title"), "\n".join(owners + listed)]))

    def add_admin(self, by: int, target: int | None, name: str, lang: str) -> Reply:
        if target is None:
            return self.service.message("admins.add_usage", lang)
        added = self.editor.add_admin(by, target, name)
        fmt = self.fmt(lang)
        if not added:
            return Reply(fmt.t("admins.already", id=target))
        return Reply(fmt.t("admins.added", who=_person(fmt, target, name)))

    def _names(self) -> dict[int, str]:
        """Listed admins' names by id, to name people in admin screens (owners have none)."""
        return {a["user_id"]: a["name"] for a in self.kb.admins() if a.get("name")}

    def remove_admin(self, by: int, target: int | None, lang: str) -> Reply:
        if target is None:
            return self.service.message("admins.remove_usage", lang)
        removed = self.editor.remove_admin(by, target)
        key = "admins.removed" if removed else "admins.not_admin"
        return Reply(self.fmt(lang).t(key, id=target))

    # Adding and editing entries -----------------------------------------------------------

    def _language_first(self, text: str, lang: str) -> tuple[str, str]:
        """A leading language code (``ru Вопрос | Ответ``) sets the language written in."""
        first, _, rest = text.strip().partition(" ")
        if first.lower() in self.service.catalog.languages:
            return first.lower(), rest
        return lang, text

    def begin_add(self, by: int, kind: Kind, text: str, lang: str) -> Step:
        """``/addfaq`` and friends: one line saves at once, nothing starts the guided form.
        A leading language code (``/addfaq ru Вопрос | Ответ``) sets the language."""
        self.editor.require_admin(by)
        content_lang, text = self._language_first(text, lang)
        form = one_line(kind, text, content_lang)
        if form is None:
            form = Form.new(kind, content_lang)
            form.ui = lang
            return Step(self._prompt(form), form, "filling")
        form.ui = lang
        return self._duplicate_step(form) or self._save(by, form)

    def begin_from_unanswered(self, by: int, row: Doc, lang: str) -> Step:
        """The guided FAQ form with the question already given; saving it clears the row."""
        self.editor.require_admin(by)
        form = Form.new("faq", lang, question=row["text"][:300])
        form.unanswered_id = row["id"]  # (the admin writes in their own language here)
        return self._duplicate_step(form) or Step(self._prompt(form), form, "filling")

    def begin_edit(self, by: int, kind: Kind, text: str, lang: str) -> Step:
        """``/editfaq ID`` shows the entry with a button per field; ``/editfaq ID field | value``
        changes that field at once."""
        self.editor.require_admin(by)
        number, _, rest = text.strip().partition(" ")
        ref = _ref(kind, number)
        if ref is None:
            return Step(self.service.message(f"edit.usage_{kind}", lang), None, "done")
        base = self._existing(ref)
        content_lang, rest = self._language_first(rest, lang)
        form = Form.edit(ref, base, content_lang)
        form.ui = lang
        if rest.strip():
            name, bar, value = rest.partition("|")
            if not bar:
                return Step(self.service.message(f"edit.usage_{kind}", lang), None, "done")
            form.choose(name.strip().lower())
            form.fill(value)
            return self._save(by, form)
        fmt = self.fmt(lang)
        buttons = [
            Button(fmt.label(f"field.{name}"), FORM_FIELD + name) for name in field_names(kind)
        ]
        body = join_paragraphs(
            [fmt.t("edit.choose", ref=str(ref)), self._card(kind, base, lang, ref.id)]
        )
        return Step(Reply(body, (*in_rows(buttons, 2), self._cancel_row(fmt))), form, "choosing")

    def begin_translation(self, by: int, text: str, lang: str) -> Step:
        """``/translate 12 zh`` guides through the entry's texts in Chinese, showing the
        English; ``/translate 12 de Frage | Antwort`` saves at once."""
        self.editor.require_admin(by)
        parts = text.split(maxsplit=2)
        ref = (EntryRef.parse(parts[0]) or _ref("faq", parts[0])) if parts else None
        target = parts[1].lower() if len(parts) > 1 else ""
        if ref is None or not target:
            return Step(self.service.message("translate.usage", lang), None, "done")
        base = self._existing(ref)
        if target not in self.service.catalog.languages:
            raise Invalid(
                "language.unknown",
                code=target[:10],
                languages=", ".join(self.service.catalog.languages),
            )
        reference = lang if lang != target else DEFAULT_LANGUAGE
        form = Form.translate(ref, base, target, reference)
        form.ui = lang
        if len(parts) > 2:
            one_line_translation(form, parts[2])
            return self._save(by, form)
        fmt = self.fmt(lang)
        intro = fmt.t("translate.start", ref=str(ref), language=fmt.language_name(target))
        card = self._card(ref.kind, base, reference, ref.id)
        prompt = self._prompt(form)
        return Step(Reply(join_paragraphs([intro, card, prompt.html])), form, "filling")

    def choose_field(self, by: int, form: Form, name: str) -> Step:
        self.editor.require_admin(by)
        form.choose(name)
        return Step(self._prompt(form), form, "filling")

    def form_text(self, by: int, form: Form, text: str) -> Step:
        self.editor.require_admin(by)
        current = form.current
        if current is None:
            return Step(self.service.message("form.use_buttons", form.ui), form, "confirming")
        try:
            form.fill(text)
        except Invalid as problem:
            reply = self.problem(problem, form.ui)
            return Step(
                Reply(join_paragraphs([reply.html, self._prompt(form).html])), form, "filling"
            )
        if current.name == "question" and not form.editing:
            duplicate = self._duplicate_step(form)
            if duplicate:
                return duplicate
        return self._next(form)

    def form_skip(self, by: int, form: Form) -> Step:
        self.editor.require_admin(by)
        if form.current is None:
            return Step(self.service.message("form.use_buttons", form.ui), form, "confirming")
        try:
            form.skip()
        except Invalid as problem:
            return Step(self.problem(problem, form.ui), form, "filling")
        return self._next(form)

    def use_duplicate(self, by: int, form: Form, faq_id: int) -> Step:
        """Add the new wording(s) to entry ``faq_id`` instead of making a near twin of it."""
        self.editor.require_admin(by)
        fmt = self.fmt(form.ui)
        questions = [form.values.get("question"), *(form.values.get("alternates") or [])]
        added = 0
        for question in filter(None, questions):
            try:
                self.editor.add_alternate(by, faq_id, form.lang, question)
                added += 1
            except Invalid as problem:
                if problem.key != "faq.alternate_exists":
                    return Step(self.problem(problem, form.ui), None, "done")
        self._answered(by, form)
        key = "form.added_as_alternate" if added else "form.already_there"
        return Step(Reply(fmt.t(key, id=faq_id, count=added)), None, "done")

    def _answered(self, by: int, form: Form) -> None:
        """The unanswered question a form started from now has its answer: clear it."""
        if form.unanswered_id is not None:
            self.editor.dismiss_unanswered(by, form.unanswered_id)

    def keep_as_new(self, by: int, form: Form) -> Step:
        self.editor.require_admin(by)
        return self._next(form) if form.todo else self._save(by, form)

    def save(self, by: int, form: Form) -> Step:
        return self._save(by, form)

    def cancel(self, lang: str) -> Reply:
        return self.service.message("form.cancelled", lang)

    def _next(self, form: Form) -> Step:
        if form.todo:
            return Step(self._prompt(form), form, "filling")
        return Step(self._preview(form), form, "confirming")

    def _prompt(self, form: Form) -> Reply:
        fmt = self.fmt(form.ui)
        current = form.current
        assert current is not None
        parts = [fmt.t(f"prompt.{form.kind}.{current.name}")]
        if form.reference_lang:
            reference = Form(form.kind, form.reference_lang).value_of(form.base, current.name)
            if reference:
                language = fmt.language_name(form.reference_lang)
                parts.append(fmt.t("translate.reference", language=language, value=reference))
        if form.editing:
            before = form.value_of(form.base, current.name) or fmt.label("form.empty_value")
            parts.append(fmt.t("form.current_value", value=before))
        if not current.required:
            parts.append(fmt.t("form.skip_hint"))
        parts.append(fmt.t("form.cancel_hint"))
        return Reply(join_paragraphs(parts))

    def _preview(self, form: Form) -> Reply:
        fmt = self.fmt(form.ui)
        doc = form.doc()
        if form.editing:
            assert form.ref is not None
            lines = [fmt.t("form.preview_edit", ref=str(form.ref))]
            for name in form.values:
                before = form.value_of(form.base, name) or fmt.label("form.empty_value")
                after = form.value_of(doc, name) or fmt.label("form.empty_value")
                lines.append(
                    fmt.t(
                        "form.change", field=fmt.label(f"field.{name}"), before=before, after=after
                    )
                )
            body = join_paragraphs(lines)
        else:
            doc.setdefault("sources", self.editor.editors_source())  # as it will be saved
            body = join_paragraphs(
                [fmt.t("form.preview_new"), self._card(form.kind, doc, form.lang, 0)]
            )
        buttons = (
            Button(fmt.label("button.save"), FORM_SAVE),
            Button(fmt.label("button.cancel"), FORM_CANCEL),
        )
        return Reply(body, (buttons,))

    def _duplicate_step(self, form: Form) -> Step | None:
        question = form.values.get("question")
        if form.kind != "faq" or form.editing or not question:
            return None
        duplicates = self.editor.near_duplicates(question)
        if not duplicates:
            return None
        fmt = self.fmt(form.ui)
        best = duplicates[0]
        entry = self.kb.get(best.ref)
        title = entry.label(form.lang) if entry else str(best.ref)
        text = fmt.t("form.duplicate", id=best.ref.id, title=title, question=question)
        buttons = (
            (
                Button(
                    fmt.label("button.add_alternate", id=best.ref.id),
                    f"{FORM_ALTERNATE}{best.ref.id}",
                ),
            ),
            (Button(fmt.label("button.keep_new"), FORM_NEW),),
            self._cancel_row(fmt),
        )
        return Step(Reply(text, buttons), form, "duplicate")

    def _save(self, by: int, form: Form) -> Step:
        fmt = self.fmt(form.ui)
        try:
            if form.ref is None:
                ref = self.editor.create(by, form.kind, form.doc())
                self._answered(by, form)
                reply = Reply(fmt.t("form.saved_new", ref=str(ref), id=ref.id))
            else:
                ref = form.ref
                before = self.editor.update(by, ref, form.doc(), seen=form.seen or None)
                after = self.kb.get_doc(ref) or {}
                if after == before:
                    return Step(Reply(fmt.t("form.unchanged", ref=str(ref))), None, "done")
                lines = [fmt.t("form.saved_edit", ref=str(ref))]
                for name in form.values:
                    lines.append(
                        fmt.t(
                            "form.change",
                            field=fmt.label(f"field.{name}"),
                            before=form.value_of(before, name) or "–",
                            after=form.value_of(after, name) or "–",
                        )
                    )
                reply = Reply(join_paragraphs(lines))
        except ChangedMeanwhile as changed:
            return self._changed_meanwhile(form, changed.current)
        except Invalid as problem:
            return self._refused_at_save(form, problem)
        return Step(reply, None, "done")

    def _changed_meanwhile(self, form: Form, current: Doc) -> Step:
        """Someone changed the entry since the form opened: save nothing, say what changed,
        and offer to apply this form's values to the entry as it is now."""
        fmt = self.fmt(form.ui)
        fields = _changed_fields(form.base, current)
        labels = ", ".join(fmt.label(f"field.{f}") if f in _FIELD_LABELS else f for f in fields)
        text = fmt.t("form.changed_meanwhile", ref=str(form.ref), fields=labels)
        buttons = (
            (Button(fmt.label("button.reapply"), FORM_REAPPLY),),
            self._cancel_row(fmt),
        )
        return Step(Reply(text, buttons), form, "confirming")

    def reapply(self, by: int, form: Form) -> Step:
        """After a conflict: the same changes, previewed against the entry as it is now."""
        self.editor.require_admin(by)
        current = self.kb.get_doc(form.ref) if form.ref else None
        if current is None:
            return Step(self.service.message("form.entry_gone", form.ui), None, "done")
        form.rebase(current)
        return Step(self._preview(form), form, "confirming")

    def _refused_at_save(self, form: Form, problem: Invalid) -> Step:
        """Go back to the field the problem is in, keeping everything else the admin typed."""
        reply = self.problem(problem, form.ui)
        name = _form_field_of(form, problem)
        if name is None:
            return Step(reply, None, "done")
        form.choose(name)
        return Step(Reply(join_paragraphs([reply.html, self._prompt(form).html])), form, "filling")

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

    # Deleting and alternates --------------------------------------------------------------

    def confirm_delete(self, by: int, kind: Kind, text: str, lang: str) -> Reply:
        self.editor.require_admin(by)
        ref = _ref(kind, text.strip())
        if ref is None:
            return self.service.message(f"delete.usage_{kind}", lang)
        doc = self._existing(ref)
        fmt = self.fmt(lang)
        body = join_paragraphs(
            [fmt.t("delete.confirm", ref=str(ref)), self._card(kind, doc, lang, ref.id)]
        )
        buttons = (
            (
                Button(fmt.label("button.delete"), f"{DELETE}{ref}"),
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
        self.editor.require_admin(by)
        number, _, phrasing = text.strip().partition(" ")
        ref = _ref("faq", number)
        if ref is None or not phrasing.strip():
            return self.service.message("alternate.usage", lang)
        try:
            self.editor.add_alternate(by, ref.id, lang, phrasing)
        except Invalid as problem:
            return self.problem(problem, lang)
        return Reply(self.fmt(lang).t("alternate.added", id=ref.id, phrasing=phrasing.strip()))

    # Listing ------------------------------------------------------------------------------

    def faq_list(self, by: int, page: int, lang: str) -> Reply:
        self.editor.require_admin(by)
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
            nav.append(Button(fmt.label("button.previous"), f"{FAQ_PAGE}{page - 1}"))
        if page < pages:
            nav.append(Button(fmt.label("button.next"), f"{FAQ_PAGE}{page + 1}"))
        return Reply(body, (tuple(nav),) if nav else ())

    def _missing_note(self, fmt: Formatter, entry: FaqEntry) -> Markup:
        """ " 🌐 missing: zh, de" for an entry not yet in every language the bot speaks."""
        missing = [
            code
            for code in self.service.catalog.languages
            if not (entry.questions.get(code) and entry.answer.get(code))
        ]
        return fmt.t("faqs.missing", languages=", ".join(missing)) if missing else Markup("")

    # Synonyms -----------------------------------------------------------------------------

    def synonyms(self, by: int, lang: str) -> Reply:
        self.editor.require_admin(by)
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
        self.editor.require_admin(by)
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

    # Undo and history ---------------------------------------------------------------------

    def offer_undo(self, by: int, lang: str) -> Reply:
        change = self.editor.undoable_change(by)
        fmt = self.fmt(lang)
        if change is None:
            return Reply(fmt.t("undo.nothing"))
        text = fmt.t("undo.confirm", change=self._describe(change, lang))
        buttons = (
            (
                Button(fmt.label("button.undo"), f"{UNDO}{change['id']}"),
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
        self.editor.require_admin(by)
        ref = EntryRef.parse(text.strip()) or _ref("faq", text.strip())
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
        fields = _changed_fields(change["before"], change["after"])
        return fmt.t(
            "history.change",
            when=when,
            action=fmt.label(f"action.{change['action']}"),
            ref=change["ref"] or "",
            by=_person(fmt, change["by"], names.get(change["by"], "")),
            fields=fmt.t(
                "history.fields",
                fields=", ".join(
                    fmt.label(f"field.{f}") if f in _FIELD_LABELS else f for f in fields
                ),
            )
            if fields
            else "",
        )

    # What users asked ---------------------------------------------------------------------

    def unanswered(self, by: int, lang: str) -> list[Reply]:
        self.editor.require_admin(by)
        self.activity.flush()
        fmt = self.fmt(lang)
        rows = self.kb.unanswered()[:UNANSWERED_SHOWN]
        if not rows:
            return [Reply(fmt.t("unanswered.none"))]
        replies = [Reply(fmt.t("unanswered.title", count=len(self.kb.unanswered())))]
        for row in rows:
            buttons = [Button(fmt.label("button.new_faq"), f"{UNANSWERED_NEW}{row['id']}")]
            best = [
                m
                for m in self.service.matcher.rank(row["text"], 3)
                if m.ref.kind == "faq" and m.score >= ATTACH_FLOOR
            ]
            if best:
                buttons.append(
                    Button(
                        fmt.label("button.attach", id=best[0].ref.id),
                        f"{UNANSWERED_ATTACH}{row['id']}:{best[0].ref.id}",
                    )
                )
            buttons.append(Button(fmt.label("button.dismiss"), f"{UNANSWERED_DISMISS}{row['id']}"))
            text = fmt.t(
                "unanswered.row", text=row["text"], count=row["count"], last=row["last_seen"][:10]
            )
            replies.append(Reply(text, one_per_row(buttons)))
        return replies

    def new_from_unanswered(self, by: int, row_id: int, lang: str) -> Step:
        self.editor.require_admin(by)
        row = self.kb.get_unanswered(row_id)
        if row is None:
            return Step(self.service.message("problem.unanswered.gone", lang), None, "done")
        return self.begin_from_unanswered(by, row, lang)

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
        self.editor.require_admin(by)
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

    # Export and import --------------------------------------------------------------------

    def import_too_big(self, lang: str) -> Reply:
        return Reply(self.fmt(lang).t("import.too_big", limit=MAX_IMPORT_BYTES // 1_000_000))

    def export(self, by: int, lang: str) -> tuple[bytes, str, Reply]:
        self.editor.require_admin(by)
        name = f"knowledge-{self.kb.clock():%Y-%m-%d}.json"
        return export_bytes(self.kb), name, self.service.message("export.caption", lang)

    def plan_import(self, by: int, raw: bytes, lang: str) -> tuple[PendingImport | None, Reply]:
        """Check a whole import file; a pending import to confirm, or why there is none."""
        self.editor.require_admin(by)
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
                Button(apply_label, f"{IMPORT_APPLY}{pending.token}"),
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
            self.editor.require_owner(by)
        self.editor.require_admin(by)
        self.editor.require_unchanged(plan.seen)  # before the backup: a refusal leaves no trace
        backup = self.backups.take(reason)
        self.editor.apply_import(by, plan.content, seen=plan.seen, backup=backup.name)
        return backup

    # Backups ------------------------------------------------------------------------------

    def backup_list(self, by: int, lang: str) -> Reply:
        """The newest backups as buttons; owners only."""
        self.editor.require_owner(by)
        fmt = self.fmt(lang)
        shown = self.backups.all()[:RESTORE_SHOWN]
        if not shown:
            return self.service.message("restore.none", lang)
        buttons = one_per_row(
            Button(self._backup_label(fmt, backup), f"{RESTORE}{backup.name}") for backup in shown
        )
        return Reply(fmt.t("restore.list"), buttons)

    def plan_restore(self, by: int, name: str, lang: str) -> tuple[PendingImport | None, Reply]:
        """What restoring backup ``name`` would change, with a button to do it; owners only."""
        self.editor.require_owner(by)
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

    def usage(self, key: str, lang: str) -> Reply:
        return self.service.message(key, lang)


_FIELD_LABELS = {
    "questions",
    "answer",
    "tags",
    "sources",
    "date",
    "timezone",
    "title",
    "place",
    "description",
    "name",
    "role",
    "organization",
    "reach",
    "website",
}


def _person(fmt: Formatter, user_id: int, name: str) -> Markup:
    """Someone in an admin screen: by name where one is known, always with the id."""
    name = " ".join(name.split())  # an empty name must leave no double space
    if not name:
        return fmt.t("person.unnamed", id=user_id)
    return fmt.t("person.named", id=user_id, name=name)


def _changed_fields(before: object, after: object) -> list[str]:
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
    if field and "path" not in params and catalog.has(lang, f"field.{field}"):
        params["field"] = fmt.label(f"field.{field}")
    text = fmt.t(f"problem.{problem.key}", **params)
    if "path" in params:
        text = fmt.t("problem.at", path=params["path"], problem=text)
    return text


# A record's field named in a problem, and the form field where the admin can mend it.
_PROBLEM_FIELDS = {"questions": "question", "tag": "tags"}


def _form_field_of(form: Form, problem: Invalid) -> str | None:
    name = str(problem.params.get("field", ""))
    name = _PROBLEM_FIELDS.get(name, name)
    if name == "question" and problem.key == "invalid.too_many" and "alternates" in form.values:
        name = "alternates"  # the question itself is one; it is the others that are too many
    if problem.key == "invalid.date":
        name = "date"
    return name if name in field_names(form.kind) else None


def _ref(kind: Kind, text: str) -> EntryRef | None:
    number = parse_id(text.lstrip("#"))
    return EntryRef(kind, number) if number is not None else None


__all__ = ["AdminService", "NotAllowed", "PendingImport", "Step"]
