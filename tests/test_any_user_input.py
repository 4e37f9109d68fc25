"""What any user may send: thousands of generated messages, commands, edits and button
presses go through the real Application (``Application.process_update`` over the in-process Bot
API), from a user who is no admin, in private, in groups and in channels.

Whatever arrives, the bot must not fail and everything it sends must be what Telegram accepts
(tests/support/running_bot.py checks both). A private message always gets an answer, a button
press is always acknowledged, a group hears the bot only when it is addressed, and a user who is
no admin cannot change the knowledge base. Below them, examples the generators found, kept as
plain regression tests.

One Application runs per test, on an event loop of its own, and Hypothesis feeds it examples;
runs are derandomized, so CI sees the same examples every time.
"""

from __future__ import annotations

import random
import resource
import string
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from handlers.command_table import ADMIN_COMMANDS, MENU_COMMANDS
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, clean_environment, run_bot_py
from tests.support.application import button_prefixes_of
from tests.support.generated import (
    ANY_CHARACTER,
    DIGITS,
    NOT_DECIMAL,
    Action,
    anything_for,
    build,
    button_data,
    private_actions,
    texts,
)
from tests.support.running_bot import (
    BOT_NAME,
    CHANNEL,
    GROUP,
    NO_FLOOD,
    STRANGER,
    RunningBot,
    alerts,
    answered,
    bot_message,
    check_private,
    content_of,
    replies,
)
from tests.support.telegram import MESSAGE_LIMIT, hypothesis_settings, utf16_units
from transports.local_api import JSONDict, UpdateFactory


def test_whatever_a_user_sends_in_private_gets_a_valid_answer_and_changes_no_content(
    start_bot: Callable[[Settings], RunningBot], service: KnowledgeService
) -> None:
    bot = start_bot(Settings(admin_ids=frozenset({OWNER}), flood_limit=NO_FLOOD))
    user = UpdateFactory(user_id=STRANGER, first_name="Eve", language_code=None)
    before = content_of(service)
    text, command, data = anything_for(bot.application)

    @hypothesis_settings(examples=500)
    @given(private_actions(text, command, data))
    def user_sends(actions: list[Action]) -> None:
        for action in actions:
            update = build(bot, user, action)
            calls = bot.deliver(update)
            check_private(update, calls)
            assert not any(method == "getFile" for method, _ in calls), "a non-admin's file"
        assert content_of(service) == before, "a non-admin changed the knowledge base"

    user_sends()
    assert len(bot.api.calls) > 1000  # thousands of messages really went through


def test_buttons_the_bot_never_issued_are_acknowledged_and_change_nothing(
    start_bot: Callable[[Settings], RunningBot], service: KnowledgeService
) -> None:
    bot = start_bot(Settings(admin_ids=frozenset({OWNER}), flood_limit=NO_FLOOD))
    before = content_of(service)
    data = button_data(button_prefixes_of(bot.application), ANY_CHARACTER, DIGITS + NOT_DECIMAL)
    users = {
        language: UpdateFactory(user_id=STRANGER + n, language_code=language)
        for n, language in enumerate(["en", "ru", "zh", "de", "fr", None])
    }

    @hypothesis_settings(examples=500)
    @given(
        st.lists(
            st.tuples(data, st.sampled_from(list(users)), st.booleans()), min_size=1, max_size=8
        )
    )
    def users_press(presses: list[tuple[str, str | None, bool]]) -> None:
        for data_, language, accessible in presses:
            user = users[language]
            message = bot_message(user, accessible, next(bot.bot_message_ids))
            update = user.callback(data_, message)
            calls = bot.deliver(update)
            assert answered(calls, update), f"button {data_!r} spins"
        assert content_of(service) == before, "a non-admin changed the knowledge base"

    users_press()


def group_actions() -> st.SearchStrategy[list[Action]]:
    # Telegram delivers no empty message; a slash would make it a command, generated apart.
    text = texts(ANY_CHARACTER, DIGITS + NOT_DECIMAL).filter(lambda t: t and t[0] != "/")
    return st.lists(
        st.one_of(
            st.tuples(st.sampled_from(["plain", "mention", "reply", "edited", "channel"]), text),
            st.tuples(st.sampled_from(["ours", "theirs", "bare"]), st.sampled_from(ALL_NAMES)),
        ),
        min_size=1,
        max_size=8,
    )


ALL_NAMES = sorted({*MENU_COMMANDS, *ADMIN_COMMANDS, "myid", "skip", "nonsense"})


