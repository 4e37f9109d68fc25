"""Guided forms for adding and editing entries, one field at a time.

A ``Form`` is plain data: which entry kind, which language the admin writes in, what was
entered so far and which fields are still to ask. The Telegram conversation keeps it between
messages; the rules for each field are its schema's (``knowledge.records.schema``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from knowledge.records import schema
from knowledge.records.models import EntryRef, EventDate, Kind
from knowledge.records.schema import Field
from knowledge.records.validation import Invalid
from knowledge.storage.knowledge_base import Doc, revision


def field_names(kind: Kind) -> list[str]:
    """The fields the guided form asks, in order."""
    return [f.name for f in schema.form_fields(kind)]


@dataclass
class Form:
    kind: Kind
    lang: str
    ref: EntryRef | None = None  # the entry being edited; None when adding
    base: Doc = field(default_factory=dict)  # the entry as it was
    seen: str = ""  # the revision of ``base``: saving is refused if the entry changed since
    values: dict[str, Any] = field(default_factory=dict)
    todo: list[str] = field(default_factory=list)
    unanswered_id: int | None = None  # the unanswered question this entry answers
    reference_lang: str | None = None  # translating: the language shown alongside
    ui: str = ""  # the language the admin reads the bot in (default: the content language)

    def __post_init__(self) -> None:
        self.ui = self.ui or self.lang

    @classmethod
    def new(cls, kind: Kind, lang: str, **prefill: str) -> Form:
        """A form to add an entry; ``prefill`` answers some fields already."""
        form = cls(kind, lang, todo=field_names(kind))
        for name, value in prefill.items():
            form.fill_field(name, value)
        return form

    @classmethod
    def edit(cls, ref: EntryRef, base: Doc, lang: str) -> Form:
        return cls(ref.kind, lang, ref=ref, base=base, seen=revision(base))

    @classmethod
    def translate(cls, ref: EntryRef, base: Doc, lang: str, reference_lang: str) -> Form:
        """Fill in an entry's texts in ``lang``, showing them in ``reference_lang``."""
        form = cls(ref.kind, lang, ref=ref, base=base, reference_lang=reference_lang)
        form.seen = revision(base)
        form.todo = schema.translated(ref.kind)
        return form

    @property
    def editing(self) -> bool:
        return self.ref is not None

    @property
    def current(self) -> Field | None:
        return self._field(self.todo[0]) if self.todo else None

    def choose(self, name: str) -> None:
        """Edit ``name`` next (editing: the field picked from the buttons)."""
        self._field(name)
        self.todo = [name]

    def fill(self, text: str) -> None:
        """Answer the current field; raises ``Invalid`` and stays on it if ``text`` is wrong."""
        current = self.current
        assert current is not None
        self.fill_field(current.name, text)

    def fill_field(self, name: str, text: str) -> None:
        self.values[name] = self._field(name).parse(text)
        if name in self.todo:
            self.todo.remove(name)
        if name == "date" and EventDate.parse(self.values[name]).at is None:
            # A day, month or year without a time reads the same on either clock.
            self.todo = [n for n in self.todo if n != "timezone"]

    def rebase(self, current: Doc) -> None:
        """Apply this form's values to the entry as it is now (another admin changed it)."""
        self.base = current
        self.seen = revision(current)

    def skip(self) -> None:
        current = self.current
        assert current is not None
        if current.required:  # editing too: an emptied required field could never be saved
            raise Invalid("form.required")
        self.values[current.name] = None if not self.editing else _empty(current)
        self.todo.pop(0)

    def doc(self) -> Doc:
        """The entry as it will be saved: the old one with the new values in place."""
        doc = {key: _copy(value) for key, value in self.base.items()}
        for name, value in self.values.items():
            if value is not None:
                self._apply(doc, name, value)
        return doc

    def value_of(self, doc: Doc, name: str) -> str:
        """A field of ``doc`` as the admin would type it, in the form's language."""
        if self.kind == "faq" and name in ("question", "alternates"):
            questions = doc.get("questions", {}).get(self.lang, [])
            chosen = questions[:1] if name == "question" else questions[1:]
            return "\n".join(chosen)
        rules = self._field(name)
        if rules.many:
            return ", ".join(doc.get(name, []))
        if rules.localized:
            return doc.get(name, {}).get(self.lang, "")
        return str(doc.get(name) or rules.implied)

    def _apply(self, doc: Doc, name: str, value: Any) -> None:
        if self.kind == "faq" and name in ("question", "alternates"):
            questions = doc.setdefault("questions", {})
            current = questions.get(self.lang, [])
            if name == "question":
                questions[self.lang] = [value, *(q for q in current[1:] if q != value)]
            else:
                questions[self.lang] = [*current[:1], *(q for q in value if q not in current[:1])]
            if not questions[self.lang]:
                del questions[self.lang]
        elif self._field(name).localized:
            texts = doc.setdefault(name, {})
            if value:
                texts[self.lang] = value
            else:
                texts.pop(self.lang, None)
        else:
            doc[name] = value

    def _field(self, name: str) -> Field:
        return schema.field_of(self.kind, name)


def _empty(cleared: Field) -> Any:
    """What clearing an optional field stores."""
    return [] if cleared.many else ""


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def one_line(kind: Kind, text: str, lang: str) -> Form | None:
    """A form filled from ``Question | Answer`` (and the like, in each field's ``one_line``
    place); None when ``text`` is empty, which asks for the guided form."""
    if not text.strip():
        return None
    form = Form(kind, lang)
    _fill_in_order(form, schema.one_line_order(kind), text, f"oneline.{kind}")
    if any(f.required and f.name not in form.values for f in schema.form_fields(kind)):
        raise Invalid(f"oneline.{kind}")
    return form


def one_line_translation(form: Form, text: str) -> None:
    """Fill a translation form from ``Question | Answer`` (and the like)."""
    _fill_in_order(form, schema.translation_order(form.kind), text, "translate.one_line")
    form.todo = []


def _fill_in_order(form: Form, names: list[str], text: str, problem: str) -> None:
    parts = [part.strip() for part in text.split("|")]
    if len(parts) > len(names):
        raise Invalid(problem)
    for name, value in zip(names, parts, strict=False):
        if value:
            form.fill_field(name, value)
