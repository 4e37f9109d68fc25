"""Every user is answered in their language: Russian, Chinese, English, German."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from handlers.context import services_of
from knowledge.matching.text import detect_language
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, buttons, chat_with, run_bot

# (question with typos, paraphrase or inflection, the entry that answers it)
QUESTIONS = {
    "en": [
        ("wen was the agrement signd", "faq:2"),
        ("how much does moscow export to china", "faq:13"),
        ("subwya agreement", "faq:12"),
    ],
    "ru": [
        ("когда подписали саглашение", "faq:2"),  # typo
        ("кто подписал соглашения", "faq:2"),  # inflection: соглашения / соглашение
        ("товарооборот москвы и китая", "faq:13"),
        ("сколько москва экспортирует в китай", "faq:13"),
        ("сотрудничество по коронавирусу", "faq:11"),
        ("что такое две зоны", "faq:17"),
        ("база данных экспертов", "faq:7"),
    ],
    "zh": [
        ("协议什么时候签署的", "faq:2"),
        ("谁签署了协议", "faq:2"),
        ("莫斯科和中国的贸易额是多少", "faq:13"),
        ("地铁合作", "faq:12"),
        ("哪些乐团参加了音乐会", "faq:14"),
        ("两区是什么", "faq:17"),
        ("专家数据库", "faq:7"),
    ],
    "de": [
        ("Wann wurde das Abkommen unterzeichnet", "faq:2"),
        ("wann wurde das abkomen unterzeichnt", "faq:2"),  # typos
        ("Handelsvolumen Moskau China", "faq:13"),
        ("U-Bahn Abkommen", "faq:12"),
        ("welche Orchester spielten beim Galakonzert", "faq:14"),
        ("Was sind die zwei Zonen", "faq:17"),
    ],
}
OUT_OF_SCOPE = {
    "en": ["what's the weather in Paris", "recipe for chocolate cake"],
    "ru": ["погода в париже", "рецепт шоколадного торта"],
    "zh": ["巴黎天气怎么样", "巧克力蛋糕的做法"],
    "de": ["Wie ist das Wetter in Paris", "Rezept für Schokoladenkuchen"],
}


@pytest.mark.parametrize(
    ("lang", "question", "expected"),
    [(lang, q, e) for lang, pairs in QUESTIONS.items() for q, e in pairs],
)
def test_questions_in_every_language_find_their_entry(
    service: KnowledgeService, lang: str, question: str, expected: str
) -> None:
    answer = service.ask(question, lang)
    assert answer.matched, (question, answer.suggestions)
    assert str(answer.ref) == expected


@pytest.mark.parametrize(
    ("lang", "question"), [(lang, q) for lang, qs in OUT_OF_SCOPE.items() for q in qs]
)
def test_out_of_scope_in_every_language_is_not_answered(
    service: KnowledgeService, lang: str, question: str
) -> None:
    assert service.ask(question, lang).outcome == "none"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Когда подписали соглашение?", "ru"),
        ("协议什么时候签署的？", "zh"),
        ("Wann wurde das Abkommen unterzeichnet?", "de"),
        ("Wer hat unterschrieben?", "de"),
        ("Öffnungszeiten", "de"),
        ("When was the agreement signed?", "en"),
        ("2021–2023?", None),
    ],
)
def test_the_language_of_a_question_is_recognised(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


@pytest.fixture
async def chat(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, Settings(admin_ids=frozenset({OWNER}))) as conversation:
        yield conversation


async def test_answers_follow_the_telegram_language(chat: Chat) -> None:
    russian = chat.as_user(user_id=2001, first_name="Иван", language_code="ru")
    [reply] = await russian.send("agreement signing date")  # no language of its own
    assert "7 декабря 2020 года" in reply["text"] and "Собянин" in reply["text"]
    assert "Источник" in reply["text"] or "Китай" in reply["text"] or "China Daily" in reply["text"]


async def test_without_a_telegram_language_the_question_language_decides(chat: Chat) -> None:
    anonymous = chat.as_user(user_id=2002, first_name="Li", language_code=None)
    [chinese] = await anonymous.send("协议什么时候签署的？")
    assert "2020年12月7日" in chinese["text"]
    [german] = await anonymous.send("Wann wurde das Abkommen unterzeichnet?")
    assert "7. Dezember 2020" in german["text"]
    [english] = await anonymous.send("/agreement")  # a command has no language of its own
    assert "The Moscow–Beijing cooperation program" in english["text"]


async def test_the_language_chosen_with_language_wins_and_is_remembered(
    chat: Chat, make_service: Callable[..., KnowledgeService], service: KnowledgeService
) -> None:
    user = chat.as_user(user_id=2003, first_name="Hans", language_code="de")
    [menu] = await user.send("/language")
    labels = [label for label, _ in buttons(menu)]
    assert labels[:4] == ["English", "Deutsch", "Русский", "中文"]
    [confirmed] = await user.press("lang:zh", menu)
    assert confirmed["text"] == service.catalog.text("zh", "language.set")
    [reply] = await user.send("Wann wurde das Abkommen unterzeichnet?")  # German question
    assert "2020年12月7日" in reply["text"]  # Chinese answer: the choice wins

    directory: Path = service.kb.path.parent
    service.close()
    async with chat_with(make_service(directory=directory)) as restarted:
        user = restarted.as_user(user_id=2003, first_name="Hans", language_code="de")
        [reply] = await user.send("/help")
        assert (
            "/language" in reply["text"]
            and reply["text"] == services_of(restarted.application).kb.help("zh").plain
        )
        [menu] = await user.send("/language")
        [automatic] = await user.press("lang:auto", menu)
        assert automatic["text"].startswith("✅")
        [reply] = await user.send("agreement signing date")  # no language of its own
        assert "7. Dezember 2020" in reply["text"]  # back to the Telegram language


async def test_a_chinese_question_is_answered_in_chinese_for_a_russian_reader(chat: Chat) -> None:
    user = chat.as_user(user_id=2004, first_name="Ольга", language_code="ru")
    [reply] = await user.send("莫斯科和中国的贸易额是多少")
    assert "205亿美元" in reply["text"]
    [keywords] = await user.send("Moskau China 2020")  # no clear language: the reader's
    assert "20,5 млрд долларов" in keywords["text"]


async def test_a_missing_translation_falls_back_to_english_and_says_so(chat: Chat) -> None:
    [saved] = await chat.send("/addfaq Is there a ferry between the capitals? | There is none.")
    assert "Saved as faq:24" in saved["text"]
    russian = chat.as_user(user_id=2005, first_name="Пётр", language_code="ru")
    [reply] = await russian.send("ferry capitals")  # no language of its own: the reader's
    assert "There is none." in reply["text"]
    note = services_of(chat.application).kb.catalog.template("ru", "answer.untranslated")
    assert (
        note.replace("<i>", "").replace("</i>", "").format(language="английский") in reply["text"]
    )
    [listing] = await chat.send("/faq 3")
    assert "#24" in listing["text"] and "missing: de, ru, zh" in listing["text"]


async def test_admins_write_in_a_language_and_translate(chat: Chat) -> None:
    [saved] = await chat.send("/addfaq ru Есть ли паром между столицами? | Парома нет.")
    assert "faq:24" in saved["text"]
    [prompt] = await chat.send("/translate 24 en")
    assert "Парома нет." in prompt["text"]  # the admin sees the text to translate
    await chat.send("Is there a ferry between the capitals?")
    await chat.send("/skip")
    [preview] = await chat.send("There is no ferry.")
    [done] = await chat.press("form:save", preview)
    assert "saved" in done["text"]
    [one_line] = await chat.send("/translate 24 de Gibt es eine Fähre? | Es gibt keine Fähre.")
    assert "saved" in one_line["text"]
    german = chat.as_user(user_id=2006, first_name="Uta", language_code="de")
    [reply] = await german.send("Gibt es eine Fähre?")
    assert "Es gibt keine Fähre." in reply["text"]
    [bad] = await chat.send("/translate 24 fr")
    assert "not one of my languages" in bad["text"]


async def test_dates_and_numbers_are_written_the_local_way(chat: Chat) -> None:
    expected = {"en": "7 December 2020", "ru": "7 декабря 2020", "zh": "2020年12月7日",
                "de": "7. Dezember 2020"}  # fmt: skip
    for number, (lang, date_text) in enumerate(expected.items()):
        user = chat.as_user(user_id=3000 + number, language_code=lang)
        [events] = await user.send("/events")
        assert date_text in events["text"], lang


async def test_the_command_menu_is_registered_in_each_language(chat: Chat) -> None:
    await chat.application.post_init(chat.application)
    menus = {key.split("|")[1]: cmds for key, cmds in chat.api.commands.items() if "default" in key}
    assert set(menus) == {"", "en", "ru", "zh", "de"}
    assert {c["command"] for c in menus["ru"]} == {c["command"] for c in menus["en"]}
    assert menus["ru"][0]["description"] != menus["en"][0]["description"]


def test_ask_takes_a_reply_language_or_follows_the_question(tmp_path: Path) -> None:
    forced = run_bot(tmp_path, "ask", "--json", "--lang", "ru", "when was the agreement signed")
    assert "7 декабря 2020 года" in json.loads(forced.stdout)["answer"]
    followed = run_bot(tmp_path, "ask", "--json", "协议什么时候签署的")
    assert "2020年12月7日" in json.loads(followed.stdout)["answer"]
    bad = run_bot(tmp_path, "ask", "--lang", "fr", "hello")
    assert bad.returncode == 2 and "--lang must be one of en, de, ru, zh" in bad.stderr
