"""A Telegram Bot API server on 127.0.0.1, enough for a bot that long-polls or sets a webhook:
getMe, getUpdates, sendMessage, answerCallbackQuery and the set-up calls (setWebhook too).
Tests push updates into it and wait for what the bot calls.

It can also misbehave as the real one sometimes does: ``inject("sendMessage", RATE_LIMITED,
DROPPED)`` makes the next two sendMessage calls fail, one fault each, in that order. ``calls``
holds what the server did (a call refused with 429, 5xx or 400 did nothing; one whose answer was
too slow or whose connection was dropped was carried out all the same, only the bot never
heard), ``faulted`` which call met which fault."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

JSONDict = dict[str, Any]
BOT = {"id": 7000000002, "is_bot": True, "first_name": "Test bot", "username": "test_mb_bot"}
LONG_POLL_CAP = 1.0  # seconds a getUpdates call may wait here, whatever the bot asks
_TRUE_METHODS = {  # methods answered with a plain "true"; their parameters are in .calls
    "answerCallbackQuery", "setMyCommands", "deleteMyCommands", "setMyDescription",
    "setMyShortDescription", "setWebhook", "deleteWebhook",
}  # fmt: skip

# Faults to inject (see BotApiServer.inject).
RATE_LIMITED = "429"  # HTTP 429 with retry_after 1: nothing done
SERVER_ERROR = "500"  # HTTP 500 with a JSON error: nothing done
BAD_GATEWAY = "502"  # HTTP 502 with the HTML page a proxy sends: nothing done
TOO_SLOW = "slow"  # done, but answered only after the bot's read timeout has passed
DROPPED = "drop"  # done, but the connection is closed without any answer
QUERY_TOO_OLD = "400"  # answerCallbackQuery too late after the press: refused, for good
FAULTS = (RATE_LIMITED, SERVER_ERROR, BAD_GATEWAY, TOO_SLOW, DROPPED, QUERY_TOO_OLD)
NOTHING_DONE = {RATE_LIMITED, SERVER_ERROR, BAD_GATEWAY, QUERY_TOO_OLD}
SLOW_DELAY = 5.5  # seconds; python-telegram-bot gives up reading after 5 (getUpdates: + timeout)
REFUSALS = {  # fault: (HTTP status, description, further fields of the answer)
    RATE_LIMITED: (429, "Too Many Requests: retry after 1", {"parameters": {"retry_after": 1}}),
    SERVER_ERROR: (500, "Internal Server Error", {}),
    QUERY_TOO_OLD: (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
        {},
    ),
}
UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
BAD_GATEWAY_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


class BotApiServer:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[tuple[str, JSONDict]] = []
        self.faulted: list[tuple[str, JSONDict, str]] = []  # (method, parameters, fault)
        self.slow_delay = SLOW_DELAY
        self._faults: defaultdict[str, deque[tuple[str, Callable[[JSONDict], bool]]]]
        self._faults = defaultdict(deque)
        self._pending: list[JSONDict] = []
        self._changed = threading.Condition()
        self._closing = threading.Event()
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
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
        self._closing.set()  # slow answers stop waiting
        self._server.shutdown()
        self._server.server_close()

    def push(self, update: JSONDict) -> int:
        """Queue ``update`` for getUpdates. As Telegram does, the server numbers the updates
        (1, 2, 3 … in the order pushed), so several users' updates never share an id."""
        with self._changed:
            update_id = next(self._update_ids)
            self._pending.append({**update, "update_id": update_id})
            self._changed.notify_all()
            return update_id

    def inject(
        self, method: str, *faults: str, matching: Callable[[JSONDict], bool] = lambda _: True
    ) -> None:
        """Make the next calls of ``method`` (whose parameters satisfy ``matching``) fail, one
        fault per call, in this order."""
        assert all(fault in FAULTS for fault in faults), faults
        with self._changed:
            self._faults[method].extend((fault, matching) for fault in faults)

    def faults_left(self, method: str | None = None) -> int:
        """Injected faults not met yet (of ``method``, or of all methods)."""
        with self._changed:
            if method is not None:
                return len(self._faults[method])
            return sum(len(queue) for queue in self._faults.values())

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
        """Wait until ``condition()`` holds; it is checked after every call the server gets."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [name for name, _ in self.calls[-20:]]
                    raise AssertionError(f"not {what} within {timeout}s; last calls: {seen}")
                self._changed.wait(min(remaining, 0.5))

    def sent(self, method: str = "sendMessage") -> list[JSONDict]:
        """The parameters of every ``method`` call the server carried out, in order."""
        with self._changed:
            return [params for name, params in self.calls if name == method]

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

    def confirmed_offset(self) -> int:
        """The highest offset getUpdates was called with: every update below it is confirmed."""
        return max((int(p.get("offset") or 0) for p in self.sent("getUpdates")), default=0)

    # Serving ------------------------------------------------------------------------------

    def next_fault(self, method: str, params: JSONDict) -> str | None:
        """The fault this call meets, if any; it is used up."""
        with self._changed:
            queue = self._faults.get(method, deque())
            found = next((i for i, (_, matching) in enumerate(queue) if matching(params)), None)
            if found is None:
                return None
            fault, _ = queue[found]
            del queue[found]
            self.faulted.append((method, params, fault))
            if fault in NOTHING_DONE:
                self._changed.notify_all()
            return fault

    def answer_late(self) -> bool:
        """Wait out a slow answer; False if the server is shutting down meanwhile."""
        return not self._closing.wait(self.slow_delay)

    def refuse(self, fault: str) -> tuple[int, bytes]:
        """The HTTP status and body of a fault that leaves the call undone."""
        if fault == BAD_GATEWAY:
            return 502, BAD_GATEWAY_PAGE
        status, description, parameters = REFUSALS[fault]
        payload = {"ok": False, "error_code": status, "description": description}
        return status, json.dumps(payload | parameters).encode()

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
        if method in _TRUE_METHODS:
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
                    self.answer(401, json.dumps(UNAUTHORIZED).encode())
                    return
                params = _parameters(self.headers, body)
                fault = server.next_fault(method, params)
                if fault in NOTHING_DONE:
                    self.answer(*server.refuse(fault))
                    return
                status, payload = server.serve(method, params)
                if fault == DROPPED:
                    self.close_connection = True  # not a byte of answer
                    return
                if fault == TOO_SLOW and not server.answer_late():
                    return
                self.answer(status, json.dumps(payload).encode())

            def answer(self, status: int, data: bytes) -> None:
                content_type = "text/html" if data.startswith(b"<") else "application/json"
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the bot stopped waiting (a slow answer) or went away
                    self.close_connection = True

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
