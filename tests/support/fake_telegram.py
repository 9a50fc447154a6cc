"""A fake Telegram Bot API server for end-to-end bot tests.

Why a real HTTP server instead of a mocked ``Bot``: python-telegram-bot (PTB) then runs
unchanged - its request layer, (de)serialisation, long polling, shutdown sequence and error
mapping are all exercised, so a bot that passes here fails for the reasons it would fail against
api.telegram.org (unescaped HTML, over-long messages, flood control), not because of a mock.

Usage::

    with FakeTelegram() as fake:
        app = (
            Application.builder()
            .token(fake.token)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
            .build()
        )
        ...  # run the app, then:
        fake.inject_message(chat_id=7, user_id=7, text="/start")
        await fake.wait_for_async(is_call("sendMessage", chat_id=7))

The server runs on its own event loop in a daemon thread, so the test-facing methods are plain,
synchronous and thread-safe. Inside a coroutine on the bot's loop use :meth:`wait_for_async`:
the blocking :meth:`FakeTelegram.wait_for` would stall the very loop that must make the calls.

Fidelity notes: the fake is deliberately *stricter* than Telegram where the documentation is
stricter than the server (a bare ``&`` in HTML is rejected, as the docs demand; tdlib lets it
through), so our formatter is held to the documented contract (the validator is in
``fake_telegram_html``). Markdown is not validated.
``getUpdates`` ignores ``allowed_updates``. A newer ``getUpdates`` terminates a pending one with
409, as Telegram does; that also stops a long poll abandoned by a stopping client from
swallowing updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.support.fake_telegram_html import EntityParseError, parse_html

JSONDict = dict[str, Any]

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024  # getFile refuses bigger files, as the real API does

DEFAULT_TOKEN = "123456789:TEST-token-for-newsbot"

# Packed word lists read better than one word per line, hence the fmt: off blocks.
# fmt: off
# Form and multipart bodies carry every value as a string; PTB JSON-encodes the non-string ones.
# The real server decodes per parameter, so we do too rather than guess from the value's shape.
_JSON_PARAMS = frozenset({
    "reply_markup", "entities", "caption_entities", "commands", "scope", "allowed_updates",
    "link_preview_options", "reply_parameters", "results", "button",
})
_INT_PARAMS = frozenset({
    "offset", "limit", "message_id", "reply_to_message_id", "cache_time", "max_connections",
    "message_thread_id", "user_id",
})
_BOOL_PARAMS = frozenset({
    "show_alert", "drop_pending_updates", "disable_notification", "protect_content", "is_personal",
    "disable_web_page_preview", "allow_sending_without_reply",
})
_CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
# fmt: on
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")

_UNAUTHORIZED: JSONDict = {"ok": False, "error_code": 401, "description": "Unauthorized"}
_NOT_FOUND: JSONDict = {"ok": False, "error_code": 404, "description": "Not Found"}
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made: what it asked for and what the fake answered."""

    method: str
    params: JSONDict
    result: Any = None
    error: JSONDict | None = None
    at: float = 0.0  # time.monotonic() when the fake answered

    @property
    def ok(self) -> bool:
        """Whether the fake answered with success."""
        return self.error is None


def is_call(method: str, **params: Any) -> Callable[[ApiCall], bool]:
    """Predicate for :meth:`FakeTelegram.wait_for`: a successful call with these params."""

    def predicate(call: ApiCall) -> bool:
        return (
            call.ok
            and call.method == method
            and all(call.params.get(k) == v for k, v in params.items())
        )

    return predicate


# --- the server --------------------------------------------------------------------------------


