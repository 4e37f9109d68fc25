"""The guided admin forms as a conversation: add, edit and translate entries one field at a
time, kept across restarts when the Application has persistence."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers.admin_guard import (
    FORM_KEY,
    FORM_USED_KEY,
    IMPORT_KEY,
    NEW_MESSAGES,
    Callback,
    admins_only,
    answer_button,
    arguments,
    button_data,
    command_handlers,
    drop_form,
    parsed,
    sender_id,
)
from handlers.context import BotContext
from handlers.render import send
from knowledge.admin import (
    Step,
)
from knowledge.records.models import Kind
from knowledge.replies.buttons import (
    FORM_ALTERNATE,
    FORM_CANCEL,
    FORM_FIELD,
    FORM_NEW,
    FORM_REAPPLY,
    FORM_SAVE,
    UNANSWERED_NEW,
)

if TYPE_CHECKING:  # the command table imports this module
    from handlers.command_table import Command

FILLING, CHOOSING, DUPLICATE, CONFIRMING = range(4)
STATES = {
    "filling": FILLING,
    "choosing": CHOOSING,
    "duplicate": DUPLICATE,
    "confirming": CONFIRMING,
    "done": ConversationHandler.END,
}
FORM_TIMEOUT = 15 * 60  # seconds; an abandoned form must not swallow later questions


async def _show_step(update: Update, context: BotContext, step: Step) -> int:
    assert context.user_data is not None
    if step.form is None:
        drop_form(context)
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


# Guided forms -------------------------------------------------------------------------------


def begin_add(kind: Kind) -> Callback:
    @admins_only
    async def begin(update: Update, context: BotContext) -> int:
        lang = context.lang(update)
        step = context.admin.forms.begin_add(sender_id(update), kind, arguments(update), lang)
        return await _show_step(update, context, step)

    return begin


def begin_edit(kind: Kind) -> Callback:
    @admins_only
    async def begin(update: Update, context: BotContext) -> int:
        lang = context.lang(update)
        step = context.admin.forms.begin_edit(sender_id(update), kind, arguments(update), lang)
        return await _show_step(update, context, step)

    return begin


@admins_only
async def begin_translation(update: Update, context: BotContext) -> int:
    lang = context.lang(update)
    step = context.admin.forms.begin_translation(sender_id(update), arguments(update), lang)
    return await _show_step(update, context, step)


@admins_only
async def new_from_unanswered(update: Update, context: BotContext) -> int:
    await answer_button(update)
    row_id = parsed(update, UNANSWERED_NEW)
    step = context.admin.forms.new_from_unanswered(sender_id(update), row_id, context.lang(update))
    return await _show_step(update, context, step)


@admins_only
async def form_text(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    return await _show_step(
        update, context, context.admin.forms.form_text(sender_id(update), form, text)
    )


@admins_only
async def form_skip(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    return await _show_step(update, context, context.admin.forms.form_skip(sender_id(update), form))


@admins_only
async def form_field(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    await answer_button(update)
    name = parsed(update, FORM_FIELD)
    return await _show_step(
        update, context, context.admin.forms.choose_field(sender_id(update), form, name)
    )


@admins_only
async def form_duplicate(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    await answer_button(update)
    if button_data(update) == FORM_NEW:
        step = context.admin.forms.keep_as_new(sender_id(update), form)
    else:
        step = context.admin.forms.use_duplicate(
            sender_id(update), form, parsed(update, FORM_ALTERNATE)
        )
    return await _show_step(update, context, step)


@admins_only
async def form_save(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    await answer_button(update)
    return await _show_step(update, context, context.admin.forms.save(sender_id(update), form))


@admins_only
async def form_reapply(update: Update, context: BotContext) -> int:
    form = await _form(update, context)
    if form is None:
        return ConversationHandler.END
    await answer_button(update)
    return await _show_step(update, context, context.admin.forms.reapply(sender_id(update), form))


@admins_only
async def use_the_buttons(update: Update, context: BotContext) -> int | None:
    if await _form(update, context) is None:
        return ConversationHandler.END
    await send(update, context, context.kb.message("form.use_buttons", context.lang(update)))
    return None  # stay in the same state


async def form_timed_out(update: object, context: BotContext) -> None:
    drop_form(context)
    if isinstance(update, Update):
        await send(update, context, context.kb.message("form.timed_out", context.lang(update)))


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel or a Cancel button: leave any form, drop a pending import. Changes nothing."""
    drop_form(context)
    if context.user_data is not None:
        context.user_data.pop(IMPORT_KEY, None)
    await answer_button(update)
    await send(update, context, context.admin.cancel(context.lang(update)))
    return ConversationHandler.END


def form_conversation(commands: Sequence[Command], persistent: bool = False) -> ConversationHandler:
    """The guided forms, with the form commands of the command table ``commands``;
    ``persistent``: their state is kept across restarts."""
    entry_points = [
        *command_handlers(commands, "form_start"),
        CallbackQueryHandler(new_from_unanswered, pattern=UNANSWERED_NEW.matches),
    ]
    cancel_handlers = [
        *command_handlers(commands, "form_exit"),
        CallbackQueryHandler(cancel, pattern=FORM_CANCEL.matches),
    ]
    with warnings.catch_warnings():
        # PTB warns that buttons are tracked per chat, not per message; per chat is what we want.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return _conversation(
            entry_points, command_handlers(commands, "form_step"), cancel_handlers, persistent
        )


def _conversation(
    entry_points: list[Any], steps: list[Any], cancel_handlers: list[Any], persistent: bool
) -> ConversationHandler:
    text = NEW_MESSAGES & filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=entry_points,  # type: ignore[arg-type]
        states={
            FILLING: [MessageHandler(text, form_text), *steps],
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
