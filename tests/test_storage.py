"""The crash-safe TinyDB storage and the knowledge base file built on it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tinydb import TinyDB

from knowledge.activity import Activity
from knowledge.records.models import EntryRef
from knowledge.storage.atomic import AtomicJSONStorage, write_atomically
from knowledge.storage.knowledge_base import DataDirInUse, KnowledgeBase
from tests.conftest import REPO, seed_data
from tests.support.crash_writer import answer


def test_writes_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.table("t").insert({"text": "Москва 北京 Moskau"})
    db.close()
    reopened = TinyDB(path, storage=AtomicJSONStorage)
    assert reopened.table("t").all() == [{"text": "Москва 北京 Moskau"}]


def test_a_failed_write_leaves_the_old_file_and_memory_consistent(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    db.table("t").insert({"n": 1})
    with pytest.raises(TypeError):
        db.table("t").insert({"n": object()})  # not JSON: the write fails
    assert json.loads(path.read_text())["t"] == {"1": {"n": 1}}
    assert db.table("t").all() == [{"n": 1}]  # the failed record is not visible either
    assert not list(tmp_path.glob(".db.json.*.tmp"))


def test_leftover_temporaries_of_a_killed_writer_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    write_atomically(path, '{"t": {}}')
    stale = tmp_path / ".db.json.abc123.tmp"
    stale.write_text('{"t": {"1": {"half')
    TinyDB(path, storage=AtomicJSONStorage).close()
    assert not stale.exists()


def test_atomic_write_replaces_the_file_in_one_step(tmp_path: Path) -> None:
    path = tmp_path / "file.json"
    write_atomically(path, "old")
    inode_before = os.stat(path).st_ino
    write_atomically(path, "new")
    assert path.read_text() == "new"
    assert os.stat(path).st_ino != inode_before  # a new file renamed over, not rewritten


KILLS = 30


def test_a_bot_killed_under_load_keeps_every_write_it_confirmed(tmp_path: Path) -> None:
    """30 times on the same data directory: a bot process where four admins add and edit FAQ
    entries at once while users ask questions is killed with SIGKILL at a random moment. Each
    time the knowledge base opens, and holds every entry and answer revision the admins were
    told is saved, and the usage of every flush that returned.

    (Linux finishes a write() syscall even under SIGKILL, so this checks durability and
    loadability; torn files from power loss are what the rename-over protocol prevents.)
    """
    data_dir = tmp_path / "data"
    rng = random.Random(2026)
    words: dict[int, str] = {}  # FAQ entry -> the word its question asks about
    revisions: dict[int, int] = {}  # FAQ entry -> its latest confirmed answer revision
    usage = 0  # questions whose usage a returned flush wrote
    for kill in range(KILLS):
        stderr_path = tmp_path / f"writer-{kill}.log"
        with stderr_path.open("w") as stderr:
            child = subprocess.Popen(
                [sys.executable, "-m", "tests.support.crash_writer", str(data_dir), str(kill)],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        assert child.stdout is not None
        watchdog = threading.Timer(30, child.kill)  # a writer that hangs ends the reads below
        watchdog.start()
        lines = []
        for _ in range(rng.randint(0, 40)):  # 0: killed while it starts
            lines.append(child.stdout.readline())
            assert lines[-1], f"the writer stopped by itself: {stderr_path.read_text()}"
        child.send_signal(signal.SIGKILL)
        child.wait()
        watchdog.cancel()
        lines += child.stdout.read().splitlines()  # confirmed before it died
        for what, number, *value in (line.split() for line in lines):
            if what == "add":
                words[int(number)], revisions[int(number)] = value[0], 0
            elif what == "edit":
                revisions[int(number)] = int(value[0])
            else:
                usage += int(number)
        kb = KnowledgeBase.open(data_dir)
        try:
            for faq_id, word in words.items():
                doc = kb.get_doc(EntryRef("faq", faq_id))
                assert doc is not None, f"confirmed entry {faq_id} lost after kill {kill}"
                assert doc["questions"]["en"] == [f"What is {word}?"]
                # The revision confirmed, or the next one if it was being written at the kill.
                confirmed = revisions[faq_id]
                assert doc["answer"]["en"] in {answer(word, confirmed), answer(word, confirmed + 1)}
            assert kb.stats()["asked"] >= usage
        finally:
            kb.close()
    assert len(words) > KILLS and any(revisions.values()) and usage  # it was under load
    assert not list(data_dir.glob(".*.tmp"))  # a killed writer's temporaries were cleared


def test_knowledge_base_is_seeded_once_and_keeps_its_data(data_dir: Path) -> None:
    kb = KnowledgeBase.open(data_dir)
    assert (data_dir / "knowledge.json").exists()
    assert len(kb.faqs()) == len(seed_data()["faq"])
    activity = Activity(kb)
    activity.unanswered("Where can I park?")
    activity.flush()
    kb.close()
    reopened = KnowledgeBase.open(data_dir)
    assert [row["text"] for row in reopened.unanswered()] == ["Where can I park?"]
    assert len(reopened.faqs()) == len(seed_data()["faq"])  # not seeded a second time


def test_unanswered_questions_are_counted_most_frequent_first(data_dir: Path) -> None:
    kb = KnowledgeBase.open(data_dir)
    activity = Activity(kb)
    activity.unanswered("A visa?")
    activity.flush()
    for question in ["Parking?", "parking", "PARKING!", "a visa"]:
        activity.unanswered(question)
    activity.flush()
    rows = kb.unanswered()
    assert [(row["text"], row["count"]) for row in rows] == [("Parking?", 3), ("A visa?", 2)]
    assert rows[0]["first_seen"] <= rows[0]["last_seen"]


def test_usage_is_counted_in_memory_and_written_in_one_step(data_dir: Path) -> None:
    kb = KnowledgeBase.open(data_dir)
    activity = Activity(kb)
    mtime = (data_dir / "knowledge.json").stat().st_mtime_ns
    for _ in range(100):
        activity.question("faq:2")
    activity.question(None)
    activity.vote(7, "faq:2", "up")
    activity.vote(7, "faq:2", "down")  # the user changed their mind: one vote counts
    assert (data_dir / "knowledge.json").stat().st_mtime_ns == mtime  # nothing written yet
    activity.flush()
    kb.close()
    reopened = KnowledgeBase.open(data_dir)
    stats = reopened.stats()
    assert (stats["asked"], stats["answered"], stats["by_entry"]) == (101, 100, {"faq:2": 100})
    assert reopened.votes() == {"faq:2": {"up": 0, "down": 1}}


def test_a_transaction_is_all_or_nothing(data_dir: Path) -> None:
    kb = KnowledgeBase.open(data_dir)
    before = (data_dir / "knowledge.json").read_bytes()
    with pytest.raises(RuntimeError), kb.transaction():
        kb.add_admin(42, "Ivan", 1)
        kb.record_change(1, "admin_add", None, None, {"user_id": 42})
        raise RuntimeError("fails half way")
    assert (data_dir / "knowledge.json").read_bytes() == before
    assert not kb.is_listed_admin(42) and kb.changes() == []


def test_a_second_process_cannot_open_the_same_data(data_dir: Path) -> None:
    kb = KnowledgeBase.open(data_dir)
    with pytest.raises(DataDirInUse):
        KnowledgeBase.open(data_dir)
    kb.close()
    KnowledgeBase.open(data_dir).close()  # free again once closed
