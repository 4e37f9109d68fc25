"""A knowledge field is one line of its kind's schema plus its catalog texts.

The contact below gains opening hours from one ``Field`` added to a copy of the schema and
three catalog texts; nothing else changes, and the new field is then checked, asked by the
guided form, filled by the one-line commands, translated, shown on the card, edited and carried
through an export and an import like the fields that were there from the start."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import pytest

from knowledge.i18n.catalog import Catalog
from knowledge.records import schema
from knowledge.records.models import EntryRef
from knowledge.records.schema import SCHEMAS, Field, validate_record
from knowledge.records.validation import Invalid
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, Clock, chat_with, data

HOURS = Field("hours", 200, localized=True, translated=True, one_line=6)
HOURS_TEXTS = {
    "en": {
        "field": {"hours": "Opening hours"},
        "prompt": {"contact": {"hours": "🕘 Send their <b>opening hours</b>."}},
        "contact": {"card": "👤 <b>{name}</b>\n{role}\n{organization}\n{reach}\n🕘 {hours}"},
    }
}
DUMA = "/addcontact Moscow City Duma | City parliament | Moscow | by post | https://duma.mos.ru/"
NEW_CONTACT = EntryRef("contact", 9)  # the seed holds eight


@pytest.fixture
def with_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    """The schema with one more contact field, for this test only."""
    monkeypatch.setitem(SCHEMAS, "contact", (*SCHEMAS["contact"], HOURS))


@pytest.fixture
def service(
    with_hours: None, make_service: Callable[..., KnowledgeService], clock: Clock
) -> KnowledgeService:
    return make_service(clock=clock, catalog=Catalog.load().extended(HOURS_TEXTS))


@pytest.fixture
async def owner(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, Settings(admin_ids=frozenset({OWNER}))) as chat:
        yield chat


def hours_of(service: KnowledgeService, ref: EntryRef = NEW_CONTACT) -> dict[str, str]:
    doc = service.kb.get_doc(ref)
    assert doc is not None
    return doc.get("hours", {})


def test_without_its_schema_line_the_field_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        validate_record("contact", {"name": {"en": "Duma"}, "hours": {"en": "9-18"}}, set())
    assert refused.value.key == "invalid.unknown_field"


def test_its_schema_line_gives_its_checks(with_hours: None) -> None:
    record = {"name": {"en": "Duma"}, "hours": {"en": "  Mon-Fri   9-18 "}}
    assert validate_record("contact", record, set())["hours"] == {"en": "Mon-Fri 9-18"}
    with pytest.raises(Invalid) as too_long:
        validate_record("contact", {**record, "hours": {"en": "9" * 201}}, set())
    assert (too_long.value.key, too_long.value.params["limit"]) == ("invalid.too_long", 200)
    with pytest.raises(Invalid) as not_localized:
        validate_record("contact", {**record, "hours": "9-18"}, set())
    assert not_localized.value.key == "invalid.not_localized"
    assert schema.one_line_order("contact")[-1] == "hours"
    assert schema.translated("contact")[-1] == "hours"


async def test_a_one_line_command_fills_it_and_the_card_shows_it(
    owner: Chat, service: KnowledgeService
) -> None:
    [saved] = await owner.send(f"{DUMA} | Mon–Fri 9:00–18:00")
    assert "Saved as contact:9" in saved["text"]
    assert hours_of(service) == {"en": "Mon–Fri 9:00–18:00"}
    [card] = await owner.send("/start contact_9")
    assert "🕘 Mon–Fri 9:00–18:00" in card["text"]
    [edited] = await owner.send("/editcontact 9 hours | Mon–Thu 10:00–17:00")
    assert "Opening hours" in edited["text"] and "Mon–Thu 10:00–17:00" in edited["text"]
    assert hours_of(service) == {"en": "Mon–Thu 10:00–17:00"}
    [too_long] = await owner.send("/editcontact 9 hours | " + "9" * 201)
    assert "at most 200" in too_long["text"]
    assert hours_of(service) == {"en": "Mon–Thu 10:00–17:00"}


async def test_the_guided_form_asks_for_it(owner: Chat, service: KnowledgeService) -> None:
    [prompt] = await owner.send("/addcontact")
    for answer in ("Moscow City Duma", "City parliament", "Moscow", "by post"):
        [prompt] = await owner.send(answer)
    assert "website" in prompt["text"]
    [prompt] = await owner.send("/skip")
    assert "opening hours" in prompt["text"]
    [preview] = await owner.send("Mon–Fri 9:00–18:00")
    assert "🕘 Mon–Fri 9:00–18:00" in preview["text"]
    [saved] = await owner.press(data(preview, "Save"), preview)
    assert "Saved as contact:9" in saved["text"]
    assert hours_of(service) == {"en": "Mon–Fri 9:00–18:00"}


async def test_a_translation_includes_it(owner: Chat, service: KnowledgeService) -> None:
    await owner.send(f"{DUMA} | Mon–Fri 9:00–18:00")
    [saved] = await owner.send(
        "/translate contact:9 ru Мосгордума | Городской парламент | Москва | почтой | Пн–Пт 9–18"
    )
    assert "contact:9 saved" in saved["text"]
    assert hours_of(service) == {"en": "Mon–Fri 9:00–18:00", "ru": "Пн–Пт 9–18"}


async def test_an_export_and_an_import_carry_it(owner: Chat, service: KnowledgeService) -> None:
    await owner.send(f"{DUMA} | Mon–Fri 9:00–18:00")
    await owner.send("/export")
    exported = json.loads(owner.api.documents[-1]["content"])
    [duma] = [contact for contact in exported["contacts"] if contact["id"] == NEW_CONTACT.id]
    assert duma["hours"] == {"en": "Mon–Fri 9:00–18:00"}
    duma["hours"]["en"] = "By appointment"
    upload = owner.api.upload(json.dumps(exported).encode(), "edited.json")
    [summary] = await owner.process(owner.user.document(upload, caption="/import"))
    assert "Contacts: 0 added, 1 changed, 0 removed" in summary["text"]
    await owner.press(data(summary, "Apply"), summary)
    assert hours_of(service) == {"en": "By appointment"}
