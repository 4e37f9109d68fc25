"""Input at the edges: an event dated at the end of the calendar, digits that are not ASCII or
not a Telegram user id, user text kept out of the logs, an edited /import caption, and a
shutdown on a full disk."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from handlers.console import ConsoleChat
from knowledge.service import KnowledgeService
from knowledge.settings import SettingsError, load_settings
from tests.conftest import chat_with, clean_environment, run_bot_py

# Digits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_ADMIN_IDS", "²"),
        ("BOT_ADMIN_IDS", "12,١٢٣"),  # Arabic-Indic digits: int() reads them as 123
        ("BOT_ADMIN_IDS", "１２３"),  # fullwidth digits
        ("BOT_ADMIN_IDS", "18446744073709551616"),
        ("BOT_ADMIN_IDS", "0"),
        ("BOT_FLOOD_LIMIT", "²"),
        ("BOT_FLOOD_LIMIT", "١٢"),
        ("BOT_BACKUPS_KEPT", "³"),
    ],
)
def test_a_setting_that_is_no_bounded_ascii_number_is_refused_in_one_line(
    name: str, value: str
) -> None:
    with pytest.raises(SettingsError, match=name) as refused:
        load_settings({name: value}, dotenv_path=None)
    assert "\n" not in str(refused.value)


def test_the_largest_user_id_is_a_valid_admin_setting() -> None:
    settings = load_settings({"BOT_ADMIN_IDS": f"7, {2**52 - 1}"}, dotenv_path=None)
    assert settings.admin_ids == {7, 2**52 - 1}


def test_bot_refuses_a_superscript_setting_with_one_line(tmp_path: Path) -> None:
    env = clean_environment(BOT_BACKUPS_KEPT="³")
    result = run_bot_py(tmp_path, env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("bot.py: BOT_BACKUPS_KEPT must be a whole number")


async def test_the_console_takes_a_superscript_as_text_not_as_a_button(
    make_service: Callable[..., KnowledgeService],
) -> None:
    session = chat_with(make_service())
    async with session as chat:
        out = io.StringIO()
        console = ConsoleChat(chat.application, chat.api, out=out)
        await console.say("/start")
        shown = len(out.getvalue())
        await console.say("²")  # button 2 only to str.isdigit(), which int() then refuses
    assert "I don't have an answer to that yet" in out.getvalue()[shown:]
