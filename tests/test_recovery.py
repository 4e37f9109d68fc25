"""A damaged knowledge base or an unusable data directory stops the bot in one line, and the
backups restore it without reading the damaged file, which is kept. Run as an operator would:
`python bot.py` in a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import bot
from knowledge.matching.text import parse_user_id
from knowledge.storage.backups import Backups
from knowledge.storage.knowledge_base import KnowledgeBase
from tests.conftest import clean_environment, run_bot_py

TRUNCATED = b'{"faq": {"1": {"questions": {"en": ["What is'


def run(tmp_path: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    environment = clean_environment(BOT_DATA_DIR=str(tmp_path / "data"), **env)
    return run_bot_py(tmp_path, *args, env=environment, stdin=stdin)


def one_line_refusal(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def damaged_knowledge_base(tmp_path: Path, content: bytes) -> Path:
    """A data directory with a backup of an admin's work, and then a damaged file."""
    kb = KnowledgeBase.open(tmp_path / "data")
    ferry = {"questions": {"en": ["Is there a ferry?"]}, "answer": {"en": "No ferry."}}
    kb.insert("faq", {**ferry, "tags": [], "sources": []})
    Backups(kb, tmp_path / "data" / "backups").take("daily")
    kb.close()
    path = tmp_path / "data" / "knowledge.json"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("content", [TRUNCATED, b"", b"  \n", b"null", b"[]", b'{"a": 1}'])
def test_a_damaged_file_stops_every_command_in_one_line_and_is_left_as_it_was(
    tmp_path: Path, content: bytes
) -> None:
    path = damaged_knowledge_base(tmp_path, content)
    for args in (["ask", "hello"], ["export", "-"], [], ["import", str(path)]):
        line = one_line_refusal(run(tmp_path, *args))
        assert "knowledge.json is damaged" in line and "bot.py restore" in line
        assert path.read_bytes() == content  # never overwritten, never seeded afresh


def test_restore_lists_and_restores_backups_without_reading_the_damaged_file(
    tmp_path: Path,
) -> None:
    path = damaged_knowledge_base(tmp_path, TRUNCATED)
    listing = run(tmp_path, "restore")
    assert listing.returncode == 0, listing.stderr
    [name] = [line.split()[0] for line in listing.stdout.splitlines() if "daily" in line]

    restored = run(tmp_path, "restore", name)
    assert restored.returncode == 0, restored.stderr
    [kept] = path.parent.glob("knowledge.json.damaged-*")
    assert kept.read_bytes() == TRUNCATED and str(kept) in restored.stdout
    assert f"Restoring {name}.json will make these changes" in restored.stdout
    assert "Import check" not in restored.stdout
    answer = run(tmp_path, "ask", "is there a ferry")
    assert "No ferry." in answer.stdout


def test_a_bad_backup_is_refused_before_the_damaged_file_is_touched(tmp_path: Path) -> None:
    path = damaged_knowledge_base(tmp_path, TRUNCATED)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "something else"}))
    result = run(tmp_path, "restore", str(bad))
    assert result.returncode == 1 and "not imported" in result.stdout
    assert path.read_bytes() == TRUNCATED
    assert not list(path.parent.glob("knowledge.json.damaged-*"))


@pytest.mark.parametrize("directory", ["/sys/fs/bot-data", "/sys/fs"])
def test_a_data_directory_the_bot_cannot_write_stops_it_in_one_line(
    tmp_path: Path, directory: str
) -> None:
    result = run_bot_py(tmp_path, "ask", "hi", env=clean_environment(BOT_DATA_DIR=directory))
    line = one_line_refusal(result)
    assert f"cannot use the data directory '{directory}'" in line and "BOT_DATA_DIR" in line


def test_admin_flag_is_refused_when_the_bot_would_run_on_telegram(tmp_path: Path) -> None:
    token = "123456:" + "A" * 35
    line = one_line_refusal(run(tmp_path, "--admin", TELEGRAM_BOT_TOKEN=token))
    assert "--admin is for the console chat only" in line
    assert not (tmp_path / "data").exists()  # refused before anything was opened


def test_the_console_owner_is_no_one_telegram_could_send() -> None:
    assert parse_user_id(str(bot.CONSOLE_USER_ID)) is None
