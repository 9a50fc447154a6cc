"""Who gets what from the bot, what its logs may say, and markup that must not break a reply.

Extends tests/test_telegram.py (which covers a stranger's first refusal, an allowed chat, a
button pressed by someone outside its chat, and non-admins in an open bot) with: forged
callback data carrying another chat's key, callback data of every malformed shape, strangers
trying each command, admin commands under allow-lists and in groups, the token in error paths
(in-process with the production log filter, and in a `newsbot --debug telegram` child), and
articles and questions full of HTML, Markdown and hostile links.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.access import ADMINS_ONLY, REFUSAL
from bot.formatting import (
    MAX_MESSAGE,
    answer_html,
    escape,
    sources_html,
    split_message,
    text_length,
    to_plain,
)
from bot.redaction import protect_secrets
from bot.sending import GONE
from bot.telegram import FAILED
from ingest.articles import Article
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.responder import Responder
from retrieval.results import Answer, Citation, Passage
from tests.support.fake_telegram import ApiCall, FakeTelegram, is_call, parse_html
from tests.support.nasty_text import EMOJI_AND_ASTRAL
from tests.support.telegram_bot import (
    RecordingResponder,
    bot_app,
    button_data,
    newsbot_telegram,
    polling,
    sent_answers,
    stop_child,
)
from tests.support.telegram_data import ARTICLES, BOT, PANDA_Q, STRIKE_Q

TOKEN_KEY = "TEST-token-for-newsbot"  # the secret half of FakeTelegram's default token


def _archive_text(calls: list[ApiCall]) -> list[str]:
    """Replies that carry anything from the archive (a figure or a title of ours)."""
    return [
        c.result["text"]
        for c in calls
        if c.ok and any(mark in c.result["text"] for mark in ("4,000", "Port strike", "panda"))
    ]


# --- allow-lists ------------------------------------------------------------------------------


def test_forged_callback_data_with_another_chats_key_gets_nothing(
    fake: FakeTelegram, news: Archive
) -> None:
    """User 1 (allowed) gets an answer; user 3 (allowed) and stranger 2 replay its button
    data on messages in their own chats; nobody gets user 1's sources."""
    responder = RecordingResponder(news)

    async def scenario() -> None:
        async with polling(bot_app(news, fake, responder, allowed_users=[1, 3])):
            fake.inject_message(1, 1, STRIKE_Q)
            (answer,) = await fake.wait_for_async(is_call("sendMessage", chat_id=1))
            fake.inject_message(3, 3, PANDA_Q)
            (theirs,) = await fake.wait_for_async(is_call("sendMessage", chat_id=3))
            fake.inject_message(2, 2, "hello")
            (refusal,) = await fake.wait_for_async(is_call("sendMessage", chat_id=2))
            stolen = button_data(answer)
            fake.inject_callback_query(3, 3, stolen, theirs.result["message_id"])
            fake.inject_callback_query(2, 2, stolen, refusal.result["message_id"])
            # The stranger presses the real button, on the allowed user's own message.
            fake.inject_callback_query(1, 2, stolen, answer.result["message_id"])
            await fake.wait_for_async(is_call("answerCallbackQuery"), count=3)
            await asyncio.sleep(0.2)

    asyncio.run(scenario())
    presses = [
        (p.params["text"], p.params["show_alert"]) for p in fake.calls("answerCallbackQuery")
    ]
    assert sorted(presses) == sorted([(GONE, True), (REFUSAL, True), (REFUSAL, True)])
    assert len(sent_answers(fake, 1)) == 1  # no Sources view was sent anywhere
    assert len(sent_answers(fake, 3)) == 1
    assert [c.result["text"] for c in sent_answers(fake, 2)] == [REFUSAL]
    assert responder.questions == [STRIKE_Q, PANDA_Q]


def test_a_stranger_gets_nothing_from_any_command_or_upload(
    fake: FakeTelegram, news: Archive
) -> None:
    responder = RecordingResponder(news)
    attempts = [
        f"/ask {STRIKE_Q}",
        "/sources",
        "/stats",
        "/ingest",
        "/help",
        "/new",
        STRIKE_Q,
    ]

    async def scenario() -> None:
        async with polling(bot_app(news, fake, responder, allowed_users=[1], admins=[99])):
            for text in attempts:
                fake.inject_message(2, 2, text)
            fake.inject_document(
                2, 2, "news.jsonl", b'{"title": "t", "text": "x y z"}', "text/plain"
            )
            asked = f"@{BOT} {STRIKE_Q}"
            mention = [{"type": "mention", "offset": 0, "length": len(BOT) + 1}]
            fake.inject_message(-9, 2, asked, chat_type="group", entities=mention)
            await fake.wait_for_async(is_call("sendMessage", chat_id=2))
            await fake.wait_for_async(is_call("sendMessage", chat_id=-9))
            await asyncio.sleep(0.5)  # anything else would have arrived by now

    asyncio.run(scenario())
    # One refusal per chat (at most one an hour), and nothing else: no typing, no file read.
    assert [c.params["text"] for c in fake.calls("sendMessage", chat_id=2)] == [REFUSAL]
    assert [c.params["text"] for c in fake.calls("sendMessage", chat_id=-9)] == [REFUSAL]
    assert not fake.calls("sendChatAction")
    assert not fake.calls("getFile")
    assert responder.questions == []
    assert news.catalog.stats().articles == 2


