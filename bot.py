"""Moscow–Beijing cooperation bot: wiring and run modes.

    python bot.py                      Telegram long polling if TELEGRAM_BOT_TOKEN is set,
                                       otherwise a console chat through the same handlers
    python bot.py ask [--json] [Q ...] answer questions (or stdin lines) and exit

Everything the bot knows and says lives in ``knowledge/``; the Telegram handlers in
``handlers/``. This file only reads settings and connects the two.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO

from knowledge.catalog import Catalog
from knowledge.service import KnowledgeService
from knowledge.settings import Settings, SettingsError, load_settings
from knowledge.store import KnowledgeBase

if TYPE_CHECKING:  # Telegram is imported only by the modes that need it: `ask` starts faster.
    from telegram.ext import Application
    from telegram.request import BaseRequest

log = logging.getLogger("bot")


def open_service(settings: Settings) -> KnowledgeService:
    return KnowledgeService(KnowledgeBase.open(settings.data_dir), Catalog.load())


def build_application(
    service: KnowledgeService, settings: Settings, request: BaseRequest | None = None
) -> Application:
    """The python-telegram-bot Application with every handler; ``request`` replaces the network."""
    from telegram import LinkPreviewOptions
    from telegram.constants import ParseMode
    from telegram.ext import Application, ContextTypes, Defaults

    import handlers
    from handlers.context import BotContext, attach_service
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
    )
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application = builder.build()
    attach_service(application, service)
    handlers.register(application)
    return application


def run_bot(settings: Settings) -> int:
    service = open_service(settings)
    if settings.token:
        return run_polling(service, settings)
    return run_console(service, settings)


def run_polling(service: KnowledgeService, settings: Settings) -> int:
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    application = build_application(service, settings)
    logging.getLogger().setLevel(logging.INFO)
    log.info("Starting long polling")
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print(
            "bot.py: Telegram rejected TELEGRAM_BOT_TOKEN; check it with @BotFather",
            file=sys.stderr,
        )
        return 2
    except NetworkError as error:
        print(f"bot.py: cannot reach the Telegram Bot API: {error}", file=sys.stderr)
        return 1
    return 0


def run_console(service: KnowledgeService, settings: Settings) -> int:
    import asyncio

    from handlers.console import run_console as chat
    from handlers.local_api import LocalBotApi

    api = LocalBotApi()
    application = build_application(service, settings, request=api)
    intro = service.catalog.text("en", "console.intro")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(chat(application, api, intro))
    print()
    return 0


def run_ask(
    settings: Settings, questions: Sequence[str], as_json: bool, out: TextIO = sys.stdout
) -> int:
    """Answer each question and print what the user would read, or one JSON object per line."""
    service = open_service(settings)
    try:
        for question in _questions(questions):
            answer = service.ask(question)
            if as_json:
                print(json.dumps(answer.to_json(), ensure_ascii=False), file=out)
            else:
                print(answer.reply.plain, file=out)
                for number, suggestion in enumerate(answer.suggestions, 1):
                    print(f"  [{number}] {suggestion.title}", file=out)
                print(file=out)
    finally:
        service.kb.close()
    return 0


def _questions(given: Sequence[str]) -> Iterable[str]:
    if given:
        yield from given
    else:
        yield from (line.rstrip("\n") for line in sys.stdin if line.strip())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bot.py", description="Moscow–Beijing cooperation Telegram bot"
    )
    commands = parser.add_subparsers(dest="command")
    ask = commands.add_parser("ask", help="answer questions and exit")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("questions", nargs="*", help="questions; none: read lines from stdin")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=logging.WARNING,
    )
    # httpx logs every request URL at INFO, and the URL holds the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"bot.py: {error}", file=sys.stderr)
        return 2
    if args.command == "ask":
        return run_ask(settings, args.questions, args.json)
    return run_bot(settings)


if __name__ == "__main__":
    sys.exit(main())
