"""Settings from the environment and .env, and a clear one-line refusal of bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.settings import SettingsError, load_settings
from tests.conftest import run_bot_py

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def test_defaults_without_any_setting() -> None:
    settings = load_settings({}, dotenv_path=None)
    assert settings.token is None and settings.admin_ids == frozenset()
    assert settings.data_dir == Path("data") and settings.api_base_url is None
    assert settings.flood_limit == 20 and settings.backups_kept == 14


def test_values_from_the_environment() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "BOT_ADMIN_IDS": "12, 34,,56",
            "BOT_DATA_DIR": "/tmp/kb",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "BOT_FLOOD_LIMIT": "0",
            "BOT_BACKUPS_KEPT": "30",
        },
        dotenv_path=None,
    )
    assert settings.token == TOKEN
    assert settings.admin_ids == {12, 34, 56}
    assert settings.data_dir == Path("/tmp/kb")
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.flood_limit == 0 and settings.backups_kept == 30
    assert TOKEN not in repr(settings)


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f'TELEGRAM_BOT_TOKEN="{TOKEN}"\nBOT_ADMIN_IDS=7\n')
    settings = load_settings({"BOT_ADMIN_IDS": "8"}, dotenv_path=dotenv)
    assert settings.token == TOKEN and settings.admin_ids == {8}


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("BOT_ADMIN_IDS", "12,abc", "BOT_ADMIN_IDS"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN"),
        ("TELEGRAM_API_BASE_URL", "ftp://example", "TELEGRAM_API_BASE_URL"),
        ("BOT_FLOOD_LIMIT", "-5", "BOT_FLOOD_LIMIT"),
        ("BOT_FLOOD_LIMIT", "twenty", "BOT_FLOOD_LIMIT"),
        ("BOT_BACKUPS_KEPT", "0", "BOT_BACKUPS_KEPT"),
    ],
)
def test_a_bad_setting_is_named(name: str, value: str, complaint: str) -> None:
    with pytest.raises(SettingsError, match=complaint):
        load_settings({name: value}, dotenv_path=None)


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(SettingsError, match="BOT_DATA_DIR"):
        load_settings({"BOT_DATA_DIR": str(a_file)}, dotenv_path=None)


def test_bot_refuses_to_start_with_one_clear_line(tmp_path: Path) -> None:
    env = {"BOT_ADMIN_IDS": "me", "PATH": "/usr/bin:/bin"}
    result = run_bot_py(tmp_path, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "bot.py: BOT_ADMIN_IDS must be comma-separated Telegram user ids; 'me' is not one"
    ]
    assert "Traceback" not in result.stderr
