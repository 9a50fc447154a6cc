"""The Telegram bot end to end: real PTB Application, real HTTP, fake Bot API, real archive.

Each test runs the bot exactly as `run_polling` does (initialize, post_init, polling, start)
against `FakeTelegram`, injects what users send and reads what the bot sent back. The archive
is a real one (Chroma and SQLite in tmp_path) with the hashing embedder; fakes of our own code
are real subclasses of `Responder`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from bot.access import ADMINS_ONLY, REFUSAL
from bot.admin import safe_file_name
from bot.chat_state import ANSWERS_PER_CHAT, ChatState, ChatStates
from bot.cli import cli
from bot.formatting import MAX_MESSAGE
from bot.limiter import QuestionLimiter
from bot.redaction import SecretFilter
from bot.sending import ASK_HOW, GONE, MAX_QUESTION_CHARS, NO_ANSWER_YET
from bot.telegram import FAILED
from retrieval.archive import Archive
from retrieval.question.followup import Conversation
from retrieval.responder import AskOptions, Responder
from retrieval.results import Answer
from tests.support.fake_telegram import FakeTelegram, is_call, parse_html
from tests.support.httpserver import LocalServer
from tests.support.nasty_text import BINARY
from tests.support.stories import record, story
from tests.support.telegram_bot import (
    RecordingResponder,
    bot_app,
    button_data,
    newsbot_telegram,
    polling,
    sent_answers,
    stop_child,
)
from tests.support.telegram_data import BOT, PANDA_Q, PORT_URL, STRIKE_Q


class LongResponder(Responder):
    """Answers with ~12,000 characters of cited, markup-laden text."""

    def ask(
        self,
        question: str,
        options: AskOptions | None = None,
        conversation: Conversation | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        answer = super().ask(question, options, conversation, on_token)
        sentence = "Dockers <b>struck</b> & the port <i>shut</i>, the union said. [1] "
        text = "\n\n".join(sentence * 8 for _ in range(24))
        return replace(answer, text=text)


class FailingResponder(Responder):
    def ask(self, question: str, *args: Any, **kwargs: Any) -> Answer:
        raise RuntimeError(f"disk on fire at /srv/secret/{self.settings.data_dir}")


def _mention(text: str) -> list[dict[str, Any]]:
    return [{"type": "mention", "offset": text.index("@"), "length": len(BOT) + 1}]


# --- questions and answers -----------------------------------------------------------------


def test_question_gets_typing_then_cited_html_answer(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> float:
        async with polling(bot_app(news, fake)):
            started = time.monotonic()
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))
            return time.monotonic() - started

    elapsed = asyncio.run(scenario())
    assert elapsed < 2.0
    methods = [c.method for c in fake.sent if c.params.get("chat_id") == 7]
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    assert fake.calls("sendChatAction", chat_id=7)[0].params["action"] == "typing"
    (answer,) = fake.calls("sendMessage", chat_id=7)
    assert answer.params["parse_mode"] == "HTML"
    assert (
        '<a href="https://news.example/port-strike?id=1&amp;ref=x">[1]</a>' in answer.params["text"]
    )
    assert "About 4,000 workers joined the strike" in answer.result["text"]
    assert button_data(answer).startswith("src:")
    assert "reply_to_message" not in answer.result  # private chats are not quoted
    assert {c["command"] for c in fake.commands} >= {"ask", "sources", "new", "help", "stats"}


def test_start_and_help_explain_with_an_example(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake, admins=[99])):
            fake.inject_message(7, 7, "/start")
            fake.inject_message(99, 99, "/help")
            fake.inject_message(-5, 7, f"/help@{BOT}", chat_type="group")
            fake.inject_message(7, 7, "/ask")
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=2)
            await fake.wait_for_async(is_call("sendMessage", chat_id=99))
            await fake.wait_for_async(is_call("sendMessage", chat_id=-5))

    asyncio.run(scenario())
    start, empty_ask = sorted(
        (c.result["text"] for c in sent_answers(fake, 7)), key=lambda t: t.startswith("Ask me")
    )
    assert start.startswith("newsbot answers questions from a news archive")
    assert "Send me a question, for example:" in start
    assert "/stats" not in start
    assert empty_ask.startswith("Ask me a question, for example: /ask ")
    assert "/stats" in sent_answers(fake, 99)[0].result["text"]
    group_help = sent_answers(fake, -5)[0].result["text"]
    assert f"Mention me (@{BOT}), use /ask, or reply to my answers" in group_help


def test_sources_button_and_command_show_cited_passages(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, STRIKE_Q)
            (answer,) = await fake.wait_for_async(is_call("sendMessage", chat_id=7))
            fake.inject_callback_query(7, 7, button_data(answer), answer.result["message_id"])
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=2)
            fake.inject_message(7, 7, "/sources")
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=3)

    asyncio.run(scenario())
    (press,) = fake.calls("answerCallbackQuery")
    assert not press.params.get("show_alert")
    answer, button_view, command_view = sent_answers(fake, 7)
    assert button_view.result["reply_to_message"]["message_id"] == answer.result["message_id"]
    for view in (button_view, command_view):
        visible = view.result["text"]
        assert (
            "[1] Harbor <Wire> · 2025-03-03 · Port strike <b begins & dockers walk out" in visible
        )
        assert "About 4,000 workers" in visible
        assert f'href="{PORT_URL.replace("&", "&amp;")}"' in view.params["text"]


def test_foreign_unknown_and_malformed_buttons_get_an_alert(
    fake: FakeTelegram, news: Archive
) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, STRIKE_Q)
            fake.inject_message(8, 8, PANDA_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))
            (theirs,) = await fake.wait_for_async(is_call("sendMessage", chat_id=8))
            ours = fake.calls("sendMessage", chat_id=7)[0]
            message_id = theirs.result["message_id"]
            for data in (button_data(ours), "src:AAAAAAAA", "src:../../etc", "bogus"):
                fake.inject_callback_query(8, 8, data, message_id)
            await fake.wait_for_async(is_call("answerCallbackQuery"), count=4)

    asyncio.run(scenario())
    presses = fake.calls("answerCallbackQuery")
    assert [(p.params["text"], p.params["show_alert"]) for p in presses] == [(GONE, True)] * 4
    assert len(sent_answers(fake, 8)) == 1  # nothing from the archive for any of them


def test_button_of_a_forgotten_chat_asks_to_ask_again(
    fake: FakeTelegram, news: Archive, caplog: pytest.LogCaptureFixture
) -> None:
    """With room for two chats, two newer chats push out the first: its old Sources button gets
    the "ask again" alert (no error), /sources has nothing, and a fresh question works again."""

    async def scenario() -> None:
        async with polling(bot_app(news, fake, max_chats=2)):
            fake.inject_message(7, 7, STRIKE_Q)
            (old,) = await fake.wait_for_async(is_call("sendMessage", chat_id=7))
            fake.inject_message(8, 8, PANDA_Q)
            fake.inject_message(9, 9, PANDA_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=8))
            await fake.wait_for_async(is_call("sendMessage", chat_id=9))
            fake.inject_callback_query(7, 7, button_data(old), old.result["message_id"])
            await fake.wait_for_async(is_call("answerCallbackQuery"))
            fake.inject_message(7, 7, "/sources")
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=2)
            fake.inject_message(7, 7, STRIKE_Q)
            new = (await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=3))[-1]
            fake.inject_callback_query(7, 7, button_data(new), new.result["message_id"])
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=4)

    with caplog.at_level(logging.ERROR):
        asyncio.run(scenario())
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    gone, shown = fake.calls("answerCallbackQuery")
    assert (gone.params["text"], gone.params["show_alert"]) == (GONE, True)
    assert not shown.params.get("show_alert")
    texts = [c.result["text"] for c in sent_answers(fake, 7)]
    assert texts[1] == NO_ANSWER_YET
    assert "About 4,000 workers" in texts[2]
    assert "Harbor <Wire> · 2025-03-03 · Port strike <b begins & dockers walk out" in texts[3]


def _answer(number: int) -> Answer:
    return Answer(
        question=f"q{number}", text=f"answer {number}", citations=(), passages=(), abstained=True
    )


def test_chat_state_keeps_only_the_most_recent_answers() -> None:
    state = ChatState()
    keys = [state.remember(_answer(n)) for n in range(ANSWERS_PER_CHAT + 3)]
    assert len(state.answers) == ANSWERS_PER_CHAT
    assert all(key not in state.answers for key in keys[:3])
    assert [state.answers[key].question for key in keys[3:]] == [
        f"q{n}" for n in range(3, ANSWERS_PER_CHAT + 3)
    ]


def test_chat_states_forget_the_least_recently_used_chat() -> None:
    chats = ChatStates(max_chats=3)
    first = chats.get(1)
    chats.get(2).remember(_answer(2))
    chats.get(3)
    assert chats.get(1) is first  # asking again makes chat 1 the most recently used
    assert chats.peek(2) is not None  # peeking (a button press) does not
    chats.get(4)
    assert chats.peek(2) is None
    assert [chats.peek(chat) is not None for chat in (1, 3, 4)] == [True, True, True]
    assert len(chats) == 3
    assert not chats.get(2).answers  # a forgotten chat starts afresh, pushing out the oldest
    assert chats.peek(3) is None


def test_group_answers_only_when_addressed(fake: FakeTelegram, news: Archive) -> None:
    group = -100123
    responder = RecordingResponder(news)

    async def scenario() -> None:
        async with polling(bot_app(news, fake, responder)):
            fake.inject_message(group, 5, STRIKE_Q, chat_type="supergroup")
            asked = f"@{BOT} {STRIKE_Q}"
            mention_id = fake.inject_message(
                group, 5, asked, chat_type="supergroup", entities=_mention(asked)
            )
            (answer,) = await fake.wait_for_async(is_call("sendMessage", chat_id=group))
            fake.inject_message(group, 6, f"/ask@{BOT} {PANDA_Q}", chat_type="supergroup")
            await fake.wait_for_async(is_call("sendMessage", chat_id=group), count=2)
            follow_up = "and when will the cubs go on public view?"
            fake.inject_message(
                group,
                6,
                follow_up,
                chat_type="supergroup",
                reply_to_message=answer.result["message_id"],
            )
            await fake.wait_for_async(is_call("sendMessage", chat_id=group), count=3)
            del mention_id

    asyncio.run(scenario())
    assert [q for q, _ in responder.asked] == [
        STRIKE_Q,
        PANDA_Q,
        "and when will the cubs go on public view?",
    ]
    answers = sent_answers(fake, group)
    assert len(answers) == 3
    assert all("reply_to_message" in a.result for a in answers)  # groups are quoted
    assert "4,000" in answers[0].result["text"]
    assert "June" in answers[2].result["text"]


def test_strangers_are_refused_once_and_get_nothing(fake: FakeTelegram, news: Archive) -> None:
    responder = RecordingResponder(news)

    async def scenario() -> None:
        async with polling(bot_app(news, fake, responder, allowed_users=[1])):
            fake.inject_message(2, 2, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=2))
            fake.inject_message(2, 2, "/sources")
            fake.inject_message(2, 2, PANDA_Q)
            fake.inject_message(1, 1, STRIKE_Q)
            (answer,) = await fake.wait_for_async(is_call("sendMessage", chat_id=1))
            fake.add_chat(2)
            fake.inject_callback_query(1, 2, button_data(answer), answer.result["message_id"])
            await fake.wait_for_async(is_call("answerCallbackQuery"))

    asyncio.run(scenario())
    assert [c.params["text"] for c in fake.calls("sendMessage", chat_id=2)] == [REFUSAL]
    assert not fake.calls("sendChatAction", chat_id=2)
    assert [q for q, _ in responder.asked] == [STRIKE_Q]  # only the allowed user's
    (press,) = fake.calls("answerCallbackQuery")
    assert (press.params["text"], press.params["show_alert"]) == (REFUSAL, True)


def test_allowed_chat_admits_its_members(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake, allowed_chats=[-42])):
            fake.inject_message(-42, 9, f"/ask {STRIKE_Q}", chat_type="group")
            await fake.wait_for_async(is_call("sendMessage", chat_id=-42))
            fake.inject_message(9, 9, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=9))

    asyncio.run(scenario())
    assert "4,000" in sent_answers(fake, -42)[0].result["text"]
    assert [c.params["text"] for c in sent_answers(fake, 9)] == [REFUSAL]


# --- admin: stats and ingest -------------------------------------------------------------------


def test_non_admins_cannot_ingest_or_see_stats(fake: FakeTelegram, news: Archive) -> None:
    before = news.catalog.stats().articles

    async def scenario() -> None:
        async with polling(bot_app(news, fake, admins=[99])):
            fake.inject_document(5, 5, "news.jsonl", b'{"title": "x", "text": "y"}\n', "text/plain")
            fake.inject_message(5, 5, "/ingest")
            fake.inject_message(5, 5, "/stats")
            await fake.wait_for_async(is_call("sendMessage", chat_id=5), count=3)

    asyncio.run(scenario())
    assert [c.params["text"] for c in fake.calls("sendMessage", chat_id=5)] == [ADMINS_ONLY] * 3
    assert not fake.calls("getFile")
    assert news.catalog.stats().articles == before


def test_admin_upload_is_ingested_then_answerable(fake: FakeTelegram, news: Archive) -> None:
    record = {
        "title": "Ferry <service> resumes",
        "text": "The Larkspur ferry resumed service on Tuesday after a three-week repair & refit.",
        "url": "https://news.example/ferry",
        "source": "Coastline Post",
        "published": "2025-06-10",
    }
    content = (json.dumps(record) + "\n" + "{not json\n").encode()

    async def scenario() -> None:
        async with polling(bot_app(news, fake, admins=[99])):
            fake.inject_document(
                99, 99, "../../etc/ferry news.jsonl", content, "application/x-ndjson"
            )
            await fake.wait_for_async(is_call("sendMessage", chat_id=99))
            fake.inject_document(99, 99, "payload.exe", b"MZ", "application/octet-stream")
            await fake.wait_for_async(is_call("sendMessage", chat_id=99), count=2)
            fake.inject_message(99, 99, "When did the Larkspur ferry resume service?")
            await fake.wait_for_async(is_call("sendMessage", chat_id=99), count=3)
            fake.inject_message(99, 99, "/stats")
            await fake.wait_for_async(is_call("sendMessage", chat_id=99), count=4)

    asyncio.run(scenario())
    report, refused, answer, stats = (c.result["text"] for c in sent_answers(fake, 99))
    assert report.startswith("ferry_news.jsonl: added 1, updated 0")
    assert "failed 1" in report
    assert "• ferry_news.jsonl:2:" in report  # the failing line, without our temp folder
    assert "newsbot-upload-" not in report
    assert refused.startswith("I can't read payload.exe")
    assert "three-week repair & refit" in answer
    assert 'href="https://news.example/ferry"' in sent_answers(fake, 99)[2].params["text"]
    assert stats.startswith("Archive\narticles: 3\n")


def test_oversized_upload_is_refused_before_download(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake, admins=[99], max_upload_mb=0.001)):
            fake.inject_document(99, 99, "big.txt", b"x" * 5000, "text/plain")
            await fake.wait_for_async(is_call("sendMessage", chat_id=99))

    asyncio.run(scenario())
    assert "too big" in fake.calls("sendMessage", chat_id=99)[0].params["text"]
    assert not fake.calls("getFile")


def test_safe_file_name_drops_folders_and_odd_characters() -> None:
    assert safe_file_name("../../etc/passwd.json") == "passwd.json"
    assert safe_file_name("C:\\Users\\x\\feed.rss") == "feed.rss"
    assert safe_file_name("..hidden.csv") == "hidden.csv"
    assert safe_file_name("naïve <news>;rm -rf.jsonl") == "na_ve_news_rm_-rf.jsonl"
    assert safe_file_name("") == "upload"
    assert safe_file_name("/") == "upload"
    long = safe_file_name("a" * 300 + ".warc.gz")
    assert len(long) <= 100
    assert long.endswith(".gz")


# --- message handling -----------------------------------------------------------------------


def test_long_answer_is_split_into_valid_messages(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake, LongResponder(news))):
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(
                lambda c: c.method == "sendMessage" and "reply_markup" in c.params
            )

    asyncio.run(scenario())
    parts = fake.calls("sendMessage", chat_id=7)
    assert len(parts) >= 3
    assert all(c.ok and len(c.params["text"]) <= MAX_MESSAGE for c in parts)
    assert ["reply_markup" in c.params for c in parts] == [False] * (len(parts) - 1) + [True]
    assert sum(len(c.result["text"]) for c in parts) > 11_000
    assert "Dockers <b>struck</b> & the port <i>shut</i>" in parts[1].result["text"]


def test_article_markup_survives_escaping(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, "What did the port authority call the walkout?")
            (answer,) = await fake.wait_for_async(is_call("sendMessage", chat_id=7))
            fake.inject_callback_query(7, 7, button_data(answer), answer.result["message_id"])
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=2)

    asyncio.run(scenario())
    answer, sources = fake.calls("sendMessage", chat_id=7)
    assert all(c.ok and c.params["parse_mode"] == "HTML" for c in (answer, sources))
    assert "walkout <script>alert(1)</script> unlawful & costly" in answer.result["text"]
    assert "&lt;script&gt;" in answer.params["text"]
    assert "Port strike <b begins & dockers walk out" in sources.result["text"]


def test_flood_limit_429_is_retried(
    fake: FakeTelegram, news: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB's RetryAfter otherwise warns
    fake.fail_next("sendMessage", status=429, retry_after=1)

    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), timeout=10)

    asyncio.run(scenario())
    calls = fake.calls("sendMessage", chat_id=7)
    assert [c.ok for c in calls] == [False, True]
    assert calls[0].error is not None
    assert calls[0].error["error_code"] == 429
    assert calls[0].params["text"] == calls[1].params["text"]


def test_rejected_html_is_resent_as_plain_text(fake: FakeTelegram, news: Archive) -> None:
    fake.fail_next("sendMessage", status=400, description="Bad Request: can't parse entities: x")

    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))

    asyncio.run(scenario())
    rejected, plain = fake.calls("sendMessage", chat_id=7)
    assert rejected.params["parse_mode"] == "HTML"
    assert "parse_mode" not in plain.params
    assert f"[1] ({PORT_URL})" in plain.result["text"]
    assert button_data(plain).startswith("src:")


def test_question_rate_limit_is_polite(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake, questions_per_minute=2)):
            for _ in range(3):
                fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=3)

    asyncio.run(scenario())
    texts = [c.result["text"] for c in sent_answers(fake, 7)]
    assert sum("4,000" in t for t in texts) == 2
    (polite,) = [t for t in texts if "4,000" not in t]
    assert polite.startswith("You're asking faster than I can read. Please try again in ")


def test_question_limiter_window() -> None:
    now = [0.0]
    limiter = QuestionLimiter(2, clock=lambda: now[0])
    assert [limiter.wait_s(1), limiter.wait_s(1), limiter.wait_s(2)] == [0.0, 0.0, 0.0]
    now[0] = 10.0
    assert limiter.wait_s(1) == pytest.approx(50.0)
    now[0] = 60.0
    assert limiter.wait_s(1) == 0.0


def test_new_resets_the_conversation(fake: FakeTelegram, news: Archive) -> None:
    responder = RecordingResponder(news)

    async def scenario() -> None:
        async with polling(bot_app(news, fake, responder)):
            for text, count in (
                (STRIKE_Q, 1),
                (PANDA_Q, 2),
                ("/new", 3),
                ("/sources", 4),
                (STRIKE_Q, 5),
            ):
                fake.inject_message(7, 7, text)
                await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=count)

    asyncio.run(scenario())
    assert [turns for _, turns in responder.asked] == [0, 1, 0]
    texts = [c.result["text"] for c in sent_answers(fake, 7)]
    assert texts[2:4] == ["Started a new conversation.", NO_ANSWER_YET]


def test_typing_is_renewed_while_answering(fake: FakeTelegram, news: Archive) -> None:
    responder = RecordingResponder(news, delay_s=0.6)

    async def scenario() -> None:
        async with polling(bot_app(news, fake, responder, typing_interval=0.15)):
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))

    asyncio.run(scenario())
    assert len(fake.calls("sendChatAction", chat_id=7)) >= 3
    assert fake.sent[-1].method == "sendMessage"  # typing stops once the answer is there


def test_one_error_handler_tells_the_user_briefly(
    fake: FakeTelegram, news: Archive, caplog: pytest.LogCaptureFixture
) -> None:
    app = bot_app(news, fake, FailingResponder(news))
    assert len(app.error_handlers) == 1

    async def scenario() -> None:
        async with polling(app):
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))

    with caplog.at_level(logging.ERROR, logger="bot.telegram"):
        asyncio.run(scenario())
    assert [c.params["text"] for c in fake.calls("sendMessage", chat_id=7)] == [FAILED]
    (record,) = [r for r in caplog.records if r.name == "bot.telegram"]
    assert record.exc_info is not None
    assert "disk on fire" in caplog.text  # the traceback is in the log, not in the chat


def test_secret_filter_redacts_messages_and_tracebacks() -> None:
    token = "123456789:TEST-token-for-newsbot"
    lines: list[str] = []

    class ListHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = ListHandler()
    handler.addFilter(SecretFilter(token, "webhook-secret-1"))
    logger = logging.getLogger("tests.token")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)

    def fail() -> None:
        raise ValueError(f"bad URL .../bot{token}/sendMessage")

    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe", token)
        try:
            fail()
        except ValueError:
            logger.exception("failed")
        logger.warning("secret half alone: %s", token.split(":")[1])
        logger.debug("setWebhook %s", {"secret_token": "webhook-secret-1"})
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    assert len(lines) == 4
    assert all("TEST-token-for-newsbot" not in line for line in lines)
    assert "webhook-secret-1" not in lines[3]
    assert "[redacted]" in lines[0]
    assert "ValueError: bad URL" in lines[1]


# --- restarts, load and the real command ------------------------------------------------------


def test_restart_answers_nothing_twice(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, PANDA_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=2)

    asyncio.run(scenario())
    assert sorted(fake.deliveries.values()) == [1, 1]
    assert len(fake.calls("sendMessage", chat_id=7)) == 2
    assert fake.pending_updates == []


def test_fifty_users_at_once_are_each_answered_once(fake: FakeTelegram, news: Archive) -> None:
    users = range(1001, 1051)

    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            for user in users:
                fake.inject_message(user, user, STRIKE_Q if user % 2 else PANDA_Q)
            await fake.wait_for_async(is_call("sendMessage"), count=50, timeout=30)

    asyncio.run(scenario())
    assert all(len(sent_answers(fake, user)) == 1 for user in users)
    assert len(fake.calls("sendMessage")) == 50
    assert sorted(set(fake.deliveries.values())) == [1]
    assert len(fake.deliveries) == 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_newsbot_telegram_child_answers_and_stops_on_sigterm(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    with newsbot_telegram(tmp_path, fake) as child:
        fake.inject_message(7, 7, STRIKE_Q)
        try:
            (answer,) = fake.wait_for(is_call("sendMessage", chat_id=7), timeout=30)
        except TimeoutError:
            child.kill()
            pytest.fail(f"no answer; child stderr:\n{child.communicate()[1][-3000:]}")
        code, stderr = stop_child(child)
    assert code == 0, stderr[-3000:]
    assert "4,000" in answer.result["text"]
    assert f'href="{PORT_URL.replace("&", "&amp;")}"' in answer.params["text"]
    assert f"answering as @{BOT}" in stderr
    assert "TEST-token-for-newsbot" not in stderr
    assert fake.pending_updates == []  # confirmed on the way out: a restart answers nothing again
    assert list(fake.deliveries.values()) == [1]


def test_newsbot_telegram_webhook_mode_checks_the_secret(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    port = _free_port()
    hook = "https://bot.example/newsbot/hook"
    fake.add_chat(7)
    update = {
        "update_id": 5,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": 7, "type": "private", "first_name": "U"},
            "from": {"id": 7, "is_bot": False, "first_name": "U"},
            "text": STRIKE_Q,
        },
    }
    args = ("--webhook", hook, "--listen", "127.0.0.1", "--port", str(port))
    with newsbot_telegram(
        tmp_path, fake, *args, NEWSBOT_TELEGRAM__WEBHOOK_SECRET="s3cret-Value_1"
    ) as child:
        (set_hook,) = fake.wait_for(is_call("setWebhook"), timeout=30)
        url = f"http://127.0.0.1:{port}/newsbot/hook"
        with httpx.Client(trust_env=False, timeout=5) as client:
            for _ in range(50):
                with contextlib.suppress(httpx.TransportError):
                    wrong = client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "no"}
                    )
                    break
                time.sleep(0.1)
            right = client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-Value_1"}
            )
        fake.wait_for(is_call("sendMessage", chat_id=7), timeout=15)
        code, stderr = stop_child(child)
    assert set_hook.params["url"] == hook
    assert set_hook.params["secret_token"] == "s3cret-Value_1"
    assert (wrong.status_code, right.status_code) == (403, 200)
    assert code == 0, stderr[-3000:]
    assert "s3cret-Value_1" not in stderr
    assert "TEST-token-for-newsbot" not in stderr
    assert "4,000" in fake.calls("sendMessage", chat_id=7)[0].result["text"]
    assert parse_html(fake.calls("sendMessage", chat_id=7)[0].params["text"])


def test_missing_token_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("NEWSBOT_TELEGRAM__TOKEN", "")
    result = CliRunner().invoke(cli, ["telegram"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no Telegram bot token: set NEWSBOT_TELEGRAM__TOKEN"
    plain_hook = CliRunner().invoke(
        cli, ["telegram", "--webhook", "http://x.example/"], env={"NEWSBOT_TELEGRAM__TOKEN": "1:x"}
    )
    assert plain_hook.exit_code == 2
    assert "https://" in plain_hook.output


def test_rejected_token_is_a_one_line_error_that_hides_it(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    wrong = "999:wrong-secret-token-value"
    with newsbot_telegram(tmp_path, fake, ingest=False, NEWSBOT_TELEGRAM__TOKEN=wrong) as child:
        _, stderr = child.communicate(timeout=60)
    assert child.returncode == 1
    assert stderr.splitlines()[-1] == (
        "Error: Telegram rejected the bot token: check NEWSBOT_TELEGRAM__TOKEN"
    )
    assert "wrong-secret-token-value" not in stderr


def test_admin_sync_pulls_subscribed_feeds(
    fake: FakeTelegram, news: Archive, sources_server: LocalServer
) -> None:
    from ingest.subscriptions import Subscriptions, subscriptions_path

    Subscriptions(subscriptions_path(news.data_dir)).add(
        sources_server.url("/feeds/regional.rss"), "Regional"
    )

    async def scenario() -> None:
        async with polling(bot_app(news, fake, admins=[99])):
            fake.inject_message(5, 5, "/sync")
            await fake.wait_for_async(is_call("sendMessage", chat_id=5))
            fake.inject_message(99, 99, "/sync")
            await fake.wait_for_async(is_call("sendMessage", chat_id=99), timeout=30)
            fake.inject_message(99, 99, "/sync")
            await fake.wait_for_async(is_call("sendMessage", chat_id=99), count=2, timeout=30)

    asyncio.run(scenario())
    assert fake.calls("sendMessage", chat_id=5)[0].params["text"] == ADMINS_ONLY
    first, second = (c.params["text"] for c in fake.calls("sendMessage", chat_id=99))
    assert "Regional: 3 new" in first
    assert "Regional: not modified" in second


def test_scheduled_sync_pulls_the_feeds_and_is_never_fatal(
    fake: FakeTelegram, news: Archive, sources_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    from ingest.pipeline import ingest_lock
    from ingest.subscriptions import Subscriptions, subscriptions_path

    Subscriptions(subscriptions_path(news.data_dir)).add(
        sources_server.url("/feeds/regional.rss"), "Regional"
    )
    before = news.catalog.stats().articles

    async def scenario() -> None:
        async with polling(
            bot_app(news, fake, sync_interval_minutes=30, sync_wait_seconds=1)
        ) as app:
            assert app.job_queue is not None
            (job,) = app.job_queue.get_jobs_by_name("sync")
            await job.run(app)  # what the JobQueue does every 30 minutes
            with ingest_lock(news.data_dir):  # an ingest is running: the sync waits, then skips
                await job.run(app)

    with caplog.at_level(logging.INFO, logger="bot"):
        asyncio.run(scenario())
    assert news.catalog.stats().articles > before
    assert "scheduled sync: Regional: 3 new" in caplog.text
    assert "scheduled sync skipped: another ingest is writing to" in caplog.text
    assert not fake.calls("sendMessage")  # nobody is told


def test_llm_reply_streams_then_is_replaced_by_the_verified_answer(
    fake: FakeTelegram, news: Archive
) -> None:
    from config.settings import AnswerSettings
    from tests.support.fake_llm import FakeScriptedLLM

    reply = (
        "About 4,000 workers joined the strike at Meridian City port [1]. "
        "The mayor resigned in protest on Tuesday [1]."
    )
    llm = FakeScriptedLLM(reply=reply, delay_s=0.25)
    responder = Responder(news, answer=AnswerSettings(mode="llm"), llm=llm)

    async def scenario() -> None:
        async with polling(bot_app(news, fake, responder=responder)):
            fake.inject_message(7, 7, "How many workers joined the strike at Meridian City port?")
            await fake.wait_for_async(
                lambda call: (
                    call.method == "editMessageText"
                    and "Sources" in str(call.params.get("reply_markup"))
                ),
                timeout=30,
            )

    asyncio.run(scenario())
    previews = fake.calls("sendMessage", chat_id=7)
    edits = fake.calls("editMessageText")
    assert len(previews) == 1 and previews[0].params["text"].endswith("…")
    final = edits[-1].params["text"]
    assert "4,000" in final and "mayor" not in final  # the unsupported sentence was dropped
    stamps = [previews[0].at] + [c.at for c in edits[:-1]]  # previews, not the final replace
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(stamps))


# --- odd messages, garbage commands and odd uploads -------------------------------------


STICKER = {
    "sticker": {
        "file_id": "CAACAgIAAxkBAAEFAKE",
        "file_unique_id": "AgADFAKE",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "🔥",
    }
}
PHOTO = {
    "photo": [{"file_id": "AgACAgFAKE", "file_unique_id": "AQADFAKE", "width": 90, "height": 90}],
    "caption": "",
}


def test_messages_without_text_are_ignored(fake: FakeTelegram, news: Archive) -> None:
    """Stickers, photos with an empty caption: no reply, no error, and the bot answers on."""

    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_content(7, 7, STICKER)
            fake.inject_content(7, 7, PHOTO)
            fake.inject_content(-5, 7, STICKER, chat_type="group")
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))
            await asyncio.sleep(0.3)

    asyncio.run(scenario())
    (answer,) = sent_answers(fake, 7)
    assert "4,000" in answer.result["text"]
    assert not fake.calls("sendMessage", chat_id=-5)


def test_odd_messages_get_polite_valid_replies(fake: FakeTelegram, news: Archive) -> None:
    over_limit = ("How many workers joined the strike? " * 120)[:4100]
    texts = {
        "blank": " \n\t ",
        "zero-width": "\u200b\u200b",
        "emoji": "🔥🔥🔥 🚢⚓️",
        "over-4096": over_limit,
        "ask-10k": "/ask " + "why " * 2500,
        "rtl-override": "\u202eWho called the walkout unlawful?",
        "html-and-markdown": "<b>Who</b> called the **walkout** `unlawful` &amp; <script>?",
        "unknown-command": "/frobnicate now",
    }

    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            for chat, text in enumerate(texts.values(), start=100):
                fake.inject_message(chat, chat, text)
            expected = len(texts) - 1  # unknown commands are not answered
            await fake.wait_for_async(is_call("sendMessage"), count=expected, timeout=30)
            await asyncio.sleep(0.3)

    asyncio.run(scenario())
    replies = {
        name: fake.calls("sendMessage", chat_id=chat) for chat, name in enumerate(texts, start=100)
    }
    for name, calls in replies.items():
        assert all(c.ok for c in calls), (name, [c.error for c in calls])
        for call in calls:
            if call.params.get("parse_mode") == "HTML":
                parse_html(call.params["text"])
    assert [c.params["text"] for c in replies["blank"]] == [ASK_HOW]
    too_long = f"Please ask in under {MAX_QUESTION_CHARS} characters."
    assert [c.params["text"] for c in replies["over-4096"]] == [too_long]
    assert [c.params["text"] for c in replies["ask-10k"]] == [too_long]
    assert replies["unknown-command"] == []
    for name in ("zero-width", "emoji", "rtl-override", "html-and-markdown"):
        assert len(replies[name]) == 1, name
        assert replies[name][0].result["text"].strip()


def test_commands_with_garbage_arguments(fake: FakeTelegram, news: Archive) -> None:
    commands = [
        "/sources xyz ../../etc 999",
        "/new extra words 🔥",
        "/help me <b>now</b>",
        "/stats --all; DROP TABLE articles",
        "/ingest /etc/passwd",
        "/start " + "x" * 3000,
    ]

    async def scenario() -> None:
        async with polling(bot_app(news, fake, admins=[99])):
            for n, text in enumerate(commands, start=1):
                fake.inject_message(7, 7, text)
                await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=n, timeout=10)
            fake.inject_message(99, 99, "/stats --all; DROP TABLE articles")
            await fake.wait_for_async(is_call("sendMessage", chat_id=99), timeout=10)

    asyncio.run(scenario())
    sources, new, help_, stats, ingest, start = (c.result["text"] for c in sent_answers(fake, 7))
    assert sources == NO_ANSWER_YET
    assert new == "Started a new conversation."
    assert help_.startswith("newsbot answers questions") and start == help_
    assert stats == ingest == ADMINS_ONLY
    assert sent_answers(fake, 99)[0].result["text"].startswith("Archive\narticles: 2\n")
    assert news.catalog.stats().articles == 2


UPLOADS = {
    # name sent by the user -> (content, what the reply starts with)
    "../../../../tmp/evil-upload.jsonl": (record("upload traversal"), "evil-upload.jsonl: added 1"),
    "/etc/cron.d/abs-path.json": (record("upload absolute"), "abs-path.json: added 1"),
    "..\\..\\windows\\win.csv": (
        f'title,text\nWin,"{story("upload backslash")}"\n',
        "win.csv: added 1",
    ),
    "....": (record("upload dots"), "I can't read upload."),
    "null\x00byte.jsonl": (record("upload nul"), "null_byte.jsonl: added 1"),
    "report.pdf": ("%PDF-1.4 not really", "I can't read report.pdf."),
    "run.sh": ("rm -rf /", "I can't read run.sh."),
    "photo.txt": (BINARY.decode("latin-1"), "photo.txt: added 0"),
}


def test_uploads_of_odd_names_types_and_content(
    fake: FakeTelegram, news: Archive, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake, admins=[99])):
            for n, (name, (content, _)) in enumerate(UPLOADS.items(), start=1):
                data = content.encode("latin-1" if name == "photo.txt" else "utf-8")
                fake.inject_document(99, 99, name, data, "application/octet-stream")
                await fake.wait_for_async(is_call("sendMessage", chat_id=99), count=n, timeout=20)

    asyncio.run(scenario())
    replies = [c.result["text"] for c in sent_answers(fake, 99)]
    for (name, (_, expected)), reply in zip(UPLOADS.items(), replies, strict=True):
        assert reply.startswith(expected), (name, reply)
        assert "newsbot-upload-" not in reply  # our temporary folder is never shown
    assert "photo.txt: binary file, not text" in replies[-1]
    assert not Path("/tmp/evil-upload.jsonl").exists()
    assert not Path("/etc/cron.d/abs-path.json").exists()
    assert news.catalog.stats().articles == 2 + 4


def test_oversized_upload_after_download_is_refused(fake: FakeTelegram, news: Archive) -> None:
    """The size Telegram reports is checked first; the downloaded file is checked again."""

    async def scenario() -> None:
        async with polling(bot_app(news, fake, admins=[99], max_upload_mb=0.01)):
            fake.inject_document(
                99, 99, "big.jsonl", (record("big upload") + "\n") * 200, "text/plain"
            )
            await fake.wait_for_async(is_call("sendMessage", chat_id=99))

    asyncio.run(scenario())
    (reply,) = sent_answers(fake, 99)
    assert reply.result["text"].startswith("big.jsonl is too big (")
    assert "the limit is 0.01 MB" in reply.result["text"]
    assert news.catalog.stats().articles == 2


def test_reply_with_a_short_answer_is_exact_html(fake: FakeTelegram, news: Archive) -> None:
    """The short answer once, in bold, the cited sentence with its linked marker, then the
    source line and the passage it was quoted from (test_telegram_features: two sources)."""

    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))

    asyncio.run(scenario())
    (answer,) = fake.calls("sendMessage", chat_id=7)
    assert answer.params["text"] == EXACT_STRIKE_REPLY


# Before the short answer was kept out of Answer.text, this began "<b>4,000</b>\n\n4,000\n".
EXACT_STRIKE_REPLY = (
    "<b>4,000</b>\n\nAbout 4,000 workers joined the strike at Meridian City port, the union said. "
    '<a href="https://news.example/port-strike?id=1&amp;ref=x">[1]</a>\n\n'
    "[1] Harbor &lt;Wire&gt; · 2025-03-03 · "
    '<a href="https://news.example/port-strike?id=1&amp;ref=x">Port strike &lt;b begins &amp; '
    "dockers walk out</a>\n"
    "<blockquote expandable>Dock workers at Meridian City port walked out on Monday morning. "
    "<b>About 4,000 workers joined the strike at Meridian City port, the union said.</b> "
    "The port authority called the walkout &lt;script&gt;alert(1)&lt;/script&gt; unlawful "
    "&amp; costly, a spokesman said.</blockquote>"
)
