"""Running the bot calmly: what admins are told is true, and operators get one clear line."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from knowledge.activity import FLUSH_INTERVAL
from knowledge.records.models import EntryRef
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, REPO, Chat, buttons, chat_with, clean_environment, run_bot_py
from tests.support.botapi_server import BotApiServer
from tests.support.polling_bot import TOKEN, bot_environment, bot_process

OWNERS = Settings(admin_ids=frozenset({OWNER}))


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService]) -> KnowledgeService:
    return make_service()


@pytest.fixture
async def owner(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, OWNERS) as chat:
        yield chat


# Admin messages say what happened ------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "ref"),
    [("/delfaq 999", "faq:999"), ("/editfaq 999", "faq:999"), ("/editcontact 999", "contact:999"),
     ("/translate 999 de", "faq:999"), ("/delevent 999", "event:999")],
)  # fmt: skip
async def test_a_missing_entry_is_named_not_answered_with_the_usage(
    owner: Chat, command: str, ref: str
) -> None:
    [reply] = await owner.send(command)
    assert reply["text"] == f"There is no entry {ref}."


async def test_an_edit_that_changes_nothing_says_so(owner: Chat, service: KnowledgeService) -> None:
    name = service.kb.get_doc(EntryRef("contact", 1))["name"]["en"]
    [reply] = await owner.send(f"/editcontact 1 name | {name}")
    assert reply["text"] == "Nothing changed: contact:1 already says exactly that."
    [history] = await owner.send("/history contact:1")
    assert "edited" not in history["text"]


async def test_attaching_an_unanswered_question_is_offered_only_where_it_fits(
    owner: Chat,
) -> None:
    asker = owner.as_user(user_id=4242, first_name="Ivan")
    await asker.send("what is the weather in beijing tomorrow")
    await asker.send("can I take a ferry")
    await owner.send("/addfaq Can I take a ferry? | No, there is no ferry.")
    _title, *rows = await owner.send("/unanswered")
    offers = {row["text"].split("\n")[0]: [label for label, _ in buttons(row)] for row in rows}
    [weather] = [labels for text, labels in offers.items() if "weather" in text]
    [ferry] = [labels for text, labels in offers.items() if "ferry" in text]
    assert not any("Attach" in label for label in weather)
    assert "📎 Attach to #24" in ferry


# Operators get one clear line ------------------------------------------------------------------


def log_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def test_an_idle_bot_writes_only_its_start_and_stop(tmp_path: Path) -> None:
    with BotApiServer(TOKEN) as telegram, bot_process(tmp_path, telegram, []) as bot:
        try:
            telegram.wait_for("getUpdates")
            time.sleep(2.5 * FLUSH_INTERVAL)  # the usage flush and the jobs run meanwhile
        finally:
            bot.send_signal(signal.SIGINT)
            _, stderr = bot.communicate(timeout=30)
    assert bot.returncode == 0, stderr
    lines = [line for line in log_lines(stderr) if "Daily backup" not in line]
    assert len(lines) == 2, lines
    assert re.search(r"Started moscow-beijing-bot \S+ \(long polling\): \d+ entries", lines[0])
    assert lines[1].endswith("Stopped")


def test_a_rejected_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with BotApiServer("42:another-bots-token-entirely-xx") as telegram:
        result = subprocess.run(
            [sys.executable, str(REPO / "bot.py")],
            env=bot_environment(telegram, tmp_path / "data"),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    assert log_lines(result.stderr) == [
        "bot.py: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather"
    ]


def test_no_network_at_start_is_one_line_soon(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # a port nobody listens on
        port = closed.getsockname()[1]
        env = clean_environment(
            TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
            BOT_DATA_DIR=str(tmp_path / "data"),
        )  # fmt: skip
        result = run_bot_py(tmp_path, env=env, timeout=60)
    assert result.returncode == 1
    [line] = log_lines(result.stderr)
    assert line.startswith("bot.py: cannot reach the Telegram Bot API")


def test_no_token_and_no_terminal_says_so_and_exits_2(tmp_path: Path) -> None:
    env = clean_environment(BOT_DATA_DIR=str(tmp_path / "data"))
    with open(os.devnull) as nothing:  # what systemd and Docker give a service
        result = subprocess.run(
            [sys.executable, str(REPO / "bot.py")], env=env, stdin=nothing, cwd=tmp_path,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    [line] = log_lines(result.stderr)
    assert "TELEGRAM_BOT_TOKEN is missing" in line
    assert "console" not in result.stdout.lower()


def test_a_wrong_log_level_is_one_line(tmp_path: Path) -> None:
    env = clean_environment(BOT_DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="chatty")
    result = run_bot_py(tmp_path, "ask", "hi", env=env)
    assert result.returncode == 2
    assert log_lines(result.stderr) == [
        "bot.py: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR; got 'chatty'"
    ]
