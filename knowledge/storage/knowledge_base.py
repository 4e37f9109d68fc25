"""The knowledge base: one TinyDB file holding the content, the admins, the audit trail and what
users asked.

The file lives at ``<data dir>/knowledge.json``. On first start it is created from the seed shipped
in this package, in a single atomic write, so a crash during seeding cannot leave half a seed.
One process owns a data directory at a time (a lock file says which); a second one is refused
with ``DataDirInUse`` rather than overwriting the first one's changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from tinydb import Query, TinyDB
from tinydb.table import Document

from knowledge import DATA_DIR
from knowledge.records.models import MAX_ID, Contact, Entry, EntryRef, Event, FaqEntry, Kind, Source
from knowledge.records.validation import Invalid
from knowledge.storage.atomic import AtomicJSONStorage, write_atomically

log = logging.getLogger(__name__)

SEED_PATH = DATA_DIR / "seed.json"
DATABASE_NAME = "knowledge.json"
LOCK_NAME = ".lock"

# TinyDB table of each record kind; the seed and export files use the same names.
TABLES: dict[Kind, str] = {"faq": "faq", "event": "events", "contact": "contacts"}
SOURCES = "sources"
SYNONYMS = "synonyms"
CONTENT_TABLES = (*TABLES.values(), SOURCES, SYNONYMS)
UNANSWERED = "unanswered"
ADMINS = "admins"
AUDIT = "audit"
STATS = "stats"
FEEDBACK = "feedback"
USERS = "users"  # per-user settings: the language chosen with /language
SUBSCRIBERS = "subscribers"  # chats that get event reminders (/subscribe)
ANNOUNCEMENTS = "announcements"  # events admins added, for the subscribers' "new event" notice
NOTICES_SENT = "notices_sent"  # which reminder went to which chat, so none goes twice
LAST_IDS = "last_ids"  # per content table, the highest id ever given: ids are never reused
AUDIT_KEPT = 5_000  # changes kept in the audit trail, newest first ...
AUDIT_MAX_AGE = timedelta(days=365)  # ... and none older than this
AUDIT_PRUNE_EVERY = 100  # changes recorded between two prunings

RECORD_TYPES: dict[Kind, type[FaqEntry] | type[Event] | type[Contact]] = {
    "faq": FaqEntry,
    "event": Event,
    "contact": Contact,
}

Clock = Callable[[], datetime]
Doc = dict[str, Any]


def utc_now() -> datetime:
    return datetime.now(UTC)


class DataDirError(RuntimeError):
    """The data directory cannot be used as it is; the message says why and what to do."""


class DataDirInUse(DataDirError):
    """Another process has the data directory open."""


class DataDirUnusable(DataDirError):
    """The data directory cannot be created, or the bot may not write in it."""


class CorruptKnowledgeBase(DataDirError):
    """``knowledge.json`` exists but holds no knowledge base; it is left exactly as found."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(
            f"{path} is damaged ({problem}); it is left untouched. Recover with "
            "'python bot.py restore' (lists the backups) and 'python bot.py restore NAME'"
        )
        self.path = path


