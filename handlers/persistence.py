"""What a restart must not lose of a conversation: python-telegram-bot's persistence, keeping
user data (an admin's form in progress, a pending import) and conversation states in one file
in the data directory.

The file is replaced atomically, as the knowledge base is, so a crash leaves the old or the new
version. Bot data is not kept: it holds the services, rebuilt at every start.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import pickle
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from knowledge.storage.atomic import write_atomically
from knowledge.storage.knowledge_base import set_aside

log = logging.getLogger(__name__)

CONVERSATIONS_FILE = "conversations.pickle"  # inside the data directory
SAVE_INTERVAL = 5  # seconds between saves of what changed; a clean stop always saves
_KEPT = PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False)

UserData = dict[Any, Any]
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CallbackData = Any  # not kept


class FilePersistence(BasePersistence[UserData, UserData, UserData]):
    """User data and conversation states in one pickle file, replaced atomically."""

    def __init__(self, path: Path, update_interval: float = SAVE_INTERVAL) -> None:
        super().__init__(store_data=_KEPT, update_interval=update_interval)
        self.path = path
        self._users: dict[int, UserData] = {}
        self._conversations: dict[str, dict[ConversationKey, object]] = {}
        self._dirty = False
        self._load()

    # Loading ---------------------------------------------------------------------------------

    def _load(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            stale.unlink(missing_ok=True)  # a write cut short: the real file is intact
        try:
            stored = pickle.loads(self.path.read_bytes())
            self._users, self._conversations = stored["users"], stored["conversations"]
        except FileNotFoundError:
            return
        except Exception as error:  # damaged, or written by code that has changed since
            kept = set_aside(self.path, datetime.now(UTC))
            log.warning("Could not read %s (%r); it was kept as %s", self.path, error, kept.name)

    async def get_user_data(self) -> dict[int, UserData]:
        return copy.deepcopy(self._users)  # the application changes its copy in place

    async def get_conversations(self, name: str) -> ConversationDict:
        return dict(self._conversations.get(name, {}))

    async def get_chat_data(self) -> dict[int, UserData]:
        return {}

    async def get_bot_data(self) -> UserData:
        return {}

    async def get_callback_data(self) -> CallbackData | None:
        return None

    # Saving ----------------------------------------------------------------------------------

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        if not data:  # most users never have any: keep the file to those who do
            if self._users.pop(user_id, None) is not None:
                await self._changed()
        elif self._users.get(user_id) != data:
            self._users[user_id] = data  # already a copy, made by the application
            await self._changed()

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        states = self._conversations.setdefault(name, {})
        if new_state is None:
            if states.pop(key, None) is not None:
                await self._changed()
        elif states.get(key) != new_state:
            states[key] = new_state
            await self._changed()

    async def drop_user_data(self, user_id: int) -> None:
        if self._users.pop(user_id, None) is not None:
            await self._changed()

    async def flush(self) -> None:
        if self._dirty:
            self._save()

    async def _changed(self) -> None:
        # The application hands over every change of one run at once (asyncio.gather): let the
        # others land first, so the run costs one write, not one per user and conversation.
        self._dirty = True
        await asyncio.sleep(0)
        if self._dirty:
            self._save()

    def _save(self) -> None:
        self._dirty = False
        stored = {"users": self._users, "conversations": self._conversations}
        write_atomically(self.path, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))

    # Not kept --------------------------------------------------------------------------------

    async def update_chat_data(self, chat_id: int, data: UserData) -> None:
        return None

    async def update_bot_data(self, data: UserData) -> None:
        return None

    async def update_callback_data(self, data: CallbackData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: UserData) -> None:
        return None

    async def refresh_bot_data(self, bot_data: UserData) -> None:
        return None


def form_persistence(data_dir: Path) -> FilePersistence:
    """The persistence of the bot whose knowledge base lives in ``data_dir``."""
    return FilePersistence(data_dir / CONVERSATIONS_FILE)