class _ApiError(Exception):
    """An error answer, raised from a method handler and turned into JSON at the HTTP edge."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.body: JSONDict = {"ok": False, "error_code": status, "description": description}
        if parameters:
            self.body["parameters"] = parameters


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


@dataclass
class _Failure:
    status: int
    description: str
    parameters: JSONDict = field(default_factory=dict)


class FakeTelegram:
    """A local Bot API server; a context manager that starts and stops it."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, bot_username: str = "newsbot_test_bot"):
        self.token = token
        bot_id = token.split(":", 1)[0]
        self.bot_user: JSONDict = {
            "id": int(bot_id) if bot_id.isdigit() else 123456789,
            "is_bot": True,
            "first_name": "Newsbot Test",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[ApiCall] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._pending: list[JSONDict] = []
        self._deliveries: Counter[int] = Counter()
        self._update_ids = itertools.count(1000)
        self._ids = itertools.count(1)
        self._chats: dict[int, JSONDict] = {}
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._callback_queries: dict[str, bool] = {}
        self._inline_queries: dict[str, JSONDict | None] = {}
        self._files: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._webhook: JSONDict = {"url": ""}
        self._poll_generation = 0
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._updates_event: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._startup_error: BaseException | None = None
        self.port = 0
        self._handlers: dict[str, Callable[[JSONDict], Any]] = {
            "getMe": lambda _: self.bot_user,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getFile": self._get_file,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "answerInlineQuery": self._answer_inline_query,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
        }
        # Telegram matches method names case-insensitively.
        self._method_names = {name.lower(): name for name in [*self._handlers, "getUpdates"]}

    # --- lifecycle -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What PTB's ``ApplicationBuilder.base_url`` wants (the token is appended by PTB)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """What PTB's ``ApplicationBuilder.base_file_url`` wants."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> FakeTelegram:
        """Serve on 127.0.0.1 on a free port, in a background thread with its own loop."""
        if self._thread is not None:
            raise RuntimeError("FakeTelegram is already started")
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(ready,), name="fake-telegram", daemon=True
        )
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("FakeTelegram did not start within 10 s")
        if self._startup_error is not None:
            raise RuntimeError("FakeTelegram failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        """Release pending long polls, close the server and join the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._start_site())
        except BaseException as exc:  # handed to the starting thread, which re-raises it
            self._startup_error = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _start_site(self) -> None:
        self._updates_event = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _shutdown(self) -> None:
        with self._lock:
            self._closing = True
        self._wake_pollers()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test-facing API -----------------------------------------------------------------------

    @property
    def sent(self) -> list[ApiCall]:
        """Every call except getUpdates, in arrival order (a snapshot)."""
        with self._lock:
            return list(self._calls)

    def calls(self, method: str | None = None, **params: Any) -> list[ApiCall]:
        """The recorded calls to ``method`` (any method if None) whose params match."""
        with self._lock:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method)
                and all(c.params.get(k) == v for k, v in params.items())
            ]

    def wait_for(
        self, predicate: Callable[[ApiCall], bool], timeout: float = 5.0, *, count: int = 1
    ) -> list[ApiCall]:
        """Block until ``count`` recorded calls match; return all matches so far.

        Raises TimeoutError listing what did arrive, which is usually the whole diagnosis.
        """
        with self._changed:
            matched = self._changed.wait_for(
                lambda: len([c for c in self._calls if predicate(c)]) >= count, timeout
            )
            found = [c for c in self._calls if predicate(c)]
            if not matched:
                seen = [(c.method, c.params, c.error) for c in self._calls]
                raise TimeoutError(
                    f"{len(found)}/{count} matching calls after {timeout} s; calls: {seen}"
                )
            return found

    async def wait_for_async(
        self, predicate: Callable[[ApiCall], bool], timeout: float = 5.0, *, count: int = 1
    ) -> list[ApiCall]:
        """:meth:`wait_for` without blocking the caller's event loop (the bot runs there)."""
        return await asyncio.to_thread(self.wait_for, predicate, timeout, count=count)

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next call to ``method`` fail; 429s carry ``parameters.retry_after``."""
        if status == 429:
            text = description or f"Too Many Requests: retry after {retry_after}"
            failure = _Failure(status, text, {"retry_after": retry_after})
        else:
            failure = _Failure(status, description or _DEFAULT_DESCRIPTIONS.get(status, "Error"))
        with self._lock:
            self._failures.setdefault(method.lower(), deque()).append(failure)

    @property
    def commands(self) -> list[JSONDict]:
        """The commands set for the default scope and no language."""
        return self.commands_for()

    def commands_for(self, scope_type: str = "default", language_code: str = "") -> list[JSONDict]:
        """The commands stored by setMyCommands for one scope type and language."""
        with self._lock:
            return list(self._commands.get((scope_type, language_code), []))

    @property
    def webhook(self) -> JSONDict:
        """What setWebhook stored (``url`` is empty when no webhook is set)."""
        with self._lock:
            return dict(self._webhook)

    @property
    def deliveries(self) -> dict[int, int]:
        """How many getUpdates responses carried each update_id; >1 means redelivery."""
        with self._lock:
            return dict(self._deliveries)

    @property
    def poll_count(self) -> int:
        """How many getUpdates requests arrived (they are kept out of :attr:`sent`)."""
        with self._lock:
            return self._poll_generation

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by an offset."""
        with self._lock:
            return list(self._pending)

    def add_chat(
        self,
        chat_id: int,
        chat_type: str = "private",
        *,
        username: str | None = None,
        title: str | None = None,
    ) -> JSONDict:
        """Make a chat known, so the bot may write to it without an incoming message first."""
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"User{chat_id}"
        else:
            chat["title"] = title or f"Group {chat_id}"
        if username:
            chat["username"] = username
        with self._lock:
            self._chats[chat_id] = chat
        return chat

    def inject_message(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        chat_type: str = "private",
        username: str | None = None,
        reply_to_message: int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> int:
        """Queue an Update with a user's text message; return its update_id.

        ``reply_to_message`` is the id of an earlier message in the same chat. A text that
        starts with "/" gets a bot_command entity unless ``entities`` is given.
        """
        if entities is None and text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        return self._inject_user_message(
            chat_id, user_id, chat_type, username, content, reply_to_message
        )

    def inject_document(
        self,
        chat_id: int,
        user_id: int,
        file_name: str,
        content: bytes,
        mime_type: str,
        caption: str | None = None,
        *,
        chat_type: str = "private",
    ) -> int:
        """Queue an Update with a document the user sent; getFile and download then serve it."""
        with self._lock:
            stored = self._store_file(content, file_name)
        message: JSONDict = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": len(content),
            }
        }
        if caption is not None:
            message["caption"] = caption
        return self._inject_user_message(chat_id, user_id, chat_type, None, message, None)

    def inject_content(
        self, chat_id: int, user_id: int, content: JSONDict, *, chat_type: str = "private"
    ) -> int:
        """Queue an Update with any other message content (a sticker, a photo, a bare caption)."""
        return self._inject_user_message(chat_id, user_id, chat_type, None, content, None)

    def inject_callback_query(self, chat_id: int, user_id: int, data: str, message_id: int) -> int:
        """Queue an Update with a button press on an earlier message; return its update_id."""
        with self._lock:
            message = self._messages.get((chat_id, message_id))
            if message is None:
                raise KeyError(f"no message {message_id} in chat {chat_id} to press a button on")
            query_id = str(next(self._ids) + 10**12)
            self._callback_queries[query_id] = False
            query = {
                "id": query_id,
                "from": self._user(user_id, None),
                "chat_instance": str(chat_id),
                "message": message,
                "data": data,
            }
            return self._queue_update({"callback_query": query})

    def inject_inline_query(self, user_id: int, query: str) -> str:
        """Queue an Update with an inline query (`@bot query` typed in some chat); return the
        query id, whose answer `inline_answer` gives."""
        with self._lock:
            query_id = str(next(self._ids) + 2 * 10**12)
            self._inline_queries[query_id] = None
            inline = {"id": query_id, "from": self._user(user_id, None), "query": query}
            self._queue_update({"inline_query": {**inline, "offset": ""}})
            return query_id

    def inline_answer(self, query_id: str) -> JSONDict | None:
        """The answerInlineQuery parameters given for this query, None while unanswered."""
        with self._lock:
            return copy.deepcopy(self._inline_queries.get(query_id))

    def photos(self, chat_id: int) -> list[bytes]:
        """The images sent to a chat with sendPhoto, oldest first."""
        with self._lock:
            return [
                self._files[m["photo"][-1]["file_id"]].content
                for (chat, _), m in sorted(self._messages.items())
                if chat == chat_id and "photo" in m
            ]

    # --- internals shared by injection and handlers (call with the lock held) ------------------

    def _inject_user_message(
        self,
        chat_id: int,
        user_id: int,
        chat_type: str,
        username: str | None,
        content: JSONDict,
        reply_to: int | None,
    ) -> int:
        with self._lock:
            if chat_id not in self._chats or self._chats[chat_id]["type"] != chat_type:
                self.add_chat(
                    chat_id, chat_type, username=username if chat_type == "private" else None
                )
            message = self._new_message(chat_id, self._user(user_id, username), content)
            if reply_to is not None:
                original = self._messages.get((chat_id, reply_to))
                if original is None:
                    raise KeyError(f"no message {reply_to} in chat {chat_id} to reply to")
                message["reply_to_message"] = original
            return self._queue_update({"message": message})

    def _queue_update(self, payload: JSONDict) -> int:
        update_id = next(self._update_ids)
        # A copy, so a later edit of a stored message cannot rewrite an update already queued.
        self._pending.append({"update_id": update_id, **copy.deepcopy(payload)})
        self._wake_pollers()
        return update_id

    def _wake_pollers(self) -> None:
        if self._loop is not None and self._updates_event is not None:
            with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody waits
                self._loop.call_soon_threadsafe(self._updates_event.set)

    @staticmethod
    def _user(user_id: int, username: str | None) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if username:
            user["username"] = username
        return user

    def _new_message(self, chat_id: int, sender: JSONDict, content: JSONDict) -> JSONDict:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JSONDict = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chats[chat_id],
            "from": sender,
            **content,
        }
        self._messages[(chat_id, message_id)] = message
        return message

    def _store_file(self, content: bytes, file_name: str) -> _StoredFile:
        n = next(self._ids)
        suffix = file_name.rsplit(".", 1)[-1] if "." in file_name else "bin"
        stored = _StoredFile(
            f"BQACAgFAKE{n:08d}", f"AgAD{n:04d}", f"documents/file_{n}.{suffix}", content
        )
        self._files[stored.file_id] = stored
        return stored

    def _chat(self, params: JSONDict) -> JSONDict:
        chat_id = params.get("chat_id")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _ApiError(400, "Bad Request: chat not found")
        return chat

    def _record(self, method: str, params: JSONDict, result: Any, error: JSONDict | None) -> None:
        with self._changed:
            self._calls.append(ApiCall(method, params, result, error, time.monotonic()))
            self._changed.notify_all()

    # --- HTTP layer ----------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(_UNAUTHORIZED, status=401)
        method = self._method_names.get(request.match_info["method"].lower())
        if method is None:
            return web.json_response(_NOT_FOUND, status=404)
        try:
            params = await _read_params(request)
        except _ApiError as exc:
            return web.json_response(exc.body, status=exc.body["error_code"])
        try:
            self._raise_injected_failure(method)
            if method == "getUpdates":
                return web.json_response({"ok": True, "result": await self._get_updates(params)})
            with self._lock:
                # A copy, so later edits cannot rewrite what this call returned.
                result = copy.deepcopy(self._handlers[method](params))
        except _ApiError as exc:
            if method != "getUpdates":
                self._record(method, params, None, exc.body)
            return web.json_response(exc.body, status=exc.body["error_code"])
        self._record(method, params, result, None)
        return web.json_response({"ok": True, "result": result})

    def _raise_injected_failure(self, method: str) -> None:
        with self._lock:
            queue = self._failures.get(method.lower())
            failure = queue.popleft() if queue else None
        if failure is not None:
            raise _ApiError(failure.status, failure.description, failure.parameters)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(_UNAUTHORIZED, status=401)
        path = request.match_info["path"]
        with self._lock:
            stored = next((f for f in self._files.values() if f.file_path == path), None)
        if stored is None:
            return web.json_response(_NOT_FOUND, status=404)
        return web.Response(body=stored.content, content_type="application/octet-stream")

    # --- methods -------------------------------------------------------------------------------

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        """Long poll: answer as soon as an update is pending, or after ``timeout`` seconds."""
        assert self._updates_event is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(float(params.get("timeout") or 0), 50.0)
        limit = max(1, min(int(params.get("limit") or 100), 100))
        offset = int(params.get("offset") or 0)
        with self._lock:
            self._poll_generation += 1
            generation = self._poll_generation  # doubles as the count of getUpdates calls
            if self._webhook["url"]:
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if offset > 0:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            elif offset < 0:
                self._pending = self._pending[offset:]
        self._wake_pollers()  # an older poll still waiting is now superseded
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise _ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                batch = self._pending[:limit]
                if batch or self._closing:
                    self._deliveries.update(u["update_id"] for u in batch)
                    return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            # No await between the check above and this clear, so no wake-up can be lost.
            self._updates_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._updates_event.wait(), remaining)

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        text = _render(params.get("text"), params.get("parse_mode"), MAX_MESSAGE_LENGTH)
        if text is None:
            raise _ApiError(400, "Bad Request: message text is empty")
        content: JSONDict = {"text": text, **self._reply_fields(chat["id"], params)}
        return self._new_message(chat["id"], self.bot_user, content)

    def _reply_fields(self, chat_id: int, params: JSONDict) -> JSONDict:
        """The reply and inline keyboard parts of a new bot message."""
        fields: JSONDict = {}
        markup = params.get("reply_markup")
        # Only inline keyboards are echoed back; PTB would fail to parse a reply keyboard here.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id", params.get("reply_to_message_id"))
        if reply_id is not None:
            original = self._messages.get((chat_id, int(reply_id)))
            if original is not None:
                fields["reply_to_message"] = original
            elif not (
                reply.get("allow_sending_without_reply")
                or params.get("allow_sending_without_reply")
            ):
                raise _ApiError(400, "Bad Request: message to be replied not found")
        return fields

    def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        text = _render(params.get("text"), params.get("parse_mode"), MAX_MESSAGE_LENGTH)
        if text is None:
            raise _ApiError(400, "Bad Request: message text is empty")
        if params.get("inline_message_id"):
            return True
        chat = self._chat(params)
        message = self._messages.get((chat["id"], int(params.get("message_id") or 0)))
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise _ApiError(400, "Bad Request: message can't be edited")
        markup = params.get("reply_markup")
        new_markup = markup if isinstance(markup, dict) and "inline_keyboard" in markup else None
        if message.get("text") == text and message.get("reply_markup") == new_markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        message.pop("reply_markup", None)
        if new_markup is not None:
            message["reply_markup"] = new_markup
        return dict(message)

    def _send_chat_action(self, params: JSONDict) -> bool:
        self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id"))
        if self._callback_queries.get(query_id) is not False:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(params.get("text") or "")) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._callback_queries[query_id] = True
        return True

    @staticmethod
    def _scope_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {}
        return str(scope.get("type", "default")), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _ApiError(400, "Bad Request: commands must be a list of at most 100 commands")
        for command in commands:
            if not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._scope_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return list(self._commands.get(self._scope_key(params), []))

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self._commands.pop(self._scope_key(params), None)
        return True

    def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_SIZE:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _send_document(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        document = params.get("document")
        if isinstance(document, _Upload):
            stored = self._store_file(document.content, document.file_name)
            file_name, mime_type = document.file_name, document.mime_type
            params["document"] = stored.file_id  # keep ApiCall.params JSON-like
        elif isinstance(document, str) and document in self._files:
            stored, file_name, mime_type = self._files[document], "document", None
        else:
            raise _ApiError(400, "Bad Request: there is no document in the request")
        content: JSONDict = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name,
                "file_size": len(stored.content),
                **({"mime_type": mime_type} if mime_type else {}),
            },
            **self._reply_fields(chat["id"], params),
        }
        caption = _render(params.get("caption"), params.get("parse_mode"), MAX_CAPTION_LENGTH)
        if caption is not None:
            content["caption"] = caption
        return self._new_message(chat["id"], self.bot_user, content)

    def _send_photo(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        photo = params.get("photo")
        if not isinstance(photo, _Upload):
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        if not photo.content.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8")):
            raise _ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        stored = self._store_file(photo.content, photo.file_name or "photo.png")
        params["photo"] = stored.file_id  # keep ApiCall.params JSON-like
        size = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        content: JSONDict = {
            "photo": [{**size, "width": 1, "height": 1, "file_size": len(photo.content)}],
            **self._reply_fields(chat["id"], params),
        }
        caption = _render(params.get("caption"), params.get("parse_mode"), MAX_CAPTION_LENGTH)
        if caption is not None:
            content["caption"] = caption
        return self._new_message(chat["id"], self.bot_user, content)

    def _answer_inline_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("inline_query_id"))
        if query_id not in self._inline_queries or self._inline_queries[query_id] is not None:
            raise _ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        results = params.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise _ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                _render(content["message_text"], content.get("parse_mode"), MAX_MESSAGE_LENGTH)
            if not 1 <= len(str(result.get("id", ""))) <= 64:
                raise _ApiError(400, "Bad Request: RESULT_ID_INVALID")
        self._inline_queries[query_id] = dict(params)
        return True

    def _set_webhook(self, params: JSONDict) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise _ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self._webhook = {k: v for k, v in params.items() if k != "certificate"} | {"url": url}
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _delete_webhook(self, params: JSONDict) -> bool:
        self._webhook = {"url": ""}
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        for key in ("max_connections", "allowed_updates", "ip_address"):
            if key in self._webhook:
                info[key] = self._webhook[key]
        return info


