"""An in-process stand-in for the Telegram Bot API server.

``LocalBotApi`` is a python-telegram-bot ``BaseRequest``: the ``Application`` talks to it as it
would to api.telegram.org, but every call is answered here, without a network. It checks
messages the way Telegram does (HTML parse mode, length, button data) and keeps what was sent,
so the console chat can print it, tests can assert on it and the benchmark can count it.

``UpdateFactory`` builds the Bot API JSON of incoming updates, as Telegram would send them.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import time
from collections.abc import Callable
from typing import Any

from telegram.request import BaseRequest, RequestData

from knowledge.replies.markup import MESSAGE_LIMIT, telegram_length

JSONDict = dict[str, Any]

BOT_USER: JSONDict = {
    "id": 7_000_000_001,
    "is_bot": True,
    "first_name": "Moscow–Beijing Cooperation",
    "username": "moscow_beijing_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
CALLBACK_DATA_LIMIT = 64  # bytes
BUTTON_TEXT_LIMIT = 1024  # generous; Telegram cuts long labels on screen, not in the API
INLINE_RESULTS_LIMIT = 50
DESCRIPTION_LIMIT = 512  # setMyDescription
SHORT_DESCRIPTION_LIMIT = 120  # setMyShortDescription

# Tags Telegram's HTML parse mode accepts (https://core.telegram.org/bots/api#html-style).
_ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_ALLOWED_ENTITIES = {"lt", "gt", "amp", "quot"}


class BadRequest(Exception):
    """What Telegram answers with HTTP 400."""


class TelegramHTML:
    """A strict reader of Telegram HTML: unknown tags, bad nesting, stray ``<`` and unknown
    entities are errors, as Telegram answers them with "can't parse entities"."""

    _PIECE = re.compile(r"<(/?)([A-Za-z-]*)((?:\s[^<>]*)?)>|<|&#?\w+;|[^<&]+|&")
    _HREF = re.compile(r"""\shref\s*=\s*(["'])[^"']+\1""")

    @classmethod
    def to_plain(cls, markup: str) -> str:
        text: list[str] = []
        open_tags: list[str] = []
        for match in cls._PIECE.finditer(markup):
            piece = match.group(0)
            if piece.startswith("<"):
                cls._tag(match, open_tags)
            elif piece.startswith("&") and len(piece) > 1:
                text.append(cls._entity(piece))
            else:
                text.append(piece)
        if open_tags:
            raise BadRequest(f"can't parse entities: can't find end tag for {open_tags[-1]!r}")
        return "".join(text)

    @classmethod
    def _tag(cls, match: re.Match[str], open_tags: list[str]) -> None:
        closing, name, attributes = match.group(1), (match.group(2) or "").lower(), match.group(3)
        if match.group(0) == "<" or name not in _ALLOWED_TAGS:
            raise BadRequest(f"can't parse entities: unsupported tag {match.group(0)[:20]!r}")
        if closing:
            if not open_tags or open_tags[-1] != name:
                raise BadRequest(f"can't parse entities: unexpected end tag {name!r}")
            open_tags.pop()
        else:
            if name == "a" and not cls._HREF.search(attributes or ""):
                raise BadRequest("can't parse entities: a link without href")
            open_tags.append(name)

    @staticmethod
    def _entity(piece: str) -> str:
        name = piece[1:-1]
        if not name.startswith("#") and name not in _ALLOWED_ENTITIES:
            raise BadRequest(f"can't parse entities: unsupported HTML entity {piece!r}")
        return html.unescape(piece)


class LocalBotApi(BaseRequest):
    """Answers the Bot API methods the bot uses, in process; keeps every message it was sent."""

    def __init__(self, on_send: Callable[[JSONDict], None] | None = None) -> None:
        self.calls: list[tuple[str, JSONDict]] = []
        self.errors: list[tuple[str, str]] = []  # (method, description) of refused calls
        self.sent: list[JSONDict] = []
        self.callback_answers: list[JSONDict] = []
        self.documents: list[JSONDict] = []  # files the bot sent: chat_id, filename, content
        self.files: dict[str, bytes] = {}  # files users sent, by file_id, for getFile
        self.commands: dict[str, list[JSONDict]] = {}  # setMyCommands, by scope and language
        self.inline_answers: list[JSONDict] = []  # answerInlineQuery calls
        self.descriptions: dict[str, dict[str, str]] = {}  # by language code ("" = default)
        self.blocked_by: set[int] = set()  # chats whose user blocked the bot: sending is refused
        self._message_ids = itertools.count(1)
        self._on_send = on_send

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download (getFile's file_path)
            content = self.files.get(url.rsplit("/", 1)[-1])
            return (200, content) if content is not None else _error(404, "Not Found: file")
        endpoint = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            params["_files"] = request_data.multipart_data
        self.calls.append((endpoint, params))
        if not _is_utf8(params):  # a lone surrogate: no HTTP request could carry it
            self.errors.append((endpoint, "strings must be encoded in UTF-8"))
            return _error(400, "Bad Request: strings must be encoded in UTF-8")
        if endpoint.lower().startswith("send") and _chat_id(params) in self.blocked_by:
            return _error(403, "Forbidden: bot was blocked by the user")
        serve = self._methods().get(endpoint.lower())
        if serve is None:
            self.errors.append((endpoint, "not served"))
            return _error(404, "Not Found: method not served by the local Bot API")
        try:
            result = serve(params)
        except BadRequest as error:
            self.errors.append((endpoint, str(error)))
            return _error(400, f"Bad Request: {error}")
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _methods(self) -> dict[str, Callable[[JSONDict], Any]]:
        answer_true: Callable[[JSONDict], Any] = lambda _params: True  # noqa: E731
        return {
            "getme": lambda _params: BOT_USER,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "senddocument": self._send_document,
            "getfile": self._get_file,
            "editmessagereplymarkup": self._edit_reply_markup,
            "deletewebhook": answer_true,
            "getupdates": lambda _params: [],
            "answerinlinequery": self._answer_inline_query,
            "setmydescription": self._describer("description", DESCRIPTION_LIMIT),
            "setmyshortdescription": self._describer("short_description", SHORT_DESCRIPTION_LIMIT),
        }

    def _send_message(self, params: JSONDict) -> JSONDict:
        message = self._message(params)
        self.sent.append(message)
        if self._on_send:
            self._on_send(message)
        return message

    def upload(self, content: bytes, file_name: str) -> JSONDict:
        """A document as a user sends it: its Bot API JSON, its bytes kept for getFile."""
        file_id = f"doc{len(self.files) + 1}"
        self.files[file_id] = content
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": "application/json",
            "file_size": len(content),
        }

    def _get_file(self, params: JSONDict) -> JSONDict:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            raise BadRequest("wrong file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": file_id,
        }

    def _send_document(self, params: JSONDict) -> JSONDict:
        [(file_name, content, _mime)] = list(params.pop("_files").values())[:1]
        if not isinstance(content, bytes):
            content = content.read()
        caption = str(params.get("caption", ""))
        if params.get("parse_mode") == "HTML":
            caption = TelegramHTML.to_plain(caption)
        self.documents.append(
            {
                "chat_id": int(params["chat_id"]),
                "filename": file_name,
                "content": content,
                "caption": caption,
            }
        )
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT_USER,
            "document": {"file_id": "sent", "file_unique_id": "sent", "file_name": file_name},
            "caption": caption,
        }
        if self._on_send:
            self._on_send(message)
        return message

    def _set_my_commands(self, params: JSONDict) -> bool:
        scope = json.dumps(params.get("scope", {"type": "default"}), sort_keys=True)
        self.commands[f"{scope}|{params.get('language_code', '')}"] = params["commands"]
        return True

    def _delete_my_commands(self, params: JSONDict) -> bool:
        scope = json.dumps(params.get("scope", {"type": "default"}), sort_keys=True)
        self.commands.pop(f"{scope}|{params.get('language_code', '')}", None)
        return True

    def _edit_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        return True

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        return self._message(params, message_id=int(params["message_id"]))

    def _answer_inline_query(self, params: JSONDict) -> bool:
        results = params.get("results") or []
        if len(results) > INLINE_RESULTS_LIMIT:
            raise BadRequest("RESULTS_TOO_MUCH")
        ids = [result["id"] for result in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise BadRequest("RESULT_ID_INVALID")
        for result in results:
            if not result.get("title"):
                raise BadRequest("RESULT_TITLE_EMPTY")
            content = result["input_message_content"]
            sendable = {"chat_id": 0, "text": content.get("message_text")}
            self._message(sendable | {"parse_mode": content.get("parse_mode")})
            if result.get("reply_markup"):
                _check_keyboard(result["reply_markup"])
        self.inline_answers.append(params)
        return True

    def _describer(self, field: str, limit: int) -> Callable[[JSONDict], bool]:
        def describe(params: JSONDict) -> bool:
            text = str(params.get(field) or "")
            if len(text) > limit:
                raise BadRequest(f"{field} is too long")
            language = str(params.get("language_code") or "")
            self.descriptions.setdefault(language, {})[field] = text
            return True

        return describe

    def _answer_callback_query(self, params: JSONDict) -> bool:
        if len(params.get("text") or "") > 200:
            raise BadRequest("MESSAGE_TOO_LONG")
        self.callback_answers.append(params)
        return True

    def _message(self, params: JSONDict, message_id: int | None = None) -> JSONDict:
        text = str(params.get("text", ""))
        plain = TelegramHTML.to_plain(text) if params.get("parse_mode") == "HTML" else text
        if not plain.strip():
            raise BadRequest("message text is empty")
        if telegram_length(plain) > MESSAGE_LIMIT:
            raise BadRequest("message is too long")
        message: JSONDict = {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT_USER,
            "text": plain,
            "html": text,  # not in the real API: what the bot sent, for tests to inspect
        }
        markup = params.get("reply_markup")
        if markup:
            _check_keyboard(markup)
            message["reply_markup"] = markup
        return message


def _check_keyboard(markup: JSONDict) -> None:
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data, url = button.get("callback_data"), button.get("url")
            if (data is None) == (url is None):  # exactly one kind of button, as we use them
                raise BadRequest("BUTTON_TYPE_INVALID")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise BadRequest("BUTTON_DATA_INVALID")
            if url is not None and not url.startswith(("https://", "http://", "tg://")):
                raise BadRequest("BUTTON_URL_INVALID")
            if not button.get("text") or len(button["text"]) > BUTTON_TEXT_LIMIT:
                raise BadRequest("BUTTON_TEXT_INVALID")


def _chat_id(params: JSONDict) -> int | None:
    try:
        return int(params.get("chat_id", ""))
    except (TypeError, ValueError):
        return None


def _is_utf8(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_is_utf8(key) and _is_utf8(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return all(_is_utf8(item) for item in value)
    return True


def _error(code: int, description: str) -> tuple[int, bytes]:
    return code, json.dumps({"ok": False, "error_code": code, "description": description}).encode()


class UpdateFactory:
    """Bot API JSON for the updates one user sends, numbered as Telegram numbers them."""

    def __init__(
        self,
        user_id: int = 1001,
        first_name: str = "Anna",
        language_code: str | None = "en",
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> None:
        self.user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            self.user["language_code"] = language_code
        self.chat: JSONDict = {"id": chat_id or user_id, "type": chat_type}
        if chat_type == "private":
            self.chat["first_name"] = first_name
        else:
            self.chat["title"] = "Moscow–Beijing officials"
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(10_000)

    def message(self, text: str, **extra: Any) -> JSONDict:
        """A text message; a leading ``/command`` gets its ``bot_command`` entity."""
        message: JSONDict = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            "text": text,
            **extra,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0] if text.strip() else text
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": telegram_length(command)}
            ]
        return {"update_id": next(self._update_ids), "message": message}

    def edited_message(self, text: str) -> JSONDict:
        update = self.message(text)
        update["edited_message"] = update.pop("message")
        update["edited_message"]["edit_date"] = int(time.time())
        return update

    def non_text(self) -> JSONDict:
        """A sticker: a message with no text."""
        update = self.message("")
        del update["message"]["text"]
        update["message"]["sticker"] = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        return update

    def document(self, document: JSONDict, caption: str | None = None, **extra: Any) -> JSONDict:
        """A message carrying a file (see ``LocalBotApi.upload``), with an optional caption."""
        update = self.message("", **extra)
        message = update["message"]
        del message["text"]
        message.pop("entities", None)
        message["document"] = document
        if caption is not None:
            message["caption"] = caption
        return update

    def forwarded_from(self, sender: JSONDict, text: str = "Hello") -> JSONDict:
        """A message this user forwards from ``sender`` (a Bot API user)."""
        origin = {"type": "user", "date": int(time.time()), "sender_user": sender}
        return self.message(text, forward_origin=origin)

    def inline_query(self, text: str, offset: str = "") -> JSONDict:
        """The user typing ``@bot text`` in some chat."""
        query = {
            "id": str(next(self._message_ids)),
            "from": self.user,
            "query": text,
            "offset": offset,
        }
        return {"update_id": next(self._update_ids), "inline_query": query}

    def callback(self, data: str, message: JSONDict | None = None) -> JSONDict:
        """A press on an inline button carrying ``data``, under ``message`` (a bot message)."""
        query: JSONDict = {
            "id": str(next(self._message_ids)),
            "from": self.user,
            "chat_instance": f"instance-{self.chat['id']}",
            "data": data,
        }
        if message is not None:
            query["message"] = {k: v for k, v in message.items() if k != "html"}
        return {"update_id": next(self._update_ids), "callback_query": query}
