"""Run-time settings, from the environment and from a ``.env`` file in the working directory.

A setting that is present but wrong raises ``SettingsError`` with one sentence naming it, so
the bot refuses to start with a clear line instead of a traceback.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from knowledge.matching.text import parse_user_id, whole_number

DEFAULT_DATA_DIR = Path("data")
DEFAULT_FLOOD_LIMIT = 20  # messages a minute per user; 0 turns flood control off
DEFAULT_BACKUPS_KEPT = 14
DEFAULT_LOG_LEVEL = "INFO"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8443
HEALTH_PATH = "/healthz"  # the webhook server's health check; no webhook path may take it
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token
_URL_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")


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
    # Webhook mode (`python bot.py --webhook URL`, or BOT_WEBHOOK_URL); None: long polling.
    webhook_url: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    webhook_path: str = "/"  # served locally; BOT_WEBHOOK_PATH, else the path of webhook_url
    log_level: str = DEFAULT_LOG_LEVEL  # LOG_LEVEL; DEBUG also shows libraries and tracebacks
    webhook_secret: str | None = field(default=None, repr=False)  # None: random at each start


def load_settings(
    environ: Mapping[str, str] | None = None,
    dotenv_path: Path | None = Path(".env"),
    webhook_url: str | None = None,
) -> Settings:
    """Settings from ``environ`` (default: the process environment) over the ``.env`` file.
    ``webhook_url`` (the command line's ``--webhook``) wins over BOT_WEBHOOK_URL."""
    values: dict[str, str | None] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        values.update(dotenv_values(dotenv_path))
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name)
        return value.strip() if value and value.strip() else None

    api_base_url = _base_url(get("TELEGRAM_API_BASE_URL"))
    if webhook_url is not None:
        url = _webhook_url("--webhook", webhook_url.strip(), api_base_url)
    else:
        url = _webhook_url("BOT_WEBHOOK_URL", get("BOT_WEBHOOK_URL"), api_base_url)
    return Settings(
        token=_token(get("TELEGRAM_BOT_TOKEN")),
        admin_ids=_admin_ids(get("BOT_ADMIN_IDS")),
        data_dir=_data_dir(get("BOT_DATA_DIR")),
        api_base_url=api_base_url,
        flood_limit=_whole_number(
            "BOT_FLOOD_LIMIT", get("BOT_FLOOD_LIMIT"), DEFAULT_FLOOD_LIMIT, minimum=0
        ),
        backups_kept=_whole_number(
            "BOT_BACKUPS_KEPT", get("BOT_BACKUPS_KEPT"), DEFAULT_BACKUPS_KEPT, minimum=1
        ),
        webhook_url=url,
        webhook_listen=_listen_address(get("BOT_WEBHOOK_LISTEN")),
        webhook_port=_port(get("BOT_WEBHOOK_PORT")),
        webhook_path=_webhook_path(get("BOT_WEBHOOK_PATH"), url),
        webhook_secret=_webhook_secret(get("BOT_WEBHOOK_SECRET")),
        log_level=_log_level(get("LOG_LEVEL")),
    )


def _log_level(value: str | None) -> str:
    if value is None:
        return DEFAULT_LOG_LEVEL
    if value.upper() not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}; got {value[:20]!r}")
    return value.upper()


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
        user_id = parse_user_id(part)
        if user_id is None:
            raise SettingsError(
                f"BOT_ADMIN_IDS must be comma-separated Telegram user ids; {part!r} is not one"
            )
        ids.add(user_id)
    return frozenset(ids)


def _whole_number(name: str, value: str | None, default: int, minimum: int) -> int:
    if value is None:
        return default
    number = whole_number(value, max_digits=9)
    if number is None or number < minimum:
        raise SettingsError(f"{name} must be a whole number of at least {minimum}; got {value!r}")
    return number


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


def _webhook_url(name: str, value: str | None, api_base_url: str | None) -> str | None:
    """Telegram calls only https URLs; a self-hosted Bot API server (--local) also plain http."""
    if value is None:
        return None
    schemes = ("https", "http") if api_base_url else ("https",)
    try:
        parts = urlsplit(value)
        usable = parts.scheme in schemes and parts.hostname and not parts.fragment
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        usable = False
    if not usable:
        plain_http = "" if api_base_url else " (plain http only with TELEGRAM_API_BASE_URL)"
        raise SettingsError(
            f"{name} must be the https URL Telegram should call, such as "
            f"https://bot.example.org/telegram{plain_http}; got {value!r}"
        )
    return value


def _webhook_path(value: str | None, url: str | None) -> str:
    name = "BOT_WEBHOOK_PATH"
    if value is None:  # the path Telegram calls, unless a proxy in front rewrites it
        name = "the webhook URL's path (else BOT_WEBHOOK_PATH)"
        value = urlsplit(url).path if url else "/"
    path = "/" + value.strip("/")
    if not _URL_PATH.match(path) or "//" in path or path == HEALTH_PATH:
        raise SettingsError(
            f"{name} must be a URL path of letters, digits and . _ ~ - / other than "
            f"{HEALTH_PATH[1:]}, such as telegram; got {value!r}"
        )
    return path


def _listen_address(value: str | None) -> str:
    if value is None:
        return DEFAULT_WEBHOOK_LISTEN
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise SettingsError(
            f"BOT_WEBHOOK_LISTEN must be an IP address such as 127.0.0.1 (this machine only) "
            f"or 0.0.0.0 (every interface); got {value!r}"
        ) from None


def _port(value: str | None) -> int:
    if value is None:
        return DEFAULT_WEBHOOK_PORT
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 65535:
        raise SettingsError(
            f"BOT_WEBHOOK_PORT must be a port number from 1 to 65535; got {value!r}"
        )
    return int(value)


def _webhook_secret(value: str | None) -> str | None:
    if value is not None and not _WEBHOOK_SECRET.match(value):
        wrong = f"has {len(value)} characters" if len(value) > 256 else "has other characters"
        raise SettingsError(  # the value itself is a secret: never echoed
            f"BOT_WEBHOOK_SECRET must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -, as "
            f"Telegram requires; the value given (not shown) {wrong}"
        )
    return value
