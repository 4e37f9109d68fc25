"""Changing the knowledge base: entries, synonyms, undo, history, imports.

Every change is checked against the caller's role here, whatever the interface that asked;
validated; written together with its audit record in one atomic step; and applied to the
matcher at once, so the next question already sees it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from knowledge.admin.permissions import Roles
from knowledge.matching.matcher import Match
from knowledge.matching.retrieval import HybridMatcher
from knowledge.records.models import EntryRef, Kind
from knowledge.records.schema import validate_record
from knowledge.records.validation import MAX_SYNONYMS, Invalid, clean_text, parse_synonyms
from knowledge.storage.backups import Backup, Backups
from knowledge.storage.knowledge_base import Doc, KnowledgeBase, revision

UNDO_WINDOW = timedelta(minutes=10)
DUPLICATE_SCORE = 85  # a new question this close to an existing one is probably the same
EDITORS_SOURCE = "editors"
UNDOABLE = {"add", "edit", "delete", "synonyms", "import"}


class ChangedMeanwhile(Exception):
    """The entry is no longer the one the caller saw: saving would undo someone's change."""

    def __init__(self, ref: EntryRef, current: Doc) -> None:
        super().__init__(str(ref))
        self.ref = ref
        self.current = current


class Editor:
    def __init__(
        self,
        kb: KnowledgeBase,
        matcher: HybridMatcher,
        roles: Roles,
        backups: Backups | None = None,
    ) -> None:
        self.kb = kb
        self.matcher = matcher
        self.roles = roles  # checked here, whatever the interface that asked
        self.backups = backups  # what an import replaced lives there, not in the audit trail

    # Entries ------------------------------------------------------------------------------

    def create(self, by: int, kind: Kind, doc: Doc) -> EntryRef:
        self.roles.require_admin(by)
        doc = self._valid(kind, {**doc, "sources": doc.get("sources") or self.editors_source()})
        with self.kb.transaction():
            ref = self.kb.insert(kind, doc)
            self.kb.record_change(by, "add", str(ref), None, doc)
            if kind == "event":
                self.kb.announce(ref)  # subscribers hear of it; lost with the add, or not at all
        self._reindex(ref)
        return ref

    def update(self, by: int, ref: EntryRef, doc: Doc, *, seen: str | None = None) -> Doc:
        """Replace an entry; returns what it was. An edited answer names the editors as source.
        ``seen`` is the entry's revision the caller started from: if it has changed since, the
        update is refused with ``ChangedMeanwhile`` (optimistic concurrency)."""
        self.roles.require_admin(by)
        before = self._existing(ref)
        if seen is not None and revision(before) != seen:
            raise ChangedMeanwhile(ref, before)
        sources = list(dict.fromkeys([*doc.get("sources", []), *self.editors_source()]))
        after = self._valid(ref.kind, {**doc, "sources": sources})
        if _content(after) == _content(before):  # naming the editors alone changes nothing
            return before
        with self.kb.transaction():
            self.kb.put(ref, after)
            self.kb.record_change(by, "edit", str(ref), before, after)
        self._reindex(ref)
        return before

    def delete(self, by: int, ref: EntryRef) -> Doc:
        self.roles.require_admin(by)
        before = self._existing(ref)
        with self.kb.transaction():
            self.kb.delete(ref)
            self.kb.record_change(by, "delete", str(ref), before, None)
        self.matcher.remove(ref)
        return before

    def add_alternate(self, by: int, faq_id: int, lang: str, phrasing: str) -> Doc:
        """Add another way to ask FAQ entry ``faq_id``; returns the entry as it was."""
        ref = EntryRef("faq", faq_id)
        doc = self._existing(ref)
        phrasing = clean_text(phrasing, "question")
        questions = {code: list(texts) for code, texts in doc["questions"].items()}
        if phrasing in questions.get(lang, []):
            raise Invalid("faq.alternate_exists", id=faq_id)
        questions.setdefault(lang, []).append(phrasing)
        return self.update(by, ref, {**doc, "questions": questions})

    def near_duplicates(self, question: str) -> list[Match]:
        """Existing FAQ entries that probably already ask ``question``, in nearly its words."""
        return [
            match
            for match in self.matcher.lexical.rank(question, limit=3)
            if match.ref.kind == "faq" and match.score >= DUPLICATE_SCORE
        ]

    def _existing(self, ref: EntryRef) -> Doc:
        doc = self.kb.get_doc(ref)
        if doc is None:
            raise Invalid("admin.no_such_entry", ref=str(ref))
        return doc

    def _valid(self, kind: Kind, doc: Doc) -> Doc:
        return validate_record(kind, doc, set(self.kb.sources()))

    def editors_source(self) -> list[str]:
        """The source naming the bot's editors, for what they write (if the base has it)."""
        return [EDITORS_SOURCE] if EDITORS_SOURCE in self.kb.sources() else []

    def _reindex(self, ref: EntryRef) -> None:
        entry = self.kb.get(ref)
        if entry is None:
            self.matcher.remove(ref)
        else:
            self.matcher.upsert(entry)

    def _reindex_all(self) -> None:
        self.matcher.rebuild(self.kb.entries(), self.kb.synonym_groups())

    # Synonyms -----------------------------------------------------------------------------

    def add_synonyms(self, by: int, words: list[str]) -> list[str]:
        """Add a group, merging it with any group that shares a word; returns the group."""
        self.roles.require_admin(by)
        new = parse_synonyms(words)
        before = self.kb.synonym_groups()
        merged, kept = list(new), []
        for group in before:
            if set(group) & set(merged):
                merged += [word for word in group if word not in merged]
            else:
                kept.append(group)
        if len(merged) > MAX_SYNONYMS:  # the limit an import of the export would enforce
            joined = [w for w in merged if w not in new] or merged
            raise Invalid(
                "invalid.synonym_merge", group=", ".join(joined[:8]), count=len(merged),
                limit=MAX_SYNONYMS,
            )  # fmt: skip
        self._set_synonyms(by, before, [*kept, merged])
        return merged

    def remove_synonym(self, by: int, word: str) -> bool:
        """Take ``word`` out of its group; a group left with one word is dropped."""
        self.roles.require_admin(by)
        word = word.strip().lower()
        before = self.kb.synonym_groups()
        after = [[w for w in group if w != word] for group in before]
        after = [group for group in after if len(group) >= 2]
        if after == before:
            return False
        self._set_synonyms(by, before, after)
        return True

    def _set_synonyms(self, by: int, before: list[list[str]], after: list[list[str]]) -> None:
        after = [parse_synonyms(group) for group in after]  # every group as an import checks it
        with self.kb.transaction():
            self.kb.set_synonym_groups(after)
            self.kb.record_change(by, "synonyms", None, before, after)
        self._reindex_all()

    # Undo and history ---------------------------------------------------------------------

    def undoable_change(self, by: int) -> Doc | None:
        """``by``'s own latest content change, if it is recent enough to undo."""
        self.roles.require_admin(by)
        since = self.kb.clock() - UNDO_WINDOW
        for change in reversed(self.kb.changes()):
            if change["by"] != by or change["action"] == "undo":
                continue
            if change["undone"] or change["action"] not in UNDOABLE:
                return None
            return change if datetime.fromisoformat(change["at"]) >= since else None
        return None

    def undo(self, by: int, change_id: int) -> Doc:
        change = self.undoable_change(by)
        if change is None or change["id"] != change_id:
            raise Invalid("undo.nothing")
        if self._current(change) != change["after"]:
            raise Invalid("undo.changed_since")
        with self.kb.transaction():
            self._restore(change)
            self.kb.mark_undone(change_id)
            self.kb.record_change(by, "undo", change["ref"], change["after"], change["before"])
        ref = EntryRef.parse(change["ref"] or "")
        if ref is None:  # synonyms or an import: everything may have changed
            self._reindex_all()
        else:
            self._reindex(ref)
        return change

    def _current(self, change: Doc) -> Any:
        if change["action"] == "synonyms":
            return self.kb.synonym_groups()
        if change["action"] == "import":
            if "revision" in (change["after"] or {}):
                return {"revision": revision(self.kb.content())}
            return self.kb.content()  # recorded before imports pointed at their backup
        ref = EntryRef.parse(change["ref"])
        return self.kb.get_doc(ref) if ref else None

    def _restore(self, change: Doc) -> None:
        if change["action"] == "synonyms":
            self.kb.set_synonym_groups(change["before"])
        elif change["action"] == "import":
            self.kb.replace_content(self._replaced_by_import(change["before"]))
        else:
            ref = EntryRef.parse(change["ref"])
            assert ref is not None
            if change["before"] is None:
                self.kb.delete(ref)
            else:
                self.kb.put(ref, change["before"])

    def _replaced_by_import(self, before: Doc) -> dict[str, list[Doc]]:
        if "backup" not in before:
            return before  # recorded before imports pointed at their backup
        content = self.backups.content(before["backup"]) if self.backups else None
        if content is None:
            raise Invalid("undo.nothing")
        return content

    def history(self, ref: EntryRef) -> list[Doc]:
        return self.kb.changes(str(ref))

    # What users asked ---------------------------------------------------------------------

    def dismiss_unanswered(self, by: int, row_id: int) -> bool:
        self.roles.require_admin(by)
        with self.kb.transaction():
            return self.kb.remove_unanswered(row_id)

    def attach_unanswered(self, by: int, row_id: int, faq_id: int, lang: str) -> Doc:
        """Add an unanswered question as another phrasing of FAQ entry ``faq_id``."""
        self.roles.require_admin(by)
        row = self.kb.get_unanswered(row_id)
        if row is None:
            raise Invalid("unanswered.gone")
        before = self.add_alternate(by, faq_id, lang, row["text"])
        with self.kb.transaction():
            self.kb.remove_unanswered(row_id)
        return before

    # Import -------------------------------------------------------------------------------

    def apply_import(
        self,
        by: int,
        content: dict[str, list[Doc]],
        *,
        seen: str,
        reason: Literal["import", "restore"],
    ) -> Backup:
        """Replace all content with a validated import, in one step (see
        knowledge.storage.transfer), after a snapshot of what it replaces (returned: restoring it
        goes back). ``seen`` is the revision the import was checked against: if anything changed
        since, the plan no longer says what applying it would do, and it is refused before any
        snapshot. The audit trail points at the snapshot instead of holding two copies of
        everything."""
        self.roles.require_admin(by)
        if revision(self.kb.content()) != seen:
            raise Invalid("import.changed_since")
        assert self.backups is not None, "an import needs somewhere to keep what it replaces"
        backup = self.backups.take(reason)
        with self.kb.transaction():
            self.kb.replace_content(content)
            after = {"revision": revision(self.kb.content())}
            self.kb.record_change(by, "import", None, {"backup": backup.name}, after)
        self._reindex_all()
        return backup


def _content(doc: Doc) -> Doc:
    return {key: value for key, value in doc.items() if key != "sources"}
