"""Webhook mode: Telegram calls the bot over HTTPS instead of being long-polled.

A small tornado server (tornado comes with ``python-telegram-bot[webhooks]``) in the same event
loop as the Application, following python-telegram-bot's "custom webhook bot" pattern:

    POST <path>     an update from Telegram. The X-Telegram-Bot-Api-Secret-Token header must
                    hold the secret given to setWebhook, else 403 and the body is never parsed.
                    200: queued for the Application; 400: not a Telegram update (or a body over
                    1 MB); 503: still starting (Telegram delivers it again later).
    GET /healthz    200 {"ok": true, "entries": N} while updates are handled, else 503.

Start and stop are those of ``Application.run_polling``: initialize (retried while Telegram is
unreachable), post_init, start, then setWebhook; on SIGTERM or SIGINT the server stops taking
requests, every queued update is handled, then post_stop, shutdown and post_shutdown run. The
webhook stays registered at Telegram, which keeps new updates until the bot is back; polling
(`python bot.py`) removes it on its next start.

Nothing here logs a request body (what users write) or the secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
import logging
import re
import secrets
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import tornado.netutil
import tornado.web
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Application, ExtBot
from tornado.httpserver import HTTPServer

from handlers.context import services_of
from runtime.settings import HEALTH_PATH, Settings, SettingsError

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1 << 20  # an update is a few kB; a longer body is refused before it is read
BODY_TIMEOUT = 30  # seconds to send a body
IDLE_TIMEOUT = 75  # seconds a kept-alive connection may stay idle
MAX_RETRY_DELAY = 30  # seconds between start-up attempts while Telegram is unreachable


@dataclass(frozen=True)
class WebhookConfig:
    url: str  # what Telegram calls
    listen: str  # and where this server takes it: address, port and path
    port: int
    path: str
    secret: str = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookConfig:
        """The configured webhook; without BOT_WEBHOOK_SECRET, a new random secret each start."""
        if settings.webhook_url is None:
            raise ValueError("settings.webhook_url is None")
        return cls(
            url=settings.webhook_url,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            path=settings.webhook_path,
            secret=settings.webhook_secret or secrets.token_urlsafe(32),
        )


def run_webhook(application: Application, config: WebhookConfig, bootstrap_retries: int) -> None:
    """Serve until SIGTERM or SIGINT. Raises SettingsError when the address cannot be listened
    on, and python-telegram-bot's errors when Telegram refuses or stays unreachable."""
    asyncio.run(_serve(application, config, bootstrap_retries))


async def _serve(application: Application, config: WebhookConfig, retries: int) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    server: HTTPServer | None = None
    try:
        server = _listen(application, config)  # first, so a busy port fails before anything
        if not await _retrying(application.initialize, retries, stop):
            return
        if application.post_init and not await _unless_stopped(
            application.post_init(application), stop
        ):
            return
        await application.start()
        register = functools.partial(
            application.bot.set_webhook,
            config.url,
            secret_token=config.secret,
            allowed_updates=Update.ALL_TYPES,
        )
        if not await _retrying(register, retries, stop):
            return
        log.info("Webhook set; listening on %s:%d%s", config.listen, config.port, config.path)
        await stop.wait()
        log.info("Stopping")
    finally:
        if server is not None:
            server.stop()
            await server.close_all_connections()
        if application.running:
            await application.stop()  # handles every update still queued
            if application.post_stop:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


async def _retrying(
    action: Callable[[], Awaitable[Any]], retries: int, stop: asyncio.Event
) -> bool:
    """Run ``action``; while Telegram is unreachable, try again up to ``retries`` times with
    backoff. False if a stop signal came first."""
    delay = 1.0
    for attempt in range(retries + 1):
        try:
            return await _unless_stopped(action(), stop)
        except BadRequest:  # e.g. Telegram refuses the webhook URL: no use in asking again
            raise
        except (NetworkError, RetryAfter) as error:  # 429s: the rate limiter waited already
            if attempt == retries:
                raise
            log.warning("Could not reach Telegram (%s); trying again in %.0f s", error, delay)
        if not await _unless_stopped(asyncio.sleep(delay), stop):
            return False
        delay = min(delay * 2, MAX_RETRY_DELAY)
    return False  # not reached: the last attempt returns or raises