def group_update(member: UpdateFactory, kind: str, content: str) -> JSONDict:
    if kind == "plain":
        return member.message(content)
    if kind == "edited":
        return member.edited_message(content)
    if kind == "reply":
        return member.message(content, reply_to_message=bot_message(member, True, 1))
    if kind == "mention":
        mention = f"@{BOT_NAME}"
        update = member.message(f"{mention} {content}")
        length = utf16_units(mention)
        update["message"]["entities"] = [{"type": "mention", "offset": 0, "length": length}]
        return update
    if kind == "channel":
        post = {
            "message_id": 7,
            "date": int(time.time()),
            "chat": {"id": CHANNEL, "type": "channel", "title": "News"},
            "sender_chat": {"id": CHANNEL, "type": "channel", "title": "News"},
            "text": content,
        }
        return {"update_id": 1, "channel_post": post}
    addressee = {"ours": f"@{BOT_NAME}", "theirs": "@other_bot", "bare": ""}[kind]
    return member.message(f"/{content}{addressee}")


def test_in_groups_the_bot_speaks_only_when_addressed(
    start_bot: Callable[[Settings], RunningBot], service: KnowledgeService
) -> None:
    bot = start_bot(Settings(admin_ids=frozenset({OWNER}), flood_limit=NO_FLOOD))
    before = content_of(service)
    members = [
        UpdateFactory(user_id=user_id, chat_id=GROUP, chat_type=chat_type)
        for user_id in (STRANGER, OWNER)
        for chat_type in ("group", "supergroup")
    ]

    @hypothesis_settings(examples=250)
    @given(st.lists(st.tuples(st.sampled_from(range(len(members))), group_actions()), max_size=3))
    def group_chats(turns: list[tuple[int, list[Action]]]) -> None:
        for member_index, actions in turns:
            for kind, content in actions:
                update = group_update(members[member_index], kind, content)
                sent = replies(bot.deliver(update))
                if kind in ("plain", "theirs", "channel"):
                    assert not sent, f"the bot spoke unasked: {update!r} -> {sent}"
                if kind in ("mention", "reply") or (kind == "ours" and content in MENU_COMMANDS):
                    assert sent, f"no answer to {update!r}"
        assert content_of(service) == before, "admin commands must do nothing in groups"

    group_chats()


# Examples the generators found, kept as plain regression tests ---------------------------------


def test_digits_int_cannot_read_name_no_entry(start_bot: Callable[[Settings], RunningBot]) -> None:
    bot = start_bot(Settings(flood_limit=NO_FLOOD))
    user = UpdateFactory(user_id=STRANGER)
    for data in ("show:faq:²", "vote:up:faq:²", "show:faq:①"):
        calls = bot.deliver(user.callback(data, bot_message(user, True, 1)))
        assert alerts(calls) == ["This button is no longer valid. Please ask again."]


def test_a_command_for_another_bot_in_a_group_is_left_to_it(
    start_bot: Callable[[Settings], RunningBot],
) -> None:
    bot = start_bot(Settings(flood_limit=NO_FLOOD))
    member = UpdateFactory(user_id=STRANGER, chat_id=GROUP, chat_type="supergroup")
    assert not replies(bot.deliver(member.message("/start@other_bot")))
    assert not replies(bot.deliver(member.message("/quiz@other_bot now")))
    [unknown] = replies(bot.deliver(member.message(f"/quiz@{BOT_NAME}")))
    assert "I don't know that command" in unknown["text"]
    [private] = replies(bot.deliver(UpdateFactory(user_id=STRANGER).message("/quiz@other_bot")))
    assert "I don't know that command" in private["text"]


def test_a_question_with_a_lone_surrogate_is_answered_and_kept_for_the_admins(
    start_bot: Callable[[Settings], RunningBot], service: KnowledgeService
) -> None:
    bot = start_bot(Settings(flood_limit=NO_FLOOD))
    user = UpdateFactory(user_id=STRANGER)
    [reply] = replies(bot.deliver(user.message("price of tea \ud83d")))
    assert reply["text"].startswith("I don't have an answer to that yet.")
    [echo] = replies(bot.deliver(user.message("/search tea\udfff")))
    assert "tea\ufffd" in echo["text"]
    service.activity.flush()  # the question is written down, not lost with every later one
    assert [row["text"] for row in service.kb.unanswered()] == ["price of tea \ufffd"]


def test_a_word_of_4096_letters_is_answered_in_bounded_memory(tmp_path: Path) -> None:
    """Found by the generators: the typo search grew with the cube of a word's length, and one
    message of 4096 letters without a space took the machine's memory (23 GB, then the OOM
    killer). Asked in a process limited to 2 GB, so that a regression fails instead."""
    word = "".join(random.Random(MESSAGE_LIMIT).choices(string.ascii_lowercase, k=MESSAGE_LIMIT))
    env = clean_environment(BOT_DATA_DIR=str(tmp_path / "data"))

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 10**9, 2 * 10**9))

    result = run_bot_py(tmp_path, "ask", word, env=env, preexec_fn=limit_memory)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("I don't have an answer to that yet.")
