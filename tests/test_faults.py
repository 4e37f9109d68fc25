"""A flaky Telegram: `python bot.py` long-polls a Bot API server that answers 429, 500 and 502,
answers too late, or drops the connection. The bot keeps polling, never dies, confirms every
update, and answers every question once the server recovers: exactly once when the failed call
did nothing, once more when the bot could not know (the answer came too late, or never). A
button press whose acknowledgement Telegram refuses as too old is still answered. The log
shows each fault in a line: no traceback, never the token."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.support.botapi_server import (
    BAD_GATEWAY,
    DROPPED,
    QUERY_TOO_OLD,
    RATE_LIMITED,
    SERVER_ERROR,
    TOO_SLOW,
    BotApiServer,
    JSONDict,
)
from tests.support.polling_bot import TOKEN, PollingBot
from transports.local_api import UpdateFactory

# A question each user asks, and words of its answer.
QUESTIONS = {
    5001: ("wen was the agrement signd", "by video conference"),
    5002: ("how much trade between moscow and china", "$20.5 billion"),
    5003: ("what about the winter olympics", "2022 Winter Olympic Games"),
    5004: ("what are the two zones", "two zones"),
    5005: ("covid cooperation", "coronavirus control"),
}
FOLLOW_UPS = {
    5001: ("How long have Moscow and Beijing been partner cities", "dates back to 1995"),
    5002: ("education exchanges", "exchange instructors"),
}
SUBWAY_BUTTON, SUBWAY_CARD = "show:faq:12", "five-year term"
SIGNING_BUTTON, SIGNING_CARD = "show:faq:2", "by video conference"


def users() -> dict[int, UpdateFactory]:
    return {uid: UpdateFactory(user_id=uid, first_name=f"User {uid}") for uid in QUESTIONS}


def answers(telegram: BotApiServer, chat_id: int, words: str) -> list[JSONDict]:
    """The messages the server delivered to ``chat_id`` that hold ``words``."""
    return [m for m in telegram.sent() if m["chat_id"] == chat_id and words in m["text"]]


def shown_to(user: UpdateFactory) -> JSONDict:
    """A message of the bot's, under which the user pressed a button."""
    return {"message_id": 2, "date": 0, "chat": user.chat, "text": "Topics"}


def answers_to(press: JSONDict) -> Callable[[JSONDict], bool]:
    return lambda params: str(params.get("callback_query_id")) == press["callback_query"]["id"]


def to(chat_id: int, words: str = "") -> Callable[[JSONDict], bool]:
    return lambda params: params.get("chat_id") == chat_id and words in params.get("text", "")


def polls_failed(telegram: BotApiServer) -> int:
    return sum(1 for method, _, _ in telegram.faulted if method == "getUpdates")


def test_start_up_and_polling_ride_out_every_kind_of_fault(tmp_path: Path) -> None:
    people = users()
    with BotApiServer(TOKEN) as telegram:
        # Telegram hiccups while the bot starts, too.
        telegram.inject("getMe", SERVER_ERROR)
        telegram.inject("deleteWebhook", RATE_LIMITED)
        telegram.inject("setMyCommands", DROPPED, BAD_GATEWAY)
        bot = PollingBot(telegram, tmp_path)
        try:
            telegram.wait_for("getUpdates")
            assert telegram.faults_left() == 0
            telegram.inject("getUpdates", SERVER_ERROR, BAD_GATEWAY, DROPPED, RATE_LIMITED)
            # The questions wait at the server while its answers to getUpdates fail …
            telegram.wait_until(lambda: polls_failed(telegram) >= 1, "polled into a fault")
            for uid, (question, _) in QUESTIONS.items():
                telegram.push(people[uid].message(question))
            # … and more come while the dropped connection still hides the first ones.
            telegram.wait_until(lambda: polls_failed(telegram) >= 3, "polled into more faults")
            for uid, (question, _) in FOLLOW_UPS.items():
                telegram.push(people[uid].message(question))
            last_update = telegram.push(people[5003].message("/start"))

            asked = [(uid, words) for uid, (_, words) in [*QUESTIONS.items(), *FOLLOW_UPS.items()]]
            telegram.wait_until(
                lambda: all(answers(telegram, uid, words) for uid, words in asked),
                "every question answered",
            )
            telegram.wait_until(
                lambda: telegram.confirmed_offset() > last_update, "every update confirmed"
            )
            assert telegram.faults_left() == 0 and bot.alive
        finally:
            exit_code = bot.stop()
    assert exit_code == 0, bot.stderr
    bot.assert_clean_log()
    # A failed getUpdates delivered nothing: every question was answered exactly once.
    for uid, words in asked:
        assert len(answers(telegram, uid, words)) == 1, (uid, words)
    replies = Counter(m["chat_id"] for m in telegram.sent())
    assert replies == {5001: 2, 5002: 2, 5003: 2, 5004: 1, 5005: 1}  # 5003 also had /start


