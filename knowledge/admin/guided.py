"""Adding, editing and translating entries: one-line commands and guided forms."""

from __future__ import annotations

from knowledge.admin.base import (
    AdminPart,
    Step,
    changed_fields,
    entry_ref,
)
from knowledge.admin.editing import ChangedMeanwhile
from knowledge.admin.forms import Form, field_names, one_line, one_line_translation
from knowledge.i18n.languages import DEFAULT_LANGUAGE
from knowledge.records.models import EntryRef, Kind
from knowledge.records.validation import Invalid
from knowledge.replies.buttons import (
    FORM_ALTERNATE,
    FORM_CANCEL,
    FORM_FIELD,
    FORM_NEW,
    FORM_REAPPLY,
    FORM_SAVE,
)
from knowledge.replies.formatter import Button, Reply, in_rows, join_paragraphs
from knowledge.storage.knowledge_base import Doc


class FormsAdmin(AdminPart):
    """Adding, editing and translating entries: one-line commands and guided forms."""

    def _language_first(self, text: str, lang: str) -> tuple[str, str]:
        """A leading language code (``ru Вопрос | Ответ``) sets the language written in."""
        first, _, rest = text.strip().partition(" ")
        if first.lower() in self.service.catalog.languages:
            return first.lower(), rest
        return lang, text

    def begin_add(self, by: int, kind: Kind, text: str, lang: str) -> Step:
        """``/addfaq`` and friends: one line saves at once, nothing starts the guided form.
        A leading language code (``/addfaq ru Вопрос | Ответ``) sets the language."""
        self.permissions.require_admin(by)
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
        self.permissions.require_admin(by)
        form = Form.new("faq", lang, question=row["text"][:300])
        form.unanswered_id = row["id"]  # (the admin writes in their own language here)
        return self._duplicate_step(form) or Step(self._prompt(form), form, "filling")

    def new_from_unanswered(self, by: int, row_id: int, lang: str) -> Step:
        self.permissions.require_admin(by)
        row = self.kb.get_unanswered(row_id)
        if row is None:
            return Step(self.service.message("problem.unanswered.gone", lang), None, "done")
        return self.begin_from_unanswered(by, row, lang)

    def begin_edit(self, by: int, kind: Kind, text: str, lang: str) -> Step:
        """``/editfaq ID`` shows the entry with a button per field; ``/editfaq ID field | value``
        changes that field at once."""
        self.permissions.require_admin(by)
        number, _, rest = text.strip().partition(" ")
        ref = entry_ref(kind, number)
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
            Button(fmt.label(f"field.{name}"), FORM_FIELD(name)) for name in field_names(kind)
        ]
        body = join_paragraphs(
            [fmt.t("edit.choose", ref=str(ref)), self._card(kind, base, lang, ref.id)]
        )
        return Step(Reply(body, (*in_rows(buttons, 2), self._cancel_row(fmt))), form, "choosing")

    def begin_translation(self, by: int, text: str, lang: str) -> Step:
        """``/translate 12 zh`` guides through the entry's texts in Chinese, showing the
        English; ``/translate 12 de Frage | Antwort`` saves at once."""
        self.permissions.require_admin(by)
        parts = text.split(maxsplit=2)
        ref = (EntryRef.parse(parts[0]) or entry_ref("faq", parts[0])) if parts else None
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
        self.permissions.require_admin(by)
        form.choose(name)
        return Step(self._prompt(form), form, "filling")

    def form_text(self, by: int, form: Form, text: str) -> Step:
        self.permissions.require_admin(by)
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
        self.permissions.require_admin(by)
        if form.current is None:
            return Step(self.service.message("form.use_buttons", form.ui), form, "confirming")
        try:
            form.skip()
        except Invalid as problem:
            return Step(self.problem(problem, form.ui), form, "filling")
        return self._next(form)

    def use_duplicate(self, by: int, form: Form, faq_id: int) -> Step:
        """Add the new wording(s) to entry ``faq_id`` instead of making a near twin of it."""
        self.permissions.require_admin(by)
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
        self.permissions.require_admin(by)
        return self._next(form) if form.todo else self._save(by, form)

    def save(self, by: int, form: Form) -> Step:
        return self._save(by, form)

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
                    FORM_ALTERNATE(best.ref.id),
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
        fields = changed_fields(form.base, current)
        labels = ", ".join(fmt.field_label(f) for f in fields)
        text = fmt.t("form.changed_meanwhile", ref=str(form.ref), fields=labels)
        buttons = (
            (Button(fmt.label("button.reapply"), FORM_REAPPLY),),
            self._cancel_row(fmt),
        )
        return Step(Reply(text, buttons), form, "confirming")

    def reapply(self, by: int, form: Form) -> Step:
        """After a conflict: the same changes, previewed against the entry as it is now."""
        self.permissions.require_admin(by)
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
