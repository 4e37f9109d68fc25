"""Admin commands, guided forms and admin buttons.

Every entry point is wrapped in ``admins_only``: the sender is checked on the server side for
each command and each button press (a button is never trusted because it was shown), admin
commands do nothing in groups, and refusals are logged.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Message, MessageOriginHiddenUser, MessageOriginUser, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers.context import BotContext
from handlers.render import send
from handlers.setup import refresh_admin_commands
from knowledge.admin import (
    PendingImport,
    Step,
)
from knowledge.buttons import (
    CANCEL,
    DELETE,
    FAQ_PAGE,
    FORM_ALTERNATE,
    FORM_CANCEL,
    FORM_FIELD,
    FORM_NEW,
    FORM_REAPPLY,
    FORM_SAVE,
    IMPORT_APPLY,
    RESTORE,
    UNANSWERED_ATTACH,
    UNANSWERED_DISMISS,
    UNANSWERED_NEW,
    UNDO,
    Codec,
)
from knowledge.editing import NotAllowed
from knowledge.models import Kind
from knowledge.text import parse_user_id, whole_number
from knowledge.transfer import MAX_IMPORT_BYTES
from knowledge.validation import Invalid

log = logging.getLogger(__name__)
T = TypeVar("T")

FILLING, CHOOSING, DUPLICATE, CONFIRMING = range(4)
STATES = {
    "filling": FILLING,
    "choosing": CHOOSING,
    "duplicate": DUPLICATE,
    "confirming": CONFIRMING,
    "done": ConversationHandler.END,
}
FORM_KEY = "admin_form"
FORM_USED_KEY = "admin_form_used"  # when the form was last used, by the knowledge base's clock
IMPORT_KEY = "pending_import"
FORM_TIMEOUT = 15 * 60  # seconds; an abandoned form must not swallow later questions
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
            _drop_form(context)
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


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _arguments(update: Update) -> str:
    """The text after the command, line breaks and all."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def _answer_button(update: Update) -> None:
    """Acknowledge the press and take the buttons away, so a choice is made once."""
    query = update.callback_query
    if query is None:
        return
    with contextlib.suppress(TelegramError):
        await query.answer()
        await query.edit_message_reply_markup(None)


async def _show_step(update: Update, context: BotContext, step: Step) -> int:
    assert context.user_data is not None
    if step.form is None:
        _drop_form(context)
    else:
        context.user_data[FORM_KEY] = step.form
        context.user_data[FORM_USED_KEY] = context.admin.kb.clock()
    await send(update, context, step.reply)
    return STATES[step.state]


async def _form(update: Update, context: BotContext) -> Any:
    """The form in progress, or None: there is none, or it was abandoned (then say so)."""
    assert context.user_data is not None
    form = context.user_data.get(FORM_KEY)
    if form is None:
        return None
    # A form restored after a restart has lost its timeout job: close it here if the job
    # would have closed it by now.
    used = context.user_data.get(FORM_USED_KEY)
    now = context.admin.kb.clock()
    if used is not None and now - used >= timedelta(seconds=FORM_TIMEOUT):
        await form_timed_out(update, context)
        return None
    context.user_data[FORM_USED_KEY] = now
    return form


