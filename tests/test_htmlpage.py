"""Whole HTML pages to Articles with trafilatura, offline and deterministic; text helpers."""

from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import pytest

from ingest.articles import Article, LoadError
from ingest.htmlpage import article_from_html, decode_bytes, html_to_text, looks_like_html

PAGES = Path(__file__).parent / "fixtures" / "sources" / "pages"
TODAY = date(2024, 3, 1)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def extract(html: str | bytes, **kwargs: object) -> Article:
    result = article_from_html(html, origin="page.html", today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, Article), result
    return result


def test_article_text_and_metadata() -> None:
    article = extract(page("bridge.html"))
    assert article.title == "Council approves new bridge over River Test"
    assert article.source == "The Hampshire Herald"
    assert article.author == "Jane Smith"
    # The original publication date, not the later modification date.
    assert article.published == date(2019, 5, 20)
    assert article.date_source == "metadata"
    paragraphs = article.body.split("\n\n")
    assert paragraphs[0].startswith("Hampshire County Council has approved plans")
    assert len(paragraphs) == 4
    assert "£4.2 million" in article.body
    assert "“This is the single most important change" in article.body
    for furniture in ("Most read", "cookies", "All rights reserved", "Privacy", "Sport"):
        assert furniture not in article.body


def test_url_from_the_page_when_not_given() -> None:
    assert extract(page("flood.html")).url == "https://valleynews.example/flood-warnings-lifted"
    assert (
        extract(page("harbour.html")).url == "https://coastaltimes.example/2019/06/harbour-dredging"
    )


def test_given_url_wins() -> None:
    article = extract(page("flood.html"), url="https://mirror.example/copy")
    assert article.url == "https://mirror.example/copy"


def test_json_ld_date_and_author() -> None:
    article = extract(page("harbour.html"))
    assert article.published == date(2019, 6, 11)
    assert article.author == "Tom Reed"
    assert "Share this article" not in article.body


def test_fallback_date_when_the_page_has_none() -> None:
    article = extract(page("undated.html"), fallback_date=date(2021, 2, 3))
    assert article.published == date(2021, 2, 3)
    assert article.date_source == "capture"
    fed = extract(
        page("undated.html"), fallback_date=date(2019, 6, 14), fallback_date_source="feed"
    )
    assert fed.date_source == "feed"
    undated = extract(page("undated.html"))
    assert (undated.published, undated.date_source) == (None, "none")


def test_page_date_wins_over_fallback() -> None:
    article = extract(page("bridge.html"), fallback_date=date(2021, 2, 3))
    assert (article.published, article.date_source) == (date(2019, 5, 20), "metadata")


def test_future_fallback_is_flagged() -> None:
    article = extract(page("undated.html"), fallback_date=date(2030, 1, 1))
    assert article.published is None
    assert article.date_flag == "date 2030-01-01 is in the future; not used"


def test_page_without_article_text_is_a_load_error() -> None:
    result = article_from_html(page("nav-only.html"), origin="nav-only.html", today=TODAY)
    assert result == LoadError("nav-only.html", "no article text found (only scripts/navigation?)")
    assert isinstance(article_from_html("   ", origin="x", today=TODAY), LoadError)
    assert isinstance(article_from_html(b"\x00\x01\x02", origin="x", today=TODAY), LoadError)


def test_bytes_with_a_declared_legacy_charset() -> None:
    html = page("undated.html").replace('charset="utf-8"', 'charset="windows-1251"')
    html = html.replace("Library extends opening hours", "Библиотека работает дольше")
    article = extract(html.encode("cp1251"))
    assert article.title == "Библиотека работает дольше"


def test_extraction_is_deterministic() -> None:
    assert extract(page("bridge.html")) == extract(page("bridge.html").encode("utf-8"))


def test_html_to_text_keeps_paragraphs_and_drops_code() -> None:
    fragment = (
        "<h2>Head</h2><p>One &amp; two,\n  still one.</p><style>p{}</style>"
        "<ul><li>Item</li></ul>Tail<br>after break"
    )
    assert html_to_text(fragment) == "Head\n\nOne & two, still one.\n\nItem\n\nTail\n\nafter break"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<p>Hello</p>", True),
        ("Fish &amp; chips", True),
        ("A <b>bold</b> claim", True),
        ("3 < 4 and 5 > 2", False),
        ("Plain text.", False),
    ],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF8 + "Café".encode(), "Café"),
        ("Café".encode("utf-16"), "Café"),
        ("Café".encode(), "Café"),
        ("Le café".encode("latin-1"), "Le café"),
    ],
)
def test_decode_bytes(data: bytes, expected: str) -> None:
    assert decode_bytes(data, declared="text/html; charset=ISO-8859-1") == expected


def test_decode_bytes_meta_charset_and_detection() -> None:
    russian = "<html><head><meta charset='koi8-r'></head><body>Привет, мир</body></html>"
    assert "Привет, мир" in decode_bytes(russian.encode("koi8-r"))
    text = (
        "Городской совет утвердил новый бюджет на следующий год. Депутаты обсуждали расходы "
        "на транспорт и школы в течение нескольких часов."
    )
    assert decode_bytes(text.encode("cp1251")) == text
