"""Files and folders to Articles: every format, encoding and way a file can be wrong."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from config.settings import IngestSettings
from ingest.articles import Article, LoadError
from ingest.fetch import PendingUrl
from ingest.loaders import SUFFIXES, LoadItem, is_url_list, iter_files, load_file, load_paths
from ingest.warc import WarcSkip
from tests.support.httpserver import FIXTURES
from tests.support.warc import write_closed

TODAY = date(2024, 3, 1)
SETTINGS = IngestSettings()
STORY = (
    "The county council approved a budget of 410 million pounds on Thursday after a debate "
    "that lasted more than five hours and ended with a narrow vote."
)


def load(*paths: Path, **kwargs: object) -> list[LoadItem]:
    settings = kwargs.pop("settings", SETTINGS)
    return list(load_paths(list(paths), settings=settings, today=TODAY, **kwargs))  # type: ignore[arg-type]


def only(items: list[LoadItem]) -> LoadItem:
    assert len(items) == 1, items
    return items[0]


def articles(items: list[LoadItem]) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def errors(items: list[LoadItem]) -> list[LoadError]:
    return [item for item in items if isinstance(item, LoadError)]


def copy_fixture(name: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / name, target)
    return target


# --- plain text ------------------------------------------------------------------------------


def test_txt_page_dump_is_cleaned(tmp_path: Path) -> None:
    path = copy_fixture("ferry-dump.txt", tmp_path / "ferry.txt")
    article = only(load(path))
    assert isinstance(article, Article)
    assert article.title == "Ferry operator adds winter sailings to the islands"
    assert (article.published, article.date_source) == (date(2019, 11, 3), "text")
    assert "Island Ferries will run two extra sailings" in article.body
    for furniture in ("Home > News", "Share this article", "Related stories", "Leave a comment"):
        assert furniture not in article.body
    assert article.origin == str(path)


def test_txt_url_list_gives_pending_urls(tmp_path: Path) -> None:
    path = copy_fixture("urls.txt", tmp_path / "urls.txt")
    items = load(path)
    assert all(isinstance(item, PendingUrl) for item in items)
    assert [(item.url.rsplit("/", 1)[-1], item.origin) for item in items] == [  # type: ignore[union-attr]
        ("bridge.html", f"{path}:2"),
        ("harbour.html", f"{path}:3"),
        ("missing-story.html", f"{path}:5"),
        ("story.html", f"{path}:6"),
    ]


def test_url_list_detection() -> None:
    assert is_url_list("https://a.example/1\n\n  http://b.example/2  \n")
    assert not is_url_list("https://a.example/1\nSee the page above.\n")
    assert not is_url_list("# only a comment\n")


def test_txt_holding_html_is_read_as_html(tmp_path: Path) -> None:
    path = copy_fixture("pages/bridge.html", tmp_path / "saved-page.txt")
    article = only(load(path))
    assert isinstance(article, Article)
    assert article.title == "Council approves new bridge over River Test"


# --- HTML ------------------------------------------------------------------------------------


def test_html_and_htm(tmp_path: Path) -> None:
    copy_fixture("pages/bridge.html", tmp_path / "a.html")
    copy_fixture("pages/harbour.html", tmp_path / "b.HTM")
    items = load(tmp_path)
    assert [item.title for item in articles(items)] == [
        "Council approves new bridge over River Test",
        "Harbour dredging to start in autumn",
    ]


def test_load_file_reads_one_file(tmp_path: Path) -> None:
    path = copy_fixture("pages/flood.html", tmp_path / "flood.html")
    assert list(load_file(path, settings=SETTINGS, today=TODAY)) == load(path)


def test_html_without_article_is_an_error(tmp_path: Path) -> None:
    path = copy_fixture("pages/nav-only.html", tmp_path / "nav.html")
    assert only(load(path)) == LoadError(
        str(path), "no article text found (only scripts/navigation?)"
    )


# --- JSON and JSON Lines ---------------------------------------------------------------------


@pytest.mark.parametrize("wrapper", ["articles", "items", "data", "results"])
def test_json_wrapped_array(tmp_path: Path, wrapper: str) -> None:
    path = tmp_path / "export.json"
    records = [{"title": "One", "body": STORY}, {"headline": "Two", "text": STORY + " Later."}]
    path.write_text(json.dumps({"count": 2, wrapper: records}), encoding="utf-8")
    items = load(path)
    assert [item.title for item in articles(items)] == ["One", "Two"]
    assert [item.origin for item in articles(items)] == [f"{path}[0]", f"{path}[1]"]


def test_json_array_single_object_and_bad_elements(tmp_path: Path) -> None:
    array = tmp_path / "array.json"
    array.write_text(json.dumps([{"title": "A", "body": STORY}, "stray string", {"title": "B"}]))
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"title": "Solo", "content": STORY, "date": "2019-05-20"}))
    items = load(array, single)
    assert [item.title for item in articles(items)] == ["A", "Solo"]
    stray, no_body = errors(items)
    assert stray == LoadError(f"{array}[1]", "expected an article object, got a string")
    assert no_body.origin == f"{array}[2]"
    assert no_body.reason.startswith("no body field")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            "42",
            'JSON holds a number; expected an article object, an array of them, or {"articles": [...]}',
        ),
        ("[]", "the JSON array is empty: no articles"),
    ],
)
def test_json_wrong_shape(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "odd.json"
    path.write_text(content)
    assert only(load(path)) == LoadError(str(path), reason)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"title": "A",\n   "body": "x" oops}\n]')
    error = only(load(path))
    assert isinstance(error, LoadError)
    assert error.origin == f"{path}:3"
    assert error.reason.startswith("invalid JSON: Expecting ',' delimiter")


def test_json_that_is_really_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text(
        json.dumps({"title": "A", "body": STORY}) + "\n" + json.dumps({"title": "B", "body": STORY})
    )
    assert [item.title for item in articles(load(path))] == ["A", "B"]


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson"])
def test_jsonl_bad_line_keeps_the_others(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"feed{suffix}"
    lines = [
        json.dumps({"title": "First", "body": STORY, "date": "2019-05-20"}),
        "",
        '{"title": "Broken", "body": ',
        json.dumps(["not", "an", "object"]),
        json.dumps({"title": "Last", "story": STORY, "date": "2031-01-01"}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    items = load(path)
    first, broken, not_object, last = items
    assert isinstance(first, Article)
    assert (first.origin, first.published) == (f"{path}:1", date(2019, 5, 20))
    assert str(broken).startswith(f"{path}:3: invalid JSON: Expecting value")
    assert not_object == LoadError(f"{path}:4", "expected an article object, got an array")
    assert isinstance(last, Article)
    assert last.date_flag == "date 2031-01-01 is in the future; not used"


# --- Markdown --------------------------------------------------------------------------------


def test_markdown_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "---\n"
        'title: "Budget approved after five-hour debate"\n'
        "date: 2019-05-20\n"
        "source: County Chronicle\n"
        "url: https://chronicle.example/budget\n"
        "author: Jane Smith\n"
        "tags:\n  - budget\n  - council\n"
        "---\n\n"
        f"{STORY}\n\n"
        "## What happens next\n\n"
        "The budget takes effect in **April**, see [the papers](https://x.example/p).\n",
        encoding="utf-8",
    )
    article = only(load(path))
    assert isinstance(article, Article)
    assert article.title == "Budget approved after five-hour debate"
    assert (article.published, article.date_source) == (date(2019, 5, 20), "metadata")
    assert article.source == "County Chronicle"
    assert article.url == "https://chronicle.example/budget"
    assert article.author == "Jane Smith"
    assert article.body == (
        f"{STORY}\n\nWhat happens next\n\nThe budget takes effect in April, see the papers."
    )


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "story.markdown"
    path.write_text(f"# Council budget approved\n\n{STORY}\n", encoding="utf-8")
    article = only(load(path))
    assert isinstance(article, Article)
    assert article.title == "Council budget approved"
    assert article.body == STORY


# --- CSV and TSV -----------------------------------------------------------------------------


def test_csv_export(tmp_path: Path) -> None:
    path = copy_fixture("export.csv", tmp_path / "export.csv")
    clock, bus, robots, empty = load(path)
    assert isinstance(clock, Article)
    assert clock.origin == f"{path}:2"
    assert clock.title == "Town hall clock restored after 40 years of silence"
    assert clock.body.split("\n\n")[1].startswith("Hundreds of people gathered")
    assert "\"We weren't sure it would work" in clock.body
    assert (clock.published, clock.source, clock.author) == (
        date(2019, 4, 13),
        "Millbridge Gazette",
        "Sarah Lowe",
    )
    assert clock.external_id == "mg-2019-0413-01"
    assert isinstance(bus, Article)
    assert (bus.origin, bus.published) == (f"{path}:5", date(2019, 4, 13))
    assert isinstance(robots, Article)
    assert robots.published is None
    assert robots.date_flag == "date 2031-01-01 is in the future; not used"
    assert isinstance(empty, LoadError)
    assert empty.origin == f"{path}:9"
    assert empty.reason.startswith("no body field")


def test_csv_without_body_column_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    path.write_text("headline,when,link\nA,2019-05-20,https://a.example\nB,,\n")
    error = only(load(path))
    assert isinstance(error, LoadError)
    assert error.origin == str(path)
    assert "columns: headline, when, link" in error.reason
    assert "--map body=COLUMN" in error.reason


def test_csv_mapping_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"Titel;Artikeltext;Datum\nHaushalt beschlossen;{STORY};20.05.2019\n")
    article = only(
        load(path, csv_mapping={"title": "Titel", "body": "Artikeltext", "published": "Datum"})
    )
    assert isinstance(article, Article)
    assert (article.title, article.body, article.published) == (
        "Haushalt beschlossen",
        STORY,
        date(2019, 5, 20),
    )


def test_tsv(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text(f"title\tbody\tsource\nBudget, at last\t{STORY}\tChronicle\n")
    article = only(load(path))
    assert isinstance(article, Article)
    assert (article.title, article.source) == ("Budget, at last", "Chronicle")


# --- feeds -----------------------------------------------------------------------------------


def test_rss_file_gives_pending_urls_with_feed_dates(tmp_path: Path) -> None:
    path = copy_fixture("feeds/regional.rss", tmp_path / "regional.rss")
    items = load(path)
    assert all(isinstance(item, PendingUrl) for item in items)
    first = items[0]
    assert isinstance(first, PendingUrl)
    assert first.url == "http://127.0.0.1:PORT/pages/bridge.html"
    assert (first.published, first.date_source) == (date(2019, 5, 21), "feed")
    assert (first.title, first.source, first.feed_guid) == (
        "Council approves new bridge over River Test",
        "Regional Wire",
        "regional-wire-10231",
    )


def test_atom_file_full_text_entries_are_articles(tmp_path: Path) -> None:
    path = copy_fixture("feeds/science.atom", tmp_path / "science.atom")
    bees, seamounts, flood = load(path)
    assert isinstance(bees, Article)
    assert bees.title == "Bumblebees learn to roll balls for fun, study suggests"
    assert (bees.published, bees.date_source) == (date(2019, 7, 1), "feed")
    assert bees.author == "Priya Natarajan"
    assert len(bees.body.split("\n\n")) == 3
    assert isinstance(seamounts, Article)
    assert isinstance(flood, PendingUrl)


def test_xml_that_is_not_a_feed(tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_text(
        '<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>'
    )
    error = only(load(path))
    assert isinstance(error, LoadError)
    assert error.origin == str(path)
    assert "not an RSS/Atom feed" in error.reason


def test_broken_feed(tmp_path: Path) -> None:
    path = tmp_path / "broken.rss"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>T</ti')
    error = only(load(path))
    assert isinstance(error, LoadError)
    assert error.reason.startswith("not a readable RSS/Atom feed")


# --- web archives ----------------------------------------------------------------------------


def test_warc_gz(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    html = (FIXTURES / "pages" / "flood.html").read_bytes()
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    write_closed(
        writer,
        writer.create_warc_record(
            "https://valleynews.example/flood",
            "response",
            payload=io.BytesIO(html),
            http_headers=headers,
        ),
    )
    write_closed(
        writer,
        writer.create_warc_record(
            "https://valleynews.example/", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")
        ),
    )
    path.write_bytes(buffer.getvalue())
    article, skip = load(path)
    assert isinstance(article, Article)
    assert article.url == "https://valleynews.example/flood"
    assert isinstance(skip, WarcSkip)
    assert skip.reason == "request record"


# --- encodings -------------------------------------------------------------------------------


def test_legacy_and_utf16_encodings(tmp_path: Path) -> None:
    russian = (
        "Городской совет утвердил новый бюджет\n\n"
        "Городской совет утвердил новый бюджет на следующий год. Депутаты обсуждали расходы "
        "на транспорт и школы в течение нескольких часов, а затем проголосовали."
    )
    french = (
        "Le conseil approuve le budget\n\n"
        "Le conseil municipal a approuvé mardi le nouveau budget. « C'est un été très chargé », "
        "a déclaré le maire, évoquant les travaux prévus près de l'hôpital et du théâtre."
    )
    (tmp_path / "a-cp1251.txt").write_bytes(russian.encode("cp1251"))
    (tmp_path / "b-latin1.txt").write_bytes(french.encode("latin-1"))
    (tmp_path / "c-utf16.txt").write_bytes(french.encode("utf-16"))
    record = json.dumps({"title": "Été", "body": french}, ensure_ascii=False)
    (tmp_path / "d-utf16.json").write_bytes(record.encode("utf-16"))
    (tmp_path / "e-bom.csv").write_bytes(f'title,body\nÉté,"{french[30:]}"\n'.encode("utf-8-sig"))
    found = load(tmp_path)
    assert not errors(found)
    cp1251, latin1, utf16, utf16_json, bom_csv = articles(found)
    assert cp1251.title == "Городской совет утвердил новый бюджет"
    assert "Депутаты обсуждали расходы" in cp1251.body
    assert "« C'est un été très chargé »" in latin1.body
    assert utf16.body == latin1.body
    assert utf16_json.title == "Été"
    assert bom_csv.title == "Été"


# --- files that are wrong --------------------------------------------------------------------


def test_binary_empty_unknown_and_too_large(tmp_path: Path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.json"
    blank.write_text("  \n\t\n")
    unknown = tmp_path / "report.docx"
    unknown.write_bytes(b"PK\x03\x04")
    no_suffix = tmp_path / "README"
    no_suffix.write_text("hello")
    supported = (
        ".txt, .html, .htm, .json, .jsonl, .ndjson, .md, .markdown, .csv, .tsv, .xml, .rss, "
        ".atom, .warc, .warc.gz"
    )
    assert load(binary, empty, blank, unknown, no_suffix) == [
        LoadError(str(binary), "binary file, not text"),
        LoadError(str(empty), "empty file"),
        LoadError(str(blank), "empty file"),
        LoadError(str(unknown), f"unsupported file type '.docx' (supported: {supported})"),
        LoadError(str(no_suffix), f"unsupported file type (no suffix) (supported: {supported})"),
    ]


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    path.write_text(json.dumps({"title": "x", "body": "word " * 400}) + "\n")
    small = IngestSettings(max_file_mb=0.001)
    error = only(load(path, settings=small))
    assert error == LoadError(
        str(path),
        "file is 0.0 MB, over the 0.001 MB limit (ingest.max_file_mb); split it or raise the limit",
    )


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere"
    assert load(path) == [LoadError(str(path), "no such file or folder")]


# --- folders ---------------------------------------------------------------------------------


def test_folders_are_walked_sorted_skipping_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deeper").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for name in ("b/2.md", "a/deeper/1.md", "a/0.md", ".git/x.md", "a/.hidden.md", "c.md"):
        (tmp_path / name).write_text(f"# {name}\n\n{STORY}\n")
    titles = [item.title for item in articles(load(tmp_path))]
    assert titles == ["a/0.md", "a/deeper/1.md", "b/2.md", "c.md"]
    assert [p.name for p in iter_files(tmp_path)] == ["0.md", "1.md", "2.md", "c.md"]  # type: ignore[union-attr]


def test_symlink_loops_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.md").write_text(f"# A\n\n{STORY}\n")
    (tmp_path / "news" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [item.title for item in articles(load(tmp_path))] == ["A"]


def test_one_bad_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    (tmp_path / "1.json").write_text("{broken")
    (tmp_path / "2.bin").write_bytes(b"\x00" * 10)
    (tmp_path / "3.md").write_text(f"# Fine\n\n{STORY}\n")
    with gzip.open(tmp_path / "4.warc.gz", "wb") as handle:
        handle.write(b"this is not a web archive at all\r\n\r\n")
    items = load(tmp_path)
    assert [type(item).__name__ for item in items] == [
        "LoadError",
        "LoadError",
        "Article",
        "LoadError",
    ]
    assert all("\n" not in str(item) for item in errors(items))


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=2048), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_give_items_not_exceptions(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        items = load(path)
    assert all(isinstance(item, Article | LoadError | PendingUrl | WarcSkip) for item in items)
    assert all("\n" not in str(item) for item in items if isinstance(item, LoadError))
