"""The console chat: talk to the bot in a terminal, through the very handlers Telegram uses.

Each line typed becomes a Bot API update processed by the real ``Application``; what the bot
sends arrives at ``LocalBotApi`` and is printed here. Buttons are numbered; typing the number
presses the button.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from telegram import Update
from telegram.ext import Application

from handlers.local_api import JSONDict, LocalBotApi, UpdateFactory
from knowledge.text import whole_number

EXIT_WORDS = {"/quit", "/exit"}


class ConsoleChat:
    """One user's conversation with the bot, driven line by line."""

    def __init__(
        self,
        application: Application,
        api: LocalBotApi,
        user: UpdateFactory | None = None,
        out: TextIO = sys.stdout,
    ) -> None:
        self.application = application
        self.api = api
        self.user = user or UpdateFactory(first_name="Console", language_code=None)
        self.out = out
        self.buttons: list[tuple[str, str, JSONDict]] = []  # label, data, message

    async def say(self, line: str) -> None:
        """Send ``line`` as the user: a number presses a shown button, anything else is text."""
        line = line.strip()
        number = whole_number(line, max_digits=3)  # "²" is text, not button 2
        if number is not None and 1 <= number <= len(self.buttons):
            _, data, message = self.buttons[number - 1]
            await self._process(self.user.callback(data, message))
        else:
            await self._process(self.user.message(line))

    async def _process(self, update_json: JSONDict) -> None:
        sent_before = len(self.api.sent)
        notices_before = len(self.api.callback_answers)
        documents_before = len(self.api.documents)
        update = Update.de_json(update_json, self.application.bot)
        await self.application.process_update(update)
        for notice in self.api.callback_answers[notices_before:]:
            if notice.get("text"):
                self._print(f"  ({notice['text']})")
        for document in self.api.documents[documents_before:]:
            self._save_document(document)
        new_messages = self.api.sent[sent_before:]
        for message in new_messages:
            self._print_message(message)
        if new_messages:
            # Numbers always refer to the buttons just shown.
            self.buttons = [
                (button["text"], button["callback_data"], message)
                for message in new_messages
                for row in message.get("reply_markup", {}).get("inline_keyboard", [])
                for button in row
                if "callback_data" in button
            ]
            for number, (label, _, _) in enumerate(self.buttons, 1):
                self._print(f"  [{number}] {label}")
            for label, url in _links(new_messages):
                self._print(f"  {label}: {url}")

    def _save_document(self, document: JSONDict) -> None:
        """A file the bot sent (/export): saved in the working directory, as a download."""
        path = Path(document["filename"]).name
        Path(path).write_bytes(document["content"])
        self._print(f"\n  📎 {path} ({len(document['content']):,} bytes) saved in {Path.cwd()}")
        if document["caption"]:
            self._print(f"  {document['caption']}")

    def _print_message(self, message: JSONDict) -> None:
        self._print("")
        for line in message["text"].splitlines():
            self._print(f"  {line}" if line else "")
        self._print("")

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


async def run_console(
    application: Application,
    api: LocalBotApi,
    intro: str,
    user: UpdateFactory | None = None,
    prompt: str = "you> ",
) -> None:
    """Chat in the terminal until end of input or /quit."""
    chat = ConsoleChat(application, api, user)
    async with application:
        await application.start()  # the job queue: statistics flushes, form timeouts
        try:
            if application.post_init:
                await application.post_init(application)
            print(intro, flush=True)
            await chat.say("/start")
            await _chat_until_done(chat, prompt)
        finally:
            await application.stop()
            if application.post_shutdown:
                await application.post_shutdown(application)


async def _chat_until_done(chat: ConsoleChat, prompt: str) -> None:
    while True:
        try:
            line = await asyncio.to_thread(input, prompt)
        except EOFError:
            return
        if line.strip().lower() in EXIT_WORDS:
            return
        if line.strip():
            await chat.say(line)


def _links(messages: list[JSONDict]) -> list[tuple[str, str]]:
    return [
        (button["text"], button["url"])
        for message in messages
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
        if "url" in button
    ]
