"""Step 12's Telegram features end to end: the answer card, feedback, follows, charts, inline.

As in test_telegram.py: the real PTB Application over real HTTP against `FakeTelegram`, a real
archive in tmp_path with the deterministic embedder; fakes of our own code are real
subclasses of `Responder`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.feedback import FeedbackStore
from bot.follows import FollowStore
from bot.rating import CORRECT_HOW, NOTED_CORRECTION, THANKS_DOWN, THANKS_UP
from ingest.articles import Article
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.question.followup import Conversation
from retrieval.responder import AskOptions, Responder
from retrieval.results import Answer
from tests.support.charts import bars_in
from tests.support.fake_telegram import FakeTelegram, is_call
from tests.support.httpserver import LocalServer
from tests.support.telegram_bot import bot_app, button_data, polling, sent_answers
from tests.support.telegram_data import PANDA_Q, STRIKE_Q


class TwoSourceResponder(Responder):
    """The real answers to the strike and the panda questions, told as one answer citing both
    articles (the archive is too small for a real question to need two)."""

    def ask(
        self,
        question: str,
        options: AskOptions | None = None,
        conversation: Conversation | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        strike = super().ask(STRIKE_Q, options)
        panda = super().ask(PANDA_Q, options)
        second = replace(panda.citations[0], n=2)
        text = f"{strike.text} {panda.text.replace('[1]', '[2]')}"
        return replace(strike, text=text, citations=(strike.citations[0], second))


# --- the answer card ----------------------------------------------------------------------------


def test_answer_with_a_short_answer_and_two_sources_is_exact_html(
    fake: FakeTelegram, news: Archive
) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake, TwoSourceResponder(news))):
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))

    asyncio.run(scenario())
    (answer,) = fake.calls("sendMessage", chat_id=7)
    assert answer.params["text"] == EXACT_TWO_SOURCE_REPLY
    assert answer.params["link_preview_options"] == {"is_disabled": True}  # several sources
    rows = answer.params["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in rows[0]] == ["👍", "👎", "Sources"]


EXACT_TWO_SOURCE_REPLY = (
    "<b>4,000</b>\n\n"
    "About 4,000 workers joined the strike at Meridian City port, the union said. "
    '<a href="https://news.example/port-strike?id=1&amp;ref=x">[1]</a> '
    "The cubs will go on public view in June, keepers said. "
    '<a href="https://news.example/pandas">[2]</a>\n\n'
    "[1] Harbor &lt;Wire&gt; · 2025-03-03 · "
    '<a href="https://news.example/port-strike?id=1&amp;ref=x">Port strike &lt;b begins &amp; '
    "dockers walk out</a>\n"
    "<blockquote expandable>Dock workers at Meridian City port walked out on Monday morning. "
    "<b>About 4,000 workers joined the strike at Meridian City port, the union said.</b> "
    "The port authority called the walkout &lt;script&gt;alert(1)&lt;/script&gt; unlawful "
    "&amp; costly, a spokesman said.</blockquote>\n\n"
    "[2] Bay Herald · 2025-05-01 · "
    '<a href="https://news.example/pandas">Red panda cubs at Kestrel Bay Zoo</a>\n'
    "<blockquote expandable>Two red panda cubs were born at Kestrel Bay Zoo this spring. "
    "<b>The cubs will go on public view in June, keepers said.</b></blockquote>"
)


def test_a_one_source_answer_unfurls_its_link_and_groups_get_a_quoted_reply(
    fake: FakeTelegram, news: Archive
) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))
            asked = fake.inject_message(-50, 7, f"/ask {STRIKE_Q}", chat_type="group")
            await fake.wait_for_async(is_call("sendMessage", chat_id=-50))
            return asked

    asyncio.run(scenario())
    (private,) = fake.calls("sendMessage", chat_id=7)
    assert private.params["link_preview_options"] == {
        "url": "https://news.example/port-strike?id=1&ref=x",
        "prefer_small_media": True,
        "show_above_text": False,
    }
    (group,) = fake.calls("sendMessage", chat_id=-50)
    assert group.result["reply_to_message"]["text"] == f"/ask {STRIKE_Q}"


# --- feedback -----------------------------------------------------------------------------------


def test_feedback_is_recorded_exported_and_evaluated(
    fake: FakeTelegram, news: Archive, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, STRIKE_Q)
            (strike,) = await fake.wait_for_async(is_call("sendMessage", chat_id=7))
            strike_id = strike.result["message_id"]
            fake.inject_callback_query(7, 7, button_data(strike, "fb:up:"), strike_id)
            await fake.wait_for_async(is_call("answerCallbackQuery"))
            fake.inject_message(7, 7, PANDA_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=2)
            panda = sent_answers(fake, 7)[-1]
            panda_id = panda.result["message_id"]
            fake.inject_callback_query(7, 7, button_data(panda, "fb:down:"), panda_id)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7, text=CORRECT_HOW))
            prompt = sent_answers(fake, 7)[-1]
            fake.inject_message(
                7, 7, "the answer is in July", reply_to_message=prompt.result["message_id"]
            )
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=4)
            await fake.wait_for_async(is_call("editMessageText", chat_id=7))

    asyncio.run(scenario())
    (closed,) = fake.calls("editMessageText", chat_id=7)
    assert closed.result["text"].endswith("Noted: “in July”.")  # the prompt loses its button
    assert "reply_markup" not in closed.result
    presses = [c.params.get("text") for c in fake.calls("answerCallbackQuery")]
    assert presses == [THANKS_UP, THANKS_DOWN]
    assert sent_answers(fake, 7)[-1].params["text"] == NOTED_CORRECTION
    store = FeedbackStore.in_data_dir(news.data_dir)
    up, down = store.entries()
    store.close()
    assert (up.verdict, up.short, up.question) == ("up", "4,000", STRIKE_Q)
    assert up.citations[0]["url"] == "https://news.example/port-strike?id=1&ref=x"
    assert up.as_of == date.today()
    assert (down.verdict, down.correction, down.question) == ("down", "in July", PANDA_Q)

    monkeypatch.setenv("NEWSBOT_EMBEDDING__MODEL", "deterministic:256")
    exported = tmp_path / "feedback.jsonl"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--data-dir", str(news.data_dir), "feedback", "export", str(exported)]
    )
    assert result.exit_code == 0, result.output
    questions = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [(q["question"], q["answers"]) for q in questions] == [
        (STRIKE_Q, ["4,000"]),
        (PANDA_Q, ["in July"]),
    ]
    scored = runner.invoke(cli, ["--data-dir", str(news.data_dir), "eval", str(exported)])
    assert scored.exit_code == 0, scored.output
    rows = dict(line.rsplit(None, 1) for line in scored.output.splitlines() if "  " in line)
    assert rows["questions"].strip() == "2"
    # The 👍 answer is still right; the bot still says June where the user said July: the
    # exported set holds the bot to what its users corrected.
    assert rows["answer accuracy"].strip() == "0.500"


def test_a_correction_is_taken_after_a_restart_and_only_from_who_rated(
    fake: FakeTelegram, news: Archive
) -> None:
    async def rate() -> int:
        async with polling(bot_app(news, fake)):
            fake.inject_message(-50, 7, f"/ask {PANDA_Q}", chat_type="group")
            (answer,) = await fake.wait_for_async(is_call("sendMessage", chat_id=-50))
            down = button_data(answer, "fb:down:")
            fake.inject_callback_query(-50, 7, down, answer.result["message_id"])
            (prompt,) = await fake.wait_for_async(
                is_call("sendMessage", chat_id=-50, text=CORRECT_HOW)
            )
            return int(prompt.result["message_id"])

    async def reply(prompt_id: int) -> None:
        async with polling(bot_app(news, fake)):  # a new process: nothing in memory
            fake.inject_message(
                -50, 8, "June, surely", chat_type="group", reply_to_message=prompt_id
            )
            await fake.wait_for_async(is_call("sendMessage", chat_id=-50), count=3, timeout=15)
            fake.inject_message(
                -50, 7, "the answer is in July", chat_type="group", reply_to_message=prompt_id
            )
            await fake.wait_for_async(is_call("sendMessage", chat_id=-50, text=NOTED_CORRECTION))

    asyncio.run(reply(asyncio.run(rate())))
    store = FeedbackStore.in_data_dir(news.data_dir)
    (entry,) = store.entries()
    store.close()
    assert (entry.user_id, entry.verdict, entry.correction) == (7, "down", "in July")
    # user 8's reply to 7's prompt was not a correction: it was asked as a question
    assert fake.calls("sendMessage", chat_id=-50)[2].params.get("text") != NOTED_CORRECTION


# --- following topics ---------------------------------------------------------------------------


def test_a_followed_topic_is_pushed_once_and_never_to_a_chat_not_allowed(
    fake: FakeTelegram, news: Archive, sources_server: LocalServer
) -> None:
    from ingest.subscriptions import Subscriptions, subscriptions_path

    Subscriptions(subscriptions_path(news.data_dir)).add(
        sources_server.url("/feeds/regional.rss"), "Regional"
    )
    follows = {7: "bridge over the river", 8: "harbour dredging", 9: "library opening hours"}

    async def follow_all() -> None:
        async with polling(bot_app(news, fake, allowed_users=[7, 8, 9], admins=[99])):
            for chat, topic in follows.items():
                fake.inject_message(chat, chat, f"/follow {topic}")
                await fake.wait_for_async(is_call("sendMessage", chat_id=chat))
            fake.inject_message(7, 7, "/follow red panda cubs")  # held already: never pushed
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=2)

    async def sync_twice() -> None:
        # A restart with chat 9 no longer allowed: follows survive it, chat 9 hears nothing.
        async with polling(bot_app(news, fake, allowed_users=[7, 8], admins=[99])) as app:
            fake.inject_message(99, 99, "/sync")
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=3, timeout=30)
            await fake.wait_for_async(is_call("sendMessage", chat_id=8), count=2, timeout=30)
            fake.inject_message(99, 99, "/sync")
            await fake.wait_for_async(is_call("sendMessage", chat_id=99), count=2, timeout=30)
            assert app.job_queue is not None
            for job in app.job_queue.jobs():
                if job.callback.__name__ == "scheduled_push":
                    await job.run(app)
            fake.inject_message(7, 7, "/following")
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=4)

    asyncio.run(follow_all())
    before = len(fake.calls("sendMessage", chat_id=9))
    asyncio.run(sync_twice())
    seven = [c.result["text"] for c in sent_answers(fake, 7)]
    eight = [c.result["text"] for c in sent_answers(fake, 8)]
    assert seven[0].startswith("Following bridge over the river")
    pushes_7 = [t for t in seven if t.startswith("New on")]
    pushes_8 = [t for t in eight if t.startswith("New on")]
    assert len(pushes_7) == 1 and len(pushes_8) == 1
    assert pushes_7[0].startswith(
        "New on bridge over the river (1 article)\n• The Hampshire Herald"
    )
    assert "Council approves new bridge over River Test" in pushes_7[0]
    assert "panda" not in pushes_7[0].lower()
    assert "Harbour dredging to start in autumn" in pushes_8[0]
    assert "Library" not in pushes_7[0] + pushes_8[0]
    assert len(fake.calls("sendMessage", chat_id=9)) == before  # nothing after the restart
    push_call = next(c for c in sent_answers(fake, 7) if c.result["text"].startswith("New on"))
    assert 'href="' in push_call.params["text"]
    assert seven[-1].startswith("Following\n1. bridge over the river\n2. red panda cubs")


def test_follow_commands_refuse_what_they_cannot_do(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            commands = (
                "/follow",
                "/follow " + "x" * 300,
                "/follow port strike",
                "/follow Port  Strike",
                "/unfollow 5",
                "/unfollow 1",
                "/following",
            )
            for n, text in enumerate(commands, start=1):  # one at a time: they run concurrently
                fake.inject_message(7, 7, text)
                await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=n)

    asyncio.run(scenario())
    replies = [c.result["text"] for c in sent_answers(fake, 7)]
    assert replies[0].startswith("Follow a topic with /follow")
    assert replies[1].startswith("Please name a topic in words")
    assert replies[2].startswith("Following port strike")
    assert replies[3] == "This chat already follows Port Strike."
    assert replies[4] == "This chat does not follow 5."
    assert replies[5] == "Stopped following port strike."
    assert replies[6].startswith("This chat follows no topics.")


# --- inline mode --------------------------------------------------------------------------------


def test_inline_query_is_answered_with_the_answer_card(fake: FakeTelegram, news: Archive) -> None:
    async def scenario() -> tuple[str, str]:
        async with polling(bot_app(news, fake)):
            asked = fake.inject_inline_query(7, STRIKE_Q)
            short = fake.inject_inline_query(7, "port")
            await fake.wait_for_async(is_call("answerInlineQuery"), count=2)
            return asked, short

    asked, short = asyncio.run(scenario())
    answered = fake.inline_answer(asked)
    assert answered is not None
    (result,) = answered["results"]
    assert result["type"] == "article"
    assert result["title"] == "4,000"
    assert result["description"] == (
        "About 4,000 workers joined the strike at Meridian City port, the union said."
    )
    content = result["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"].startswith("<b>4,000</b>\n\nAbout 4,000 workers")
    assert "[1] Harbor &lt;Wire&gt; · 2025-03-03 · <a href=" in content["message_text"]
    assert answered["is_personal"] is True
    assert fake.inline_answer(short) == {**fake.inline_answer(short), "results": []}  # type: ignore[dict-item]


def _article(title: str, body: str, day: date, source: str) -> Article:
    return Article(
        title=title,
        body=body,
        origin=f"test:{title}",
        url=f"https://news.example/{day.isoformat()}/{source.replace(' ', '-')}",
        source=source,
        published=day,
    )


STRIKE_COVERAGE = [
    _article(
        "Dockers vote on strike",
        "Dockers at the port voted to strike over pay.",
        date(2025, 2, 3),
        "Bay Herald",
    ),
    _article(
        "Port strike talks fail",
        "Talks to end the port strike failed on Friday.",
        date(2025, 3, 7),
        "Bay Herald",
    ),
    _article(
        "Port strike enters week two",
        "The port strike entered its second week.",
        date(2025, 3, 10),
        "Harbor <Wire>",
    ),
    _article(
        "Port strike ends",
        "The port strike ended after a pay deal.",
        date(2025, 4, 2),
        "Harbor <Wire>",
    ),
]


def test_coverage_is_sent_as_a_photo_with_one_bar_per_week_with_articles(
    fake: FakeTelegram, news: Archive
) -> None:
    assert Ingestor(news).ingest(STRIKE_COVERAGE).added == 4

    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, "/coverage port strike")
            await fake.wait_for_async(is_call("sendPhoto", chat_id=7), timeout=30)
            fake.inject_message(7, 7, "/coverage quantum chromodynamics")
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), timeout=30)

    asyncio.run(scenario())
    (photo,) = fake.calls("sendPhoto", chat_id=7)
    assert photo.result["caption"].startswith("5 articles about “port strike” from 2 outlets")
    (png,) = fake.photos(7)
    # Weeks of 3 Feb (1), 3 Mar (the archive's own strike story and the failed talks: 2),
    # 10 Mar (1) and 31 Mar (1); the four empty weeks between draw no bar.
    heights = bars_in(png)
    assert len(heights) == 4
    assert heights[1] == pytest.approx(2 * heights[0], rel=0.06)
    (nothing,) = sent_answers(fake, 7)
    assert nothing.result["text"] == (
        "No dated articles in the archive are about quantum chromodynamics."
    )


def test_a_timeline_answer_offers_its_coverage_chart(fake: FakeTelegram, news: Archive) -> None:
    assert Ingestor(news).ingest(STRIKE_COVERAGE).added == 4

    async def scenario() -> None:
        async with polling(bot_app(news, fake)):
            fake.inject_message(7, 7, "How did the port strike unfold?")
            (answer,) = await fake.wait_for_async(is_call("sendMessage", chat_id=7), timeout=30)
            chart = button_data(answer, "cov:")
            fake.inject_callback_query(7, 7, chart, answer.result["message_id"])
            await fake.wait_for_async(is_call("sendPhoto", chat_id=7), timeout=30)
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=2, timeout=30)

    asyncio.run(scenario())
    (photo,) = fake.calls("sendPhoto", chat_id=7)
    assert "about “port strike”" in photo.result["caption"]
    assert len(bars_in(fake.photos(7)[0])) == 4
    plain = sent_answers(fake, 7)[-1]
    labels = [b["text"] for row in plain.params["reply_markup"]["inline_keyboard"] for b in row]
    assert "📈 Coverage chart" not in labels  # not a timeline: no chart offered


def test_pushes_are_grouped_per_chat_and_held_back_past_the_hourly_cap(
    fake: FakeTelegram, news: Archive
) -> None:
    later = _article(
        "Port strike talks resume",
        "Port strike talks resumed on Monday.",
        date(2025, 4, 9),
        "Bay Herald",
    )

    async def scenario() -> None:
        async with polling(bot_app(news, fake, follow_pushes_per_hour=1)) as app:
            fake.inject_message(7, 7, "/follow port strike")  # one at a time: the first
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))  # followed lists first
            fake.inject_message(7, 7, "/follow dockers")
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=2)
            assert app.job_queue is not None
            (check,) = [j for j in app.job_queue.jobs() if j.callback.__name__ == "scheduled_push"]
            await asyncio.to_thread(Ingestor(news).ingest, STRIKE_COVERAGE)  # `newsbot ingest`
            await check.run(app)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=3)
            await asyncio.to_thread(Ingestor(news).ingest, [later])
            await check.run(app)  # the hour's one message is spent: held back
            await asyncio.sleep(0.2)

    asyncio.run(scenario())
    texts = [c.result["text"] for c in sent_answers(fake, 7)]
    assert len(texts) == 3
    push = texts[2]
    assert push.startswith("New on port strike (4 articles)\n")
    assert push.count("\n• ") == 4  # one message, every new article listed
    assert "Dockers vote on strike" in push.split("New on port strike")[1]
    assert "\n\nNew on dockers" not in push  # the dockers story was told once, under port strike
    assert "Port strike talks resume" not in push
    store = FollowStore.in_data_dir(news.data_dir)
    held = news.catalog.resolve(later.url or "")
    told = news.catalog.resolve(STRIKE_COVERAGE[0].url or "")
    assert held is not None and told is not None
    assert store.was_pushed(7, [held, told]) == {told}  # the held one comes with the next message
    store.close()


def test_a_group_admitted_through_its_member_is_pushed_what_the_member_followed(
    fake: FakeTelegram, news: Archive
) -> None:
    async def scenario() -> None:
        async with polling(bot_app(news, fake, allowed_users=[7])) as app:
            fake.inject_message(-50, 7, "/follow port strike", chat_type="group")
            await fake.wait_for_async(is_call("sendMessage", chat_id=-50))
            assert app.job_queue is not None
            (check,) = [j for j in app.job_queue.jobs() if j.callback.__name__ == "scheduled_push"]
            await asyncio.to_thread(Ingestor(news).ingest, STRIKE_COVERAGE[:1])
            await check.run(app)
            await fake.wait_for_async(is_call("sendMessage", chat_id=-50), count=2)

    asyncio.run(scenario())
    follow, push = (c.result["text"] for c in sent_answers(fake, -50))
    assert follow.startswith("Following port strike")
    assert push.startswith("New on port strike (1 article)\n• Bay Herald · 2025-02-03")