def test_admin_commands_refuse_allowed_users_and_admins_need_no_allow_list(
    fake: FakeTelegram, news: Archive
) -> None:
    record = b'{"title": "Ferry", "text": "The ferry resumed service on Tuesday after repairs to its hull and engines."}'

    async def scenario() -> None:
        async with polling(bot_app(news, fake, allowed_users=[1], admins=[99])):
            fake.inject_message(1, 1, "/stats")
            fake.inject_message(1, 1, "/ingest")
            fake.inject_document(1, 1, "a.jsonl", record, "text/plain")
            await fake.wait_for_async(is_call("sendMessage", chat_id=1), count=3)
            # Admin 99 is on no allow-list; in a group only a captioned file is for the bot.
            fake.inject_message(99, 99, "/stats")
            await fake.wait_for_async(is_call("sendMessage", chat_id=99))
            fake.inject_document(
                -7, 5, "b.jsonl", record, "text/plain", "/ingest", chat_type="group"
            )
            fake.inject_document(-7, 99, "c.jsonl", record, "text/plain", None, chat_type="group")
            fake.inject_document(
                -7, 99, "d.jsonl", record, "text/plain", "/ingest", chat_type="group"
            )
            await fake.wait_for_async(is_call("sendMessage", chat_id=-7), count=2, timeout=20)
            await asyncio.sleep(0.3)

    asyncio.run(scenario())
    assert [c.result["text"] for c in sent_answers(fake, 1)] == [ADMINS_ONLY] * 3
    assert sent_answers(fake, 99)[0].result["text"].startswith("Archive\narticles: 2")
    refused, report = sorted((c.result["text"] for c in sent_answers(fake, -7)), key=len)
    # User 5 is refused outright (not on the allow-list); the uncaptioned file is ignored.
    assert refused == REFUSAL
    assert report.startswith("d.jsonl: added 1")
    assert news.catalog.stats().articles == 3


# --- callback data ----------------------------------------------------------------------------

BAD_CALLBACK_DATA = [
    "",
    "src:",
    "src:" + "A" * 17,  # longer than any key
    "src:" + "A" * 200,  # longer than Telegram's 64 bytes
    "src:ключключключ",  # not ASCII
    "src:AAAAAAAA\n",
    " src:AAAAAAAA",
    "SRC:AAAAAAAA",
    "sources:AAAAAAAA",
    "src:AAAA AAAA",
    "src:AAAAAAAA;DROP",
    "src:%00%00%00%00",
    "src:\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000",
]


def test_malformed_callback_data_is_refused_without_effect(
    fake: FakeTelegram, news: Archive
) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, STRIKE_Q)
            (answer,) = await fake.wait_for_async(is_call("sendMessage", chat_id=7))
            key = button_data(answer).removeprefix("src:")
            data = [*BAD_CALLBACK_DATA, f"src:{key}x", f"src:{key.upper()}", f"src:{key}\n"]
            for text in data:
                fake.inject_callback_query(7, 7, text, answer.result["message_id"])
            await fake.wait_for_async(is_call("answerCallbackQuery"), count=len(data), timeout=15)
            await asyncio.sleep(0.2)

    asyncio.run(scenario())
    presses = fake.calls("answerCallbackQuery")
    assert len(presses) == len(BAD_CALLBACK_DATA) + 3
    assert [(p.params["text"], p.params["show_alert"]) for p in presses] == [(GONE, True)] * len(
        presses
    )
    assert len(sent_answers(fake, 7)) == 1


# --- the token --------------------------------------------------------------------------------


class TokenLeakingResponder(Responder):
    """Fails with the token in its message, as a library's error about a URL might."""

    def __init__(self, archive: Archive, token: str) -> None:
        super().__init__(archive)
        self.token = token

    def ask(self, question: str, *args: Any, **kwargs: Any) -> Answer:
        raise RuntimeError(f"POST https://api.telegram.org/bot{self.token}/sendMessage failed")


