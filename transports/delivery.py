"""Outgoing calls that survive a flaky Bot API: Telegram's rate limits plus retries.

python-telegram-bot's ``AIORateLimiter`` keeps us within Telegram's limits (30 messages a
second, 20 a minute per group) and waits out HTTP 429 ``retry_after``. This subclass also retries
server errors, timeouts and dropped connections with exponential backoff, so a question asked
while Telegram hiccups is still answered when it recovers. A refusal (400 Bad Request, 403
Forbidden) is final and is not retried; but one refusal is no failure: acknowledging a button
press that waited too long (while the bot was down, or busy riding out a fault) is refused as
"query is too old", and the press must still be handled, so that refusal is logged and passed
over rather than raised into the handler.

Such a fault is logged in one line, without a traceback (``log_network_faults_briefly``): the
traceback of a 502 or a dropped connection holds only library frames, and a log full of them
reads as a crashing bot when it is riding the fault out.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

RETRY_AFTER_ATTEMPTS = 5  # HTTP 429s waited out per call
NETWORK_ATTEMPTS = 6  # tries per call on 5xx, timeouts and dropped connections
FIRST_BACKOFF = 0.5  # seconds; doubles each try: 0.5 + 1 + 2 + 4 + 8 = 15.5 s at most


class ResilientRateLimiter(AIORateLimiter):
    def __init__(
        self, network_attempts: int = NETWORK_ATTEMPTS, first_backoff: float = FIRST_BACKOFF
    ) -> None:
        super().__init__(max_retries=RETRY_AFTER_ATTEMPTS)
        self.network_attempts = network_attempts
        self.first_backoff = first_backoff
        # Off until the bot has started: at start, python-telegram-bot's bootstrap loop
        # retries by itself, and retrying each of its tries too took minutes to give up.
        self.retrying = False

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict | list[dict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict | list[dict]:
        delay = self.first_backoff
        attempts = self.network_attempts if self.retrying else 1
        for attempt in range(1, attempts + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest as error:
                if endpoint == "answerCallbackQuery" and _too_late(error):
                    log.warning("Ignored %s refusal (%s): the press is handled", endpoint, error)
                    return True  # Telegram has taken the spinner away by itself
                raise
            except NetworkError as error:
                if attempt == attempts:
                    raise
                # The description names the fault; parameters (user text) are not logged.
                log.warning("%s failed (%s); retrying in %.1f s", endpoint, error, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")


def _too_late(error: BadRequest) -> bool:
    """Telegram's "query is too old and response timeout expired or query ID is invalid"."""
    return "query is too old" in error.message.lower()


class BriefNetworkFaults(logging.Filter):
    """A network fault (429, 5xx, a timeout, a dropped connection) logged with its traceback is
    logged in one line instead: the message, then the fault. So is python-telegram-bot's
    complaint that an answer was not JSON (a proxy's HTML error page): the fault it becomes
    follows. Other errors keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None or not _brief(record, error):
            return True
        record.msg, record.args = f"{record.getMessage()} ({type(error).__name__}: {error})", ()
        record.exc_info = record.exc_text = None
        return True


def _brief(record: logging.LogRecord, error: BaseException) -> bool:
    if isinstance(error, RetryAfter) or (
        isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    ):
        return True
    return record.name.startswith("telegram.request") and isinstance(error, ValueError)


def log_network_faults_briefly() -> None:
    """Install ``BriefNetworkFaults`` on the log handlers (once), ahead of their other filters,
    so that what it adds passes the token redaction too."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, BriefNetworkFaults) for f in handler.filters):
            handler.filters.insert(0, BriefNetworkFaults())


# python-telegram-bot's retry loop logs each failed attempt with its traceback (as
# "telegram.ext"); at start, the outcome is said once, in one line, by bot.py.
_RETRY_LOOP = "telegram.ext"


def quiet_until_ready() -> None:
    """Silence the start-up retries until ``ready()`` (post_init: Telegram answered)."""
    logging.getLogger(_RETRY_LOOP).setLevel(logging.CRITICAL)


def ready() -> None:
    logging.getLogger(_RETRY_LOOP).setLevel(logging.NOTSET)
