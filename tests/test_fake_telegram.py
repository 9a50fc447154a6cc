"""The fake Bot API server holds up against the real python-telegram-bot client.

Why these tests exist: every end-to-end bot test trusts the fake, so the fake itself is checked
with PTB's own Application, Updater and File download - not with hand-written requests - plus a
few raw HTTP calls where the exact wire format (error bodies, form encoding) is the point.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.fake_telegram import FakeTelegram, is_call

AnyApp = Application[Any, Any, Any, Any, Any, Any]

CHAT = 4242


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """A running fake server; candidate for conftest.py once bot tests use it."""
    with FakeTelegram() as fake:
        yield fake


def _build_app(fake: FakeTelegram) -> AnyApp:
    return (
        Application.builder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )


def _bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(token or fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)


@contextlib.asynccontextmanager
async def _polling(app: AnyApp) -> AsyncIterator[AnyApp]:
    """Run ``app`` with long polling, exactly as production does, and stop it cleanly."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def _raw(fake: FakeTelegram, method: str, **kwargs: Any) -> httpx.Response:
    """A hand-made request, for checking the wire format itself."""
    with httpx.Client(trust_env=False, timeout=10) as client:
        return client.post(f"{fake.base_url}{fake.token}/{method}", **kwargs)


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"started with {context.args}")


