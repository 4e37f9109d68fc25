"""Admins keep the knowledge base current from the chat: every command and button, driven
through Application.process_update as an owner, an admin and a non-admin."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from handlers.context import services_of
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, Clock, buttons, chat_with, data, file_of, text_of

OWNERS = Settings(admin_ids=frozenset({OWNER}))
STRANGER = 555


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService], clock: Clock) -> KnowledgeService:
    return make_service(clock=clock)


@pytest.fixture
async def owner(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, OWNERS) as chat:
        yield chat


async def answer_to(chat: Chat, question: str) -> str:
    stranger = chat.as_user(user_id=STRANGER + 1, first_name="Olga")
    return text_of(await stranger.send(question))


# Who may do what ----------------------------------------------------------------------------

ADMIN_COMMANDS = [
    "/addfaq Is there a ferry? | Yes.",
    "/addfaq",
    "/editfaq 2",
    "/editfaq 2 answer | Changed.",
    "/delfaq 2",
    "/addalt 2 signing date",
    "/faq",
    "/addevent 2027-01-10 | Forum",
    "/addevent",
    "/editevent 1",
    "/delevent 1",
    "/addcontact Moscow City Duma",
    "/addcontact",
    "/editcontact 1",
    "/delcontact 1",
    "/synonyms",
    "/synonym add tube metro",
    "/synonym del metro",
    "/undo",
    "/history 2",
    "/unanswered",
    "/stats",
    "/export",
    "/import",
    "/admins",
    "/addadmin 777",
    "/deladmin 777",
]


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_a_non_admin_is_refused_every_admin_command_and_nothing_changes(
    owner: Chat, service: KnowledgeService, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = owner.as_user(user_id=STRANGER, first_name="Eve")
    before = file_of(service)
    with caplog.at_level(logging.WARNING):
        [reply] = await stranger.send(command)
    assert reply["text"] == "Sorry, this command is only for the bot's administrators."
    assert file_of(service) == before
    assert f"from user {STRANGER}" in caplog.text  # the attempt is logged
    assert not owner.api.documents  # /export sent nothing


ADMIN_BUTTONS = [
    "form:save",
    "form:cancel",
    "form:field:answer",
    "form:alt:2",
    "form:new",
    "del:faq:2",
    "undo:1",
    "un:new:1",
    "un:attach:1:2",
    "un:dismiss:1",
    "faqs:2",
    "import:0123456789ab",
    "cancel",
]


@pytest.mark.parametrize("data_", ADMIN_BUTTONS)
async def test_a_non_admin_pressing_an_admin_button_is_refused_and_nothing_changes(
    owner: Chat, service: KnowledgeService, data_: str
) -> None:
    await owner.send("what is the price of tea")  # an unanswered question exists
    stranger = owner.as_user(user_id=STRANGER, first_name="Eve")
    [menu] = await stranger.send("/start")
    before = file_of(service)
    replies = await stranger.press(data_, menu)
    assert file_of(service) == before
    assert all("✅" not in r["text"] for r in replies)
    assert stranger.alerts[-1] in (
        "Sorry, this command is only for the bot's administrators.",
        "This button is no longer valid. Please ask again.",
    )


async def test_admin_commands_do_nothing_in_groups_even_for_owners(
    owner: Chat, service: KnowledgeService
) -> None:
    group = owner.as_user(user_id=OWNER, chat_id=-100555, chat_type="supergroup")
    before = file_of(service)
    for command in ("/addfaq Is there a ferry? | Yes.", "/delfaq 2", "/export", "/stats"):
        assert await group.send(command) == []
    assert file_of(service) == before


async def test_owner_adds_and_removes_an_admin_who_can_then_edit(
    owner: Chat, service: KnowledgeService
) -> None:
    colleague = owner.as_user(user_id=777, first_name="Li")
    [refused] = await colleague.send("/addfaq Ferry? | Yes.")
    assert "only for the bot's administrators" in refused["text"]
    [added] = await owner.send("/addadmin 777")
    assert "777" in added["text"] and "is now an administrator" in added["text"]
    [saved] = await colleague.send("/addfaq Is there a ferry between the cities? | No ferry.")
    assert "Saved as" in saved["text"]
    [not_owner] = await colleague.send("/addadmin 888")  # admins cannot appoint admins
    assert "only for the bot's administrators" in not_owner["text"]
    [listing] = await owner.send("/admins")
    assert "1001" in listing["text"] and "777" in listing["text"]
    [removed] = await owner.send("/deladmin 777")
    assert "no longer an administrator" in removed["text"]
    [refused] = await colleague.send("/faq")
    assert "only for the bot's administrators" in refused["text"]


async def test_admin_added_by_replying_to_a_forwarded_message(owner: Chat) -> None:
    sender = {"id": 778, "is_bot": False, "first_name": "Wang", "last_name": "Fang"}
    forwarded = owner.user.forwarded_from(sender)["message"]
    [added] = await owner.process(owner.user.message("/addadmin", reply_to_message=forwarded))
    assert "778" in added["text"] and "Wang Fang" in added["text"]
    assert services_of(owner.application).admin.is_admin(778)
    admin_menu = owner.api.commands.get('{"chat_id": 778, "type": "chat"}|')
    assert admin_menu and any(c["command"] == "addfaq" for c in admin_menu)


async def test_owners_cannot_be_removed_from_the_chat(owner: Chat) -> None:
    [reply] = await owner.send("/deladmin 1001")
    assert "BOT_ADMIN_IDS" in reply["text"]


async def test_admin_list_survives_a_restart(
    owner: Chat, make_service: Callable[..., KnowledgeService], service: KnowledgeService
) -> None:
    await owner.send("/addadmin 777")
    directory = service.kb.path.parent
    service.close()
    restarted = make_service(directory=directory)
    async with chat_with(restarted, OWNERS) as chat:
        [saved] = await chat.as_user(user_id=777).send("/addfaq Ferry? | No ferry.")
    assert "Saved as" in saved["text"]


# Adding, editing, deleting ------------------------------------------------------------------


async def test_guided_addfaq_from_start_to_save(owner: Chat) -> None:
    [prompt] = await owner.send("/addfaq")
    assert "Send the <b>question</b>" in prompt["html"]
    [prompt] = await owner.send("Is there a ferry between Moscow and Beijing?")
    assert "other ways to ask" in prompt["text"]
    [prompt] = await owner.send("ferry connection\nboat between the capitals")
    assert "Send the answer" in prompt["text"]
    [prompt] = await owner.send("No. The cities are connected by air and rail only.")
    assert "tags" in prompt["text"]
    [preview] = await owner.send("transport, ferry")
    assert "Preview" in preview["text"] and "connected by air and rail" in preview["text"]
    assert buttons(preview) == [("💾 Save", "form:save"), ("✖ Cancel", "form:cancel")]
    [saved] = await owner.press("form:save", preview)
    assert "Saved as faq:24" in saved["text"]
    assert "connected by air and rail" in await answer_to(owner, "boat betwen the capitals")


async def test_guided_form_rejects_bad_input_and_asks_again(owner: Chat) -> None:
    await owner.send("/addfaq")
    [again] = await owner.send("x" * 301)
    assert "Question is too long: 301 characters, at most 300." in again["text"]
    assert "Send the question" in again["text"]
    await owner.send("Is there a ferry?")
    await owner.send("/skip")  # alternates are optional
    [again] = await owner.send("/skip")  # the answer is not
    assert "This part is required" in again["text"]
    [again] = await owner.send("y" * 4001)
    assert "Answer is too long: 4001 characters, at most 4000." in again["text"]


async def test_cancel_leaves_a_form_and_saves_nothing(
    owner: Chat, service: KnowledgeService
) -> None:
    before = file_of(service)
    await owner.send("/addfaq")
    await owner.send("Is there a ferry?")
    [cancelled] = await owner.send("/cancel")
    assert cancelled["text"] == "Cancelled. Nothing was changed."
    assert file_of(service) == before
    [answer] = await owner.send("who signed the agreement")  # back to normal questions
    assert "Sobyanin" in answer["text"]


async def test_one_line_addfaq_is_answerable_at_once(owner: Chat) -> None:
    [saved] = await owner.send("/addfaq Is there a ferry between the capitals? | There is none.")
    assert "Saved as faq:24" in saved["text"]
    assert "There is none." in await answer_to(owner, "ferry between the capitals")


async def test_one_line_with_a_missing_part_explains_the_form(owner: Chat) -> None:
    [reply] = await owner.send("/addfaq Only a question")
    assert "/addfaq Question | Answer" in reply["text"]


async def test_a_near_duplicate_is_offered_as_an_alternate_instead(owner: Chat) -> None:
    [offer] = await owner.send("/addfaq When was the agreement signed? | On 7 December 2020.")
    assert "looks like entry #2" in offer["text"]
    [done] = await owner.press(data(offer, "Add to #2"), offer)
    assert "Entry #2 already asks exactly this; nothing was added." in done["text"]
    [offer] = await owner.send("/addfaq When was the program signed? | Soon.")
    [done] = await owner.press(data(offer, "Add to #2"), offer)
    assert "Added 1 phrasing to entry #2." in done["text"]
    [offer] = await owner.send("/addfaq When was the program signed? | Later.")
    [kept] = await owner.press(data(offer, "Keep as a new entry"), offer)
    assert "Saved as faq:24" in kept["text"]


async def test_editfaq_shows_before_and_after_and_changes_the_answer(owner: Chat) -> None:
    [choice] = await owner.send("/editfaq 13")
    assert "Editing faq:13" in choice["text"] and "$20.5 billion" in choice["text"]
    [prompt] = await owner.press("form:field:answer", choice)
    assert "Now:" in prompt["text"] and "$20.5 billion" in prompt["text"]
    [preview] = await owner.send("Trade grew by 10% to $20.5 billion (January–September 2020).")
    assert "before:" in preview["text"] and "after:" in preview["text"]
    [saved] = await owner.press("form:save", preview)
    assert "faq:13 saved" in saved["text"]
    text = await answer_to(owner, "how much trade is there between moscow and china")
    assert "January–September 2020" in text
    assert "the bot's editors" in text  # an edited answer names its editors as a source


async def test_one_line_edit_of_a_field(owner: Chat) -> None:
    [saved] = await owner.send("/editfaq 13 tags | trade, economy, figures")
    assert "Tags" in saved["text"] and "figures" in saved["text"]
    [bad] = await owner.send("/editfaq 13 colour | red")
    assert "There is no field" in bad["text"]
    [usage] = await owner.send("/editfaq")
    assert "/editfaq ID" in usage["text"]
    [missing] = await owner.send("/editfaq 999")
    assert missing["text"] == "There is no entry faq:999."


async def test_delfaq_asks_first_then_deletes_and_undo_brings_it_back(owner: Chat) -> None:
    [confirm] = await owner.send("/delfaq 14")
    assert "Delete faq:14?" in confirm["text"] and "gala concert" in confirm["text"]
    [deleted] = await owner.press(data(confirm, "Delete"), confirm)
    assert "faq:14 deleted" in deleted["text"]
    assert "Bolshoi" not in await answer_to(owner, "which orchestras played at the gala concert")
    [offer] = await owner.send("/undo")
    assert "Undo your last change?" in offer["text"] and "deleted" in offer["text"]
    [undone] = await owner.press(data(offer, "Undo"), offer)
    assert "Undone" in undone["text"]
    assert "Bolshoi" in await answer_to(owner, "which orchestras played at the gala concert")


async def test_addalt_adds_a_phrasing(owner: Chat) -> None:
    [added] = await owner.send("/addalt 12 tube treaty")
    assert "now also answers" in added["text"]
    assert "five-year term" in await answer_to(owner, "tube treaty")
    [again] = await owner.send("/addalt 12 tube treaty")
    assert "already has that phrasing" in again["text"]


async def test_faq_list_is_paginated(owner: Chat) -> None:
    [first] = await owner.send("/faq")
    assert "page 1 of 3" in first["text"] and "#1 What is the Moscow" in first["text"]
    assert buttons(first) == [("Next ▶", "faqs:2")]
    [third] = await owner.press("faqs:3", first)
    assert "page 3 of 3" in third["text"] and "#22" in third["text"]
    assert buttons(third) == [("◀ Previous", "faqs:2")]


async def test_events_one_line_and_guided(owner: Chat) -> None:
    [saved] = await owner.send("/addevent 2027-03-15 14:30 | Metro expert visit | Beijing")
    assert "Saved as event:5" in saved["text"]
    await owner.send("/addevent")
    await owner.send("Joint tourism week")
    [bad] = await owner.send("next spring")
    assert "not a date I understand" in bad["text"]
    await owner.send("2027-05")
    await owner.send("Moscow")
    [preview] = await owner.send("/skip")
    [saved] = await owner.press("form:save", preview)
    assert "Saved as event:6" in saved["text"]
    [events] = await owner.send("/events")
    upcoming = events["text"].split("Past")[0]
    assert upcoming.index("15 March 2027") < upcoming.index("May 2027")
    [confirm] = await owner.send("/delevent 5")
    await owner.press(data(confirm, "Delete"), confirm)
    [events] = await owner.send("/events")
    assert "Metro expert visit" not in events["text"]


async def test_contacts_one_line_edit_and_delete(owner: Chat) -> None:
    [saved] = await owner.send(
        "/addcontact Moscow City Duma | City parliament | Moscow | Official site | https://duma.mos.ru/"
    )
    assert "Saved as contact:9" in saved["text"]
    [bad] = await owner.send("/editcontact 9 website | duma dot ru")
    assert "not a website address" in bad["text"]
    [edited] = await owner.send("/editcontact 9 role | Moscow's legislature")
    assert "legislature" in edited["text"]
    [contacts] = await owner.send("/contacts")
    assert "Moscow City Duma" in contacts["text"] and "legislature" in contacts["text"]
    [confirm] = await owner.send("/delcontact 9")
    await owner.press(data(confirm, "Delete"), confirm)
    [contacts] = await owner.send("/contacts")
    assert "Moscow City Duma" not in contacts["text"]


async def test_cards_with_only_the_required_fields_have_no_gaps(owner: Chat) -> None:
    await owner.send("/addcontact Moscow City Duma")
    [contacts] = await owner.send("/contacts")
    assert "\n\nMoscow City Duma\n\n" in contacts["text"]
    assert "Moscow City Duma –" not in contacts["text"]
    [card] = await owner.send("/start contact_9")
    assert card["text"].startswith("👤 Moscow City Duma\n\nSource:")
    await owner.send("/addevent 2027-01-15 | Joint tourism week")
    [event] = await owner.send("/start event_5")
    assert event["text"].startswith("📅 Joint tourism week\n15 January 2027\n\nSource:")


# Synonyms, undo, history ----------------------------------------------------------------------


async def test_synonyms_make_words_count_as_one(owner: Chat) -> None:
    [listing] = await owner.send("/synonyms")
    assert "metro, subway, underground" in listing["text"]  # seeded
    assert "five-year term" in await answer_to(owner, "underground agreement")
    assert "five-year term" not in await answer_to(owner, "tube pact")
    [added] = await owner.send("/synonym add tube metro")
    assert "tube" in added["text"] and "underground" in added["text"]  # merged into the group
    await owner.send("/synonym add pact agreement deal")
    assert "five-year term" in await answer_to(owner, "tube pact")
    [removed] = await owner.send("/synonym del tube")
    assert "no longer a synonym" in removed["text"]
    [bad] = await owner.send("/synonym add lonely")
    assert "at least two different words" in bad["text"]


async def test_undo_only_within_ten_minutes_and_only_ones_own(owner: Chat, clock: Clock) -> None:
    await owner.send("/addfaq Is there a ferry? | No.")
    clock.advance(minutes=11)
    [late] = await owner.send("/undo")
    assert "no change of yours from the last 10 minutes" in late["text"]
    await owner.send("/addadmin 777")
    colleague = owner.as_user(user_id=777)
    [nothing] = await colleague.send("/undo")  # the owner's change is not theirs to undo
    assert "no change of yours" in nothing["text"]


async def test_undo_refuses_to_clobber_a_later_change_by_someone_else(owner: Chat) -> None:
    await owner.send("/addadmin 777")
    await owner.send("/editfaq 13 answer | First correction.")
    await owner.as_user(user_id=777).send("/editfaq 13 answer | Second correction.")
    [offer] = await owner.send("/undo")
    [refused] = await owner.press(data(offer, "Undo"), offer)
    assert "Someone changed it again since" in refused["text"]
    assert "Second correction." in await answer_to(owner, "trade between moscow and china")


async def test_history_shows_who_changed_what(owner: Chat) -> None:
    await owner.send("/editfaq 13 answer | First correction.")
    await owner.send("/addalt 13 commerce figures")
    [history] = await owner.send("/history 13")
    assert "Changes of faq:13" in history["text"]
    assert history["text"].count("edited faq:13 by 1001") == 2
    assert "Answer" in history["text"] and "Questions" in history["text"]
    [none] = await owner.send("/history event:2")
    assert "No recorded changes" in none["text"]


# Learning from users ------------------------------------------------------------------------


async def test_unanswered_questions_can_become_faq_entries(owner: Chat) -> None:
    user = owner.as_user(user_id=4000, first_name="Masha")
    for _ in range(3):
        await user.send("Is there a ferry to Beijing?")
    await user.send("Is there a Beijing restaurant week for the forum?")
    await user.send("can I go by ferry")
    [title, ferry, restaurants, _] = await owner.send("/unanswered")
    assert "Unanswered questions</b> (3)" in title["html"]
    assert "asked 3 times, last on 2026-11-22" in ferry["text"]
    # Nothing in the knowledge base is close enough to attach either question to.
    assert not [label for label, _ in buttons(ferry) + buttons(restaurants) if "Attach" in label]
    [prompt] = await owner.press(data(ferry, "New FAQ"), ferry)
    assert "other ways to ask" in prompt["text"]  # the question is already filled in
    await owner.send("/skip")
    await owner.send("There is no ferry; fly or take the train.")
    [preview] = await owner.send("/skip")
    assert "Is there a ferry to Beijing?" in preview["text"]
    await owner.press("form:save", preview)

    [_, _, boat] = await owner.send("/unanswered")
    [attached] = await owner.press(data(boat, "Attach to #24"), boat)  # the new entry
    assert "Added to entry #24" in attached["text"]
    assert "fly or take the train" in await answer_to(owner, "can I go by ferry")
    [_, left] = await owner.send("/unanswered")
    assert "restaurant week" in left["text"]


async def test_dismiss_removes_an_unanswered_question(owner: Chat) -> None:
    await owner.as_user(user_id=4000).send("tell me a joke")
    [_, joke] = await owner.send("/unanswered")
    [dismissed] = await owner.press(data(joke, "Dismiss"), joke)
    assert "Dismissed" in dismissed["text"]
    [left] = await owner.send("/unanswered")
    assert "No unanswered questions" in left["text"]


async def test_votes_and_stats(owner: Chat) -> None:
    users = [owner.as_user(user_id=5000 + n, first_name=f"U{n}") for n in range(3)]
    for user in users:
        [answer] = await user.send("how much trade is there between moscow and china")
        vote = "vote:down:faq:13" if user is not users[0] else "vote:up:faq:13"
        await user.press(vote, answer)
    assert users[0].alerts[-1] == "Thank you for your feedback!"
    await users[0].send("recipe for chocolate cake")
    [stats] = await owner.send("/stats")
    text = stats["text"]
    assert "Entries: 23 FAQ, 4 events, 8 contacts" in text
    assert "Questions asked: 4, answered: 3 (75%)" in text
    assert "How much trade is there between Moscow and China? – 3" in text
    assert "👍 1 · 👎 2" in text


# Export and import --------------------------------------------------------------------------


async def test_export_then_import_round_trip_gives_the_same_knowledge_base(
    owner: Chat, service: KnowledgeService
) -> None:
    await owner.send("/export")
    [document] = owner.api.documents
    assert document["filename"] == "knowledge-2026-11-22.json"
    exported = json.loads(document["content"])
    assert len(exported["faq"]) == 23 and exported["format"] == "moscow-beijing-bot/1"
    content_before = service.kb.content()
    upload = owner.api.upload(document["content"], "knowledge.json")
    [same] = await owner.process(owner.user.document(upload, caption="/import"))
    assert "nothing to import" in same["text"]

    exported["faq"] = [e for e in exported["faq"] if e["id"] != 14]
    exported["faq"][0]["answer"]["en"] = "A shorter overview."
    changed = owner.api.upload(json.dumps(exported).encode(), "edited.json")
    [summary] = await owner.process(owner.user.document(changed, caption="/import"))
    assert "FAQ entries: 0 added, 1 changed, 1 removed" in summary["text"]
    [done] = await owner.press(data(summary, "Apply"), summary)
    assert "Imported" in done["text"]
    assert "A shorter overview." in await answer_to(
        owner, "Moscow Beijing cooperation plan overview"
    )
    [offer] = await owner.send("/undo")
    await owner.press(data(offer, "Undo"), offer)
    assert service.kb.content() == content_before


async def test_import_by_replying_to_a_file(owner: Chat) -> None:
    await owner.send("/export")
    exported = json.loads(owner.api.documents[0]["content"])
    exported["synonyms"].append({"words": ["tube", "metro"]})
    upload = owner.api.upload(json.dumps(exported).encode(), "k.json")
    file_message = owner.user.document(upload)["message"]
    [summary] = await owner.process(owner.user.message("/import", reply_to_message=file_message))
    assert "Synonym groups: 1 added" in summary["text"]


MALFORMED = [
    (b'{"format": "moscow-beijing-bot/1", "faq": [', "not valid JSON (line 1, column 44)"),
    (b"\xff\xfe not text", "not UTF-8"),
    (b"[1, 2, 3]", "one JSON object"),
    (b'{"format": "other"}', "not a file made by /export"),
    (b'{"format": "moscow-beijing-bot/1", "faq": {}}', "faq must be a list"),
    (b'{"format": "moscow-beijing-bot/1", "faq": [{"id": 1}]}', "In faq[0]: the required"),
    (
        b'{"format": "moscow-beijing-bot/1", "faq": [{"id": 1, "questions": {"en": ["Q"]}, '
        b'"answer": {"en": "' + b"x" * 4001 + b'"}}]}',
        "In faq[0]: answer is too long: 4001 characters",
    ),
    (
        b'{"format": "moscow-beijing-bot/1", "faq": [{"id": 1, "questions": {"en": ["Q"]}, '
        b'"answer": {"en": "A"}}, {"id": 1, "questions": {"en": ["R"]}, "answer": {"en": "B"}}]}',
        "In faq[1]: the id 1 appears twice",
    ),
    (
        b'{"format": "moscow-beijing-bot/1", "faq": [{"id": "one", "questions": {"en": ["Q"]}}]}',
        "positive whole-number id",
    ),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"format": "moscow-beijing-bot/1", "secrets": []}', "unknown section"),
]


@pytest.mark.parametrize(("content", "complaint"), MALFORMED)
async def test_a_malformed_import_is_refused_with_the_problem_named_and_changes_nothing(
    owner: Chat, service: KnowledgeService, content: bytes, complaint: str
) -> None:
    before = file_of(service)
    upload = owner.api.upload(content, "bad.json")
    [reply] = await owner.process(owner.user.document(upload, caption="/import"))
    assert "The file was not imported; the knowledge base is unchanged." in reply["text"]
    assert complaint in reply["text"]
    assert buttons(reply) == []
    assert file_of(service) == before


async def test_an_oversized_import_is_refused_before_download(owner: Chat) -> None:
    upload = owner.api.upload(b"{}", "huge.json")
    upload["file_size"] = 50_000_000
    [reply] = await owner.process(owner.user.document(upload, caption="/import"))
    assert "too large to import" in reply["text"]
    assert not any(name == "getFile" for name, _ in owner.api.calls)


async def test_every_change_survives_a_restart(
    owner: Chat, make_service: Callable[..., KnowledgeService], service: KnowledgeService
) -> None:
    await owner.send("/addfaq Is there a ferry between the capitals? | There is none.")
    await owner.send("/synonym add pact agreement")
    directory: Path = service.kb.path.parent
    service.close()
    restarted = make_service(directory=directory)
    assert restarted.ask("ferry between the capitals").reply.plain.count("There is none.") == 1
    assert any({"pact", "agreement"} <= set(group) for group in restarted.kb.synonym_groups())


async def test_admins_see_their_commands_in_help(owner: Chat) -> None:
    [mine] = await owner.send("/help")
    assert "Administrator commands" in mine["text"]
    [theirs] = await owner.as_user(user_id=STRANGER).send("/help")
    assert "Administrator commands" not in theirs["text"]


async def test_myid_tells_anyone_their_id(owner: Chat) -> None:
    [reply] = await owner.as_user(user_id=31337).send("/myid")
    assert "31337" in reply["text"]


async def test_an_edited_admin_command_is_not_run_again(
    owner: Chat, service: KnowledgeService
) -> None:
    await owner.send("/addfaq Is there a ferry? | No.")
    before = file_of(service)
    edited = owner.user.edited_message("/addfaq Is there a ferry at all? | No.")
    assert await owner.process(edited) == []
    assert file_of(service) == before


async def test_an_abandoned_form_times_out_and_questions_are_answered_again(
    owner: Chat,
) -> None:
    [conversation] = [
        h for h in owner.application.handlers[0] if getattr(h, "name", "") == "admin_forms"
    ]
    assert conversation.conversation_timeout == 15 * 60
    await owner.send("/addfaq")
    [timeout] = conversation.timeout_jobs.values()
    await timeout.run(owner.application)  # the 15 minutes pass: run the scheduled job now
    assert "has been closed; nothing was saved" in owner.api.sent[-1]["text"]
    [reply] = await owner.send("who signed the agreement")
    assert "Sobyanin" in reply["text"]
