"""Every command, free-text question and button, through Application.process_update with real
Update objects built from Bot API JSON. The in-process Bot API refuses what Telegram would
refuse (bad HTML, over-long text, bad button data), and the fixture fails the test if it did."""

from __future__ import annotations

from datetime import date

from telegram.ext import MessageHandler, filters

from handlers.context import services_of
from knowledge.service import KnowledgeService
from knowledge.storage.knowledge_base import UNANSWERED
from tests.conftest import Chat, buttons, chat_with, seed_data, text_of


async def test_start_greets_by_name_and_offers_the_menu(chat: Chat) -> None:
    [reply] = await chat.send("/start")
    assert "Hello, Anna!" in reply["text"]
    assert [data for _, data in buttons(reply)] == [
        "menu:agreement",
        "menu:events",
        "menu:contacts",
        "menu:help",
    ]


async def test_start_escapes_a_name_that_looks_like_html(chat: Chat) -> None:
    other = chat.as_user(user_id=2002, first_name="<b>Ivan</b> & Co")
    [reply] = await other.send("/start")
    assert "Hello, <b>Ivan</b> & Co!" in reply["text"]  # shown literally, not as markup
    assert "&lt;b&gt;Ivan&lt;/b&gt; &amp; Co" in reply["html"]


async def test_menu_buttons_open_each_page(chat: Chat) -> None:
    [menu] = await chat.send("/start")
    pages = {data: text_of(await chat.press(data, menu)) for _, data in buttons(menu)}
    assert "2021–2023" in pages["menu:agreement"]
    assert "Past" in pages["menu:events"]
    assert "Press service of the Moscow mayor's office" in pages["menu:contacts"]
    assert "/search" in pages["menu:help"]
    assert len(chat.api.callback_answers) == 4  # every press is answered


async def test_help_lists_the_commands(chat: Chat) -> None:
    [reply] = await chat.send("/help")
    for command in ("/agreement", "/events", "/contacts", "/search", "/start"):
        assert command in reply["text"]


async def test_agreement_summarises_the_program_with_its_areas(chat: Chat) -> None:
    [reply] = await chat.send("/agreement")
    text = reply["text"]
    assert "7 December 2020" in text and "Sobyanin" in text and "Chen Jining" in text
    for area in ("education", "urban planning", "transport", "public health", "media"):
        assert area in text
    assert "Source: China Daily" in text
    labels = dict(buttons(reply))
    assert "How much trade is there between Moscow and China?" in labels
    [answer] = await chat.press(labels["How much trade is there between Moscow and China?"], reply)
    assert "$20.5 billion" in answer["text"]


async def test_events_lists_upcoming_then_past_relative_to_today(make_service) -> None:
    before_forum = make_service(today=date(2020, 12, 1))
    async with chat_with(before_forum) as chat:
        [reply] = await chat.send("/events")
    text = reply["text"]
    upcoming, past = text.split("Past")
    # On 1 December 2020 the forum (7 Dec) and the gala (December 2020) are still ahead,
    # in date order; the September innovation agreement is past.
    assert upcoming.index("7 December 2020") < upcoming.index("December 2020 ·")
    assert "2022 · Beijing" in upcoming
    assert "September 2020" in past and "September 2020" not in upcoming


async def test_events_today_are_all_past_newest_first(chat: Chat) -> None:
    [reply] = await chat.send("/events")
    text = reply["text"]
    assert "No upcoming events are announced yet." in text
    past = text.split("Past", 1)[1]
    # The gala is known only as "December 2020"; it closed the forum, so it sorts after 7 December.
    dates = ("\n2022 ·", "\nDecember 2020 ·", "\n7 December 2020 ·", "\nSeptember 2020 ·")
    order = [past.index(d) for d in dates]
    assert order == sorted(order)


async def test_contacts_give_official_websites_and_no_invented_numbers(chat: Chat) -> None:
    [reply] = await chat.send("/contacts")
    assert '<a href="https://www.mos.ru/">mos.ru</a>' in reply["html"]
    assert "Sergei Sobyanin" in reply["text"] and "Chen Jining" in reply["text"]
    assert "@" not in reply["text"]
    assert "no telephone numbers" in reply["text"]


async def test_search_ranks_topics_as_buttons_that_answer(chat: Chat) -> None:
    [reply] = await chat.send("/search subway agreement")
    found = buttons(reply)
    assert found[0] == (
        "Is there an agreement between the Moscow and Beijing subways?",
        "show:faq:12",
    )
    [answer] = await chat.press("show:faq:12", reply)
    assert "five-year term" in answer["text"]


async def test_search_without_words_explains_usage(chat: Chat) -> None:
    [reply] = await chat.send("/search")
    assert "/search subway" in reply["text"]


async def test_search_with_no_match_says_so(chat: Chat) -> None:
    [reply] = await chat.send("/search chocolate cake")
    assert "Nothing matches" in reply["text"] and "chocolate cake" in reply["text"]