def test_every_answer_gets_through_send_faults_once_unless_the_bot_could_not_know(
    tmp_path: Path,
) -> None:
    people = users()
    with BotApiServer(TOKEN) as telegram:
        bot = PollingBot(telegram, tmp_path)
        try:
            telegram.wait_for("getUpdates")
            # Each user's answer meets a different fault; its retry goes through.
            telegram.inject("sendMessage", RATE_LIMITED, matching=to(5001))
            telegram.inject("sendMessage", SERVER_ERROR, matching=to(5002))
            telegram.inject("sendMessage", DROPPED, matching=to(5003))
            telegram.inject("sendMessage", BAD_GATEWAY, matching=to(5004, "two zones"))
            telegram.inject("sendMessage", TOO_SLOW, matching=to(5005))
            for uid, (question, _) in QUESTIONS.items():
                telegram.push(people[uid].message(question))
            # Then 5004 presses a topic button: its acknowledgement and its card fail too …
            subway = people[5004].callback(SUBWAY_BUTTON, shown_to(people[5004]))
            telegram.inject(
                "answerCallbackQuery",
                SERVER_ERROR,
                DROPPED,
                RATE_LIMITED,
                matching=answers_to(subway),
            )
            telegram.inject("sendMessage", SERVER_ERROR, matching=to(5004, SUBWAY_CARD))
            telegram.push(subway)
            # … and 5002's press waited so long that Telegram refuses to have it acknowledged.
            signing = people[5002].callback(SIGNING_BUTTON, shown_to(people[5002]))
            telegram.inject("answerCallbackQuery", QUERY_TOO_OLD, matching=answers_to(signing))
            last_update = telegram.push(signing)

            expected = [(uid, words) for uid, (_, words) in QUESTIONS.items()]
            expected += [(5004, SUBWAY_CARD), (5002, SIGNING_CARD)]
            telegram.wait_until(
                lambda: (
                    telegram.faults_left() == 0
                    and all(answers(telegram, uid, words) for uid, words in expected)
                ),
                "every question answered",
            )
            telegram.wait_until(
                lambda: telegram.confirmed_offset() > last_update, "every update confirmed"
            )
            assert bot.alive
        finally:
            exit_code = bot.stop()
    assert exit_code == 0, bot.stderr
    bot.assert_clean_log()
    delivered = {(uid, words): len(answers(telegram, uid, words)) for uid, words in expected}
    assert delivered == {
        (5001, "by video conference"): 1,  # 429: waited out, sent once
        (5002, "$20.5 billion"): 1,  # 500: nothing was sent, sent again
        (5003, "2022 Winter Olympic Games"): 2,  # dropped after sending: the bot cannot know
        (5004, "two zones"): 1,  # 502 from a proxy
        (5005, "coronavirus control"): 2,  # sent, but the answer came after the bot gave up
        (5004, SUBWAY_CARD): 1,
        (5002, SIGNING_CARD): 1,  # the press is handled though it could not be acknowledged
    }
    # 5004's press was acknowledged once more than needed (a dropped connection); 5002's not
    # at all, and the refusal was not retried.
    acknowledged = telegram.sent("answerCallbackQuery")
    assert len(acknowledged) == 2 and all(map(answers_to(subway), acknowledged))
    refused = [params for _, params, fault in telegram.faulted if fault == QUERY_TOO_OLD]
    assert len(refused) == 1 and answers_to(signing)(refused[0])