def test_token_is_redacted_from_every_log_line_in_error_paths(
    fake: FakeTelegram, news: Archive, caplog: pytest.LogCaptureFixture
) -> None:
    """With the log filter `run()` installs, and everything logged at DEBUG (httpx logs each
    request URL, which holds the token): a handler that raises with the token in its message,
    and an API error that quotes it, leave no trace of it in any log line or reply."""
    fake.fail_next("sendMessage", status=400, description=f"Bad Request: no bot {fake.token}")
    app = bot_app(news, fake, TokenLeakingResponder(news, fake.token), allowed_users=[7])

    async def scenario() -> None:
        async with polling(app):
            fake.inject_message(7, 7, "/help")  # its reply is refused, quoting the token
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), timeout=15)
            fake.inject_message(7, 7, STRIKE_Q)  # the responder fails, quoting the token
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=2, timeout=15)

    root = logging.getLogger()
    with caplog.at_level(logging.DEBUG):
        secret_filter = protect_secrets(fake.token)
        logging.getLogger("httpx").setLevel(logging.DEBUG)  # louder than production, on purpose
        try:
            asyncio.run(scenario())
        finally:
            for handler in root.handlers:
                handler.removeFilter(secret_filter)
            logging.getLogger("httpx").setLevel(logging.NOTSET)
    assert "[redacted]" in caplog.text  # the request URLs were logged, and redacted
    lines = caplog.text + "".join(str(r.exc_text) for r in caplog.records)
    assert TOKEN_KEY not in lines
    errors = [r for r in caplog.records if r.name == "bot.telegram" and r.levelno == logging.ERROR]
    assert len(errors) == 2  # the rejected /help reply and the failing question
    for call in fake.calls("sendMessage"):
        assert TOKEN_KEY not in str(call.params.get("text"))
    assert [c.result["text"] for c in sent_answers(fake, 7)] == [FAILED, FAILED]


def test_token_never_reaches_stderr_of_a_failing_child(fake: FakeTelegram, tmp_path: Path) -> None:
    """`newsbot --debug telegram`, the most verbose it gets, with an API error quoting the
    token and a handler that fails: stderr holds the errors, and never the token."""
    fake.fail_next("sendMessage", status=400, description=f"Bad Request: token {fake.token} bad")
    with newsbot_telegram(tmp_path, fake) as child:
        fake.inject_message(7, 7, STRIKE_Q)
        try:
            fake.wait_for(is_call("sendMessage", chat_id=7), timeout=60)
        except TimeoutError:
            child.kill()
            pytest.fail(f"no reply; child stderr:\n{child.communicate()[1][-3000:]}")
        code, stderr = stop_child(child)
    assert code == 0, stderr[-3000:]
    assert "error while handling update" in stderr
    assert "[redacted]" in stderr
    assert TOKEN_KEY not in stderr
    assert [c.result["text"] for c in sent_answers(fake, 7)] == [FAILED]


# --- markup in articles and questions ---------------------------------------------------------


def _hrefs(html_text: str) -> list[str]:
    """Targets of real links (escaped article text cannot contain `<a `)."""
    return re.findall(r'<a href="([^"]*)">', html_text)


HOSTILE = Article(
    title='Harbour <b>"strike"</b></a><b> & <script>alert(1)</script> **bold** [x](javascript:alert(1))',
    body=(
        "The harbour inquiry heard that </a><b>dockers</b> were <i>locked out & unpaid</i>. "
        "A witness wrote **cargo was stolen** and `rm -rf` and &amp; &lt;tags&gt; on a sign. "
        'The report quoted <a href="javascript:alert(1)">a link</a> and <tg-spoiler>a spoiler</tg-spoiler>. '
        "The inquiry found that 312 containers were lost during the harbour lockout in May."
    ),
    origin="test:hostile",
    url='https://news.example/harbour?q="><script>alert(1)</script>&x=1',
    source='<Harbour> & "Dock" Times',
    published=date(2025, 5, 6),
)
JS_LINK = Article(
    title="Lockout ends at the harbour",
    body=(
        "The harbour lockout ended on Friday when the 312 dockers returned to work. "
        "Union leaders said the lockout cost each docker two weeks of pay."
    ),
    origin="test:js",
    url="javascript:alert(document.cookie)",
    source="Evil [Wire](https://evil.example)",
    published=date(2025, 5, 9),
)
QUESTIONS = [
    "How many containers were lost during the harbour lockout?",
    "<b>How many</b> containers were </a> lost & <script>x</script> in the **lockout**?",
    "When did the lockout end? [1](javascript:alert(1)) `code` _it_ ~s~",
    "What did the witness write about the <i>cargo</i> &amp; the sign?",
]


