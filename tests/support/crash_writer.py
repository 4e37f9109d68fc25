"""A child process for the crash test: the bot's Application (over the in-process Bot API) on a
data directory, with several admins adding and editing FAQ entries at once and users asking
questions whose usage is flushed now and then. Each write is printed as soon as the bot
confirmed it, until the process is killed:

    add 41 kqzxwtrbla     the admin was told entry 41 ("What is kqzxwtrbla?") is saved
    edit 41 3             the admin was told revision 3 of entry 41's answer is saved
    usage 5               a flush of 5 more questions' usage returned
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
import string
import sys
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot import build_application
from knowledge.i18n.catalog import Catalog
from knowledge.service import KnowledgeService
from knowledge.storage.knowledge_base import KnowledgeBase
from runtime.settings import Settings
from transports.local_api import JSONDict, LocalBotApi, UpdateFactory

ADMINS = (9101, 9102, 9103, 9104)
ADDED = re.compile(r"Saved as faq:(\d+)\b")
EDITED = re.compile(r"\bfaq:(\d+) saved\b")


def answer(word: str, revision: int) -> str:
    return f"{word.upper()} is the subject of revision {revision}."


class NetworkLikeApi(LocalBotApi):
    """The in-process Bot API, except that each call lets other tasks run first, as waiting for
    a network answer does: otherwise one admin's task would never let the others write."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        await asyncio.sleep(0)
        return await super().do_request(*args, **kwargs)


class Bot:
    def __init__(self, application: Application, api: LocalBotApi) -> None:
        self.application = application
        self.api = api

    async def send(self, user: UpdateFactory, text: str) -> JSONDict:
        """The bot's reply to ``text`` from ``user`` (others are writing at the same time)."""
        before = len(self.api.sent)
        update = Update.de_json(user.message(text), self.application.bot)
        await self.application.process_update(update)
        return next(m for m in self.api.sent[before:] if m["chat"]["id"] == user.chat["id"])


async def admin_writes(bot: Bot, admin_id: int, rng: random.Random) -> None:
    admin = UpdateFactory(user_id=admin_id, first_name=f"Admin {admin_id}")
    revisions: dict[int, tuple[str, int]] = {}  # entry -> (its word, its latest revision)
    for step in itertools.count():
        if revisions and step % 3 == 2:
            faq = rng.choice(list(revisions))
            word, revision = revisions[faq][0], revisions[faq][1] + 1
            reply = await bot.send(admin, f"/editfaq {faq} answer | {answer(word, revision)}")
            assert EDITED.search(reply["text"]), reply["text"]
            revisions[faq] = (word, revision)
            print(f"edit {faq} {revision}", flush=True)
        else:
            word = "".join(rng.choice(string.ascii_lowercase) for _ in range(10))
            reply = await bot.send(admin, f"/addfaq What is {word}? | {answer(word, 0)}")
            added = ADDED.search(reply["text"])
            assert added, reply["text"]
            revisions[int(added[1])] = (word, 0)
            print(f"add {added[1]} {word}", flush=True)


async def users_ask(bot: Bot, service: KnowledgeService, first_user: int) -> None:
    for batch in itertools.count():
        for number in range(5):  # a new user each time: flood control never stops them
            user = UpdateFactory(user_id=first_user + batch * 5 + number)
            await bot.send(user, "wen was the agrement signd")
        service.activity.flush()
        print("usage 5", flush=True)


async def main(data_dir: Path, seed: int) -> None:
    service = KnowledgeService(KnowledgeBase.open(data_dir), Catalog.load())
    api = NetworkLikeApi()
    application = build_application(service, Settings(admin_ids=frozenset(ADMINS)), request=api)
    await application.initialize()
    await application.start()  # the job queue too, as in production
    bot = Bot(application, api)
    rng = random.Random(seed)
    await asyncio.gather(
        *(admin_writes(bot, admin_id, random.Random(rng.random())) for admin_id in ADMINS),
        users_ask(bot, service, first_user=1_000_000 + seed * 10_000),
    )


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
