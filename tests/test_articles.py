"""Article ids, content hashes and defaults: the same page is one article, a change is seen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ingest.articles import Article, article_id, canonical_url

URL = "https://kestrelbayherald.example/news/water-rates-rise"
BODY = "Households in Kestrel Bay will pay 6.5 percent more for water from February 1."


def make_article(**fields: object) -> Article:
    values: dict[str, object] = {
        "title": "Water bills to rise",
        "body": BODY,
        "origin": "test",
        "url": URL,
        "source": "Kestrel Bay Herald",
        "published": date(2026, 1, 8),
        "author": "Tobias Grell",
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


# --- ids from URLs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        URL,
        URL + "/",
        "http://kestrelbayherald.example/news/water-rates-rise",
        "https://www.kestrelbayherald.example/news/water-rates-rise",
        "HTTPS://KestrelBayHerald.EXAMPLE/news/water-rates-rise",
        "https://kestrelbayherald.example:443/news/water-rates-rise",
        "http://www.kestrelbayherald.example:80/news/water-rates-rise/",
        URL + "?utm_source=twitter&utm_medium=social",
        URL + "?fbclid=abc123",
        URL + "?ref=homepage&gclid=xyz",
        URL + "#comments",
        URL + "?",
        "  " + URL + "\n",
        "//www.kestrelbayherald.example/news/water-rates-rise",
        "www.kestrelbayherald.example/news/water-rates-rise",
    ],
)
def test_url_variants_give_the_same_id(variant: str) -> None:
    assert article_id(variant, "any body") == article_id(URL, "other body")
    assert make_article(url=variant).id == make_article().id


def test_url_id_ignores_the_body() -> None:
    assert make_article(body="A corrected body.").id == make_article().id
    assert make_article().id.startswith("u")


def test_query_order_does_not_matter_but_values_do() -> None:
    base = "https://site.example/story"
    assert article_id(f"{base}?a=1&b=2", "") == article_id(f"{base}?b=2&a=1&utm_term=x", "")
    assert article_id(f"{base}?id=1", "") != article_id(f"{base}?id=2", "")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (URL, "https://kestrelbayherald.example/news/water-rates-fall"),
        (URL, "https://valleycourier.example/news/water-rates-rise"),
        (URL, "https://kestrelbayherald.example/NEWS/water-rates-rise"),  # paths are case-sensitive
        ("https://site.example/view?1001", "https://site.example/view?1002"),
        ("https://site.example/story?id=7&page=", "https://site.example/story?id=7&page=2"),
        ("https://site.example/a", "https://site.example/a/b"),
    ],
)
def test_different_urls_give_different_ids(one: str, other: str) -> None:
    assert article_id(one, BODY) != article_id(other, BODY)


def test_canonical_url_form() -> None:
    assert (
        canonical_url("HTTP://WWW.Site.Example:80/News/Story/?utm_source=x&b=2&a=1#top")
        == "https://site.example/News/Story?a=1&b=2"
    )
    assert canonical_url("https://site.example") == "https://site.example/"
    # Blank values are kept (the pages differ), sorted with the rest.
    assert canonical_url("https://site.example/view?1001") == "https://site.example/view?1001="
    assert (
        canonical_url("https://site.example/story?page=&id=7")
        == "https://site.example/story?id=7&page="
    )


# --- ids from content -----------------------------------------------------------------------


@pytest.mark.parametrize("url", [None, "", "not a url", "/news/water-rates-rise"])
def test_without_a_url_the_id_comes_from_the_body(url: str | None) -> None:
    article = make_article(url=url)
    assert article.id.startswith("h")
    assert article.id == article_id(None, BODY)


@pytest.mark.parametrize(
    "variant",
    [
        BODY.upper(),
        "  " + BODY.replace(" ", "   ") + "\n\n",
        BODY.replace(" ", "\n"),
        BODY.replace(" ", "\u00a0"),
        BODY.replace("6.5", "６.５"),  # full-width digits are the same text (NFKC)
    ],
)
def test_content_id_is_stable_across_case_and_white_space(variant: str) -> None:
    assert article_id(None, variant) == article_id(None, BODY)


def test_content_id_differs_for_different_bodies() -> None:
    assert article_id(None, BODY) != article_id(None, BODY.replace("6.5", "7.5"))


def test_content_id_ignores_title_and_date() -> None:
    one = make_article(url=None)
    other = make_article(url=None, title="Another title", published=date(2020, 1, 1))
    assert one.id == other.id


# --- content hash ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Water bills to rise by 6.5%"},
        {"body": BODY.replace("February 1", "March 1")},
        {"published": date(2026, 1, 9)},
        {"published": None},
        {"source": "Valley Courier"},
        {"url": URL + "-updated"},
        {"author": "Someone Else"},
    ],
)
def test_content_hash_changes_with_what_is_stored(change: dict[str, object]) -> None:
    assert make_article(**change).content_hash != make_article().content_hash


@pytest.mark.parametrize(
    "change",
    [
        {"origin": "elsewhere.txt"},
        {"date_source": "cli"},
        {"extra": {"lang": "en"}},
        {"body": "  " + BODY.replace(" ", "\n") + "  "},
    ],
)
def test_content_hash_ignores_what_is_not_stored(change: dict[str, object]) -> None:
    assert make_article(**change).content_hash == make_article().content_hash


def test_body_hash_sees_only_the_body() -> None:
    one = make_article()
    assert one.body_hash == make_article(title="Other", url=None, source=None).body_hash
    assert one.body_hash == make_article(body=BODY.lower()).body_hash
    assert one.body_hash != make_article(body=BODY + " More.").body_hash


# --- with_defaults --------------------------------------------------------------------------


def test_with_defaults_fills_only_what_is_missing() -> None:
    bare = make_article(source=None, published=None)
    filled = bare.with_defaults("Harbor Wire", date(2024, 5, 20))
    assert (filled.source, filled.published, filled.date_source) == (
        "Harbor Wire",
        date(2024, 5, 20),
        "cli",
    )
    assert replace(filled, source=None, published=None, date_source="none") == bare


def test_with_defaults_keeps_what_the_article_states() -> None:
    article = make_article(date_source="metadata")
    assert article.with_defaults("Harbor Wire", date(2024, 5, 20)) == article


def test_with_defaults_without_defaults_is_a_no_op() -> None:
    bare = make_article(source=None, published=None)
    assert bare.with_defaults(None, None) is bare
    assert bare.with_defaults("", None) is bare


def test_with_defaults_fills_each_field_on_its_own() -> None:
    only_date = make_article(published=None).with_defaults("Other", date(2024, 5, 20))
    assert (only_date.source, only_date.published) == ("Kestrel Bay Herald", date(2024, 5, 20))
    only_source = make_article(source=None).with_defaults("Harbor Wire", date(2024, 5, 20))
    assert (only_source.source, only_source.published, only_source.date_source) == (
        "Harbor Wire",
        date(2026, 1, 8),
        "none",
    )
