"""Export the knowledge base as one JSON document, and check an import completely before it is
applied: size, syntax, structure, field types, lengths and ids. A file with any problem is
refused with the first problem named, and nothing changes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from knowledge.records.models import KINDS, MAX_ID
from knowledge.records.schema import validate_record
from knowledge.records.validation import Invalid, localized_text, parse_synonyms
from knowledge.storage.knowledge_base import SOURCES, SYNONYMS, TABLES, Doc, KnowledgeBase, revision

FORMAT = "moscow-beijing-bot/1"
MAX_IMPORT_BYTES = 5_000_000
MAX_RECORDS = 50_000  # per table
MAX_INT_DIGITS = 20  # longer integers in an import are no id, nor anything else we keep
TOP_LEVEL = {"format", "exported_at", SOURCES, SYNONYMS, *TABLES.values()}


def export_document(kb: KnowledgeBase) -> dict[str, Any]:
    return {"format": FORMAT, "exported_at": kb.now(), **kb.content()}


def export_bytes(kb: KnowledgeBase) -> bytes:
    return json.dumps(export_document(kb), ensure_ascii=False, indent=1).encode()


@dataclass(frozen=True)
class TableChanges:
    added: int = 0
    changed: int = 0
    removed: int = 0


@dataclass(frozen=True)
class ImportPlan:
    """A validated import and what it would change, table by table."""

    content: dict[str, list[Doc]]
    changes: dict[str, TableChanges] = field(default_factory=dict)
    seen: str = ""  # the revision of the content the changes were computed against

    @property
    def changes_anything(self) -> bool:
        return any(c != TableChanges() for c in self.changes.values())


def plan_import(
    raw: bytes, kb: KnowledgeBase, max_bytes: int | None = MAX_IMPORT_BYTES
) -> ImportPlan:
    """Validate a whole import file; raises ``Invalid`` naming the first problem.
    ``max_bytes`` is None for our own backups, which grow with the knowledge base."""
    content = checked_content(raw, max_bytes)
    current = kb.content()
    return ImportPlan(content, _changes(current, content), revision(current))


def checked_content(raw: bytes, max_bytes: int | None = MAX_IMPORT_BYTES) -> dict[str, list[Doc]]:
    """The content of a whole import file, every record checked; raises ``Invalid``."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise Invalid("import.too_big", limit=max_bytes // 1_000_000)
    document = _parse(raw)
    if not isinstance(document, dict):
        raise Invalid("import.not_object")
    unknown = sorted(set(document) - TOP_LEVEL)
    if unknown:
        raise Invalid("import.unknown_key", name=unknown[0][:40])
    if document.get("format") != FORMAT:
        raise Invalid("import.format", expected=FORMAT)
    content: dict[str, list[Doc]] = {SOURCES: _sources(document.get(SOURCES, []))}
    known_sources = {source["id"] for source in content[SOURCES]}
    for kind in KINDS:
        table = TABLES[kind]
        content[table] = _records(kind, document.get(table, []), known_sources)
    content[SYNONYMS] = _synonyms(document.get(SYNONYMS, []))
    return content


def _parse(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark, as some editors save, is no error
    except UnicodeDecodeError:
        raise Invalid("import.not_utf8") from None
    try:
        return json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as error:
        raise Invalid("import.not_json", line=error.lineno, column=error.colno) from None
    except RecursionError:
        raise Invalid("import.too_deep") from None


def _integer(digits: str) -> int | float:
    """A JSON integer; one too long to be an id or a count stays a float (refused where an id
    is due) instead of a ValueError past Python's limit on int conversion."""
    return int(digits) if len(digits) <= MAX_INT_DIGITS else float(digits)


def _list(value: Any, table: str) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid("import.not_list", table=table)
    if len(value) > MAX_RECORDS:
        raise Invalid("import.too_many", table=table, limit=MAX_RECORDS)
    return value


def _records(kind: str, value: Any, known_sources: set[str]) -> list[Doc]:
    table = TABLES[kind]  # type: ignore[index]
    records, seen = [], set()
    for index, record in enumerate(_list(value, table)):
        path = f"{table}[{index}]"
        try:
            record_id = record.get("id") if isinstance(record, dict) else None
            if not isinstance(record_id, int) or isinstance(record_id, bool):
                raise Invalid("import.bad_id")
            if not 1 <= record_id <= MAX_ID:
                raise Invalid("import.bad_id")
            if record_id in seen:
                raise Invalid("import.duplicate_id", id=record_id)
            seen.add(record_id)
            clean = validate_record(kind, record, known_sources)  # type: ignore[arg-type]
        except Invalid as problem:
            raise problem.at(path) from None
        records.append({"id": record_id, **clean})
    return records


def _sources(value: Any) -> list[Doc]:
    sources, seen = [], set()
    for index, source in enumerate(_list(value, SOURCES)):
        path = f"{SOURCES}[{index}]"
        try:
            if not isinstance(source, dict) or set(source) - {"id", "name", "title"}:
                raise Invalid("invalid.not_object")
            source_id = source.get("id")
            if not isinstance(source_id, str) or not source_id or len(source_id) > 100:
                raise Invalid("import.bad_source_id")
            if not source_id.isprintable():  # control characters, lone surrogates: unstorable
                raise Invalid("import.bad_source_id")
            if source_id in seen:
                raise Invalid("import.duplicate_id", id=source_id)
            seen.add(source_id)
            title = localized_text(source.get("title"), "source")
            name = localized_text(source.get("name", title), "source")
        except Invalid as problem:
            raise problem.at(path) from None
        sources.append({"id": source_id, "name": name, "title": title})
    return sources


def _synonyms(value: Any) -> list[Doc]:
    groups = []
    for index, group in enumerate(_list(value, SYNONYMS)):
        try:
            if not isinstance(group, dict) or not isinstance(group.get("words"), list):
                raise Invalid("invalid.not_object")
            groups.append({"words": parse_synonyms(group["words"])})
        except Invalid as problem:
            raise problem.at(f"{SYNONYMS}[{index}]") from None
    return groups


def _changes(old: dict[str, list[Doc]], new: dict[str, list[Doc]]) -> dict[str, TableChanges]:
    """Added, changed and removed records per table; synonym groups are keyed by first word."""
    changes = {}
    for table in (*TABLES.values(), SOURCES, SYNONYMS):
        before = {_key(record): record for record in old.get(table, [])}
        after = {_key(record): record for record in new.get(table, [])}
        changes[table] = TableChanges(
            added=len(after.keys() - before.keys()),
            changed=sum(1 for i in after.keys() & before.keys() if after[i] != before[i]),
            removed=len(before.keys() - after.keys()),
        )
    return changes


def _key(record: Doc) -> Any:
    return record["id"] if "id" in record else record["words"][0]
