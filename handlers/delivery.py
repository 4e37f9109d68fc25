"""Outgoing calls that survive a flaky Bot API: Telegram's rate limits plus retries.

python-telegram-bot's ``AIORateLimiter`` keeps us within Telegram's limits (30 messages a
second, 20 a minute per group) and waits out HTTP 429 ``retry_after``. This subclass also retries
server errors, timeouts and dropped connections with exponential backoff, so a question asked
while Telegram hiccups is still answered when it recovers. A refusal (400 Bad Request, 403
Forbidden) is final and is not retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
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
        for attempt in range(1, self.network_attempts + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as error:
                if attempt == self.network_attempts:
                    raise
                # The description names the fault; parameters (user text) are not logged.
                log.warning("%s failed (%s); retrying in %.1f s", endpoint, error, delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")
