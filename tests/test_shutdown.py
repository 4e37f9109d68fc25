"""Stopping a busy `python bot.py` with SIGTERM (a service manager) or SIGINT (Ctrl+C): it
exits with 0, every change it confirmed is in the file, usage counted so far is written, no
temporary file is left behind, and what it had not fetched yet is done after a restart."""

from __future__ import annotations

import json
import random
import re
import signal
import string
from pathlib import Path

import pytest

from knowledge.storage.knowledge_base import DATABASE_NAME, KnowledgeBase
from tests.support.botapi_server import BotApiServer
from tests.support.polling_bot import TOKEN, PollingBot
from transports.local_api import UpdateFactory

ADMIN = 9001
ASKERS = (5101, 5102, 5103)
QUESTION = "wen was the agrement signd"
EDITS = 60
IN_FLIGHT = 5  # edits sent and not yet confirmed
SAVED = re.compile(r"Saved as <b>faq:(\d+)</b>")


def one_liners(seed: int) -> dict[str, str]:
    """``/addfaq`` one-liners with questions unlike each other or the seed's: answer -> command."""
    rng = random.Random(seed)
    edits = {}
    for number in range(EDITS):
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(10))
        edits[f"{word.upper()} is edit {number}."] = (
            f"/addfaq What is {word}? | {word.upper()} is edit {number}."
        )
    return edits


def saved(telegram: BotApiServer) -> list[int]:
    """The FAQ ids the bot told the admin it saved."""
    confirmations = (SAVED.search(m["text"]) for m in telegram.sent() if m["chat_id"] == ADMIN)
    return [int(found[1]) for found in confirmations if found]


def answered(telegram: BotApiServer) -> int:
    return sum(1 for m in telegram.sent() if m["chat_id"] in ASKERS)


def stored_edits(data_dir: Path) -> dict[int, str]:
    """Our entries in the data file as it is on disk: FAQ id -> answer."""
    tables = json.loads((data_dir / DATABASE_NAME).read_text(encoding="utf-8"))
    return {
        int(faq_id): doc["answer"]["en"]
        for faq_id, doc in tables["faq"].items()
        if " is edit " in doc["answer"]["en"]
    }


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_busy_bot_stops_cleanly_and_keeps_every_confirmed_change(
    tmp_path: Path, sig: signal.Signals
) -> None:
    admin = UpdateFactory(user_id=ADMIN, first_name="Owner")
    askers = [UpdateFactory(user_id=uid, first_name=f"User {uid}") for uid in ASKERS]
    edits = one_liners(sig.value)
    with BotApiServer(TOKEN) as telegram:
        bot = PollingBot(telegram, tmp_path, BOT_ADMIN_IDS=str(ADMIN))
        data_dir = bot.data_dir
        telegram.wait_for("getUpdates")

        commands = list(edits.values())

        def push(number: int) -> None:  # an admin script's edits, users asking meanwhile
            telegram.push(admin.message(commands[number]))
            if number % 5 == 0:
                telegram.push(askers[number // 5 % len(askers)].message(QUESTION))

        pushed = 0
        try:
            while len(saved(telegram)) < 10:  # the bot always has edits to do
                while pushed - len(saved(telegram)) < IN_FLIGHT:
                    push(pushed)
                    pushed += 1
                done = len(saved(telegram))
                telegram.wait_until(
                    lambda done=done: len(saved(telegram)) > done, "another edit confirmed"
                )
        finally:
            exit_code = bot.stop(sig)
        for number in range(pushed, EDITS):  # the script goes on while the bot is down
            push(number)
        assert exit_code == 0, bot.stderr
        bot.assert_clean_log()
        confirmed = saved(telegram)  # at most IN_FLIGHT more than ten: most edits are to come
        assert not list(data_dir.rglob("*.tmp"))
        on_disk = stored_edits(data_dir)
        assert set(confirmed) <= set(on_disk)  # every confirmed edit, exactly as it was sent
        assert len(set(on_disk.values())) == len(on_disk) and set(on_disk.values()) <= set(edits)
        kb = KnowledgeBase.open(data_dir)  # loads, and the stopped bot let go of it
        try:
            assert kb.stats()["asked"] == answered(telegram)  # usage counted until the end
        finally:
            kb.close()

        # What the bot had not fetched yet is still waiting at Telegram: a restart does it.
        bot = PollingBot(telegram, tmp_path, BOT_ADMIN_IDS=str(ADMIN))
        try:
            telegram.wait_until(lambda: len(saved(telegram)) == EDITS, "every edit confirmed")
            telegram.wait_until(lambda: answered(telegram) == EDITS // 5, "every question")
        finally:
            exit_code = bot.stop()
    assert exit_code == 0, bot.stderr
    bot.assert_clean_log()
    # Each message handled once: none lost in the stop, none fetched again after the restart.
    assert len(set(saved(telegram))) == EDITS == len(telegram.sent()) - answered(telegram)
    assert answered(telegram) == EDITS // 5
    assert sorted(stored_edits(data_dir).values()) == sorted(edits)
    kb = KnowledgeBase.open(data_dir)
    try:
        assert kb.stats()["asked"] == EDITS // 5
    finally:
        kb.close()