@dataclass(frozen=True)
class _Upload:
    """A file part of a multipart request."""

    file_name: str
    mime_type: str
    content: bytes


def _utf16_len(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _render(raw: object, parse_mode: object, limit: int) -> str | None:
    """What the user would see for ``raw`` under ``parse_mode``; None when it is empty.

    The length limit applies to this visible text, after tags are removed and entities decoded.
    """
    if raw is None:
        return None
    text = str(raw)
    mode = str(parse_mode or "").lower()
    if mode == "html":
        try:
            text = parse_html(text)
        except EntityParseError as exc:
            raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from exc
    elif mode not in {"", "markdown", "markdownv2"}:
        raise _ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
    text = text.strip()
    if not text:
        return None
    if len(text) > limit:
        what = "message caption" if limit == MAX_CAPTION_LENGTH else "message"
        raise _ApiError(400, f"Bad Request: {what} is too long")
    return text


async def _read_params(request: web.Request) -> JSONDict:
    """Merge query string and body (JSON, urlencoded or multipart) into typed parameters."""
    raw: JSONDict = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise _ApiError(400, "Bad Request: invalid JSON body") from exc
            if not isinstance(body, dict):
                raise _ApiError(400, "Bad Request: JSON body must be an object")
            raw.update(body)
        else:
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    raw[name] = _Upload(value.filename, value.content_type, value.file.read())
                else:
                    raw[name] = value
    try:
        return {name: _coerce(name, value) for name, value in raw.items()}
    except ValueError as exc:
        raise _ApiError(400, f"Bad Request: {exc}") from exc


def _coerce(name: str, value: Any) -> Any:
    """Type a string parameter the way the Bot API does for that parameter name."""
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ValueError(f"can't parse {name} JSON object") from exc
    if name in _INT_PARAMS or (name == "chat_id" and re.fullmatch(r"-?\d+", value)):
        return int(value)
    if name == "timeout":
        return float(value)
    if name in _BOOL_PARAMS:
        return value.lower() in {"true", "1"}
    return value
