"""`python bot.py --webhook URL`: Telegram posts updates over HTTP on 127.0.0.1 and the bot
answers through a Bot API server there; a wrong secret, a malformed body or a stop signal are
handled as an operator would want. And the webhook settings, each refused in one line."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from runtime.settings import SettingsError, load_settings
from tests.conftest import run_bot_py
from tests.support.botapi_server import BotApiServer
from tests.support.polling_bot import TOKEN, bot_process
from transports.local_api import UpdateFactory

SECRET = "s3cret_Webhook-token"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SIGNED = "7 December 2020"  # in the answer to "when was the agreement signed"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One HTTP request to the bot's webhook server: the status and the JSON answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return response.status, json.loads(data) if data.startswith(b"{") else data


def post(port: int, update: Any, secret: str | None, path: str = "/telegram") -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    return call(port, "POST", path, body, headers)[0]


def stop(bot: subprocess.Popen[str], signum: int = signal.SIGTERM) -> str:
    bot.send_signal(signum)
    _, stderr = bot.communicate(timeout=30)
    assert bot.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert TOKEN not in stderr  # the log never shows the token
    return stderr


def test_bot_answers_what_telegram_posts_and_refuses_everyone_else(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    user, late_user = UpdateFactory(user_id=4242), UpdateFactory(user_id=4343)
    intruder = UpdateFactory(user_id=666, first_name="Eve")
    with BotApiServer(TOKEN) as telegram, bot_process(
        tmp_path, telegram, ["--webhook", url],
        BOT_WEBHOOK_PORT=str(port), BOT_WEBHOOK_SECRET=SECRET,
    ) as bot:  # fmt: skip
        registered = telegram.wait_for("setWebhook")
        assert registered["url"] == url and registered["secret_token"] == SECRET
        assert {"message", "callback_query"} <= set(registered["allowed_updates"])
        assert telegram.count("getUpdates") == 0  # no polling besides

        status, health = call(port, "GET", "/healthz")
        assert status == 200 and health["ok"] is True and health["entries"] > 10

        # Without the secret, or with a wrong one: refused, never handled.
        for secret in (None, "", "wrong", SECRET + "x", SECRET[:-1]):
            assert post(port, intruder.message("/start"), secret) == 403
        # With the secret but not an update: 400, and the bot keeps serving.
        for body in (b"{not json", b"\xff\xfe", b"[1, 2]", b"{}", b'{"update_id": "x"}',
                     b'{"update_id": 9, "message": "not a message"}', b"[" * 100_000):  # fmt: skip
            assert post(port, body, SECRET) == 400, body[:30]
        status, _ = call(port, "POST", "/telegram", headers={
            "Content-Length": str(2 << 20), SECRET_HEADER: SECRET,
        })  # fmt: skip
        assert status == 400  # a body over 1 MB is refused before it is read
        assert call(port, "GET", "/telegram")[0] == 405
        assert call(port, "POST", "/elsewhere", b"{}")[0] == 404

        assert post(port, user.message("wen was the agrement signd"), SECRET) == 200
        answer = telegram.wait_for("sendMessage", lambda p: SIGNED in p["text"])
        assert answer["chat_id"] == 4242 and answer["parse_mode"] == "HTML"

        # A question Telegram has handed over just before the stop is still answered.
        assert post(port, late_user.message("when was the agreement signed"), SECRET) == 200
        stderr = stop(bot, signal.SIGTERM)

    assert telegram.wait_for("sendMessage", lambda p: p["chat_id"] == 4343, timeout=0)
    assert not [p for name, p in telegram.calls if name == "sendMessage" and p["chat_id"] == 666]
    assert SECRET not in stderr
    assert (
        "403 POST /telegram" in stderr
        and "missing or wrong X-Telegram-Bot-Api-Secret-Token" in stderr
    )
    assert telegram.count("deleteWebhook") == 0  # Telegram keeps updates while the bot is down


def test_a_random_secret_each_start_and_a_path_of_its_own(tmp_path: Path) -> None:
    """BOT_WEBHOOK_URL instead of --webhook, no BOT_WEBHOOK_SECRET, and a proxy in front that
    maps the public path /public/hook to the local one, /local (BOT_WEBHOOK_PATH)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/public/hook"
    user = UpdateFactory(user_id=4242)
    with BotApiServer(TOKEN) as telegram, bot_process(
        tmp_path, telegram, [],
        BOT_WEBHOOK_URL=url, BOT_WEBHOOK_PORT=str(port), BOT_WEBHOOK_PATH="/local/",
    ) as bot:  # fmt: skip
        registered = telegram.wait_for("setWebhook")
        secret = registered["secret_token"]
        assert registered["url"] == url and re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret)

        assert (
            post(port, user.message("when was the agreement signed"), secret, "/public/hook") == 404
        )
        assert post(port, user.message("when was the agreement signed"), SECRET, "/local") == 403
        assert post(port, user.message("when was the agreement signed"), secret, "/local") == 200
        assert telegram.wait_for("sendMessage", lambda p: SIGNED in p["text"])["chat_id"] == 4242
        stderr = stop(bot, signal.SIGINT)
    assert secret not in stderr  # the generated secret is never logged


