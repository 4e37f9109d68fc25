"""The console chat: talk to the bot in a terminal, through the very handlers Telegram uses.

Each message typed becomes a Bot API update processed by the real ``Application``; what the bot
sends arrives at ``LocalBotApi`` and is printed here. Buttons are numbered under the message
they belong to; typing the number presses the button. A line ending in a backslash goes on to
the next line, and lines between two lines of three double quotes are sent as one message, for
the form fields asked one per line. Files the bot sends are saved in the data directory.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from telegram.ext import Application

from handlers.admin_guard import FORM_KEY
from handlers.context import services_of
from knowledge.i18n.languages import DEFAULT_LANGUAGE
from knowledge.matching.text import whole_number
from knowledge.records.schema import Field
from knowledge.service import KnowledgeService
from knowledge.storage.atomic import write_atomically
from transports.local_api import JSONDict, LocalBotApi, UpdateFactory
from transports.local_chat import LocalChat

EXIT_WORDS = {"/quit", "/exit"}
CONSOLE_LANGUAGE = DEFAULT_LANGUAGE  # the console's own notes, as its intro
EXPORTS_DIR = "exports"  # inside the data directory: files the bot sends (/export, /events_ics)
CONTINUED = "\\"  # a line ending in it goes on to the next line
BLOCK = '"""'  # a line of its own that opens, and one that closes, several lines
MORE_PROMPT = "...> "

ReadLine = Callable[[str], str]  # input(): raises EOFError at the end


class ConsoleChat:
    """One user's conversation with the bot, driven message by message."""

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
        self.chat = LocalChat(application, api, self.user)
        self.out = out
        self.buttons: list[tuple[str, str, JSONDict]] = []  # label, data, message

    @property
    def service(self) -> KnowledgeService:
        return services_of(self.application).kb

    def note(self, key: str, **values: object) -> str:
        return self.service.catalog.text(CONSOLE_LANGUAGE, key, **values)

    async def say(self, text: str) -> None:
        """Send ``text`` as the user: a number presses a shown button, anything else is text."""
        text = text.strip()
        number = whole_number(text, max_digits=3)  # "²" is text, not button 2
        if number is not None and 1 <= number <= len(self.buttons):
            _, data, message = self.buttons[number - 1]
            await self._process(self.user.callback(data, message))
        elif number is not None and not self._form_waits_for_text():
            self._print(f"  {self._no_button(number)}")  # not a question: keep it out of unanswered
        else:
            await self._process(self.user.message(text))

    def _no_button(self, number: int) -> str:
        if not self.buttons:
            return self.note("console.no_buttons")
        return self.note("console.no_such_button", number=number, count=len(self.buttons))

    def _form(self) -> object | None:
        """The admin form this user is filling in, if any."""
        user_data = self.application.user_data.get(self.user.user["id"], {})
        return user_data.get(FORM_KEY)

    def _asked_field(self) -> Field | None:
        """The form field the bot asks this user for now: a form is open and the bot's last
        messages are not waiting for a button (a near duplicate, a preview)."""
        current = getattr(self._form(), "current", None)
        return current if current is not None and not self.buttons else None

    def _form_waits_for_text(self) -> bool:
        return self._asked_field() is not None

    async def _process(self, update_json: JSONDict) -> None:
        notices_before = len(self.api.callback_answers)
        documents_before = len(self.api.documents)
        new_messages = await self.chat.process(update_json)
        for notice in self.api.callback_answers[notices_before:]:
            if notice.get("text"):
                self._print(f"  ({notice['text']})")
        for document in self.api.documents[documents_before:]:
            self._save_document(document)
        if new_messages:
            self.buttons = []  # numbers always refer to the buttons just shown
            for message in new_messages:
                self._print_message(message)
            asked = self._asked_field()
            if asked is not None and asked.multiline:  # say how to type several lines
                self._print(f"  {self.note('console.lines_hint')}")

    def _print_message(self, message: JSONDict) -> None:
        """The message, then its buttons, numbered on from the messages above it."""
        self._print("")
        for line in message["text"].splitlines():
            self._print(f"  {line}" if line else "")
        self._print("")
        for label, data in _callback_buttons(message):
            self.buttons.append((label, data, message))
            self._print(f"  [{len(self.buttons)}] {label}")
        for label, url in _links(message):
            self._print(f"  {label}: {url}")

    def _save_document(self, document: JSONDict) -> None:
        """A file the bot sent: saved in the data directory, not wherever the console runs."""
        directory = self.service.kb.path.parent.resolve() / EXPORTS_DIR
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / Path(document["filename"]).name
        write_atomically(path, document["content"])
        size = f"{len(document['content']):,}"
        self._print("\n  " + self.note("console.saved", name=path.name, size=size, path=path))
        if document["caption"]:
            self._print(f"  {document['caption']}")

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
            print(intro, chat.note("console.several_lines"), sep="\n", flush=True)
            await chat.say("/start")
            await _chat_until_done(chat, prompt)
        finally:
            await application.stop()
            if application.post_shutdown:
                await application.post_shutdown(application)


async def _chat_until_done(chat: ConsoleChat, prompt: str) -> None:
    while True:
        text = await asyncio.to_thread(read_message, input, prompt)
        if text is None or text.strip().lower() in EXIT_WORDS:
            return
        if text.strip():
            await chat.say(text)


def read_message(read_line: ReadLine, prompt: str) -> str | None:
    """One message typed at the console, of one line or several; None at the end of input."""
    try:
        line = read_line(prompt)
    except EOFError:
        return None
    if line.strip() == BLOCK:
        return _read_block(read_line)
    lines = []
    while line.endswith(CONTINUED):
        lines.append(line.removesuffix(CONTINUED))
        try:
            line = read_line(MORE_PROMPT)
        except EOFError:  # the input ended mid-message: send what was typed
            line = ""
    lines.append(line)
    return "\n".join(lines)


def _read_block(read_line: ReadLine) -> str:
    lines: list[str] = []
    while True:
        try:
            line = read_line(MORE_PROMPT)
        except EOFError:
            break
        if line.strip() == BLOCK:
            break
        lines.append(line)
    return "\n".join(lines)


def _callback_buttons(message: JSONDict) -> list[tuple[str, str]]:
    return [
        (button["text"], button["callback_data"])
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]


def _links(message: JSONDict) -> list[tuple[str, str]]:
    return [
        (button["text"], button["url"])
        for row in message.get("reply_markup", {}).get("inline_keyboard", [])
        for button in row
        if "url" in button
    ]
