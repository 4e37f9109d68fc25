"""Admin commands and admin buttons (the guided forms are in ``handlers.admin_forms``).
Every one is wrapped in ``admins_only`` (``handlers.admin_guard``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from telegram import Message, MessageOriginHiddenUser, MessageOriginUser, Update
from telegram.ext import (
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from handlers.admin_forms import cancel, form_conversation
from handlers.admin_guard import (
    IMPORT_KEY,
    NEW_MESSAGES,
    Callback,
    admins_only,
    answer_button,
    arguments,
    command_handlers,
    parsed,
    sender_id,
)
from handlers.context import BotContext
from handlers.render import send
from knowledge.admin import (
    PendingImport,
)
from knowledge.matching.text import parse_user_id, whole_number
from knowledge.records.models import Kind
from knowledge.replies.buttons import (
    CANCEL,
    DELETE,
    FAQ_PAGE,
    IMPORT_APPLY,
    RESTORE,
    UNANSWERED_ATTACH,
    UNANSWERED_DISMISS,
    UNDO,
)
from knowledge.storage.transfer import MAX_IMPORT_BYTES

if TYPE_CHECKING:  # the command table imports this module
    from handlers.command_table import Command

# Commands -----------------------------------------------------------------------------------


def delete_command(kind: Kind) -> Callback:
    @admins_only
    async def confirm(update: Update, context: BotContext) -> None:
        reply = context.admin.content.confirm_delete(
            sender_id(update), kind, arguments(update), context.lang(update)
        )
        await send(update, context, reply)

    return confirm


@admins_only
async def add_alternate(update: Update, context: BotContext) -> None:
    reply = context.admin.content.add_alternate(
        sender_id(update), arguments(update), context.lang(update)
    )
    await send(update, context, reply)


@admins_only
async def faq_list(update: Update, context: BotContext) -> None:
    page = whole_number(arguments(update).strip(), max_digits=5) or 1
    await send(
        update,
        context,
        context.admin.content.faq_list(sender_id(update), page, context.lang(update)),
    )


@admins_only
async def synonyms(update: Update, context: BotContext) -> None:
    await send(
        update, context, context.admin.content.synonyms(sender_id(update), context.lang(update))
    )


@admins_only
async def synonym(update: Update, context: BotContext) -> None:
    reply = context.admin.content.synonym_command(
        sender_id(update), context.args or [], context.lang(update)
    )
    await send(update, context, reply)


@admins_only
async def undo(update: Update, context: BotContext) -> None:
    await send(
        update, context, context.admin.review.offer_undo(sender_id(update), context.lang(update))
    )


@admins_only
async def history(update: Update, context: BotContext) -> None:
    reply = context.admin.review.history(sender_id(update), arguments(update), context.lang(update))
    await send(update, context, reply)


@admins_only
async def unanswered(update: Update, context: BotContext) -> None:
    for reply in context.admin.review.unanswered(sender_id(update), context.lang(update)):
        await send(update, context, reply)


@admins_only
async def stats(update: Update, context: BotContext) -> None:
    await send(update, context, context.admin.review.stats(sender_id(update), context.lang(update)))


@admins_only
async def admins(update: Update, context: BotContext) -> None:
    await send(update, context, context.admin.roles.admins(sender_id(update), context.lang(update)))


@admins_only
async def add_admin(update: Update, context: BotContext) -> None:
    lang = context.lang(update)
    target = _target_user(update)
    if target == "hidden":
        await send(update, context, context.kb.message("admins.hidden_forward", lang))
        return
    target_id, name = target or (None, "")
    await send(
        update, context, context.admin.roles.add_admin(sender_id(update), target_id, name, lang)
    )
    if target_id is not None:
        await _refresh_menu(context, target_id)


@admins_only
async def remove_admin(update: Update, context: BotContext) -> None:
    lang = context.lang(update)
    target = _target_user(update)
    if target == "hidden":
        await send(update, context, context.kb.message("admins.hidden_forward", lang))
        return
    target_id = target[0] if target else None
    await send(
        update, context, context.admin.roles.remove_admin(sender_id(update), target_id, lang)
    )
    if target_id is not None:
        await _refresh_menu(context, target_id)


async def _refresh_menu(context: BotContext, user_id: int) -> None:
    """Show or hide the admin menu of a user whose role just changed."""
    # Imported here: handlers.setup reads the menus from the command table, which imports
    # this module.
    from handlers.setup import refresh_admin_commands

    await refresh_admin_commands(context.application, user_id)


def _target_user(update: Update) -> tuple[int, str] | str | None:
    """The user named by the command's argument, or by the forwarded message it replies to."""
    user_id = parse_user_id(arguments(update))
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
    data, name, caption = context.admin.transfer.export(sender_id(update), context.lang(update))
    assert update.effective_chat is not None
    await context.bot.send_document(
        update.effective_chat.id, data, filename=name, caption=caption.html
    )