async def test_free_text_with_typos_is_answered(chat: Chat) -> None:
    [reply] = await chat.send("wen was the agrement signd")
    assert "7 December 2020" in reply["text"]
    assert "video conference" in reply["text"]
    assert "Source:" in reply["text"]


async def test_free_text_paraphrase_is_answered(chat: Chat) -> None:
    [reply] = await chat.send("how much trade is there between Moscow and China")
    assert "$20.5 billion" in reply["text"] and "$1.46 billion" in reply["text"]


async def test_ambiguous_question_offers_at_most_three_choices_that_answer(chat: Chat) -> None:
    [reply] = await chat.send("zhongguancun")
    assert reply["text"].startswith("🤔 Did you mean")
    choices = buttons(reply)
    assert 2 <= len(choices) <= 3
    assert ("What was the September 2020 innovation agreement?", "show:faq:15") in choices
    [answer] = await chat.press("show:faq:15", reply)
    assert "Moscow Innovation Cluster" in answer["text"]


async def test_out_of_scope_question_gets_no_program_fact_and_is_recorded(chat: Chat) -> None:
    [reply] = await chat.send("What's the weather in Paris?")
    text = reply["text"]
    assert text.startswith("I don't have an answer to that yet.")
    assert "mos.ru" in text  # whom to contact
    for fact in ("2020", "Sobyanin", "billion", "signed"):
        assert fact not in text
    service = services_of(chat.application).kb
    kb = service.kb
    service.activity.flush()  # as the periodic job and /unanswered do
    [row] = kb.unanswered()
    assert row["text"] == "What's the weather in Paris?" and row["count"] == 1
    await chat.send("what's the weather in paris")
    service.activity.flush()
    assert kb.unanswered()[0]["count"] == 2  # same question, counted, not duplicated
    assert len(kb.db.table(UNANSWERED)) == 1


async def test_edited_question_is_answered_again(chat: Chat) -> None:
    [reply] = await chat.process(chat.user.edited_message("who signed the agreement"))
    assert "Sobyanin" in reply["text"]


async def test_non_text_message_gets_a_polite_note(chat: Chat) -> None:
    [reply] = await chat.process(chat.user.non_text())
    assert "only read text" in reply["text"]


async def test_unknown_command_points_to_help(chat: Chat) -> None:
    [reply] = await chat.send("/weather")
    assert "/help" in reply["text"]


async def test_forged_button_is_refused_politely_and_changes_nothing(chat: Chat) -> None:
    for data in ("show:faq:abc", "menu:admin", "delete:everything", "show:faq:" + "9" * 40):
        assert await chat.press(data) == []
    assert chat.alerts == ["This button is no longer valid. Please ask again."] * 4


async def test_button_for_a_removed_entry_says_it_is_stale(chat: Chat) -> None:
    [menu] = await chat.send("/start")
    [reply] = await chat.press("show:faq:999", menu)
    assert "no longer valid" in reply["text"]


async def test_long_answer_is_split_into_valid_messages(make_service) -> None:
    seed = seed_data()
    long_answer = " ".join(f"Sentence {n} about the metro & <trams>." for n in range(400))
    seed["faq"].append(
        {
            "id": 99,
            "questions": {"en": ["Tell me everything about trams"]},
            "answer": {"en": long_answer},
            "tags": [],
            "sources": ["chinadaily"],
        }
    )
    async with chat_with(make_service(seed)) as chat:
        replies = await chat.send("everything about trams")
    assert len(replies) >= 4
    assert all(len(reply["text"]) <= 4096 for reply in replies)
    joined = " ".join(reply["text"] for reply in replies)
    assert "Sentence 0 about the metro & <trams>." in joined
    assert "Sentence 399 about the metro & <trams>." in joined


async def test_a_failing_handler_is_reported_to_the_user_and_the_bot_keeps_running(
    chat: Chat,
) -> None:
    async def broken(update, context):
        raise RuntimeError("simulated fault")

    chat.application.add_handler(MessageHandler(filters.Regex("^break$"), broken), group=-1)
    replies = await chat.send("break")
    assert "😕 Sorry, something went wrong on my side." in text_of(replies)
    [answer] = await chat.send("who signed the agreement")
    assert "Sobyanin" in answer["text"]


async def test_in_a_group_only_messages_addressed_to_the_bot_are_answered(
    chat: Chat, service: KnowledgeService
) -> None:
    group = chat.as_user(user_id=3003, first_name="Wang", chat_id=-100123, chat_type="supergroup")
    assert await group.send("who signed the agreement") == []  # colleagues talking
    username = chat.application.bot.username
    mention = f"@{username} who signed the agreement"
    entity = {"type": "mention", "offset": 0, "length": len(username) + 1}
    [reply] = await group.process(group.user.message(mention, entities=[entity]))
    assert "Sobyanin" in reply["text"]
    bot_message = {k: v for k, v in reply.items() if k != "html"}
    [reply] = await group.process(
        group.user.message("and how much trade is there with China?", reply_to_message=bot_message)
    )
    assert "$20.5 billion" in reply["text"]
    assert [row["text"] for row in service.kb.unanswered()] == []