def _drop_form(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(FORM_KEY, None)
        context.user_data.pop(FORM_USED_KEY, None)


# Guided forms -------------------------------------------------------------------------------


def begin_add(kind: Kind) -> Callback:
    @admins_only
    async def begin(update: Update, context: BotContext) -> int:
        lang = context.lang(update)
        step = context.admin.forms.begin_add(_user_id(update), kind, _arguments(update), lang)
        return await _show_step(update, context, step)

    return begin


def begin_edit(kind: Kind) -> Callback:
    @admins_only
    async def begin(update: Update, context: BotContext) -> int:
        lang = context.lang(update)
        step = context.admin.forms.begin_edit(_user_id(update), kind, _arguments(update), lang)
        return await _show_step(update, context, step)

    return begin


@admins_only
async def begin_translation(update: Update, context: BotContext) -> int:
    lang = context.lang(update)
    step = context.admin.forms.begin_translation(_user_id(update), _arguments(update), lang)
    return await _show_step(update, context, step)


@admins_only
async def new_from_unanswered(update: Update, context: BotContext) -> int:
    await _answer_button(update)
    row_id = _parsed(update, UNANSWERED_NEW)
    step = context.admin.forms.new_from_unanswered(_user_id(update), row_id, context.lang(update))
    return await _show_step(update, context, step)


@admins_only
async def form_text(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    return await _show_step(
        update, context, context.admin.forms.form_text(_user_id(update), form, text)
    )


@admins_only
async def form_skip(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    return await _show_step(update, context, context.admin.forms.form_skip(_user_id(update), form))


@admins_only
async def form_field(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    await _answer_button(update)
    name = _parsed(update, FORM_FIELD)
    return await _show_step(
        update, context, context.admin.forms.choose_field(_user_id(update), form, name)
    )


@admins_only
async def form_duplicate(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    await _answer_button(update)
    if _data(update) == FORM_NEW:
        step = context.admin.forms.keep_as_new(_user_id(update), form)
    else:
        step = context.admin.forms.use_duplicate(
            _user_id(update), form, _parsed(update, FORM_ALTERNATE)
        )
    return await _show_step(update, context, step)


@admins_only
async def form_save(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    await _answer_button(update)
    return await _show_step(update, context, context.admin.forms.save(_user_id(update), form))


@admins_only
async def form_reapply(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    await _answer_button(update)
    return await _show_step(update, context, context.admin.forms.reapply(_user_id(update), form))


@admins_only
async def use_the_buttons(update: Update, context: BotContext) -> int | None:
    if await _form(update, context) is None:
        return ConversationHandler.END
    await send(update, context, context.kb.message("form.use_buttons", context.lang(update)))
    return None  # stay in the same state


async def form_timed_out(update: object, context: BotContext) -> None:
    _drop_form(context)
    if isinstance(update, Update):
        await send(update, context, context.kb.message("form.timed_out", context.lang(update)))


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel or a Cancel button: leave any form, drop a pending import. Changes nothing."""
    _drop_form(context)
    if context.user_data is not None:
        context.user_data.pop(IMPORT_KEY, None)
    await _answer_button(update)
    await send(update, context, context.admin.cancel(context.lang(update)))
    return ConversationHandler.END


def _data(update: Update) -> str:
    query = update.callback_query
    return str(query.data) if query is not None else ""


def _parsed(update: Update, codec: Codec[T]) -> T:
    """What the pressed button carries; a refusal for data the bot never issues (forged)."""
    value = codec.parse(_data(update))
    if value is None:
        raise NotAllowed(_user_id(update))
    return value


def form_conversation(persistent: bool = False) -> ConversationHandler:
    """The guided forms; ``persistent``: their state is kept across restarts."""
    entry_points = [
        *(CommandHandler(f"add{k}", begin_add(kind), NEW_MESSAGES) for k, kind in _COMMAND_KINDS),
        *(CommandHandler(f"edit{k}", begin_edit(kind), NEW_MESSAGES) for k, kind in _COMMAND_KINDS),
        CommandHandler("translate", begin_translation, NEW_MESSAGES),
        CallbackQueryHandler(new_from_unanswered, pattern=UNANSWERED_NEW.matches),
    ]
    text = NEW_MESSAGES & filters.TEXT & ~filters.COMMAND
    cancel_handlers = [
        CommandHandler("cancel", cancel, NEW_MESSAGES),
        CallbackQueryHandler(cancel, pattern=FORM_CANCEL.matches),
    ]
    with warnings.catch_warnings():
        # PTB warns that buttons are tracked per chat, not per message; per chat is what we want.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return _conversation(entry_points, text, cancel_handlers, persistent)


def _conversation(
    entry_points: list[Any], text: Any, cancel_handlers: list[Any], persistent: bool
) -> ConversationHandler:
    return ConversationHandler(
        entry_points=entry_points,  # type: ignore[arg-type]
        states={
            FILLING: [
                MessageHandler(text, form_text),
                CommandHandler("skip", form_skip, NEW_MESSAGES),
            ],
            CHOOSING: [
                CallbackQueryHandler(form_field, pattern=FORM_FIELD.matches),
                MessageHandler(text, use_the_buttons),
            ],
            DUPLICATE: [
                CallbackQueryHandler(form_duplicate, pattern=FORM_ALTERNATE.matches),
                CallbackQueryHandler(form_duplicate, pattern=FORM_NEW.matches),
                MessageHandler(text, use_the_buttons),
            ],
            CONFIRMING: [
                CallbackQueryHandler(form_save, pattern=FORM_SAVE.matches),
                CallbackQueryHandler(form_reapply, pattern=FORM_REAPPLY.matches),
                MessageHandler(text, use_the_buttons),
            ],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, form_timed_out)],
        },
        fallbacks=cancel_handlers,  # type: ignore[arg-type]
        allow_reentry=True,
        conversation_timeout=FORM_TIMEOUT,  # its job is not kept across restarts: see _form
        name="admin_forms",
        persistent=persistent,
    )


_COMMAND_KINDS: tuple[tuple[str, Kind], ...] = (
    ("faq", "faq"),
    ("event", "event"),
    ("contact", "contact"),
)


# Commands -----------------------------------------------------------------------------------


def delete_command(kind: Kind) -> Callback:
    @admins_only
    async def confirm(update: Update, context: BotContext) -> None:
        reply = context.admin.content.confirm_delete(
            _user_id(update), kind, _arguments(update), context.lang(update)
        )
        await send(update, context, reply)

    return confirm


@admins_only
async def add_alternate(update: Update, context: BotContext) -> None:
    reply = context.admin.content.add_alternate(
        _user_id(update), _arguments(update), context.lang(update)
    )
    await send(update, context, reply)


@admins_only
async def faq_list(update: Update, context: BotContext) -> None:
    page = whole_number(_arguments(update).strip(), max_digits=5) or 1
    await send(
        update,
        context,
        context.admin.content.faq_list(_user_id(update), page, context.lang(update)),
    )


@admins_only
async def synonyms(update: Update, context: BotContext) -> None:
    await send(
        update, context, context.admin.content.synonyms(_user_id(update), context.lang(update))
    )


@admins_only
async def synonym(update: Update, context: BotContext) -> None:
    reply = context.admin.content.synonym_command(
        _user_id(update), context.args or [], context.lang(update)
    )
    await send(update, context, reply)


@admins_only
async def undo(update: Update, context: BotContext) -> None:
    await send(
        update, context, context.admin.review.offer_undo(_user_id(update), context.lang(update))
    )


@admins_only
async def history(update: Update, context: BotContext) -> None:
    reply = context.admin.review.history(_user_id(update), _arguments(update), context.lang(update))
    await send(update, context, reply)


@admins_only
async def unanswered(update: Update, context: BotContext) -> None:
    for reply in context.admin.review.unanswered(_user_id(update), context.lang(update)):
        await send(update, context, reply)


@admins_only
async def stats(update: Update, context: BotContext) -> None:
    await send(update, context, context.admin.review.stats(_user_id(update), context.lang(update)))


@admins_only
async def admins(update: Update, context: BotContext) -> None:
    await send(update, context, context.admin.roles.admins(_user_id(update), context.lang(update)))


@admins_only
async def add_admin(update: Update, context: BotContext) -> None:
    lang = context.lang(update)
    target = _target_user(update)
    if target == "hidden":
        await send(update, context, context.kb.message("admins.hidden_forward", lang))
        return
    target_id, name = target or (None, "")
    await send(
        update, context, context.admin.roles.add_admin(_user_id(update), target_id, name, lang)
    )
    if target_id is not None:
        await refresh_admin_commands(context.application, target_id)


@admins_only
async def remove_admin(update: Update, context: BotContext) -> None:
    lang = context.lang(update)
    target = _target_user(update)
    if target == "hidden":
        await send(update, context, context.kb.message("admins.hidden_forward", lang))
        return
    target_id = target[0] if target else None
    await send(update, context, context.admin.roles.remove_admin(_user_id(update), target_id, lang))
    if target_id is not None:
        await refresh_admin_commands(context.application, target_id)


def _target_user(update: Update) -> tuple[int, str] | str | None:
    """The user named by the command's argument, or by the forwarded message it replies to."""
    user_id = parse_user_id(_arguments(update))
    if user_id is not None:
        return user_id, ""
    message = update.effective_message
    replied = message.reply_to_message if message else None
    origin = replied.forward_origin if replied else None
    if isinstance(origin, MessageOriginUser):
        return origin.sender_user.id, origin.sender_user.full_name
    if isinstance(origin, MessageOriginHiddenUser):
        return "hidden"
    return None


@admins_only
async def export(update: Update, context: BotContext) -> None:
    data, name, caption = context.admin.transfer.export(_user_id(update), context.lang(update))
    assert update.effective_chat is not None
    await context.bot.send_document(
        update.effective_chat.id, data, filename=name, caption=caption.html
    )


@admins_only
async def restore(update: Update, context: BotContext) -> None:
    """/restore: the backups as buttons (owners only); /restore NAME goes straight to one."""
    name = _arguments(update).strip()
    if not name:
        reply = context.admin.transfer.backup_list(_user_id(update), context.lang(update))
        await send(update, context, reply)
        return
    await _offer_restore(update, context, name)


@admins_only
async def restore_button(update: Update, context: BotContext) -> None:
    await _answer_button(update)
    await _offer_restore(update, context, _parsed(update, RESTORE))


async def _offer_restore(update: Update, context: BotContext, name: str) -> None:
    pending, reply = context.admin.transfer.plan_restore(
        _user_id(update), name, context.lang(update)
    )
    _keep_pending(context, pending)
    await send(update, context, reply)


def _keep_pending(context: BotContext, pending: PendingImport | None) -> None:
    """Remember the one import or restore awaiting this admin's confirmation."""
    assert context.user_data is not None
    if pending is None:
        context.user_data.pop(IMPORT_KEY, None)
    else:
        context.user_data[IMPORT_KEY] = pending


@admins_only
async def import_command(update: Update, context: BotContext) -> None:
    """A JSON file with the caption /import, or /import in reply to one."""
    message = update.effective_message
    assert message is not None
    carrier: Message | None = message if message.document else message.reply_to_message
    lang = context.lang(update)
    if carrier is None or carrier.document is None:
        await send(update, context, context.kb.message("import.usage", lang))
        return
    if (carrier.document.file_size or 0) > MAX_IMPORT_BYTES:
        await send(update, context, context.admin.transfer.import_too_big(lang))
        return
    file = await carrier.document.get_file()
    raw = bytes(await file.download_as_bytearray())
    pending, reply = context.admin.transfer.plan_import(_user_id(update), raw, lang)
    _keep_pending(context, pending)
    await send(update, context, reply)


# Buttons ------------------------------------------------------------------------------------


@admins_only
async def delete_button(update: Update, context: BotContext) -> None:
    await _answer_button(update)
    ref = _parsed(update, DELETE)
    await send(
        update, context, context.admin.content.delete(_user_id(update), ref, context.lang(update))
    )


@admins_only
async def undo_button(update: Update, context: BotContext) -> None:
    await _answer_button(update)
    change_id = _parsed(update, UNDO)
    await send(
        update,
        context,
        context.admin.review.undo(_user_id(update), change_id, context.lang(update)),
    )


@admins_only
async def faq_page_button(update: Update, context: BotContext) -> None:
    await _answer_button(update)
    page = _parsed(update, FAQ_PAGE)
    await send(
        update,
        context,
        context.admin.content.faq_list(_user_id(update), page, context.lang(update)),
    )


@admins_only
async def attach_button(update: Update, context: BotContext) -> None:
    await _answer_button(update)
    row_id, faq_id = _parsed(update, UNANSWERED_ATTACH)
    reply = context.admin.review.attach_unanswered(
        _user_id(update), row_id, faq_id, context.lang(update)
    )
    await send(update, context, reply)


@admins_only
async def dismiss_button(update: Update, context: BotContext) -> None:
    await _answer_button(update)
    row_id = _parsed(update, UNANSWERED_DISMISS)
    await send(
        update,
        context,
        context.admin.review.dismiss_unanswered(_user_id(update), row_id, context.lang(update)),
    )


@admins_only
async def import_button(update: Update, context: BotContext) -> None:
    await _answer_button(update)
    token = _parsed(update, IMPORT_APPLY)
    assert context.user_data is not None
    pending = context.user_data.get(IMPORT_KEY)
    lang = context.lang(update)
    if pending is None or pending.token != token:
        await send(update, context, context.kb.message("errors.stale_button", lang))
        return
    del context.user_data[IMPORT_KEY]
    await send(
        update, context, context.admin.transfer.apply_import(_user_id(update), pending, lang)
    )


def register(application: Any) -> None:
    """Add the admin handlers; call before the public ones, which they take precedence over."""
    application.add_handler(form_conversation(persistent=application.persistence is not None))
    commands: dict[str, Callback] = {
        "delfaq": delete_command("faq"),
        "delevent": delete_command("event"),
        "delcontact": delete_command("contact"),
        "addalt": add_alternate,
        "faq": faq_list,
        "synonyms": synonyms,
        "synonym": synonym,
        "undo": undo,
        "history": history,
        "unanswered": unanswered,
        "stats": stats,
        "admins": admins,
        "addadmin": add_admin,
        "deladmin": remove_admin,
        "export": export,
        "import": import_command,
        "restore": restore,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, NEW_MESSAGES))
    caption_import = filters.Document.ALL & filters.CaptionRegex(r"^/import(@\w+)?(\s|$)")
    application.add_handler(MessageHandler(NEW_MESSAGES & caption_import, import_command))
    buttons: dict[Callable[[object], bool], Callback] = {
        DELETE.matches: delete_button,
        UNDO.matches: undo_button,
        FAQ_PAGE.matches: faq_page_button,
        UNANSWERED_ATTACH.matches: attach_button,
        UNANSWERED_DISMISS.matches: dismiss_button,
        IMPORT_APPLY.matches: import_button,
        RESTORE.matches: restore_button,
        CANCEL.matches: admins_only(cancel),
    }
    for pattern, callback in buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    application.add_handler(CommandHandler("cancel", cancel, NEW_MESSAGES))
