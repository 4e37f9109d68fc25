"""One user talking to the real Application over the in-process Bot API: the one local chat
driver, shared by the console chat, the tests and the benchmark."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application

from transports.local_api import JSONDict, LocalBotApi, UpdateFactory


class LocalChat:
    """Sends one user's updates through ``Application.process_update`` and returns what the
    bot sent back; Telegram's checks are ``LocalBotApi``'s."""

    def __init__(self, application: Application, api: LocalBotApi, user: UpdateFactory) -> None:
        self.application = application
        self.api = api
        self.user = user

    async def send(self, text: str) -> list[JSONDict]:
        return await self.process(self.user.message(text))

    async def press(self, data: str, message: JSONDict | None = None) -> list[JSONDict]:
        return await self.process(self.user.callback(data, message))

    async def process(self, update_json: JSONDict) -> list[JSONDict]:
        """Handle one update, as Telegram's JSON; the messages the bot sent for it."""
        before = len(self.api.sent)
        await self.application.process_update(Update.de_json(update_json, self.application.bot))
        return self.api.sent[before:]

    def as_user(self, **factory_args: Any) -> LocalChat:
        """The same chat window for another user (``UpdateFactory``'s arguments)."""
        return type(self)(self.application, self.api, UpdateFactory(**factory_args))

    @property
    def alerts(self) -> list[str]:
        """The notices of every button press answered so far."""
        return [answer.get("text", "") for answer in self.api.callback_answers]
