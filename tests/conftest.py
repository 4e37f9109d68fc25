"""Shared fixtures: a knowledge service on a fresh data directory, and a user chatting with
the real python-telegram-bot Application through the in-process Bot API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from knowledge.i18n.catalog import Catalog
from knowledge.service import KnowledgeService
from knowledge.storage.knowledge_base import SEED_PATH, KnowledgeBase, utc_now
from runtime.settings import Settings
from tests.support.chat import Chat, chat_with
from tests.support.running_bot import RunningBot
from transports.local_api import JSONDict

TODAY = date(2026, 11, 22)
OWNER = 1001  # the default test user; an owner where a test gives admin settings


class Clock:
    """A clock the tests move forward by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    """A clock at the tests' today, moved by hand."""
    return Clock()


REPO = Path(__file__).resolve().parent.parent


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without the bot's settings (TELEGRAM_*, BOT_*), then
    ``settings``: a bot process started with it sees only what the test gives it."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    return environ | settings


def run_bot_py(
    cwd: Path, *args: str, env: Mapping[str, str], stdin: str = "", **options: Any
) -> subprocess.CompletedProcess[str]:
    """``python bot.py ARGS`` to the end, as a newcomer runs it; its output as text."""
    options.setdefault("timeout", 120)
    return subprocess.run(
        [sys.executable, str(REPO / "bot.py"), *args],
        input=stdin,
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        **options,
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[Callable[..., KnowledgeService]]:
    """Build services on their own data directories, optionally from a custom seed."""
    opened: list[KnowledgeService] = []

    def make(
        seed: dict[str, Any] | None = None,
        today: date = TODAY,
        clock: Callable[[], datetime] | None = None,
        directory: Path | None = None,
        catalog: Catalog | None = None,
    ) -> KnowledgeService:
        directory = directory or tmp_path / f"data{len(opened)}"
        seed_path = SEED_PATH
        if seed is not None:
            seed_path = tmp_path / f"seed{len(opened)}.json"
            seed_path.write_text(json.dumps(seed), encoding="utf-8")
        kb = KnowledgeBase.open(directory, seed_path=seed_path, clock=clock or utc_now)
        service = KnowledgeService(kb, catalog or Catalog.load(), today=lambda: today)
        opened.append(service)
        return service

    yield make
    for service in opened:
        service.close()


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService]) -> KnowledgeService:
    return make_service()


def seed_data() -> dict[str, Any]:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


def buttons(message: JSONDict) -> list[tuple[str, str]]:
    """(label, callback data) of every button under ``message`` that calls back."""
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [
        (button["text"], button["callback_data"])
        for row in keyboard
        for button in row
        if "callback_data" in button
    ]


def links(message: JSONDict) -> list[tuple[str, str]]:
    """(label, url) of every link button under ``message``."""
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [
        (button["text"], button["url"]) for row in keyboard for button in row if "url" in button
    ]


def text_of(messages: list[JSONDict]) -> str:
    return "\n".join(message["text"] for message in messages)


@pytest.fixture
async def chat(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service) as conversation:
        yield conversation


@pytest.fixture
def start_bot(service: KnowledgeService) -> Iterator[Callable[[Settings], RunningBot]]:
    """Start the real Application on ``service`` with the given settings, running until the
    test ends (tests/support/running_bot.py)."""
    started: list[RunningBot] = []

    def start(settings: Settings) -> RunningBot:
        started.append(RunningBot(service, settings))
        return started[-1]

    yield start
    for bot in started:
        bot.close()


def data(message: JSONDict, label_part: str) -> str:
    """The callback data of the button whose label contains ``label_part``."""
    matches = [d for label, d in buttons(message) if label_part in label]
    assert matches, (label_part, buttons(message))
    return matches[0]


def file_of(service: KnowledgeService) -> bytes:
    """The knowledge base file as it is on disk, the usage counted so far written first."""
    service.activity.flush()
    return service.kb.path.read_bytes()


def run_bot(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``python bot.py ARGS`` on a data directory of its own in ``tmp_path``."""
    env = clean_environment(BOT_DATA_DIR=str(tmp_path / "data"))
    return run_bot_py(tmp_path, *args, env=env, stdin=stdin)
