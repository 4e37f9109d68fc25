"""The real Application, running for a whole test on an event loop of its own, so that
synchronous Hypothesis tests can feed it update after update as Telegram's JSON: the harness of
tests/test_any_user_input.py and tests/test_any_admin_input.py (the ``start_bot`` fixture in
conftest.py starts one).

Whatever arrives, the bot must not fail (nothing reaches the error handler, nothing is logged
as an error) and everything it sends must be what Telegram accepts: HTML of the tags Telegram
knows, properly nested, with only the entities Telegram decodes; visible text that is not
empty and at most 4096 UTF-16 code units; valid UTF-8; button data of 1 to 64 bytes.
``RunningBot.deliver`` checks all of this for every update; ``check_private`` checks what a
user notices in a private chat (every message answered, every button press acknowledged), and
``content_of`` reads what only an admin may change.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from telegram.ext import Application

from knowledge.service import KnowledgeService
from knowledge.storage.knowledge_base import ADMINS, AUDIT, CONTENT_TABLES
from runtime.settings import Settings
from tests.support.chat import Chat, chat_with
from tests.support.telegram import (
    ALERT_LIMIT,
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    is_utf8,
    utf16_units,
    visible_text,
)
from transports.local_api import BOT_USER, JSONDict, LocalBotApi, UpdateFactory

STRANGER = 555  # a user who is no admin
GROUP = -100_200_300
CHANNEL = -100_400_500
BOT_NAME = BOT_USER["username"]
NO_FLOOD = 0  # flood control has tests of its own; here every message must reach the handlers


class ErrorLog(logging.Handler):
    """Every ERROR logged while the bot runs: the error handler's "Error while handling an
    update", a failed job, a failed shutdown."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def check(self, update: JSONDict) -> None:
        if self.records:
            shown = "\n".join(logging.Formatter().format(r) for r in self.records)
            self.records.clear()
            raise AssertionError(f"the bot logged an error for {update!r}:\n{shown}")


class RunningBot:
    """The real Application, started once for a whole test on an event loop of its own, so
    that synchronous Hypothesis tests can feed it update after update."""

    def __init__(self, service: KnowledgeService, settings: Settings) -> None:
        self.service = service
        self.loop = asyncio.new_event_loop()
        self.session = chat_with(service, settings)
        self.errors = ErrorLog()
        logging.getLogger().addHandler(self.errors)
        self.chat: Chat = self.loop.run_until_complete(self.session.__aenter__())
        self.bot_message_ids = iter(range(1, 10**9))

    @property
    def api(self) -> LocalBotApi:
        return self.chat.api

    @property
    def application(self) -> Application:
        return self.chat.application

    def deliver(self, update: JSONDict) -> list[tuple[str, JSONDict]]:
        """Process one update, arrived as Telegram's JSON; the Bot API calls it caused, each
        checked against what Telegram accepts."""
        arrived = json.loads(json.dumps(update))  # "\ud800" escapes arrive as lone surrogates
        before = len(self.api.calls)
        self.loop.run_until_complete(self.chat.process(arrived))
        self.errors.check(update)
        assert not self.api.errors, f"Telegram would refuse {self.api.errors} for {update!r}"
        calls = self.api.calls[before:]
        for method, params in calls:
            check_call(method, params)
        return calls

    def close(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        try:
            self.loop.run_until_complete(self.session.__aexit__(None, None, None))
        finally:
            self.loop.close()
        self.errors.check({"shutdown": True})


def check_call(method: str, params: JSONDict) -> None:
    """Fail unless Telegram would accept this call as the bot made it."""
    if method in ("sendMessage", "editMessageText"):
        check_text(params["text"], params.get("parse_mode"), MESSAGE_LIMIT)
    elif method == "sendDocument" and params.get("caption"):
        check_text(params["caption"], params.get("parse_mode"), CAPTION_LIMIT)
    elif method == "answerCallbackQuery":
        alert = params.get("text") or ""
        assert len(alert) <= ALERT_LIMIT and is_utf8(alert), alert
    for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            assert button["text"].strip() and is_utf8(button["text"]), button
            if "callback_data" in button:
                data = button["callback_data"]
                assert is_utf8(data), button
                assert 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT, button


def check_text(text: str, parse_mode: str | None, limit: int) -> None:
    assert is_utf8(text), f"not valid UTF-8: {text[:200]!r}"
    shown = visible_text(text) if parse_mode == "HTML" else text
    assert shown.strip(), f"an empty message: {text!r}"
    assert utf16_units(shown) <= limit, f"{utf16_units(shown)} UTF-16 units: {shown[:200]!r}"


def replies(calls: list[tuple[str, JSONDict]]) -> list[JSONDict]:
    return [params for method, params in calls if method in ("sendMessage", "sendDocument")]


def answered(calls: list[tuple[str, JSONDict]], update: JSONDict) -> bool:
    query_id = update["callback_query"]["id"]
    return any(
        method == "answerCallbackQuery" and params["callback_query_id"] == query_id
        for method, params in calls
    )


def alerts(calls: list[tuple[str, JSONDict]]) -> list[str]:
    return [params.get("text", "") for method, params in calls if method == "answerCallbackQuery"]


def check_private(update: JSONDict, calls: list[tuple[str, JSONDict]]) -> None:
    """What a user in a private chat notices: every new message is answered, every button
    press acknowledged (else Telegram shows a spinner)."""
    if "message" in update:
        assert replies(calls), f"no answer to {update['message']!r}"
    if "callback_query" in update:
        assert answered(calls, update), f"button {update['callback_query']['data']!r} spins"


def content_of(service: KnowledgeService) -> dict[str, Any]:
    """The knowledge base file's content, admins and audit trail, after writing everything
    counted in memory. (The same file keeps usage statistics, unanswered questions, votes and
    language choices, which every user changes by using the bot.)"""
    service.activity.flush()
    stored = json.loads(service.kb.path.read_bytes())
    return {table: stored.get(table) for table in (*CONTENT_TABLES, ADMINS, AUDIT)}


def bot_message(factory: UpdateFactory, accessible: bool, message_id: int) -> JSONDict:
    """The message a pressed button sits under: one of ours, or one Telegram no longer shows
    the bot (deleted, or older than 48 hours: an InaccessibleMessage, with date 0)."""
    if not accessible:
        return {"message_id": message_id, "date": 0, "chat": factory.chat}
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": factory.chat,
        "from": BOT_USER,
        "text": "An earlier answer",
    }