async def _unless_stopped(work: Awaitable[Any], stop: asyncio.Event) -> bool:
    """Await ``work``, or cancel it when a stop signal comes first (False): a bot waiting for
    Telegram at start stops at once."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return False
    task.result()  # its error, if any
    return True


def _listen(application: Application, config: WebhookConfig) -> HTTPServer:
    try:
        sockets = tornado.netutil.bind_sockets(config.port, config.listen)
    except OSError as error:
        raise SettingsError(
            f"cannot listen on {config.listen} port {config.port} (BOT_WEBHOOK_LISTEN, "
            f"BOT_WEBHOOK_PORT): {error.strerror or error}"
        ) from None
    server = HTTPServer(
        web_application(application, config.path, config.secret),
        max_body_size=MAX_BODY_BYTES,
        body_timeout=BODY_TIMEOUT,
        idle_connection_timeout=IDLE_TIMEOUT,
    )
    server.add_sockets(sockets)
    return server


def web_application(application: Application, path: str, secret: str) -> tornado.web.Application:
    """The routes: updates on ``path``, the health check, JSON 404 for anything else."""
    route = re.escape(path.rstrip("/")) + "/?"
    shared = {"bot_app": application}
    return tornado.web.Application(
        [
            (route, UpdateHandler, {**shared, "secret": secret.encode()}),
            (re.escape(HEALTH_PATH), HealthHandler, shared),
        ],
        default_handler_class=NotFoundHandler,
        default_handler_args=shared,
        log_function=_log_request,
    )


class JSONHandler(tornado.web.RequestHandler):
    def initialize(self, bot_app: Application) -> None:
        self.bot_app = bot_app  # tornado's own Application is self.application
        self.refusal = ""  # why a request was refused, for the log

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")

    def reply(self, status: int, **body: Any) -> None:
        self.refusal = body.get("error", "")
        self.set_status(status)
        self.finish(json.dumps(body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.refusal = self._reason.lower()
        self.finish(json.dumps({"ok": False, "error": self.refusal}))


class UpdateHandler(JSONHandler):
    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, bot_app: Application, secret: bytes) -> None:  # type: ignore[override]
        super().initialize(bot_app)
        self.secret = secret

    async def post(self) -> None:
        if not self.bot_app.running:  # Telegram calls again later, with the secret it has then
            self.reply(503, ok=False, error="not ready")
            return
        # Header values arrive decoded as Latin-1; compared in constant time.
        given = self.request.headers.get(SECRET_HEADER, "").encode("latin-1")
        if not hmac.compare_digest(given, self.secret):
            self.reply(403, ok=False, error="missing or wrong X-Telegram-Bot-Api-Secret-Token")
            return
        update = _parse_update(self.request.body, self.bot_app.bot)
        if update is None:
            self.reply(400, ok=False, error="not a Telegram update")
            return
        if isinstance(self.bot_app.bot, ExtBot):
            self.bot_app.bot.insert_callback_data(update)
        await self.bot_app.update_queue.put(update)
        self.reply(200, ok=True)


class HealthHandler(JSONHandler):
    def get(self) -> None:
        running = self.bot_app.running
        entries = len(services_of(self.bot_app).kb.matcher)
        self.reply(200 if running else 503, ok=running, entries=entries)


class NotFoundHandler(JSONHandler):
    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)


def _parse_update(body: bytes, bot: Any) -> Update | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or absurdly nested
        return None
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return None
    try:
        return Update.de_json(data, bot)
    except Exception:  # valid JSON in a shape no update has
        return None


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """Refusals only, and a wrong secret or a broken update as warnings; handled updates and
    health checks are not logged."""
    status = handler.get_status()
    if status >= 400:
        request = handler.request
        log.log(
            logging.WARNING if status in (400, 403) else logging.INFO,
            "Webhook server: %d %s %.100s from %s: %s",
            status,
            request.method,
            request.path,
            request.remote_ip,
            getattr(handler, "refusal", "") or handler._reason,
        )
