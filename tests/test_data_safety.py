"""No confirmed change is lost to another admin's form or a stale plan, and every change
keeps the knowledge base importable: driven through the real Application as admins do."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import pytest

from knowledge.records.models import EntryRef
from knowledge.service import KnowledgeService
from knowledge.storage.transfer import export_bytes, plan_import
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, Clock, chat_with, data

SECOND_ADMIN = 2002
OWNERS = Settings(admin_ids=frozenset({OWNER, SECOND_ADMIN}))


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService], clock: Clock) -> KnowledgeService:
    return make_service(clock=clock)


@pytest.fixture
async def admin_a(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, OWNERS) as chat:
        yield chat


@pytest.fixture
def admin_b(admin_a: Chat) -> Chat:
    return admin_a.as_user(user_id=SECOND_ADMIN, first_name="Boris")


def doc_of(service: KnowledgeService, faq_id: int) -> dict:
    doc = service.kb.get_doc(EntryRef("faq", faq_id))
    assert doc is not None
    return doc


def questions_of(service: KnowledgeService, faq_id: int) -> list[str]:
    return doc_of(service, faq_id)["questions"]["en"]


# A guided edit and another admin's change ----------------------------------------------------


async def test_a_form_saved_after_another_admins_change_refuses_and_keeps_theirs(
    admin_a: Chat, admin_b: Chat, service: KnowledgeService
) -> None:
    [choice] = await admin_a.send("/editfaq 1")
    await admin_a.press("form:field:answer", choice)
    [preview] = await admin_a.send("A rewritten overview of the agreement.")
    [added] = await admin_b.send("/addalt 1 the twin cities deal")
    assert "now also answers" in added["text"] or "✅" in added["text"]

    [refused] = await admin_a.press("form:save", preview)
    assert "changed" in refused["text"] and "Questions" in refused["text"]
    assert "the twin cities deal" in questions_of(service, 1)  # B's phrasing is still there
    assert "A rewritten overview" not in json.dumps(doc_of(service, 1))

    [again] = await admin_a.press(data(refused, "Re-apply"), refused)
    assert "A rewritten overview" in again["text"]  # the preview, against the entry as it is
    [saved] = await admin_a.press(data(again, "Save"), again)
    assert "faq:1 saved" in saved["text"]
    doc = doc_of(service, 1)
    assert doc["answer"]["en"] == "A rewritten overview of the agreement."
    assert "the twin cities deal" in doc["questions"]["en"]  # a form saves only what it changed


async def test_a_translation_form_is_bound_to_the_entry_as_it_was(
    admin_a: Chat, admin_b: Chat, service: KnowledgeService
) -> None:
    await admin_a.send("/translate 2 de")
    await admin_a.send("Wann wurde das Programm unterzeichnet?")
    await admin_a.send("/skip")
    await admin_b.send("/editfaq 2 answer | Corrected by B.")
    [preview] = await admin_a.send("Im Dezember 2020.")
    [refused] = await admin_a.press("form:save", preview)
    assert "changed" in refused["text"]
    assert doc_of(service, 2)["answer"]["en"] == "Corrected by B."
    assert doc_of(service, 2)["answer"]["de"] != "Im Dezember 2020."


# Required fields in a translation ------------------------------------------------------------


async def test_a_required_translation_field_offers_no_skip_and_a_refusal_keeps_the_form(
    admin_a: Chat, service: KnowledgeService
) -> None:
    [prompt] = await admin_a.send("/translate 3 de")
    assert "/skip" not in prompt["text"].split("Frage")[-1]  # the question is required
    [refused] = await admin_a.send("/skip")
    assert "required" in refused["text"]
    [alternates] = await admin_a.send("Wer hat das Abkommen unterzeichnet?")
    assert "/skip" in alternates["text"]  # other phrasings are optional
    await admin_a.send("/skip")
    [answer_prompt] = await admin_a.send("/skip")
    assert "required" in answer_prompt["text"]
    [preview] = await admin_a.send("Die beiden Bürgermeister.")
    [saved] = await admin_a.press("form:save", preview)
    assert "saved" in saved["text"]
    assert doc_of(service, 3)["questions"]["de"] == ["Wer hat das Abkommen unterzeichnet?"]


async def test_a_refusal_at_save_goes_back_to_the_field_keeping_the_rest(
    admin_a: Chat, service: KnowledgeService
) -> None:
    await admin_a.send("/addfaq")
    await admin_a.send("Is there a direct train from Moscow to Beijing?")
    # 50 other phrasings pass the field's own check, but with the question they are 51.
    await admin_a.send("\n".join(f"train number {n}" for n in range(50)))
    await admin_a.send("Yes, a weekly train.")
    [preview] = await admin_a.send("/skip")
    [refused] = await admin_a.press("form:save", preview)
    assert "Too many" in refused["text"] and "other ways" in refused["text"]
    [preview] = await admin_a.send("direct train to Beijing\ntrain Moscow Beijing")
    assert "Yes, a weekly train." in preview["text"]  # the rest of the form is kept
    [saved] = await admin_a.press("form:save", preview)
    assert "Saved as faq:24" in saved["text"]


# An import or restore is applied only as it was checked ---------------------------------------


async def upload_changed_export(chat: Chat) -> dict:
    """The bot's own export with one answer changed, sent back with /import: the check."""
    await chat.send("/export")
    exported = json.loads(chat.api.documents[-1]["content"])
    exported["faq"][0]["answer"]["en"] = "A shorter overview."
    upload = chat.api.upload(json.dumps(exported).encode(), "edited.json")
    [summary] = await chat.process(chat.user.document(upload, caption="/import"))
    assert "0 added, 1 changed, 0 removed" in summary["text"]
    return summary


