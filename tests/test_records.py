"""One exported record (CSV row, JSON object) to an Article, whatever its columns are called."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from ingest.articles import Article, LoadError
from ingest.records import article_from_record, missing_body_column

TODAY = date(2024, 3, 1)
BODY = "The council approved the budget on Monday.\n\nIt takes effect in April."


def load(record: Mapping[str, object], **kwargs: object) -> Article:
    result = article_from_record(record, origin="export.json[0]", today=TODAY, **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, Article), result
    return result


def test_common_names_are_recognised() -> None:
    article = load(
        {
            "headline": "Budget approved",
            "text": BODY,
            "published_at": "2019-05-20T09:30:00Z",
            "link": "https://example.com/budget",
            "outlet": "Example Gazette",
            "guid": "eg-1",
            "byline": "Jane Smith",
        }
    )
    assert article.title == "Budget approved"
    assert article.body == BODY
    assert article.published == date(2019, 5, 20)
    assert article.date_source == "metadata"
    assert article.url == "https://example.com/budget"
    assert article.source == "Example Gazette"
    assert article.external_id == "eg-1"
    assert article.author == "Jane Smith"
    assert article.origin == "export.json[0]"


def test_keys_are_case_insensitive() -> None:
    article = load({"Title": "T", "BODY": "Some text here.", "Pub_Date": "20 May 2019"})
    assert (article.title, article.body, article.published) == (
        "T",
        "Some text here.",
        date(2019, 5, 20),
    )


def test_body_names_in_order_of_preference() -> None:
    article = load({"content": "From content.", "body": "From body.", "story": "From story."})
    assert article.body == "From body."


def test_description_only_when_there_is_no_body() -> None:
    with_body = load({"title": "T", "description": "A teaser.", "full_text": "The whole story."})
    assert with_body.body == "The whole story."
    without_body = load({"title": "T", "description": "A teaser."})
    assert without_body.body == "A teaser."
    empty_body = load({"title": "T", "body": "   ", "summary": "The summary."})
    assert empty_body.body == "The summary."


def test_mapping_renames_their_columns() -> None:
    record = {"Überschrift": "Haushalt beschlossen", "Inhalt": BODY, "Datum": "2019-05-20"}
    article = load(record, mapping={"title": "Überschrift", "body": "inhalt", "published": "Datum"})
    assert article.title == "Haushalt beschlossen"
    assert article.body == BODY
    assert article.published == date(2019, 5, 20)


def test_mapping_to_a_missing_column_says_so() -> None:
    result = article_from_record(
        {"title": "T", "text": "x"}, origin="a.csv:3", mapping={"body": "story_text"}, today=TODAY
    )
    assert isinstance(result, LoadError)
    assert "mapped body column 'story_text'" in result.reason
    assert "title, text" in result.reason


def test_mapping_with_an_unknown_field_is_an_error() -> None:
    result = article_from_record(
        {"text": "x"}, origin="a.csv:3", mapping={"bdy": "text"}, today=TODAY
    )
    assert isinstance(result, LoadError)
    assert "unknown field(s) in mapping: bdy" in result.reason


def test_missing_body_names_the_field_and_the_columns_found() -> None:
    result = article_from_record(
        {"title": "Only a headline", "date": "2019-05-20"}, origin="feed.jsonl:12", today=TODAY
    )
    assert isinstance(result, LoadError)
    assert str(result).startswith("feed.jsonl:12: no body field")
    assert "columns: title, date" in result.reason
    assert "--map body=COLUMN" in result.reason
    assert "\n" not in str(result)


def test_html_in_the_body_is_reduced_to_text() -> None:
    html = (
        "<div><p>First paragraph with <b>bold</b> &amp; an <a href='/x'>link</a>.</p>"
        "<script>track()</script><p>Second&nbsp;paragraph.</p></div>"
    )
    article = load({"title": "<em>Styled</em> title", "body": html})
    assert article.body == "First paragraph with bold & an link.\n\nSecond paragraph."
    assert article.title == "Styled title"


def test_body_as_a_list_of_paragraphs() -> None:
    article = load({"title": "T", "paragraphs": "x", "body": ["One.", "Two."]})
    assert article.body == "One.\n\nTwo."


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        (["Jane Smith", "Tom Reed"], "Jane Smith, Tom Reed"),
        ([{"name": "Jane Smith"}, {"name": "Tom Reed"}], "Jane Smith, Tom Reed"),
        ({"name": "Jane Smith"}, "Jane Smith"),
        ([], None),
    ],
)
def test_authors_lists_are_joined(authors: object, expected: str | None) -> None:
    assert load({"body": "Text.", "authors": authors}).author == expected


def test_future_date_is_flagged_and_not_used() -> None:
    article = load({"body": "Text.", "date": "2031-01-01"})
    assert article.published is None
    assert article.date_source == "none"
    assert article.date_flag == "date 2031-01-01 is in the future; not used"


def test_unreadable_date_is_flagged() -> None:
    article = load({"body": "Text.", "date": "sometime last spring"})
    assert article.published is None
    assert article.date_flag == "unrecognised date 'sometime last spring'; not used"


def test_timestamp_dates_and_numeric_ids() -> None:
    article = load({"body": "Text.", "timestamp": 1558310400000, "id": 42})
    assert article.published == date(2019, 5, 20)
    assert article.external_id == "42"


def test_missing_body_column_for_tables() -> None:
    assert missing_body_column(["headline", "Text"], None) is None
    assert missing_body_column(["headline", "summary"], None) is None
    reason = missing_body_column(["headline", "when"], None)
    assert reason is not None
    assert "columns: headline, when" in reason
    assert missing_body_column(["headline", "copy"], {"body": "copy"}) is None