def test_hostile_markup_never_breaks_a_reply(fake: FakeTelegram, archive: Archive) -> None:
    assert Ingestor(archive).ingest([HOSTILE, JS_LINK, *ARTICLES]).added == 4

    async def scenario() -> None:
        async with polling(bot_app(archive, fake)):
            for n, question in enumerate(QUESTIONS, start=1):
                fake.inject_message(7, 7, question)
                (*_, answer) = await fake.wait_for_async(
                    is_call("sendMessage", chat_id=7), count=2 * n - 1, timeout=15
                )
                if "reply_markup" in answer.params:
                    fake.inject_callback_query(
                        7, 7, button_data(answer), answer.result["message_id"]
                    )
                else:
                    fake.inject_message(7, 7, "/sources")
                await fake.wait_for_async(
                    is_call("sendMessage", chat_id=7), count=2 * n, timeout=15
                )

    asyncio.run(scenario())
    calls = fake.calls("sendMessage", chat_id=7)
    assert len(calls) == 2 * len(QUESTIONS)
    assert all(c.ok and c.params.get("parse_mode") == "HTML" for c in calls)  # none fell back
    for call in calls:
        html_text = call.params["text"]
        assert all(h.startswith("https://") for h in _hrefs(html_text))
        assert "<script" not in html_text
    visible = "\n".join(c.result["text"] for c in calls)
    assert "312" in visible
    # Shown as written: tags, entities and Markdown are the article's characters, not markup.
    assert HOSTILE.title in visible
    assert HOSTILE.source in visible
    assert "**cargo was stolen** and `rm -rf` and &amp; &lt;tags&gt;" in visible


def test_markup_in_answers_is_escaped_not_rendered() -> None:
    """The same hostile article through the formatter alone: the visible text is the article's
    own characters, and the only links are http(s) ones."""
    passage = Passage(
        chunk_id="c1",
        article_id="a1",
        text=HOSTILE.body,
        title=HOSTILE.title,
        source=HOSTILE.source,
        published=HOSTILE.published,
        url=HOSTILE.url,
        score=1.0,
    )
    js = replace(passage, chunk_id="c2", article_id="a2", url=JS_LINK.url, title=JS_LINK.title)
    citations = (Citation(1, passage, HOSTILE.body), Citation(2, js, JS_LINK.body))
    answer = Answer(
        question=QUESTIONS[1],
        text=f"{HOSTILE.body} [1] [2]",
        citations=citations,
        passages=(passage, js),
        abstained=False,
        short="312 </b><i>",
    )
    for rendered in (answer_html(answer), sources_html(answer)):
        visible = parse_html(rendered)
        assert "</a><b>dockers</b>" in visible or "Harbour <b>" in visible
        hrefs = _hrefs(rendered)
        assert hrefs
        assert all(h.startswith("https://news.example/harbour?q=&quot;&gt;") for h in hrefs)


# --- message splitting at Telegram's limit, under hostile text ------------------------


@settings(max_examples=150, deadline=None)
@given(text=EMOJI_AND_ASTRAL, limit=st.integers(min_value=16, max_value=400))
def test_splitting_plain_text_loses_nothing_and_counts_utf16(text: str, limit: int) -> None:
    """Plain-text mode (the fallback when Telegram rejects HTML): `<` and `&` are just text,
    and astral characters count two UTF-16 units, as Telegram counts them."""
    parts = split_message(text, limit, parse_tags=False)
    assert "".join(parts) == text
    assert all(0 < text_length(p) <= limit for p in parts)


@settings(max_examples=40, deadline=None)
@given(words=st.lists(EMOJI_AND_ASTRAL, max_size=8))
def test_splitting_escaped_text_with_links_at_the_telegram_limit(words: list[str]) -> None:
    """An answer-shaped message far over 4,096 (escaped article text, citation links): every
    part is valid HTML under the limit with its tags balanced, and the visible text is kept."""
    body = " ".join(
        f'<a href="https://x.example/?a=1&amp;b={n}">[{n}]</a> <b>{escape(w)}</b>'
        for n, w in enumerate(words * 40)
    )
    parts = split_message(body)
    assert all(text_length(p) <= MAX_MESSAGE for p in parts)
    assert "".join(parse_html(p) for p in parts) == parse_html(body)
    assert all(p.count("<a ") == p.count("</a>") for p in parts)
    assert all(to_plain(p).strip() for p in parts)  # no part is only markup