async def test_an_import_checked_before_another_admins_change_is_not_applied(
    admin_a: Chat, admin_b: Chat, service: KnowledgeService
) -> None:
    summary = await upload_changed_export(admin_a)
    [saved] = await admin_b.send("/addfaq Is there a ferry? | No, there is none.")
    assert "Saved as faq:24" in saved["text"]
    [refused] = await admin_a.press(data(summary, "Apply"), summary)
    assert "changed after this file was checked" in refused["text"]
    assert service.kb.get_doc(EntryRef("faq", 24)) is not None  # B's entry is not deleted
    assert doc_of(service, 1)["answer"]["en"] != "A shorter overview."


async def test_an_import_check_expires(
    admin_a: Chat, service: KnowledgeService, clock: Clock
) -> None:
    summary = await upload_changed_export(admin_a)
    clock.advance(minutes=16)
    [refused] = await admin_a.press(data(summary, "Apply"), summary)
    assert "too old" in refused["text"]
    assert doc_of(service, 1)["answer"]["en"] != "A shorter overview."


async def test_a_restore_checked_before_a_change_is_not_applied(
    admin_a: Chat, admin_b: Chat, service: KnowledgeService
) -> None:
    summary = await upload_changed_export(admin_a)
    [done] = await admin_a.press(data(summary, "Apply"), summary)
    assert "Imported" in done["text"]
    [listing] = await admin_a.send("/restore")
    [plan] = await admin_a.press(data(listing, "before an import"), listing)
    await admin_b.send("/addfaq Is there a ferry? | No, there is none.")
    [refused] = await admin_a.press(data(plan, "Restore"), plan)
    assert "changed after" in refused["text"]
    assert service.kb.get_doc(EntryRef("faq", 24)) is not None


# Every path applies the rules an import applies ------------------------------------------------


async def test_merging_synonyms_past_the_group_limit_is_refused_and_the_export_imports(
    admin_a: Chat, service: KnowledgeService
) -> None:
    before = service.kb.synonym_groups()
    refused = None
    for n in range(3):
        words = " ".join(f"metroword{n}x{i}" for i in range(6))
        [reply] = await admin_a.send(f"/synonym add metro {words}")
        if "at most 20" in reply["text"]:
            refused = reply
            break
    assert refused is not None and "/synonym del" in refused["text"]
    metro = next(group for group in service.kb.synonym_groups() if "metro" in group)
    assert len(metro) <= 20
    assert len(service.kb.synonym_groups()) == len(before)
    plan_import(export_bytes(service.kb), service.kb, max_bytes=None)  # no Invalid


# Ids ---------------------------------------------------------------------------------------------