def test_a_bot_waiting_for_telegram_at_start_stops_at_once(tmp_path: Path) -> None:
    port, nobody = free_port(), free_port()  # no Bot API server answers on `nobody`
    with BotApiServer(TOKEN) as telegram, bot_process(
        tmp_path, telegram, ["--webhook", "https://bot.example.org/telegram"],
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{nobody}/bot", BOT_WEBHOOK_PORT=str(port),
    ) as bot:  # fmt: skip
        deadline = time.monotonic() + 20
        while True:  # the server answers before Telegram does: not ready yet
            with contextlib.suppress(OSError):
                status, health = call(port, "GET", "/healthz")
                break
            assert time.monotonic() < deadline and bot.poll() is None
            time.sleep(0.05)
        assert status == 503 and health["ok"] is False
        assert post(port, UpdateFactory().message("hello"), None) == 503
        started = time.monotonic()
        stderr = stop(bot, signal.SIGTERM)
    assert time.monotonic() - started < 5, stderr  # not after the retries have run out
    assert "Could not reach Telegram" in stderr  # what the bot was waiting for


def test_a_busy_port_is_refused_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken, BotApiServer(TOKEN) as telegram:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with bot_process(
            tmp_path, telegram, ["--webhook", "https://bot.example.org/telegram"],
            BOT_WEBHOOK_PORT=str(port),
        ) as bot:  # fmt: skip
            _, stderr = bot.communicate(timeout=30)
    assert bot.returncode == 2
    assert stderr.strip().splitlines()[-1] == (
        f"bot.py: cannot listen on 127.0.0.1 port {port} (BOT_WEBHOOK_LISTEN, BOT_WEBHOOK_PORT): "
        "Address already in use"
    )
    assert "Traceback" not in stderr
    assert telegram.count("setWebhook") == 0


def test_a_webhook_without_a_token_is_refused_in_one_line(tmp_path: Path) -> None:
    url = "https://bot.example.org/telegram"
    result = run_bot_py(tmp_path, "--webhook", url, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "bot.py: a webhook (--webhook, BOT_WEBHOOK_URL) needs TELEGRAM_BOT_TOKEN"
    ]


# Settings ---------------------------------------------------------------------------------


def test_webhook_defaults() -> None:
    settings = load_settings({}, dotenv_path=None)
    assert settings.webhook_url is None  # long polling
    assert settings.webhook_listen == "127.0.0.1" and settings.webhook_port == 8443
    assert settings.webhook_secret is None  # a random one at each start


def test_webhook_values_and_the_path_from_the_url() -> None:
    environ = {
        "BOT_WEBHOOK_URL": "https://bot.example.org/tg/hook",
        "BOT_WEBHOOK_LISTEN": "0.0.0.0",
        "BOT_WEBHOOK_PORT": "9000",
        "BOT_WEBHOOK_SECRET": SECRET,
    }
    settings = load_settings(environ, dotenv_path=None)
    assert settings.webhook_url == "https://bot.example.org/tg/hook"
    assert settings.webhook_path == "/tg/hook"  # Telegram's path, unless told otherwise
    assert settings.webhook_listen == "0.0.0.0" and settings.webhook_port == 9000
    assert settings.webhook_secret == SECRET and SECRET not in repr(settings)

    given = load_settings(environ, dotenv_path=None, webhook_url="https://other.example.org/")
    assert given.webhook_url == "https://other.example.org/" and given.webhook_path == "/"
    path = load_settings({**environ, "BOT_WEBHOOK_PATH": "telegram"}, dotenv_path=None)
    assert path.webhook_path == "/telegram"


def test_a_self_hosted_bot_api_server_may_call_plain_http() -> None:
    url = "http://10.0.0.5:8080/telegram"
    with pytest.raises(SettingsError, match="https"):
        load_settings({}, dotenv_path=None, webhook_url=url)
    environ = {"TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot"}
    assert load_settings(environ, dotenv_path=None, webhook_url=url).webhook_url == url


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("BOT_WEBHOOK_URL", "bot.example.org/telegram", "BOT_WEBHOOK_URL must be the https URL"),
        ("BOT_WEBHOOK_URL", "ftp://bot.example.org/", "BOT_WEBHOOK_URL"),
        ("BOT_WEBHOOK_URL", "https://[::1/telegram", "BOT_WEBHOOK_URL"),
        ("BOT_WEBHOOK_URL", "https://bot.example.org:port/", "BOT_WEBHOOK_URL"),
        ("BOT_WEBHOOK_URL", "https://bot.example.org/a b", "the webhook URL's path"),
        ("BOT_WEBHOOK_LISTEN", "everywhere", "BOT_WEBHOOK_LISTEN must be an IP address"),
        ("BOT_WEBHOOK_PORT", "0", "BOT_WEBHOOK_PORT must be a port number"),
        ("BOT_WEBHOOK_PORT", "65536", "BOT_WEBHOOK_PORT"),
        ("BOT_WEBHOOK_PORT", "https", "BOT_WEBHOOK_PORT"),
        ("BOT_WEBHOOK_PATH", "tele gram", "BOT_WEBHOOK_PATH must be a URL path"),
        ("BOT_WEBHOOK_PATH", "healthz", "BOT_WEBHOOK_PATH"),
        ("BOT_WEBHOOK_SECRET", "has space", "BOT_WEBHOOK_SECRET"),
        ("BOT_WEBHOOK_SECRET", "x" * 257, "BOT_WEBHOOK_SECRET .* 257 characters"),
    ],
)
def test_a_bad_webhook_setting_is_named(name: str, value: str, complaint: str) -> None:
    environ = {"BOT_WEBHOOK_URL": "https://bot.example.org/telegram", name: value}
    with pytest.raises(SettingsError, match=complaint) as refusal:
        load_settings(environ, dotenv_path=None)
    assert "\n" not in str(refusal.value)
    if name == "BOT_WEBHOOK_SECRET":
        assert value not in str(refusal.value)  # a secret is never echoed


def test_the_command_line_url_is_named_as_such() -> None:
    with pytest.raises(SettingsError, match=r"^--webhook must be the https URL"):
        load_settings({}, dotenv_path=None, webhook_url="https://")
