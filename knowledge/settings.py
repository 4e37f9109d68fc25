"""Run-time settings, from the environment and from a ``.env`` file in the working directory.

A setting that is present but wrong raises ``SettingsError`` with one sentence naming it, so
the bot refuses to start with a clear line instead of a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

DEFAULT_DATA_DIR = Path("data")
DEFAULT_FLOOD_LIMIT = 20  # messages a minute per user; 0 turns flood control off
DEFAULT_BACKUPS_KEPT = 14
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")


class SettingsError(ValueError):
    """A setting is present but unusable; the message names it."""


@dataclass(frozen=True)
class Settings:
    token: str | None = field(default=None, repr=False)  # never printed
    admin_ids: frozenset[int] = frozenset()
    data_dir: Path = DEFAULT_DATA_DIR
    api_base_url: str | None = None
    flood_limit: int = DEFAULT_FLOOD_LIMIT
    backups_kept: int = DEFAULT_BACKUPS_KEPT


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv_path: Path | None = Path(".env")
) -> Settings:
    """Settings from ``environ`` (default: the process environment) over the ``.env`` file."""
    values: dict[str, str | None] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        values.update(dotenv_values(dotenv_path))
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name)
        return value.strip() if value and value.strip() else None

    return Settings(
        token=_token(get("TELEGRAM_BOT_TOKEN")),
        admin_ids=_admin_ids(get("BOT_ADMIN_IDS")),
        data_dir=_data_dir(get("BOT_DATA_DIR")),
        api_base_url=_base_url(get("TELEGRAM_API_BASE_URL")),
        flood_limit=_whole_number(
            "BOT_FLOOD_LIMIT", get("BOT_FLOOD_LIMIT"), DEFAULT_FLOOD_LIMIT, minimum=0
        ),
        backups_kept=_whole_number(
            "BOT_BACKUPS_KEPT", get("BOT_BACKUPS_KEPT"), DEFAULT_BACKUPS_KEPT, minimum=1
        ),
    )


def _token(value: str | None) -> str | None:
    if value is not None and not _TOKEN.match(value):
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected digits, a colon and "
            "the secret, as @BotFather gives it)"
        )
    return value


def _admin_ids(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    ids = set()
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise SettingsError(
                f"BOT_ADMIN_IDS must be comma-separated Telegram user ids; {part!r} is not one"
            )
        ids.add(int(part))
    return frozenset(ids)


def _whole_number(name: str, value: str | None, default: int, minimum: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or int(value) < minimum or len(value) > 9:
        raise SettingsError(f"{name} must be a whole number of at least {minimum}; got {value!r}")
    return int(value)


def _data_dir(value: str | None) -> Path:
    path = Path(value).expanduser() if value else DEFAULT_DATA_DIR
    if path.exists() and not path.is_dir():
        raise SettingsError(f"BOT_DATA_DIR {str(path)!r} exists but is not a directory")
    return path


def _base_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(
            f"TELEGRAM_API_BASE_URL must be an http(s) URL such as "
            f"http://127.0.0.1:8081/bot; got {value!r}"
        )
    return value
