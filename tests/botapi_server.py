"""A Telegram Bot API server on 127.0.0.1, enough for a bot that long-polls: getMe,
getUpdates, sendMessage, answerCallbackQuery and the set-up calls. Tests push updates into it
and wait for what the bot calls."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

JSONDict = dict[str, Any]
BOT = {"id": 7000000002, "is_bot": True, "first_name": "Test bot", "username": "test_mb_bot"}
LONG_POLL_CAP = 1.0  # seconds a getUpdates call may wait here, whatever the bot asks


class BotApiServer:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[tuple[str, JSONDict]] = []
        self._pending: list[JSONDict] = []
        self._changed = threading.Condition()
        self._message_ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/bot"

    def __enter__(self) -> BotApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def push(self, update: JSONDict) -> None:
        with self._changed:
            self._pending.append(update)
            self._changed.notify_all()

    def wait_for(
        self,
        method: str,
        matching: Callable[[JSONDict], bool] = lambda _: True,
        timeout: float = 30,
    ) -> JSONDict:
        """The first call of ``method`` whose parameters satisfy ``matching``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for name, params in self.calls:
                    if name == method and matching(params):
                        return params
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [name for name, _ in self.calls]
                    raise AssertionError(f"no {method} call within {timeout}s; calls: {seen}")
                self._changed.wait(remaining)

    def count(self, method: str) -> int:
        with self._changed:
            return sum(1 for name, _ in self.calls if name == method)

    # Serving ------------------------------------------------------------------------------

    def serve(self, method: str, params: JSONDict) -> tuple[int, JSONDict]:
        with self._changed:
            self.calls.append((method, params))
            self._changed.notify_all()
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._updates(params)}
        if method == "getMe":
            return 200, {"ok": True, "result": BOT}
        if method == "sendMessage":
            message = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT,
                "text": params["text"],
            }
            return 200, {"ok": True, "result": message}
        if method in {"answerCallbackQuery", "setMyCommands", "deleteWebhook"}:
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _updates(self, params: JSONDict) -> list[JSONDict]:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), LONG_POLL_CAP)
        deadline = time.monotonic() + wait
        with self._changed:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
            while not self._pending and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
            return list(self._pending)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                prefix, _, method = self.path.rpartition("/")
                if prefix != f"/bot{server.token}":
                    status, payload = 401, {"ok": False, "error_code": 401,
                                            "description": "Unauthorized"}  # fmt: skip
                else:
                    status, payload = server.serve(method, _parameters(self.headers, body))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def _parameters(headers: Any, body: bytes) -> JSONDict:
    """Bot API parameters, sent as JSON or as a form whose values are JSON-encoded."""
    if not body:
        return {}
    if headers.get("Content-Type", "").startswith("application/json"):
        return json.loads(body)
    params: JSONDict = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params
