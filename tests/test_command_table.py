"""Every command is one row of ``handlers.command_table``: the bot answers exactly the table's
commands, each menu shows exactly its rows, and each menu command is described in every
language."""

from __future__ import annotations

import pytest

from handlers.command_table import ADMIN_COMMANDS, COMMANDS, MENU_COMMANDS
from knowledge.i18n.catalog import Catalog
from knowledge.service import KnowledgeService
from runtime.settings import Settings
from tests.conftest import OWNER, chat_with
from tests.support.application import commands_of

CATALOG = Catalog.load()


def test_the_bot_answers_exactly_the_commands_of_the_table(service: KnowledgeService) -> None:
    application = chat_with(service).application
    assert commands_of(application) == sorted(command.name for command in COMMANDS)


def test_each_command_is_in_the_table_once() -> None:
    names = [command.name for command in COMMANDS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("lang", CATALOG.languages)
def test_every_menu_command_is_described_in_every_language(lang: str) -> None:
    described = {key.removeprefix("commands.") for key in CATALOG.keys(lang)}
    assert set(MENU_COMMANDS + ADMIN_COMMANDS) <= described


async def test_the_menus_are_the_tables_menu_rows(service: KnowledgeService) -> None:
    async with chat_with(service, Settings(admin_ids=frozenset({OWNER}))) as chat:
        await chat.application.post_init(chat.application)  # as run_polling does
        menus = chat.api.commands
        everyone = [command["command"] for command in menus['{"type": "default"}|']]
        admin_scope = f'{{"chat_id": {OWNER}, "type": "chat"}}|'
        admin = [command["command"] for command in menus[admin_scope]]
    assert everyone == list(MENU_COMMANDS)
    assert admin == [*MENU_COMMANDS, *ADMIN_COMMANDS]
    assert "skip" not in admin and "myid" not in everyone  # answered, not offered
