"""`python bot.py` long-polls a Bot API server over real HTTP on 127.0.0.1 and answers."""

from __future__ import annotations

import signal
from pathlib import Path

from knowledge.i18n.catalog import Catalog
from tests.support.botapi_server import BotApiServer
from tests.support.polling_bot import TOKEN, bot_process
from transports.local_api import UpdateFactory


def test_bot_polls_answers_and_handles_a_button_over_http(tmp_path: Path) -> None:
    user = UpdateFactory(user_id=4242, first_name="Li")
    with BotApiServer(TOKEN) as telegram, bot_process(tmp_path, telegram, []) as bot:
        try:
            telegram.wait_for("getMe")
            menu = telegram.wait_for("setMyCommands", lambda p: "language_code" not in p)
            assert [c["command"] for c in menu["commands"]][-1] == "language"
            assert "subscribe" in [c["command"] for c in menu["commands"]]
            for lang in Catalog.load().languages:  # the menu in each language
                telegram.wait_for(
                    "setMyCommands", lambda p, lang=lang: p.get("language_code") == lang
                )
            for lang in Catalog.load().languages:  # and the introduction
                telegram.wait_for(
                    "setMyShortDescription", lambda p, lang=lang: p.get("language_code") == lang
                )
            telegram.wait_for("getUpdates")

            telegram.push(user.message("wen was the agrement signd"))
            answer = telegram.wait_for("sendMessage", lambda p: "7 December 2020" in p["text"])
            assert answer["chat_id"] == 4242 and answer["parse_mode"] == "HTML"

            telegram.push(user.message("/search subway agreement"))
            results = telegram.wait_for("sendMessage", lambda p: "Topics matching" in p["text"])
            first_button = results["reply_markup"]["inline_keyboard"][0][0]
            assert first_button["callback_data"] == "show:faq:12"

            telegram.push(user.callback(first_button["callback_data"], {
                "message_id": 2, "date": 0, "chat": user.chat, "text": "results",
            }))  # fmt: skip
            telegram.wait_for("answerCallbackQuery")
            card = telegram.wait_for("sendMessage", lambda p: "five-year term" in p["text"])
            votes = [b["callback_data"] for b in card["reply_markup"]["inline_keyboard"][0]]
            assert votes == ["vote:up:faq:12", "vote:down:faq:12"]
        finally:
            bot.send_signal(signal.SIGINT)
            _, stderr = bot.communicate(timeout=30)
        assert bot.returncode == 0, stderr
        assert TOKEN not in stderr  # the log never shows the token
        assert "agrement" not in stderr  # nor what users write
        assert "Traceback" not in stderr
        # Every update was confirmed: the last getUpdates asks past the callback's id.
        offsets = [int(p.get("offset") or 0) for name, p in telegram.calls if name == "getUpdates"]
        assert max(offsets) == 4
