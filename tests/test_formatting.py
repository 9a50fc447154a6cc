"""Answers as Telegram HTML: escaping, citation links, the Sources view and message splitting.

Every rendered message is checked with the fake Bot API's own HTML validator, which is
stricter than Telegram, so what passes here is accepted by the real API.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.formatting import (
    MAX_MESSAGE,
    answer_html,
    cite,
    preview_url,
    quote_in_context,
    safe_url,
    sources_html,
    split_message,
    text_length,
    to_plain,
)
from retrieval.results import Answer, Citation, Passage
from tests.support.fake_telegram import parse_html

NASTY = 'Port <b strike & <script>alert("x")</script> costs > 5 &amp; rising'


def _passage(
    n: int, text: str = NASTY, url: str | None = "https://news.example/a?x=1&y=2"
) -> Passage:
    return Passage(
        chunk_id=f"c{n}",
        article_id=f"a{n}",
        text=text,
        title=f"Title <{n}> & co",
        source="Harbor <Wire>",
        published=date(2025, 3, 3),
        url=url,
        score=1.0,
    )


def _answer(text: str, citations: int = 2, **kwargs: object) -> Answer:
    cites = tuple(Citation(n, _passage(n), NASTY) for n in range(1, citations + 1))
    return Answer(
        question="q",
        text=text,
        citations=cites,
        passages=tuple(c.passage for c in cites),
        abstained=False,
        **kwargs,  # type: ignore[arg-type]
    )


def test_article_text_is_escaped_and_survives() -> None:
    answer = _answer(f"{NASTY} [1]", short="4,000 <b")
    rendered = answer_html(answer)
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered
    visible = parse_html(rendered)
    assert NASTY in visible
    assert rendered.startswith("<b>4,000 &lt;b</b>\n\n")


def test_short_answer_is_shown_once() -> None:
    """The composer keeps the short answer out of the text; the reply shows it once, in bold."""
    answer = _answer("Quillstack will cut 340 jobs. [1]", short="340", citations=1)
    rendered = answer_html(answer)
    assert rendered.startswith("<b>340</b>\n\nQuillstack will cut 340 jobs. ")
    assert parse_html(rendered).count("340") == 2  # the bold answer and the quote, no more
    assert answer.reply() == "340\nQuillstack will cut 340 jobs. [1]"


def test_citations_link_to_the_article() -> None:
    rendered = answer_html(_answer("One [1]. Two [2]. Three [3]."))
    assert '<a href="https://news.example/a?x=1&amp;y=2">[1]</a>' in rendered
    assert '">[2]</a>' in rendered
    assert "Three [3]." in rendered  # no such citation: left as text
    assert parse_html(rendered).startswith("One [1]. Two [2]. Three [3].\n\n[1] Harbor <Wire>")


def test_citation_without_a_safe_url_is_plain() -> None:
    assert cite("a [1] b", {1: None}) == "a [1] b"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://x.example/a b") is None
    assert safe_url("https://" + "x" * 5000) is None
    assert safe_url("http://[::1") is None
    assert safe_url(" https://ok.example/p ") == "https://ok.example/p"


def test_notes_and_abstention() -> None:
    abstained = Answer(
        "q", "The archive doesn't say: <nothing> & more.", (), (), True, notes=("a<b",)
    )
    rendered = answer_html(abstained)
    assert parse_html(rendered) == "The archive doesn't say: <nothing> & more.\n(a<b)"
    assert sources_html(abstained).startswith("No sources")


def test_each_source_has_its_line_and_its_quote_in_context() -> None:
    """Outlet · date · linked title, then the passage around the quote, the quote in bold."""
    text = "The port was quiet on Monday. About 4,000 workers walked out. Talks resume Friday."
    quote = "About 4,000 workers walked out."
    answer = replace(
        _answer("4,000 struck. [1]", citations=1),
        citations=(Citation(1, _passage(1, text), quote),),
    )
    rendered = answer_html(answer)
    assert rendered.endswith(
        "\n\n[1] Harbor &lt;Wire&gt; · 2025-03-03 · "
        '<a href="https://news.example/a?x=1&amp;y=2">Title &lt;1&gt; &amp; co</a>\n'
        "<blockquote expandable>The port was quiet on Monday. <b>About 4,000 workers walked "
        "out.</b> Talks resume Friday.</blockquote>"
    )
    parse_html(rendered)


def test_a_long_passage_is_cut_at_words_around_the_quote() -> None:
    words = " ".join(f"w{i}" for i in range(400))
    quoted = quote_in_context("w200 w201", words, width=30)
    assert quoted.startswith("… ") and quoted.endswith(" …")
    assert "<b>w200 w201</b>" in quoted
    before, after = quoted.split("<b>w200 w201</b>")
    assert len(before) <= 33 and len(after) <= 33
    assert " w19" in before and "w1 " not in before  # whole words only
    assert quote_in_context("not there", words) == "not there"


def test_only_an_answer_with_one_cited_article_unfurls_its_link() -> None:
    assert preview_url(_answer("a [1]", citations=1)) == "https://news.example/a?x=1&y=2"
    two = _answer("a [1] b [2]")
    assert preview_url(replace(two, citations=two.citations[:1])) is not None
    other = replace(two.citations[1], passage=_passage(2, url="https://other.example/b"))
    assert preview_url(replace(two, citations=(two.citations[0], other))) is None
    assert preview_url(Answer("q", "no", (), (), True)) is None


def test_sources_view_lists_each_passage_under_its_source_line() -> None:
    answer = _answer("x [1] y [2]")
    extra = _passage(3, "An uncited passage.")
    rendered = sources_html(replace(answer, passages=(*answer.passages, extra)))
    visible = parse_html(rendered)
    assert visible.startswith("Sources\n\n[1] Harbor <Wire> · 2025-03-03 · Title <1> & co\n")
    assert "\n\n• Harbor <Wire> · 2025-03-03 · Title <3> & co\nAn uncited passage." in visible
    assert rendered.count("<blockquote expandable>") == 3
    assert rendered.count('<a href="https://news.example/a?x=1&amp;y=2">') == 3


def test_sources_view_without_citations_shows_closest_articles() -> None:
    answer = Answer("q", "no", (), (_passage(1, url=None),), True)
    visible = parse_html(sources_html(answer))
    assert "Closest articles" in visible
    assert "• Harbor <Wire> · 2025-03-03 · Title <1> & co" in visible


def test_plain_fallback_spells_out_links() -> None:
    html_text = '<b>x</b> &amp; &lt;y&gt; <a href="https://a.example/?b=1&amp;c=2">[1]</a>'
    assert to_plain(html_text) == "x & <y> [1] (https://a.example/?b=1&c=2)"


def test_a_12k_character_answer_splits_into_valid_messages() -> None:
    sentence = "The council <b>voted</b> 7 & 2 to fund the tram, officials said. [1] "
    text = ""
    while len(text) < 12_000:
        text += sentence
        if len(text) % 7 == 0:
            text += "\n\n"
    rendered = answer_html(_answer(text, short="7 & 2"))
    assert len(rendered) > 12_000
    parts = split_message(rendered)
    assert len(parts) >= 3
    for part in parts:
        assert len(part) <= MAX_MESSAGE
        parse_html(part)  # raises on anything Telegram would reject
        assert part.endswith((" ", "\n")) or part is parts[-1]  # at a word boundary or later
    assert "".join(parse_html(p) for p in parts) == parse_html(rendered)


def test_split_prefers_paragraphs_then_sentences() -> None:
    text = "First para one. First para two.\n\nSecond para here. And more words."
    assert split_message(text, 50) == [
        "First para one. First para two.\n\n",
        "Second para here. And more words.",
    ]
    assert split_message("Aa bb. Cc dd ee ff gg", 12) == ["Aa bb. ", "Cc dd ee ff ", "gg"]


def test_split_reopens_tags_across_parts() -> None:
    html_text = '<b>bold <a href="https://x.example/">' + "word " * 30 + "</a> end</b>"
    parts = split_message(html_text, 60)
    assert len(parts) > 2
    for part in parts:
        parse_html(part)
        assert len(part) <= 60
    assert parts[1].startswith('<b><a href="https://x.example/">')
    assert "".join(parse_html(p) for p in parts) == parse_html(html_text)


def test_split_never_cuts_an_entity_or_tag() -> None:
    html_text = "&amp;" * 50 + "<i>" + "x" * 50 + "</i>"
    for limit in (9, 10, 13, 20):
        parts = split_message(html_text, limit)
        assert all(parse_html(p) is not None for p in parts)
        assert "".join(parse_html(p) for p in parts) == parse_html(html_text)


def test_split_counts_utf16_units() -> None:
    parts = split_message("😀" * 10, 8)
    assert [text_length(p) for p in parts] == [8, 8, 4]


def test_split_plain_text_treats_markup_as_text() -> None:
    text = "1 < 2 & 3 > 2 " * 20
    parts = split_message(text, 30, parse_tags=False)
    assert "".join(parts) == text
    assert all(len(p) <= 30 for p in parts)


# --- property: splitting never breaks validity and loses nothing -------------------------------

_CHARS = st.sampled_from([*"ab cd.!?\n<>&\"'", "é", "😀", "[1]"])
_TEXT = st.lists(_CHARS, max_size=60).map(
    lambda cs: "".join(cs).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
)
_OPENERS = {
    "b": "<b>",
    "i": "<i>",
    "code": "<code>",
    "a": '<a href="https://x.example/?q=1&amp;r=2">',
    "blockquote": "<blockquote>",
}
_TAG = st.sampled_from(sorted(_OPENERS))


def _wrap(tag: str, inner: list[str]) -> str:
    return _OPENERS[tag] + "".join(inner) + f"</{tag}>"


_INNER = st.one_of(_TEXT, st.builds(_wrap, _TAG, st.lists(_TEXT, max_size=4)))
_HTML = st.lists(
    st.one_of(_TEXT, st.builds(_wrap, _TAG, st.lists(_INNER, max_size=5))), max_size=30
).map("".join)


@settings(max_examples=200, deadline=None)
@given(html_text=_HTML, limit=st.integers(min_value=120, max_value=900))
def test_splitting_keeps_every_part_valid_and_loses_no_text(html_text: str, limit: int) -> None:
    visible = parse_html(html_text)
    parts = split_message(html_text, limit)
    for part in parts:
        assert text_length(part) <= limit
        parse_html(part)
    assert "".join(parse_html(p) for p in parts) == visible
    if text_length(html_text) <= limit:
        assert parts == ([html_text] if html_text else [])