@admins_only
async def restore(update: Update, context: BotContext) -> None:
    """/restore: the backups as buttons (owners only); /restore NAME goes straight to one."""
    name = arguments(update).strip()
    if not name:
        reply = context.admin.transfer.backup_list(sender_id(update), context.lang(update))
        await send(update, context, reply)
        return
    await _offer_restore(update, context, name)


@admins_only
async def restore_button(update: Update, context: BotContext) -> None:
    await answer_button(update)
    await _offer_restore(update, context, parsed(update, RESTORE))


async def _offer_restore(update: Update, context: BotContext, name: str) -> None:
    pending, reply = context.admin.transfer.plan_restore(
        sender_id(update), name, context.lang(update)
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
    pending, reply = context.admin.transfer.plan_import(sender_id(update), raw, lang)
    _keep_pending(context, pending)
    await send(update, context, reply)


# Buttons ------------------------------------------------------------------------------------


@admins_only
async def delete_button(update: Update, context: BotContext) -> None:
    await answer_button(update)
    ref = parsed(update, DELETE)
    await send(
        update, context, context.admin.content.delete(sender_id(update), ref, context.lang(update))
    )


@admins_only
async def undo_button(update: Update, context: BotContext) -> None:
    await answer_button(update)
    change_id = parsed(update, UNDO)
    await send(
        update,
        context,
        context.admin.review.undo(sender_id(update), change_id, context.lang(update)),
    )


@admins_only
async def faq_page_button(update: Update, context: BotContext) -> None:
    await answer_button(update)
    page = parsed(update, FAQ_PAGE)
    await send(
        update,
        context,
        context.admin.content.faq_list(sender_id(update), page, context.lang(update)),
    )


@admins_only
async def attach_button(update: Update, context: BotContext) -> None:
    await answer_button(update)
    row_id, faq_id = parsed(update, UNANSWERED_ATTACH)
    reply = context.admin.review.attach_unanswered(
        sender_id(update), row_id, faq_id, context.lang(update)
    )
    await send(update, context, reply)


@admins_only
async def dismiss_button(update: Update, context: BotContext) -> None:
    await answer_button(update)
    row_id = parsed(update, UNANSWERED_DISMISS)
    await send(
        update,
        context,
        context.admin.review.dismiss_unanswered(sender_id(update), row_id, context.lang(update)),
    )


@admins_only
async def import_button(update: Update, context: BotContext) -> None:
    await answer_button(update)
    token = parsed(update, IMPORT_APPLY)
    assert context.user_data is not None
    pending = context.user_data.get(IMPORT_KEY)
    lang = context.lang(update)
    if pending is None or pending.token != token:
        await send(update, context, context.kb.message("errors.stale_button", lang))
        return
    del context.user_data[IMPORT_KEY]
    await send(
        update, context, context.admin.transfer.apply_import(sender_id(update), pending, lang)
    )


def register(application: Any, commands: Sequence[Command]) -> None:
    """Add the admin handlers, the admin commands of the command table ``commands`` among
    them; call before the public ones, which they take precedence over."""
    application.add_handler(
        form_conversation(commands, persistent=application.persistence is not None)
    )
    for handler in command_handlers(commands, "admin"):
        application.add_handler(handler)
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
    for handler in command_handlers(commands, "form_exit"):  # /cancel with no form open
        application.add_handler(handler)