class KnowledgeBase:
    """Typed access to the TinyDB file. One instance per process owns the file."""

    def __init__(self, path: Path, *, seed_path: Path = SEED_PATH, clock: Clock = utc_now):
        self.path = Path(path)
        self.clock = clock
        self._lock: int | None = _open_directory(self.path.parent)
        try:
            if not self.path.exists():  # only a missing file means "first start": seed it
                seed = json.dumps(seed_to_tables(seed_path), ensure_ascii=False)
                write_atomically(self.path, seed)
            tables = check_readable(self.path)
        except BaseException:
            self.close_lock()
            raise
        self.storage: AtomicJSONStorage
        # The file was parsed once to check it; the storage starts from that, not a second parse.
        self.db = TinyDB(self.path, storage=AtomicJSONStorage, loaded=tables)
        self.storage = self.db.storage  # type: ignore[assignment]

    @classmethod
    def open(cls, data_dir: Path, **kwargs: Any) -> KnowledgeBase:
        return cls(Path(data_dir) / DATABASE_NAME, **kwargs)

    def close(self) -> None:
        if self.closed:
            return
        try:
            self.db.close()
        finally:
            self.close_lock()

    def close_lock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # releases the lock
            self._lock = None

    @property
    def closed(self) -> bool:
        return self._lock is None

    def now(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Several changes, written to disk in one atomic step, or not at all."""
        try:
            with self.storage.batch():
                yield
        except BaseException:
            for name in self.db.tables():
                self.db.table(name).clear_cache()  # query results may hold the undone change
            raise

    # Content ------------------------------------------------------------------------------

    def faqs(self) -> list[FaqEntry]:
        return [FaqEntry.from_doc(doc.doc_id, doc) for doc in self.db.table("faq").all()]

    def events(self) -> list[Event]:
        """Every event; one whose date cannot be read (a hand-edited file) is skipped and
        logged, not allowed to stop the list, the reminders and the calendar of the others."""
        events = []
        for doc in self.db.table("events").all():
            try:
                events.append(Event.from_doc(doc.doc_id, doc))
            except (KeyError, TypeError, ValueError):
                log.warning("Skipped event:%d: its date cannot be read", doc.doc_id)
        return events

    def contacts(self) -> list[Contact]:
        return [Contact.from_doc(doc.doc_id, doc) for doc in self.db.table("contacts").all()]

    def entries(self) -> Iterator[Entry]:
        yield from self.faqs()
        yield from self.events()
        yield from self.contacts()

    def get(self, ref: EntryRef) -> Entry | None:
        doc = self.get_doc(ref)
        return None if doc is None else RECORD_TYPES[ref.kind].from_doc(ref.id, doc)

    def get_doc(self, ref: EntryRef) -> Doc | None:
        doc = self.db.table(TABLES[ref.kind]).get(doc_id=ref.id)
        return dict(doc) if doc is not None else None

    def insert(self, kind: Kind, doc: Doc) -> EntryRef:
        """Store a new record under an id never given before, not even to a deleted record:
        an old link, vote or history must never name the new one."""
        name = TABLES[kind]
        new_id = self._last_id(name) + 1
        if new_id > MAX_ID:
            raise Invalid("invalid.ids_exhausted", limit=MAX_ID)
        self.db.table(name).insert(Document(doc, doc_id=new_id))
        self._mark_ids(name, new_id)
        return EntryRef(kind, new_id)

    def put(self, ref: EntryRef, doc: Doc) -> None:
        """Store exactly ``doc`` under ``ref``, replacing or re-creating it (undo keeps ids)."""
        table = self.db.table(TABLES[ref.kind])
        if table.contains(doc_id=ref.id):
            table.remove(doc_ids=[ref.id])
        table.insert(Document(doc, doc_id=ref.id))
        self._mark_ids(TABLES[ref.kind], ref.id)

    def _last_id(self, name: str) -> int:
        mark = self.db.table(LAST_IDS).get(Query().table == name)
        stored = (self.storage.read() or {}).get(name, {})
        return max([int(key) for key in stored] + [mark["last"] if mark else 0])

    def _mark_ids(self, name: str, highest: int) -> None:
        marks = self.db.table(LAST_IDS)
        mark = marks.get(Query().table == name)
        if mark is None or highest > mark["last"]:
            marks.upsert({"table": name, "last": highest}, Query().table == name)

    def delete(self, ref: EntryRef) -> None:
        name = TABLES[ref.kind]
        self._mark_ids(name, self._last_id(name))  # the highest id stays given once gone
        self.db.table(name).remove(doc_ids=[ref.id])

    def sources(self) -> dict[str, Source]:
        return {
            source.id: source
            for source in (Source.from_doc(doc) for doc in self.db.table(SOURCES).all())
        }

    def synonym_groups(self) -> list[list[str]]:
        return [list(doc["words"]) for doc in self.db.table(SYNONYMS).all()]

    def set_synonym_groups(self, groups: list[list[str]]) -> None:
        table = self.db.table(SYNONYMS)
        table.truncate()
        table.insert_multiple({"words": words} for words in groups)

    def content(self) -> dict[str, list[Doc]]:
        """Every content table as records with their ids: the export format's body."""
        content: dict[str, list[Doc]] = {}
        for table in TABLES.values():
            docs = sorted(self.db.table(table).all(), key=lambda d: d.doc_id)
            content[table] = [{"id": doc.doc_id, **doc} for doc in docs]
        content[SOURCES] = [dict(doc) for doc in self.db.table(SOURCES).all()]
        content[SYNONYMS] = [dict(doc) for doc in self.db.table(SYNONYMS).all()]
        return content

    def replace_content(self, content: dict[str, list[Doc]]) -> None:
        """Make the content tables exactly ``content`` (call within a transaction)."""
        for table in TABLES.values():
            self._mark_ids(table, self._last_id(table))
            self.db.table(table).truncate()
            self.db.table(table).insert_multiple(
                Document({k: v for k, v in record.items() if k != "id"}, doc_id=record["id"])
                for record in content.get(table, [])
            )
            self._mark_ids(table, max((r["id"] for r in content.get(table, [])), default=0))
        for table in (SOURCES, SYNONYMS):
            self.db.table(table).truncate()
            self.db.table(table).insert_multiple(content.get(table, []))

    # Admins -------------------------------------------------------------------------------

    def admins(self) -> list[Doc]:
        admins = (dict(doc) for doc in self.db.table(ADMINS).all())
        return sorted(admins, key=lambda admin: admin["added_at"])

    def is_listed_admin(self, user_id: int) -> bool:
        return self.db.table(ADMINS).contains(Query().user_id == user_id)

    def add_admin(self, user_id: int, name: str, added_by: int) -> None:
        record = {"user_id": user_id, "name": name, "added_by": added_by, "added_at": self.now()}
        self.db.table(ADMINS).upsert(record, Query().user_id == user_id)

    def remove_admin(self, user_id: int) -> bool:
        return bool(self.db.table(ADMINS).remove(Query().user_id == user_id))

    # Audit trail --------------------------------------------------------------------------

    def record_change(self, by: int, action: str, ref: str | None, before: Any, after: Any) -> int:
        change = {"at": self.now(), "by": by, "action": action, "ref": ref,
                  "before": before, "after": after, "undone": False}  # fmt: skip
        change_id = self.db.table(AUDIT).insert(change)
        if change_id % AUDIT_PRUNE_EVERY == 0:
            self.prune_changes()
        return change_id

    def prune_changes(self) -> None:
        """Keep the newest ``AUDIT_KEPT`` changes, none older than ``AUDIT_MAX_AGE``."""
        table = self.db.table(AUDIT)
        oldest_kept = (self.clock() - AUDIT_MAX_AGE).isoformat(timespec="seconds")
        newest_first = sorted(table.all(), key=lambda doc: doc.doc_id, reverse=True)
        dropped = [
            d.doc_id for n, d in enumerate(newest_first) if n >= AUDIT_KEPT or d["at"] < oldest_kept
        ]
        if dropped:
            table.remove(doc_ids=dropped)

    def changes(self, ref: str | None = None) -> list[Doc]:
        """The audit trail, oldest first; of one entry when ``ref`` is given."""
        table = self.db.table(AUDIT)
        docs = table.all() if ref is None else table.search(Query().ref == ref)
        return [{"id": doc.doc_id, **doc} for doc in sorted(docs, key=lambda d: d.doc_id)]

    def mark_undone(self, change_id: int) -> None:
        self.db.table(AUDIT).update({"undone": True}, doc_ids=[change_id])

    # What users asked ---------------------------------------------------------------------

    def unanswered(self) -> list[Doc]:
        """Unanswered questions, most frequent first."""
        rows = [dict(doc, id=doc.doc_id) for doc in self.db.table(UNANSWERED).all()]
        return sorted(rows, key=lambda row: (-row["count"], row["first_seen"]))

    def get_unanswered(self, row_id: int) -> Doc | None:
        doc = self.db.table(UNANSWERED).get(doc_id=row_id)
        return dict(doc, id=doc.doc_id) if doc is not None else None

    def remove_unanswered(self, row_id: int) -> bool:
        return bool(self.db.table(UNANSWERED).remove(doc_ids=[row_id]))

    def add_unanswered(self, rows: Iterable[Doc], keep: int) -> None:
        """Add questions (``key``, ``text``, ``count``, ``first_seen``, ``last_seen``), counting
        a known key again; then only the ``keep`` most recently asked remain."""
        table = self.db.table(UNANSWERED)
        known = {doc["key"]: doc for doc in table.all()}  # one pass, not one query a row
        new: list[Doc] = []
        for row in rows:
            existing = known.get(row["key"])
            if existing is None:
                new.append(row)
            else:
                changes = {"count": existing["count"] + row["count"], "last_seen": row["last_seen"]}
                table.update(changes, doc_ids=[existing.doc_id])
        table.insert_multiple(new)
        newest_first = sorted(table.all(), key=lambda d: (d["last_seen"], d.doc_id), reverse=True)
        table.remove(doc_ids=[doc.doc_id for doc in newest_first[keep:]])

    def stats(self) -> Doc:
        doc = self.db.table(STATS).get(doc_id=1)
        return dict(doc) if doc else {"asked": 0, "answered": 0, "by_entry": {}}

    def save_stats(self, stats: Doc) -> None:
        self.db.table(STATS).upsert(Document(stats, doc_id=1))

    def votes(self) -> dict[str, dict[str, int]]:
        """Per entry ref, the count of 👍 ("up") and 👎 ("down"), one vote per user."""
        tally: dict[str, dict[str, int]] = {}
        for doc in self.db.table(FEEDBACK).all():
            counts = tally.setdefault(doc["ref"], {"up": 0, "down": 0})
            counts[doc["vote"]] += 1
        return tally

    def set_vote(self, user_id: int, ref: str, vote: str) -> None:
        self.db.table(FEEDBACK).upsert(
            {"user_id": user_id, "ref": ref, "vote": vote, "at": self.now()},
            (Query().user_id == user_id) & (Query().ref == ref),
        )

    # Users' settings ---------------------------------------------------------------------

    def languages_chosen(self) -> dict[int, str]:
        return {doc["user_id"]: doc["lang"] for doc in self.db.table(USERS).all()}

    def choose_language(self, user_id: int, lang: str | None) -> None:
        """Remember ``user_id``'s reply language; None goes back to automatic."""
        table = self.db.table(USERS)
        if lang is None:
            table.remove(Query().user_id == user_id)
        else:
            table.upsert({"user_id": user_id, "lang": lang}, Query().user_id == user_id)

    # Event reminders -----------------------------------------------------------------------

    def subscribers(self) -> list[Doc]:
        return [dict(doc) for doc in self.db.table(SUBSCRIBERS).all()]

    def subscriber(self, chat_id: int) -> Doc | None:
        doc = self.db.table(SUBSCRIBERS).get(Query().chat_id == chat_id)
        return dict(doc) if doc is not None else None

    def subscribe(self, chat_id: int, lang: str, hour: int, zone: str) -> None:
        """Subscribe ``chat_id`` (or change its hour, or the city whose clock it is in); a new
        subscriber hears of what comes from now on, an existing one keeps its start."""
        table = self.db.table(SUBSCRIBERS)
        existing = table.get(Query().chat_id == chat_id)
        since = existing["since"] if existing is not None else self.now()
        record = {"chat_id": chat_id, "lang": lang, "hour": hour, "zone": zone, "since": since}
        table.upsert(record, Query().chat_id == chat_id)

    def unsubscribe(self, chat_id: int) -> bool:
        return bool(self.db.table(SUBSCRIBERS).remove(Query().chat_id == chat_id))

    def announce(self, ref: EntryRef) -> None:
        """Remember that ``ref`` was added now (call in the transaction that adds it)."""
        self.db.table(ANNOUNCEMENTS).insert({"ref": str(ref), "at": self.now()})

    def announcements(self) -> list[Doc]:
        return [dict(doc) for doc in self.db.table(ANNOUNCEMENTS).all()]

    def notices_sent(self) -> set[tuple[int, str]]:
        return {(doc["chat_id"], doc["key"]) for doc in self.db.table(NOTICES_SENT).all()}

    def record_notices_sent(self, chat_id: int, keys: Iterable[str]) -> None:
        now = self.now()
        self.db.table(NOTICES_SENT).insert_multiple(
            {"chat_id": chat_id, "key": key, "at": now} for key in keys
        )

    def forget_notices_before(self, moment: str) -> None:
        """Drop sent-notice records and announcements older than ``moment`` (ISO time)."""
        for table in (NOTICES_SENT, ANNOUNCEMENTS):
            self.db.table(table).remove(Query().at < moment)


def _open_directory(directory: Path) -> int:
    """Create the data directory if need be and lock it; one line of why if that fails."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not os.access(directory, os.W_OK):
            raise PermissionError(13, "the bot may not write in it")
        return _lock_directory(directory / LOCK_NAME)
    except DataDirInUse:
        raise
    except OSError as error:
        reason = error.strerror or str(error)
        raise DataDirUnusable(
            f"cannot use the data directory {str(directory)!r} ({reason}); set BOT_DATA_DIR "
            "to a directory the bot can create and write"
        ) from None


def check_readable(path: Path) -> dict[str, dict[str, Any]]:
    """The tables ``path`` holds; ``CorruptKnowledgeBase`` unless it holds a knowledge base
    (tables of records). An empty or ``null`` file is damage too, never an empty knowledge
    base: starting empty would silently drop every admin's work."""
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as error:
        raise CorruptKnowledgeBase(path, f"not valid JSON: {error}") from None
    except OSError as error:
        raise DataDirUnusable(f"cannot read {path} ({error.strerror})") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise CorruptKnowledgeBase(path, "it holds no tables of records")
    if not any(name in data for name in TABLES.values()):
        raise CorruptKnowledgeBase(path, "it holds none of the knowledge base's tables")
    return data


def set_aside(path: Path, now: datetime) -> Path:
    """Move a damaged file out of the way, keeping it for whoever wants to salvage it."""
    kept = path.with_name(f"{path.name}.damaged-{now:%Y%m%d-%H%M%S}")
    os.replace(path, kept)
    return kept


def _lock_directory(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise DataDirInUse(
            f"the data directory {str(path.parent)!r} is in use by another bot process"
        ) from None
    return fd


def seed_to_tables(seed_path: Path) -> dict[str, dict[str, Any]]:
    """The seed file, laid out as TinyDB stores it: table -> {doc id: document}."""
    seed = json.loads(Path(seed_path).read_text(encoding="utf-8"))
    tables: dict[str, dict[str, Any]] = {}
    for table in TABLES.values():
        tables[table] = {
            str(record["id"]): {key: value for key, value in record.items() if key != "id"}
            for record in seed.get(table, [])
        }
    for table in (SOURCES, SYNONYMS):
        tables[table] = {str(n): record for n, record in enumerate(seed.get(table, []), 1)}
    tables[UNANSWERED] = {}
    return tables


def revision(value: Any) -> str:
    """A short digest naming one state of a record (or of all content): a form or an import
    plan remembers the revision it was computed from, and is refused once it differs."""
    data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(data, digest_size=8).hexdigest()
