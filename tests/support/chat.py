"""A user chatting with the real python-telegram-bot Application through the in-process Bot
API: ``async with chat_with(service, settings) as chat`` gives the driver the console and the
benchmark use too."""

from __future__ import annotations

from bot import build_application
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from transports.local_api import LocalBotApi, UpdateFactory
from transports.local_chat import LocalChat

# One user's chat with the bot.
Chat = LocalChat


class chat_with:
    """The real Application over the in-process Bot API; fails if Telegram would refuse a call."""

    def __init__(self, service: KnowledgeService, settings: Settings | None = None):
        self.api = LocalBotApi()
        self.application = build_application(service, settings or Settings(), request=self.api)

    async def __aenter__(self) -> Chat:
        await self.application.initialize()
        await self.application.start()  # runs the job queue, as in production
        return Chat(self.application, self.api, UpdateFactory())

    async def __aexit__(self, *exc_info: object) -> None:
        await self.application.stop()
        await self.application.shutdown()
        assert not self.api.errors, f"Telegram would have refused: {self.api.errors}"


__all__ = ["Chat", "chat_with"]
