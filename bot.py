"""Moscow–Beijing cooperation bot: wiring and run modes.

    python bot.py [--admin]            Telegram long polling if TELEGRAM_BOT_TOKEN is set,
                                       otherwise a console chat through the same handlers
                                       (--admin: the console user is an owner)
    python bot.py --webhook URL        Telegram calls URL (https) instead: a webhook server on
                                       BOT_WEBHOOK_LISTEN:BOT_WEBHOOK_PORT (or BOT_WEBHOOK_URL)
    python bot.py ask [--json] [--lang LANG] [Q ...]
                                       answer questions (or stdin lines) and exit
    python bot.py export FILE          write the knowledge base as JSON ("-": stdout)
    python bot.py import [--dry-run] FILE
                                       check a JSON file, then replace the knowledge base
    python bot.py restore [BACKUP]     list the automatic backups, or go back to one

Everything the bot knows and says lives in ``knowledge/``; the Telegram handlers in
``handlers/``; the ways to reach them in ``transports/``; the data commands in ``cli.py``.
This file reads the settings, builds the Application and runs the chosen mode.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from knowledge.service import KnowledgeService
from knowledge.storage.knowledge_base import DataDirError
from runtime.services import build_services, open_service
from runtime.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:  # Telegram is imported only by the modes that need it: `ask` starts faster.
    from telegram.ext import Application
    from telegram.request import BaseRequest

log = logging.getLogger("bot")

# The console chat's user, an owner with --admin. Telegram's user ids are positive: no one on
# Telegram can ever be this user, whatever the settings say.
CONSOLE_USER_ID = -1
BOOTSTRAP_RETRIES = 3  # Telegram unreachable at start: retry with backoff, then give up
OWN_LOGGERS = ("bot", "handlers", "knowledge")  # at INFO: start, stop, refusals, hourly sums


class RedactSecret(logging.Filter):
    """Replace the bot token wherever a log line or traceback would show it."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, "<token>")
        return True


def redact_in_logs(secret: str | None) -> None:
    for handler in logging.getLogger().handlers:
        if secret:
            handler.addFilter(RedactSecret(secret))


def build_application(
    service: KnowledgeService, settings: Settings, request: BaseRequest | None = None
) -> Application:
    """The python-telegram-bot Application with every handler; ``request`` replaces the network."""
    from telegram import LinkPreviewOptions
    from telegram.constants import ParseMode
    from telegram.ext import Application, ContextTypes, Defaults

    import handlers
    from handlers.context import SERVICES_KEY, BotContext
    from handlers.persistence import form_persistence
    from handlers.setup import post_init, post_shutdown

    builder = (
        Application.builder()
        .token(settings.token or "0:local-console")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .context_types(ContextTypes(context=BotContext))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .persistence(form_persistence(service.kb.path.parent))  # admins' forms survive restarts
    )
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if request is not None:  # the in-process Bot API: no network, no limits to respect
        builder = builder.request(request).get_updates_request(request)
    else:
        from transports.delivery import ResilientRateLimiter

        builder = builder.rate_limiter(ResilientRateLimiter())
    application = builder.build()
    application.bot_data[SERVICES_KEY] = build_services(service, settings)
    handlers.register(application)
    return application


def run_bot(settings: Settings) -> int:
    if settings.webhook_url and not settings.token:
        raise SettingsError("a webhook (--webhook, BOT_WEBHOOK_URL) needs TELEGRAM_BOT_TOKEN")
    if not settings.token and not someone_at_the_console():
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN is missing (and there is no terminal for the console chat); "
            "set it in the environment or in .env"
        )
    service = open_service(settings)
    if settings.webhook_url:  # a token is there: checked above
        return run_webhook(service, settings)
    if settings.token:
        return run_polling(service, settings)
    return run_console(service, settings)


def run_polling(service: KnowledgeService, settings: Settings) -> int:
    from telegram import Update

    from handlers.context import services_of

    application = build_application(service, settings)
    services_of(application).mode = "long polling"
    return _serve(
        settings,
        lambda: application.run_polling(
            allowed_updates=Update.ALL_TYPES, bootstrap_retries=BOOTSTRAP_RETRIES
        ),
    )


def run_webhook(service: KnowledgeService, settings: Settings) -> int:
    from handlers.context import services_of
    from transports.webhook import WebhookConfig
    from transports.webhook import run_webhook as serve

    config = WebhookConfig.from_settings(settings)
    redact_in_logs(config.secret)
    application = build_application(service, settings)
    services_of(application).mode = f"webhook {config.url}"
    return _serve(
        settings,
        lambda: serve(application, config, bootstrap_retries=BOOTSTRAP_RETRIES),
        refusal=f"Telegram refused the webhook {config.url}",
    )