async def test_an_id_is_never_given_twice_not_even_after_a_restart(
    make_service: Callable[..., KnowledgeService], clock: Clock
) -> None:
    first = make_service(clock=clock)
    directory = first.kb.path.parent
    async with chat_with(first, OWNERS) as chat:
        [saved] = await chat.send("/addfaq Is there a ferry? | No, there is none.")
        assert "faq:24" in saved["text"]
        [confirm] = await chat.send("/delfaq 24")
        await chat.press(data(confirm, "Delete"), confirm)
        [confirm] = await chat.send("/delfaq 23")  # the highest of the seed's entries too
        await chat.press(data(confirm, "Delete"), confirm)
    first.close()

    again = make_service(clock=clock, directory=directory)
    async with chat_with(again, OWNERS) as chat:
        [saved] = await chat.send("/addfaq Is there a night train? | Yes, weekly.")
        assert "faq:25" in saved["text"]
        [history] = await chat.send("/history 24")
        assert "deleted" in history["text"] and "added" in history["text"]
        [link] = await chat.send("/start faq_24")
        assert "night train" not in link["text"]


async def test_one_id_rule_for_imports_commands_buttons_and_new_entries(
    admin_a: Chat, service: KnowledgeService
) -> None:
    await admin_a.send("/export")
    exported = json.loads(admin_a.api.documents[-1]["content"])
    exported["faq"][0]["id"] = 1_000_000_000  # ten digits: no command or button could name it
    upload = admin_a.api.upload(json.dumps(exported).encode(), "big-id.json")
    [refused] = await admin_a.process(admin_a.user.document(upload, caption="/import"))
    assert "not imported" in refused["text"]

    exported["faq"][0]["id"] = 999_999_999  # the highest id there is: every path can name it
    upload = admin_a.api.upload(json.dumps(exported).encode(), "top-id.json")
    [summary] = await admin_a.process(admin_a.user.document(upload, caption="/import"))
    await admin_a.press(data(summary, "Apply"), summary)
    [confirm] = await admin_a.send("/delfaq 999999999")
    assert "Delete faq:999999999?" in confirm["text"]
    assert data(confirm, "Delete") == "del:faq:999999999"
    [full] = await admin_a.send("/addfaq Is there a ferry? | No.")
    assert "no more entries can be added" in full["text"]
    plan_import(export_bytes(service.kb), service.kb, max_bytes=None)  # still importable


# The audit trail stays small ----------------------------------------------------------------------


async def test_an_import_records_where_its_backup_is_not_two_copies_of_everything(
    admin_a: Chat, service: KnowledgeService
) -> None:
    size = service.kb.path.stat().st_size
    for n in range(3):
        await admin_a.send("/export")
        exported = json.loads(admin_a.api.documents[-1]["content"])
        exported["faq"][0]["answer"]["en"] = f"Overview, version {n}."
        upload = admin_a.api.upload(json.dumps(exported).encode(), "edited.json")
        [summary] = await admin_a.process(admin_a.user.document(upload, caption="/import"))
        await admin_a.press(data(summary, "Apply"), summary)
    assert service.kb.path.stat().st_size < size * 1.05
    [offer] = await admin_a.send("/undo")  # the replaced content comes back from the backup
    [undone] = await admin_a.press(data(offer, "Undo"), offer)
    assert "Undone" in undone["text"]
    assert doc_of(service, 1)["answer"]["en"] == "Overview, version 1."


def test_the_audit_trail_is_pruned_by_age_and_count(
    service: KnowledgeService, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = service.kb
    for n in range(150):
        kb.record_change(OWNER, "edit", "faq:1", None, {"n": n})
    clock.advance(days=366)
    for n in range(50):  # a year on, the next pruning drops the old ones
        kb.record_change(OWNER, "edit", "faq:1", None, {"n": 1000 + n})
    assert kb.changes()[0]["after"]["n"] == 1000
    monkeypatch.setattr("knowledge.storage.knowledge_base.AUDIT_KEPT", 30)
    for n in range(100):
        kb.record_change(OWNER, "edit", "faq:1", None, {"n": 2000 + n})
    assert len(kb.changes()) <= 30 + 100
    assert kb.changes()[-1]["after"]["n"] == 2099
