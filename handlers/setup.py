"""Start and stop hooks: the command menus, the periodic write of usage statistics, and a clean
close of the knowledge base."""

from __future__ import annotations

import contextlib
import logging
from importlib import metadata

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from handlers.command_table import ADMIN_COMMANDS, MENU_COMMANDS
from handlers.context import services_of
from handlers.reminders import schedule_reminders
from knowledge.activity import FLUSH_INTERVAL
from knowledge.i18n.languages import DEFAULT_LANGUAGE
from knowledge.service import KnowledgeService
from transports.delivery import ResilientRateLimiter, log_network_faults_briefly, ready

log = logging.getLogger(__name__)

BACKUP_CHECK_INTERVAL = 3600  # seconds; a daily backup is taken when the last is a day old
SUMMARY_INTERVAL = 3600  # seconds between the log's usage summaries
PACKAGE = "moscow-beijing-bot"


def _commands(service: KnowledgeService, names: tuple[str, ...], lang: str) -> list[BotCommand]:
    return [BotCommand(name, service.catalog.text(lang, f"commands.{name}")) for name in names]


async def post_init(application: Application) -> None:
    if isinstance(application.bot.rate_limiter, ResilientRateLimiter):  # over real HTTP
        log_network_faults_briefly()  # Telegram's hiccups are ridden out: no tracebacks for them
        application.bot.rate_limiter.retrying = True
        ready()
    service = services_of(application).kb
    admin = services_of(application).admin
    # The menu in every language we speak; English for everyone else.
    await application.bot.set_my_commands(_commands(service, MENU_COMMANDS, DEFAULT_LANGUAGE))
    for lang in service.catalog.languages:
        commands = _commands(service, MENU_COMMANDS, lang)
        await application.bot.set_my_commands(commands, language_code=lang)
    await introduce_the_bot(application)
    admin_ids = set(admin.permissions.owners) | {row["user_id"] for row in service.kb.admins()}
    for user_id in sorted(admin_ids):
        await refresh_admin_commands(application, user_id)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            flush_activity, interval=FLUSH_INTERVAL, first=FLUSH_INTERVAL, name="flush-activity"
        )
        job = application.job_queue.run_repeating(
            daily_backup, interval=BACKUP_CHECK_INTERVAL, name="daily-backup"
        )
        await job.run(application)  # now as well: APScheduler cannot start a job at 0 s
        schedule_reminders(application)
        application.job_queue.run_repeating(
            hourly_summary, interval=SUMMARY_INTERVAL, first=SUMMARY_INTERVAL, name="summary"
        )
    mode = services_of(application).mode
    log.info(
        "Started %s %s (%s): %d entries indexed", PACKAGE, _version(), mode, len(service.matcher)
    )


def _version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


async def hourly_summary(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One line an hour, and only when people asked something: idle, the log stays empty."""
    service = services_of(context.application).kb
    hour = service.activity.since_last_summary()
    if hour.asked:
        log.info(
            "Last hour: %d questions, %d answered, %d not answered",
            hour.asked, hour.answered, hour.asked - hour.answered,
        )  # fmt: skip


async def introduce_the_bot(application: Application) -> None:
    """What Telegram shows before the first message (the description in an empty chat, the
    short one on the bot's profile and in shares), in each language we speak."""
    service = services_of(application).kb
    catalog = service.catalog
    for lang in (None, *catalog.languages):
        with contextlib.suppress(TelegramError):  # cosmetic: never a reason not to start
            await application.bot.set_my_description(
                catalog.text(lang or DEFAULT_LANGUAGE, "bot.description"), language_code=lang
            )
            await application.bot.set_my_short_description(
                catalog.text(lang or DEFAULT_LANGUAGE, "bot.short_description"), language_code=lang
            )


async def refresh_admin_commands(application: Application, user_id: int) -> None:
    """Show the admin commands in the menu of an admin's private chat, and only there."""
    service = services_of(application).kb
    admin = services_of(application).admin
    scope = BotCommandScopeChat(user_id)
    with contextlib.suppress(TelegramError):  # e.g. the admin never started a chat with us
        for lang in (None, *service.catalog.languages):
            if admin.is_admin(user_id):
                commands = _commands(
                    service, MENU_COMMANDS + ADMIN_COMMANDS, lang or DEFAULT_LANGUAGE
                )
                await application.bot.set_my_commands(commands, scope=scope, language_code=lang)
            else:
                await application.bot.delete_my_commands(scope=scope, language_code=lang)


async def flush_activity(context: ContextTypes.DEFAULT_TYPE) -> None:
    service = services_of(context.application).kb
    service.activity.flush()


async def daily_backup(context: ContextTypes.DEFAULT_TYPE) -> None:
    admin = services_of(context.application).admin
    if admin.backups.daily_due():
        backup = admin.backups.take("daily")
        log.info("Daily backup %s written", backup.name)


async def post_shutdown(application: Application) -> None:
    service = services_of(application).kb
    service.close()
