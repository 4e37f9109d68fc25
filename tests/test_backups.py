"""Automatic backups: before every import or restore and once a day, the newest N kept; owners
restore one with /restore or `python bot.py restore`, and a restore can itself be undone."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from handlers.context import services_of
from knowledge.service import KnowledgeService
from knowledge.storage.backups import Backups
from runtime.settings import Settings
from tests.conftest import OWNER, Chat, Clock, buttons, chat_with, data, file_of, run_bot, text_of

OWNERS = Settings(admin_ids=frozenset({OWNER}), backups_kept=3)


@pytest.fixture
def service(make_service: Callable[..., KnowledgeService], clock: Clock) -> KnowledgeService:
    return make_service(clock=clock)


def backups_of(service: KnowledgeService, keep: int = 3) -> Backups:
    return Backups(service.kb, service.kb.path.parent / "backups", keep)


def test_only_the_newest_backups_of_each_rotation_are_kept(
    service: KnowledgeService, clock: Clock
) -> None:
    backups = backups_of(service, keep=2)
    for reason in ("daily", "import", "import", "restore", "import", "daily"):
        backups.take(reason)
        clock.advance(minutes=1)
    assert [b.reason for b in backups.all()] == ["daily", "import", "restore", "import"]


def test_imports_cannot_push_out_the_owners_backups(
    service: KnowledgeService, clock: Clock
) -> None:
    backups = backups_of(service, keep=14)
    daily = backups.take("daily")
    clock.advance(minutes=1)
    for _ in range(15):  # an appointed admin imports fifteen times in a row
        backups.take("import")
        clock.advance(minutes=1)
    assert backups.find(daily.name) is not None
    assert sum(b.reason == "import" for b in backups.all()) == 14


def test_two_backups_in_one_second_are_both_kept_in_order(service: KnowledgeService) -> None:
    backups = backups_of(service)
    first, second = backups.take("import"), backups.take("restore")
    assert first.name != second.name
    assert [b.name for b in backups.all()] == [second.name, first.name]


def test_a_backup_is_a_complete_export(service: KnowledgeService) -> None:
    backup = backups_of(service).take("daily")
    document = json.loads(backup.path.read_text(encoding="utf-8"))
    assert document["format"] == "moscow-beijing-bot/1" and len(document["faq"]) == 23


def test_a_daily_backup_is_due_when_the_owners_newest_is_a_day_old(
    service: KnowledgeService, clock: Clock
) -> None:
    backups = backups_of(service)
    assert backups.daily_due()
    backups.take("restore")
    clock.advance(hours=23)
    assert not backups.daily_due()
    backups.take("import")  # imports rotate apart: they do not stand in for the daily one
    clock.advance(hours=1)
    assert backups.daily_due()


def test_find_never_leaves_the_backup_directory(service: KnowledgeService) -> None:
    backups = backups_of(service)
    backups.take("daily")
    assert backups.find("../knowledge") is None
    assert backups.find("/etc/passwd") is None
    assert backups.find(backups.all()[0].name + ".json") is not None


@pytest.fixture
async def owner(service: KnowledgeService) -> AsyncIterator[Chat]:
    async with chat_with(service, OWNERS) as chat:
        yield chat


async def test_the_bot_takes_a_daily_backup_when_it_starts(
    owner: Chat, service: KnowledgeService
) -> None:
    assert backups_of(service).all() == []
    await owner.application.post_init(owner.application)  # as run_polling does
    [backup] = backups_of(service).all()
    assert backup.reason == "daily"


async def test_restore_brings_back_what_an_import_replaced_and_can_itself_be_undone(
    owner: Chat, service: KnowledgeService, clock: Clock
) -> None:
    original = service.kb.content()
    await owner.send("/export")
    exported = json.loads(owner.api.documents[0]["content"])
    exported["faq"] = exported["faq"][:2]
    upload = owner.api.upload(json.dumps(exported).encode(), "two.json")
    [summary] = await owner.process(owner.user.document(upload, caption="/import"))
    clock.advance(minutes=1)
    await owner.press(data(summary, "Apply"), summary)
    assert len(service.kb.content()["faq"]) == 2

    [listing] = await owner.send("/restore")
    labels = [label for label, _ in buttons(listing)]
    assert any("before an import" in label for label in labels), labels
    [plan] = await owner.press(data(listing, "before an import"), listing)
    assert "Restoring it will make these changes" in plan["text"]
    assert "FAQ entries: 21 added, 0 changed, 0 removed" in plan["text"]
    clock.advance(minutes=1)
    [done] = await owner.press(data(plan, "Restore"), plan)
    assert "Restored" in done["text"]
    assert service.kb.content() == original
    assert "7 December 2020" in text_of(await owner.send("when was the agreement signed"))

    # The two-entry state was saved before the restore: restoring that goes back again.
    [listing] = await owner.send("/restore")
    [plan] = await owner.press(data(listing, "before a restore"), listing)
    await owner.press(data(plan, "Restore"), plan)
    assert len(service.kb.content()["faq"]) == 2


async def test_only_owners_may_restore(owner: Chat, service: KnowledgeService) -> None:
    backups_of(service).take("daily")
    await owner.send("/addadmin 321")
    admin = owner.as_user(user_id=321, first_name="Ivan")
    stranger = owner.as_user(user_id=322, first_name="Eve")
    name = backups_of(service).all()[0].name
    before = file_of(service)
    for who in (admin, stranger):
        [refused] = await who.send(f"/restore {name}")
        assert "only for the bot's administrators" in refused["text"]
        under = {"message_id": 1, "date": 0, "chat": who.user.chat, "text": "Backups"}
        assert await who.press(f"restore:{name}", under) == []
        assert "only for the bot's administrators" in who.alerts[-1]
    assert file_of(service) == before


async def test_a_forged_or_unknown_backup_name_is_refused_politely(
    owner: Chat, service: KnowledgeService
) -> None:
    before = file_of(service)
    for name in ("../knowledge", "20990101-000000-daily", "<b>x</b>"):
        [reply] = await owner.send(f"/restore {name}")
        assert "/restore lists them" in reply["text"]
    assert file_of(service) == before


async def test_restore_with_no_backups_says_so(owner: Chat) -> None:
    # The daily job may already have run; a fresh directory name proves the empty case.
    services_of(owner.application).admin.backups.directory = Path("/nonexistent/backups")
    [reply] = await owner.send("/restore")
    assert "no backups yet" in reply["text"]


def test_restore_from_the_command_line(tmp_path: Path) -> None:
    exported = tmp_path / "kb.json"
    run_bot(tmp_path, "export", str(exported))
    document = json.loads(exported.read_text())
    document["faq"] = document["faq"][:1]
    exported.write_text(json.dumps(document))
    assert run_bot(tmp_path, "import", str(exported)).returncode == 0

    listing = run_bot(tmp_path, "restore")
    assert listing.returncode == 0 and "-import" in listing.stdout
    name = next(word for word in listing.stdout.split() if word.endswith("-import"))
    restored = run_bot(tmp_path, "restore", name)
    assert restored.returncode == 0, restored.stderr
    assert "FAQ entries: 22 added" in restored.stdout and "Restored" in restored.stdout
    assert "7 December 2020" in run_bot(tmp_path, "ask", "when was it signed").stdout

    missing = run_bot(tmp_path, "restore", "no-such-backup")
    assert missing.returncode == 2 and "neither a backup" in missing.stderr
