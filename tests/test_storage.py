"""The crash-safe TinyDB storage and the knowledge base file built on it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tinydb import TinyDB

from knowledge.activity import Activity
from knowledge.storage import AtomicJSONStorage, write_atomically
from knowledge.store import DataDirInUse, KnowledgeBase
from tests.conftest import REPO, seed_data


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


@pytest.mark.parametrize("round_", range(12))
def test_a_killed_writer_leaves_a_loadable_file_with_every_acknowledged_write(
    tmp_path: Path, round_: int
) -> None:
    """SIGKILL at random moments, three times per file: no acknowledged write is lost.

    (Linux finishes a write() syscall even under SIGKILL, so this checks durability and
    loadability; torn files from power loss are what the rename-over protocol prevents.)
    """
    path = tmp_path / "crash.json"
    acknowledged: set[int] = set()
    rng = random.Random(round_)
    for attempt in range(3):  # kill the same file's writer several times
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_writer", str(path), str(attempt * 100_000)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        for _ in range(rng.randint(1, 40)):
            acknowledged.add(int(child.stdout.readline()))
        child.send_signal(signal.SIGKILL)
        child.wait()
        acknowledged.update(int(line) for line in child.stdout.read().split())
        stored = {doc["n"] for doc in TinyDB(path, storage=AtomicJSONStorage).table("writes")}
        assert acknowledged <= stored


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