def test_echo_bot_round_trip_with_real_ptb(fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram

    async def scenario() -> None:
        app = _build_app(fake)
        app.add_handler(CommandHandler("start", _start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
        async with _polling(app):
            fake.inject_message(CHAT, CHAT, "/start now")
            fake.inject_message(CHAT, CHAT, "hello <world> & co")
            await fake.wait_for_async(is_call("sendMessage", chat_id=CHAT), count=2)

    asyncio.run(scenario())
    texts = [c.params["text"] for c in fake.calls("sendMessage", chat_id=CHAT)]
    assert texts == ["started with ['now']", "hello <world> & co"]
    replies = [c.result for c in fake.calls("sendMessage")]
    assert [r["message_id"] for r in replies] == [3, 4]  # ids shared with the user's messages
    assert all(r["from"]["is_bot"] for r in replies)
    assert {"getMe", "deleteWebhook"} <= {c.method for c in fake.sent}
    assert sorted(fake.deliveries.values()) == [1, 1]
    assert fake.pending_updates == []  # PTB's final getUpdates confirmed both


def test_group_chat_command_with_bot_mention(fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram

    async def scenario() -> None:
        app = _build_app(fake)
        app.add_handler(CommandHandler("start", _start))
        async with _polling(app):
            fake.inject_message(-100, 7, "/start@newsbot_test_bot", chat_type="supergroup")
            await fake.wait_for_async(is_call("sendMessage", chat_id=-100))

    asyncio.run(scenario())
    assert fake.calls("sendMessage")[0].result["chat"]["type"] == "supergroup"


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>unclosed", "Can't find end tag"),
        ("a & b", 'Character "&" must be escaped'),
        ("<script>alert(1)</script>", 'Unsupported start tag "script"'),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("1 < 2", 'Unexpected "<"'),
        ("&nbsp;", "Unsupported entity"),
        ("<span>x</span>", "tg-spoiler"),
    ],
)
def test_html_errors_are_rejected_like_telegram(
    fake_telegram: FakeTelegram, html: str, error: str
) -> None:
    fake_telegram.add_chat(CHAT)

    async def scenario() -> None:
        async with _bot(fake_telegram) as bot:
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as info:
                await bot.send_message(CHAT, html, parse_mode=ParseMode.HTML)
            assert error.lower() in str(info.value).lower()

    asyncio.run(scenario())
    assert fake_telegram.sent[-1].error is not None


def test_telegram_html_subset_is_accepted(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_chat(CHAT)
    html = [
        '<b>x</b> &amp; <a href="http://x">y</a>',
        "<strong>s</strong><em>e</em><ins>i</ins><strike>s</strike><del>d</del><u>u</u>",
        '<span class="tg-spoiler">s</span> <tg-spoiler>t</tg-spoiler> &lt;&gt;&quot;&#65;&#x42;',
        '<pre><code class="language-python">x = 1</code></pre> <code>c</code>',
        "<blockquote expandable>q</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">e</tg-emoji>',
    ]

    async def scenario() -> list[str | None]:
        async with _bot(fake_telegram) as bot:
            return [(await bot.send_message(CHAT, h, parse_mode="HTML")).text for h in html]

    assert asyncio.run(scenario())[:3] == ["x & y", "seisdu", 's t <>"AB']


def test_length_limit_counts_visible_text(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_chat(CHAT)

    async def scenario() -> None:
        async with _bot(fake_telegram) as bot:
            await bot.send_message(CHAT, "x" * 4096)
            await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
            await bot.send_message(CHAT, "&amp;" * 4096, parse_mode="HTML")
            for too_long in ("x" * 4097, "&amp;" * 4097):
                with pytest.raises(BadRequest, match=r"(?i)message is too long"):
                    await bot.send_message(CHAT, too_long, parse_mode="HTML")
            with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
                await bot.send_message(CHAT, "<b> </b>", parse_mode="HTML")

    asyncio.run(scenario())


def test_flood_error_is_returned_once(
    fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without this, reading RetryAfter.retry_after emits PTBDeprecationWarning (int -> timedelta).
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake_telegram.add_chat(CHAT)
    fake_telegram.fail_next("sendMessage", status=429, retry_after=3)

    async def scenario() -> None:
        async with _bot(fake_telegram) as bot:
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(CHAT, "first")
            assert info.value.retry_after == dtm.timedelta(seconds=3)
            await bot.send_message(CHAT, "second")

    asyncio.run(scenario())
    calls = fake_telegram.calls("sendMessage")
    assert [c.ok for c in calls] == [False, True]
    assert calls[0].error == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


def test_polling_survives_flood_control(
    fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB builds RetryAfter by reading its deprecated int property: a warning, hence an error here.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake = fake_telegram
    fake.fail_next("getUpdates", status=429, retry_after=1)

    async def scenario() -> None:
        app = _build_app(fake)
        app.add_handler(MessageHandler(filters.TEXT, _echo))
        async with _polling(app):
            fake.inject_message(CHAT, CHAT, "still there?")
            await fake.wait_for_async(is_call("sendMessage", chat_id=CHAT))

    asyncio.run(scenario())
    assert list(fake.deliveries.values()) == [1]


def test_document_round_trip_through_get_file(fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    content = "Ausgabe vom 3. März\n".encode() + bytes(range(256))
    received: list[bytes] = []

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None
        assert message.document is not None
        file = await message.document.get_file()
        received.append(bytes(await file.download_as_bytearray()))
        await message.reply_text(f"{message.document.file_name}: {message.caption}")

    async def scenario() -> None:
        app = _build_app(fake)
        app.add_handler(MessageHandler(filters.Document.ALL, on_document))
        async with _polling(app):
            fake.inject_document(CHAT, CHAT, "archive.pdf", content, "application/pdf", "März")
            await fake.wait_for_async(is_call("sendMessage", chat_id=CHAT))

    asyncio.run(scenario())
    assert received == [content]
    assert fake.calls("sendMessage")[0].params["text"] == "archive.pdf: März"
    assert fake.calls("getFile")[0].result["file_size"] == len(content)


def test_bot_can_send_a_document(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_chat(CHAT)

    async def scenario() -> bytes:
        async with _bot(fake_telegram) as bot:
            message = await bot.send_document(
                CHAT, b"a,b\n1,2\n", filename="export.csv", caption="<i>done</i>", parse_mode="HTML"
            )
            assert message.document is not None
            assert message.caption == "done"
            file = await bot.get_file(message.document.file_id)
            return bytes(await file.download_as_bytearray())

    assert asyncio.run(scenario()) == b"a,b\n1,2\n"


def test_callback_query_is_delivered_and_answered(fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    fake.add_chat(CHAT)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("loading")
        await query.edit_message_text(f"you chose {query.data}")

    async def scenario() -> None:
        app = _build_app(fake)
        app.add_handler(CallbackQueryHandler(on_button))
        async with _polling(app):
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more")]])
            sent = await app.bot.send_message(CHAT, "pick one", reply_markup=keyboard)
            assert sent.reply_markup == keyboard
            fake.inject_callback_query(CHAT, CHAT, "more", sent.message_id)
            await fake.wait_for_async(is_call("editMessageText", chat_id=CHAT))
            with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
                await app.bot.edit_message_text("you chose more", CHAT, sent.message_id)

    asyncio.run(scenario())
    assert fake.calls("answerCallbackQuery")[0].params["text"] == "loading"
    assert fake.calls("sendMessage")[0].result["text"] == "pick one"  # recorded, not live
    assert fake.calls("editMessageText")[0].result["text"] == "you chose more"


def test_commands_webhook_and_chat_action(fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    fake.add_chat(CHAT)

    async def scenario() -> None:
        async with _bot(fake) as bot:
            await bot.set_my_commands([BotCommand("ask", "Ask the archive")])
            assert await bot.get_my_commands() == (BotCommand("ask", "Ask the archive"),)
            with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
                await bot.set_my_commands([BotCommand("Bad-Name", "x")])
            await bot.send_chat_action(CHAT, ChatAction.TYPING)
            await bot.set_webhook("https://example.invalid/hook")
            assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
            with pytest.raises(Conflict, match=r"(?i)webhook is active"):
                await bot.get_updates()
            await bot.delete_webhook()
            assert await bot.get_updates() == ()
            await bot.delete_my_commands()

    asyncio.run(scenario())
    assert fake.commands == []
    assert fake.webhook == {"url": ""}
    assert fake.calls("setMyCommands")[0].params["commands"] == [
        {"command": "ask", "description": "Ask the archive"}
    ]


def test_wrong_token_and_unknown_method(fake_telegram: FakeTelegram) -> None:
    async def scenario() -> None:
        async with _bot(fake_telegram, token="1:wrong") as bot:
            await bot.get_me()

    with pytest.raises(InvalidToken, match="rejected by the server"):
        asyncio.run(scenario())
    missing = _raw(fake_telegram, "noSuchMethod")
    assert (missing.status_code, missing.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    with httpx.Client(trust_env=False) as client:
        wrong = client.get(f"{fake_telegram.base_url}1:wrong/getMe")
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


def test_form_and_json_bodies_are_typed_alike(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_chat(CHAT)
    markup = '{"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]}'
    form = _raw(fake_telegram, "sendMessage", data={"chat_id": str(CHAT), "text": "[1]"})
    body = _raw(
        fake_telegram, "sendMessage", json={"chat_id": CHAT, "text": "x", "reply_markup": markup}
    )
    assert form.json()["result"]["text"] == "[1]"
    assert body.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "a"
    assert [c.params["chat_id"] for c in fake_telegram.sent] == [CHAT, CHAT]


def test_long_poll_returns_as_soon_as_an_update_arrives(fake_telegram: FakeTelegram) -> None:
    fake = fake_telegram
    timer = threading.Timer(0.2, fake.inject_message, args=(CHAT, CHAT, "late"))
    timer.start()
    started = time.monotonic()
    first = _raw(fake, "getUpdates", json={"timeout": 5}).json()["result"]
    assert time.monotonic() - started < 2
    update_id = first[0]["update_id"]
    assert first[0]["message"]["text"] == "late"

    started = time.monotonic()
    assert _raw(fake, "getUpdates", json={"offset": update_id + 1, "timeout": 0.3}).json() == {
        "ok": True,
        "result": [],
    }
    assert time.monotonic() - started >= 0.25
    assert fake.deliveries == {update_id: 1}


def test_newer_poll_terminates_older_one(fake_telegram: FakeTelegram) -> None:
    results: list[httpx.Response] = []
    older = threading.Thread(
        target=lambda: results.append(_raw(fake_telegram, "getUpdates", json={"timeout": 5}))
    )
    older.start()
    deadline = time.monotonic() + 5
    while fake_telegram.poll_count < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _raw(fake_telegram, "getUpdates", json={"timeout": 0}).json()["result"] == []
    older.join(timeout=5)
    assert results[0].status_code == 409


def test_wait_for_times_out_with_a_diagnosis(fake_telegram: FakeTelegram) -> None:
    with pytest.raises(TimeoutError, match="0/1 matching calls"):
        fake_telegram.wait_for(is_call("sendMessage"), timeout=0.1)
