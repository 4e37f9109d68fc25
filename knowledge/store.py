"""The knowledge base: one TinyDB file holding FAQ entries, events, contacts and what users asked.

The file lives at ``<data dir>/knowledge.json``. On first start it is created from the seed shipped
in this package, in a single atomic write, so a crash during seeding cannot leave half a seed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tinydb import Query, TinyDB

from knowledge.models import Contact, Entry, EntryRef, Event, FaqEntry, Source
from knowledge.storage import AtomicJSONStorage, write_atomically
from knowledge.text import words

SEED_PATH = Path(__file__).with_name("seed.json")
DATABASE_NAME = "knowledge.json"

# TinyDB table of each record kind; the seed file uses the same names.
TABLES = {"faq": "faq", "event": "events", "contact": "contacts"}
SOURCES = "sources"
UNANSWERED = "unanswered"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class KnowledgeBase:
    """Typed access to the TinyDB file. One instance per process owns the file."""

    def __init__(self, path: Path, *, seed_path: Path = SEED_PATH, clock: Clock = utc_now):
        self.path = Path(path)
        self._clock = clock
        if not self.path.exists() or self.path.stat().st_size == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps(seed_to_tables(seed_path), ensure_ascii=False))
        self.db = TinyDB(self.path, storage=AtomicJSONStorage)

    @classmethod
    def open(cls, data_dir: Path, **kwargs: Any) -> KnowledgeBase:
        return cls(Path(data_dir) / DATABASE_NAME, **kwargs)

    def close(self) -> None:
        self.db.close()

    # Reading ------------------------------------------------------------------------------

    def faqs(self) -> list[FaqEntry]:
        return [FaqEntry.from_doc(doc.doc_id, doc) for doc in self.db.table("faq").all()]

    def events(self) -> list[Event]:
        return [Event.from_doc(doc.doc_id, doc) for doc in self.db.table("events").all()]

    def contacts(self) -> list[Contact]:
        return [Contact.from_doc(doc.doc_id, doc) for doc in self.db.table("contacts").all()]

    def entries(self) -> Iterator[Entry]:
        yield from self.faqs()
        yield from self.events()
        yield from self.contacts()

    def get(self, ref: EntryRef) -> Entry | None:
        doc = self.db.table(TABLES[ref.kind]).get(doc_id=ref.id)
        if doc is None:
            return None
        record_type = {"faq": FaqEntry, "event": Event, "contact": Contact}[ref.kind]
        return record_type.from_doc(ref.id, doc)

    def sources(self) -> dict[str, Source]:
        return {
            source.id: source
            for source in (Source.from_doc(doc) for doc in self.db.table(SOURCES).all())
        }

    # What users asked ---------------------------------------------------------------------

    def record_unanswered(self, text: str) -> None:
        """Count a question the bot could not answer, grouping identical wordings."""
        key = " ".join(words(text))
        now = self._clock().isoformat(timespec="seconds")
        table = self.db.table(UNANSWERED)
        existing = table.get(Query().key == key)
        if existing is None:
            table.insert(
                {"key": key, "text": text, "count": 1, "first_seen": now, "last_seen": now}
            )
        else:
            changes = {"count": existing["count"] + 1, "last_seen": now}
            table.update(changes, doc_ids=[existing.doc_id])

    def unanswered(self) -> list[dict[str, Any]]:
        """Unanswered questions, most frequent first."""
        rows = [dict(doc, id=doc.doc_id) for doc in self.db.table(UNANSWERED).all()]
        return sorted(rows, key=lambda row: (-row["count"], row["first_seen"]))


def seed_to_tables(seed_path: Path) -> dict[str, dict[str, Any]]:
    """The seed file, laid out as TinyDB stores it: table -> {doc id: document}."""
    seed = json.loads(Path(seed_path).read_text(encoding="utf-8"))
    tables: dict[str, dict[str, Any]] = {}
    for table in TABLES.values():
        tables[table] = {
            str(record["id"]): {key: value for key, value in record.items() if key != "id"}
            for record in seed.get(table, [])
        }
    tables[SOURCES] = {str(number): source for number, source in enumerate(seed["sources"], 1)}
    tables[UNANSWERED] = {}
    return tables
