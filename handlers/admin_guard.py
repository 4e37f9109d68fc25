"""Who may use an admin command or button, and how each is read: every entry point is
wrapped in ``admins_only``; the sender is checked on the server side for each command and
each button press (a button is never trusted because it was shown), admin commands do nothing
in groups, and refusals are logged by command or button kind, never by what was written."""

from __future__ import annotations

import contextlib
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    CommandHandler,
    ConversationHandler,
    filters,
)

from handlers.context import BotContext
from handlers.render import send
from knowledge.admin.permissions import NotAllowed
from knowledge.records.validation import Invalid
from knowledge.replies.buttons import (
    CANCEL,
    DELETE,
    FAQ_PAGE,
    FORM_ALTERNATE,
    FORM_FIELD,
    FORM_NEW,
    FORM_SAVE,
    IMPORT_APPLY,
    RESTORE,
    UNANSWERED_ATTACH,
    UNANSWERED_DISMISS,
    UNANSWERED_NEW,
    UNDO,
    Codec,
)

if TYPE_CHECKING:  # the command table imports the admin handlers, which import this module
    from handlers.command_table import Command, Route

log = logging.getLogger(__name__)
T = TypeVar("T")

FORM_KEY = "admin_form"
FORM_USED_KEY = "admin_form_used"  # when the form was last used, by the knowledge base's clock
IMPORT_KEY = "pending_import"
# Admin commands run from new messages only: editing an old "/addfaq …" must not add it twice.
NEW_MESSAGES = filters.UpdateType.MESSAGE
# What a refused action is logged as. Logs never carry user text: of a message only its
# command, of a button (whose data can be forged to any text) only one of our kinds.
_COMMAND = re.compile(r"/([a-z0-9_]{1,32})(?:@\w+)?(?:\s|$)", re.ASCII | re.IGNORECASE)
_ADMIN_ACTIONS = (FORM_SAVE, FORM_FIELD, FORM_ALTERNATE, FORM_NEW, DELETE, UNDO, FAQ_PAGE,
                  UNANSWERED_NEW, UNANSWERED_ATTACH, UNANSWERED_DISMISS, IMPORT_APPLY, RESTORE,
                  CANCEL)  # fmt: skip
BUTTON_KINDS = frozenset(str(getattr(a, "kind", a)).partition(":")[0] for a in _ADMIN_ACTIONS)

Callback = Callable[[Update, BotContext], Awaitable[Any]]


def command_handlers(commands: Iterable[Command], route: Route) -> list[CommandHandler]:
    """Handlers for the admin side's ``commands`` on ``route``, which take new messages only."""
    return [CommandHandler(c.name, c.callback, NEW_MESSAGES) for c in commands if c.route == route]


def admins_only(callback: Callback) -> Callback:
    """Run ``callback`` only for an admin in a private chat; refuse and log anyone else."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: BotContext) -> Any:
        user, chat = update.effective_user, update.effective_chat
        action = _describe(update)
        if chat is None or user is None or chat.type != ChatType.PRIVATE:
            log.warning("Ignored admin action %s outside a private chat", action)
            return ConversationHandler.END
        try:
            if not context.admin.is_admin(user.id):
                raise NotAllowed(user.id)
            return await callback(update, context)
        except Invalid as problem:  # a value the knowledge base refused: say which
            await send(update, context, context.admin.problem(problem, context.lang(update)))
            return None
        except NotAllowed:
            log.warning("Refused admin action %s from user %s", action, user.id)
            await _refuse(update, context)
            drop_form(context)
            return ConversationHandler.END

    return guarded


def _describe(update: Update) -> str:
    """The action, for the log: a command's name, a button's kind, or a message's kind."""
    if update.callback_query is not None:
        kind = str(update.callback_query.data).partition(":")[0]
        return f"button {kind!r}" if kind in BUTTON_KINDS else "an unknown button"
    message = update.effective_message
    if message is None:
        return "an update"
    command = _COMMAND.match(message.text or message.caption or "")
    if command:
        return f"/{command[1]}"
    if message.document:
        return "a document"
    return "a text message" if message.text else "a message"


async def _refuse(update: Update, context: BotContext) -> None:
    lang = context.lang(update)
    if update.callback_query is not None:
        text = context.kb.catalog.text(lang, "admin.refused")
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(text, show_alert=True)
        return
    await send(update, context, context.admin.refusal(lang))


def sender_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def arguments(update: Update) -> str:
    """The text after the command, line breaks and all."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def answer_button(update: Update) -> None:
    """Acknowledge the press and take the buttons away, so a choice is made once."""
    query = update.callback_query
    if query is None:
        return
    with contextlib.suppress(TelegramError):
        await query.answer()
        await query.edit_message_reply_markup(None)


def button_data(update: Update) -> str:
    query = update.callback_query
    return str(query.data) if query is not None else ""


def parsed(update: Update, codec: Codec[T]) -> T:
    """What the pressed button carries; a refusal for data the bot never issues (forged)."""
    value = codec.parse(button_data(update))
    if value is None:
        raise NotAllowed(sender_id(update))
    return value


def drop_form(context: BotContext) -> None:
    """Forget the admin's form in progress (a refusal, a timeout, /cancel)."""
    if context.user_data is not None:
        context.user_data.pop(FORM_KEY, None)
        context.user_data.pop(FORM_USED_KEY, None)