def _serve(settings: Settings, serve: Callable[[], None], refusal: str = "Telegram refused") -> int:
    """Run ``serve`` until a stop signal; a start that fails ends in one line (see --debug)."""
    from telegram.error import BadRequest, InvalidToken, NetworkError

    from transports.delivery import quiet_until_ready

    if settings.log_level != "DEBUG":
        quiet_until_ready()  # the retries' tracebacks; the outcome is said below, in one line
    try:
        serve()
        log.info("Stopped")
    except InvalidToken:
        print(
            "bot.py: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather",
            file=sys.stderr,
        )
        return 2
    except BadRequest as error:  # a NetworkError too, but retrying would not help
        print(f"bot.py: {refusal}: {error}", file=sys.stderr)
        return 2
    except NetworkError as error:
        print(
            f"bot.py: cannot reach the Telegram Bot API ({error}); check the network and "
            "TELEGRAM_API_BASE_URL, then start again",
            file=sys.stderr,
        )
        return 1
    return 0


def someone_at_the_console() -> bool:
    """True when standard input is a terminal, or a pipe or file feeding the console chat;
    False under systemd or Docker, whose standard input is /dev/null (or closed)."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return sys.stdin.isatty() or stat.S_ISFIFO(mode) or stat.S_ISREG(mode)


def run_console(service: KnowledgeService, settings: Settings) -> int:
    import asyncio

    from transports.console import CONSOLE_LANGUAGE
    from transports.console import run_console as chat
    from transports.local_api import LocalBotApi, UpdateFactory

    api = LocalBotApi()
    application = build_application(service, settings, request=api)
    intro = service.catalog.text(CONSOLE_LANGUAGE, "console.intro")
    user = UpdateFactory(user_id=CONSOLE_USER_ID, first_name="Console", language_code=None)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(chat(application, api, intro, user))
    print()
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bot.py", description="Moscow–Beijing cooperation Telegram bot"
    )
    commands = parser.add_subparsers(dest="command")
    ask = commands.add_parser("ask", help="answer questions and exit")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--lang", help="reply language (en, ru, zh, de); default: the question's")
    ask.add_argument("questions", nargs="*", help="questions; none: read lines from stdin")
    export = commands.add_parser("export", help="write the knowledge base as JSON")
    export.add_argument("file", help='where to write it; "-" for standard output')
    load = commands.add_parser("import", help="check a JSON file and replace the knowledge base")
    load.add_argument("--dry-run", action="store_true", help="only check and summarise")
    load.add_argument("file", help="a file made by export (or /export)")
    restore = commands.add_parser("restore", help="list the backups, or restore one")
    restore.add_argument("backup", nargs="?", help="a backup's name, or an export file's path")
    parser.add_argument(
        "--admin", action="store_true", help="console chat: act as an owner of the bot"
    )
    parser.add_argument(
        "--webhook", metavar="URL", help="the https URL Telegram calls, instead of polling"
    )
    parser.add_argument(
        "--debug", action="store_true", help="log everything, tracebacks too (LOG_LEVEL=DEBUG)"
    )
    return parser.parse_args(argv)


def console_owner(settings: Settings, command: str | None) -> Settings:
    """``--admin`` makes the console's user an owner: only ever in the console chat."""
    if command is not None or settings.token or settings.webhook_url:
        raise SettingsError(
            "--admin is for the console chat only (no TELEGRAM_BOT_TOKEN, no command); on "
            "Telegram, owners are set in BOT_ADMIN_IDS"
        )
    return replace(settings, admin_ids=settings.admin_ids | {CONSOLE_USER_ID})


def configure_logging(level: str) -> None:
    """Our own lines at ``level``; the libraries' at WARNING (APScheduler alone would write
    two INFO lines every five seconds), or everything at DEBUG."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)
    # httpx logs every request URL at INFO, and the URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging("WARNING")
    try:
        settings = load_settings(webhook_url=args.webhook)
        if args.debug:
            settings = replace(settings, log_level="DEBUG")
        configure_logging(settings.log_level)
        redact_in_logs(settings.token)
        if args.admin:
            settings = console_owner(settings, args.command)
        from cli import run_ask, run_export, run_import, run_restore

        if args.command == "ask":
            return run_ask(settings, args.questions, args.json, args.lang)
        if args.command == "export":
            return run_export(settings, args.file)
        if args.command == "import":
            return run_import(settings, args.file, args.dry_run)
        if args.command == "restore":
            return run_restore(settings, args.backup)
        return run_bot(settings)
    except (SettingsError, DataDirError) as error:
        print(f"bot.py: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
