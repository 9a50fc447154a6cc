"""Bad input of every kind, through the real paths: files via `gather` + `Ingestor` into a real
archive, messages and uploads via the real bot against the fake Bot API, and properties of the
pure functions (cleaning, chunking, dates, message splitting) under arbitrary text.

Each file case puts one bad input next to a good article in one folder and ingests the folder
as one batch. It then checks what a person and the archive see: every failure is one line that
names the input (`file`, `file:line`, `file[index]`, `file@offset`); the good article is stored;
nothing of the bad input is stored unless the case says what was salvaged; nothing stored
before changes; Chroma holds exactly the catalog's chunks.
"""

from __future__ import annotations

import asyncio
import codecs
import gzip
import io
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bot.formatting import MAX_MESSAGE, escape, split_message, text_length, to_plain
from bot.telegram import ADMINS_ONLY, ASK_HOW, MAX_QUESTION_CHARS, NO_ANSWER_YET
from config.settings import IngestSettings
from ingest.articles import Article, LoadError
from ingest.chunking import chunk_article
from ingest.cleaning import clean_dump, normalize_text
from ingest.dates import parse_date, vet_date
from ingest.intake import gather
from ingest.pipeline import Ingestor, IngestSummary
from ingest.warc import WarcSkip
from retrieval.archive import Archive
from retrieval.archive.catalog import ArticleRecord
from retrieval.archive.embedding import HashingEmbedding
from retrieval.question.timeframe import parse_timeframe, strip_time_expression
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram, is_call, parse_html
from tests.telegram_data import STRIKE_Q
from tests.test_telegram import _answers, _app, _running

TODAY = date(2024, 3, 1)
_INVISIBLE_OR_CONTROL = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\x00-\x08\x1b]")


def story(tag: str, sentences: int = 3) -> str:
    """A paragraph no other case shares: equal bodies would be stored once, as duplicates."""
    words = " ".join(tag.replace("-", " ").split())
    return " ".join(
        f"The {words} council approved budget line {n} worth {n * 7 + len(tag)} million pounds "
        f"on Thursday after a long debate about {words}."
        for n in range(1, sentences + 1)
    )


def record(tag: str, **fields: object) -> str:
    """One JSON Lines record of a good article."""
    return json.dumps({"title": f"Story {tag}", "text": story(tag), **fields})


def _warc(records: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for url, body in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2021-02-03T10:00:00Z"},
            )
        )
    return buffer.getvalue()


def _page(tag: str) -> bytes:
    return (
        f"<html><head><title>Page {tag}</title></head><body><article><h1>Page {tag}</h1>"
        f"<p>{story(tag)}</p><p>{story(tag + ' second')}</p></article></body></html>"
    ).encode()


def _truncated_warc(folder: Path) -> None:
    data = _warc(
        [
            ("https://warc.example/first", _page("warc first")),
            ("https://warc.example/second", _page("warc second")),
        ]
    )
    (folder / "cut.warc").write_bytes(data[: len(data) - 700])


# --- the file cases ------------------------------------------------------------------------


Files = Callable[[Path], None]
Check = Callable[[list[tuple[ArticleRecord, str]], IngestSummary], None]


@dataclass(frozen=True)
class Case:
    """One kind of bad input: the files to write, and what must come of them.

    `errors` and `warnings` are regular expressions, each matching exactly one reported line
    (with the folder's path removed); every line reported must be matched. `stored` counts the
    articles the bad input still yields (good lines of a file with bad ones, legacy encodings).
    """

    files: Files
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    stored: int = 0
    check: Check | None = None
    max_file_mb: float = 50.0
    seconds: float = 30.0  # a bound on the whole case: no input may take minutes


def write(name: str, data: bytes | str) -> Files:
    def files(folder: Path) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return files


def body_holds(*fragments: str) -> Check:
    def check(stored: list[tuple[ArticleRecord, str]], _summary: IngestSummary) -> None:
        (only,) = stored
        for fragment in fragments:
            assert fragment in only[1] or fragment in only[0].title, (fragment, only)

    return check


def checks(*all_checks: Check) -> Check:
    def check(stored: list[tuple[ArticleRecord, str]], summary: IngestSummary) -> None:
        for one in all_checks:
            one(stored, summary)

    return check


def clean_of_invisible(stored: list[tuple[ArticleRecord, str]], _summary: IngestSummary) -> None:
    for row, body in stored:
        assert not _INVISIBLE_OR_CONTROL.search(row.title + body), (row.title, body[:200])


def undated(stored: list[tuple[ArticleRecord, str]], _summary: IngestSummary) -> None:
    assert stored
    assert all(row.published is None for row, _ in stored)


def later_version_kept(stored: list[tuple[ArticleRecord, str]], summary: IngestSummary) -> None:
    (only,) = stored
    assert only[0].title == "Version two"
    assert summary.duplicate == 1


BINARY = bytes(range(256)) * 8
UNSUPPORTED = r"unsupported file type .* \(supported: \.txt, .*\)"
NO_BODY = r"no body field: none of body, text, .* is present and non-empty \(columns: .*\); name the body column with --map body=COLUMN"
LATIN = "Le conseil municipal de Genève a approuvé un budget de 410 millions d'euros jeudi après un débat de plus de cinq heures, a déclaré le maire."
CYRILLIC = "Городской совет утвердил бюджет в размере 410 миллионов рублей в четверг после дебатов, которые длились более пяти часов, сообщил мэр."
ARABIC = "وافق مجلس المدينة على ميزانية قدرها 410 ملايين جنيه يوم الخميس بعد نقاش استمر أكثر من خمس ساعات، كما قال رئيس البلدية في بيان."

CASES: dict[str, Case] = {
    # empty, blank and binary files
    "empty-file": Case(write("empty.txt", b""), errors=(r"empty\.txt: empty file",)),
    "whitespace-only-txt": Case(
        write("blank.txt", " \n\t\r\n  \n"), errors=(r"blank\.txt: empty file",)
    ),
    "whitespace-only-json": Case(
        write("blank.json", "\n\n   \n"), errors=(r"blank\.json: empty file",)
    ),
    "bom-only": Case(write("bom.md", codecs.BOM_UTF8 + b"\n"), errors=(r"bom\.md: empty file",)),
    "binary-as-txt": Case(
        write("photo.txt", BINARY), errors=(r"photo\.txt: binary file, not text",)
    ),
    "png-as-html": Case(
        write("logo.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64),
        errors=(r"logo\.html: binary file, not text",),
    ),
    "gzip-as-jsonl": Case(
        write("export.jsonl", gzip.compress(record("gzipped").encode())),
        errors=(r"export\.jsonl: binary file, not text",),
    ),
    "binary-as-rss": Case(write("feed.rss", BINARY), errors=(r"feed\.rss: binary file, not text",)),
    "unsupported-suffix": Case(
        write("report.docx", b"PK\x03\x04"), errors=(rf"report\.docx: {UNSUPPORTED}",)
    ),
    "no-suffix": Case(write("README", "hello"), errors=(rf"README: {UNSUPPORTED}",)),
    # encodings
    "invalid-utf8": Case(
        write(
            "broken-utf8.txt",
            b"Council vote\n\n"
            + story("invalid utf8").encode()
            + b" Caf\xe9 \xff\xfe\xc3\x28 end.",
        ),
        stored=1,
        check=body_holds("invalid utf8 council approved"),
    ),
    "cp1251-text": Case(
        write("russian.txt", ("Бюджет города\n\n" + CYRILLIC).encode("cp1251")),
        stored=1,
        check=body_holds("Городской совет утвердил бюджет"),
    ),
    "latin1-text": Case(
        write("french.txt", ("Budget de Genève\n\n" + LATIN).encode("latin-1")),
        stored=1,
        check=body_holds("a approuvé un budget", "Genève"),
    ),
    "cp1251-csv": Case(
        write("export.csv", ('title,text\nБюджет,"' + CYRILLIC + ' CSV."\n').encode("cp1251")),
        stored=1,
        check=body_holds("Городской совет"),
    ),
    "utf16-le-bom": Case(
        write(
            "utf16.txt",
            codecs.BOM_UTF16_LE + ("UTF-16 report\n\n" + story("utf sixteen")).encode("utf-16-le"),
        ),
        stored=1,
        check=body_holds("utf sixteen council approved"),
    ),
    "utf16-be-bom-json": Case(
        write(
            "utf16.json",
            codecs.BOM_UTF16_BE + record("utf sixteen be").encode("utf-16-be"),
        ),
        stored=1,
        check=body_holds("utf sixteen be council"),
    ),
    # size
    "over-size-limit": Case(
        write("big.txt", "Big\n\n" + story("too big", 40)),
        errors=(
            r"big\.txt: file is 0\.0 MB, over the 0\.002 MB limit \(ingest\.max_file_mb\); split it or raise the limit",
        ),
        max_file_mb=0.002,
    ),
    "2mb-single-line": Case(
        write(
            "long-line.txt",
            "One long line\n\n"
            + story("long line")
            + " "
            # 2 MB on one line, in long words: few chunks, so the case stays fast
            + " ".join(f"{'paragraph' * 5}{n}" for n in range(40_000)),
        ),
        stored=1,
        check=body_holds("long line council approved"),
    ),
    "2mb-line-without-spaces": Case(
        write("no-spaces.txt", "Title of it\n\n" + "x" * 2_000_000),
        stored=1,  # one absurd word is still text: stored quickly, as one chunk
        check=body_holds("xxxxxxxxxx"),
    ),
    "2mb-markdown-link-storm": Case(
        write("links.md", "# Link storm\n\n" + story("link storm") + "\n\n" + "[a](" * 500_000),
        stored=1,
        check=body_holds("link storm council"),
    ),
    # HTML without an article
    "html-only-scripts": Case(
        write(
            "scripts.html",
            "<html><head><script>var a = 1;</script></head><body><script>alert(1)</script>"
            "<noscript>Enable JavaScript</noscript></body></html>",
        ),
        errors=(r"scripts\.html: no article text found \(only scripts/navigation\?\)",),
    ),
    "html-only-iframes": Case(
        write(
            "frames.htm",
            '<html><body><iframe src="https://ads.example/1"></iframe>'
            '<iframe src="https://ads.example/2"></iframe></body></html>',
        ),
        errors=(r"frames\.htm: no article text found \(only scripts/navigation\?\)",),
    ),
    "html-control-character-references": Case(
        write(
            "entities.html",
            "<html><body><article><h1>Escapes &#27;[31m</h1><p>"
            + story("control refs")
            + " &#1;&#x1b;[2J&#xFFFF;&#xD800; end.</p></article></body></html>",
        ),
        stored=1,
        check=checks(body_holds("control refs council"), clean_of_invisible),
    ),
    # JSON and JSON Lines
    "malformed-json": Case(
        write("cut.json", '{"title": "Cut", "text": "abc",\n'),
        errors=(
            r"cut\.json:2: invalid JSON: Expecting property name enclosed in double quotes \(column 1\)",
        ),
    ),
    "malformed-jsonl-lines": Case(
        write(
            "mixed.jsonl",
            "\n".join(
                [
                    record("jsonl good one"),
                    "{oops",
                    record("jsonl good two"),
                    '{"title": "no body"}',
                    "[1, 2]",
                    '"just a string"',
                    "",
                ]
            ),
        ),
        errors=(
            r"mixed\.jsonl:2: invalid JSON: .*",
            rf"mixed\.jsonl:4: {NO_BODY}",
            r"mixed\.jsonl:5: expected an article object, got an array",
            r"mixed\.jsonl:6: expected an article object, got a string",
        ),
        stored=2,
    ),
    "json-number": Case(
        write("number.json", "42"),
        errors=(
            r"number\.json: JSON holds a number; expected an article object, an array of them, or \{\"articles\": \[\.\.\.\]\}",
        ),
    ),
    "json-null": Case(write("null.json", "null"), errors=(r"null\.json: JSON holds null; .*",)),
    "json-list-of-strings": Case(
        write("strings.json", '["first", "second"]'),
        errors=(
            r"strings\.json\[0\]: expected an article object, got a string",
            r"strings\.json\[1\]: expected an article object, got a string",
        ),
    ),
    "json-nested-garbage": Case(
        write(
            "nested.json",
            json.dumps({"articles": [[{"x": {"y": []}}], None, {"text": {"deep": 1}}, True]}),
        ),
        errors=(
            r"nested\.json\[0\]: expected an article object, got an array",
            r"nested\.json\[1\]: expected an article object, got null",
            rf"nested\.json\[2\]: {NO_BODY}",
            r"nested\.json\[3\]: expected an article object, got true/false",
        ),
    ),
    "json-empty-array": Case(
        write("none.json", '{"articles": []}'),
        errors=(r"none\.json: the JSON array is empty: no articles",),
    ),
    "json-deeply-nested": Case(
        write("deep.json", "[" * 100_000 + "]" * 100_000),
        errors=(r"deep\.json: cannot load: maximum recursion depth exceeded.*",),
    ),
    "json-wrong-field-types": Case(
        write(
            "types.jsonl",
            json.dumps(
                {
                    "title": 12345,
                    "text": story("field types"),
                    "url": {"href": "x"},
                    "published": [2020],
                    "author": [{"name": 7}, None],
                }
            ),
        ),
        stored=1,
        warnings=(r"types\.jsonl:1: unrecognised date '\[2020\]'; not used",),
        check=body_holds("field types council"),
    ),
    "json-escapes-nul-and-lone-surrogate": Case(
        write(
            "escapes.jsonl",
            json.dumps(
                {
                    "title": "Null\u0000 byte \u001b[31m title",
                    "text": story("lone surrogate") + " Half a pair: \ud800 and a bell \u0007.",
                    "url": "https://escapes.example/\u0000a",
                },
                ensure_ascii=True,
            ),
        ),
        stored=1,
        check=clean_of_invisible,
    ),
    # tables
    "csv-without-body-column": Case(
        write("people.csv", "title,author\nA,B\n"), errors=(rf"people\.csv: {NO_BODY}",)
    ),
    "csv-short-rows": Case(
        write(
            "rows.csv",
            f'title,text,date\nGood row,"{story("csv row")}",2020-01-02\nShort\n,\n',
        ),
        errors=(rf"rows\.csv:3: {NO_BODY}", rf"rows\.csv:4: {NO_BODY}"),
        stored=1,
    ),
    "csv-header-only": Case(
        write("header.csv", "title,text\n"),
        errors=(r"header\.csv: the table has a header row but no rows: no articles",),
    ),
    # feeds and web archives
    "broken-feed": Case(
        write("cut.rss", "<?xml version='1.0'?><rss><channel><item><title>x</title><desc"),
        errors=(r"cut\.rss(#entry-0)?: .*",),
    ),
    "xml-that-is-no-feed": Case(
        write("books.xml", "<?xml version='1.0'?><catalog><book id='1'/></catalog>"),
        errors=(r"books\.xml: not an RSS/Atom feed \(no channel, no entries\)",),
    ),
    "truncated-warc": Case(
        _truncated_warc,
        errors=(
            r"cut\.warc@\d+: archive is truncated or corrupt after byte \d+ \(.*\); records before it were read",
        ),
        stored=1,
        check=body_holds("warc first council"),
    ),
    "garbage-warc-gz": Case(
        write("junk.warc.gz", b"\x1f\x8b\x08\x00garbage"),
        errors=(r"junk\.warc\.gz@0: archive is truncated or corrupt after byte 0 .*",),
    ),
    # dates
    "missing-date": Case(write("nodate.jsonl", record("missing date")), stored=1, check=undated),
    "invalid-date": Case(
        write("baddate.jsonl", record("invalid date", published="the 45th of Smarch")),
        warnings=(r"baddate\.jsonl:1: unrecognised date 'the 45th of Smarch'; not used",),
        stored=1,
        check=undated,
    ),
    "future-date": Case(
        write("future.jsonl", record("future date", published="2999-01-01")),
        warnings=(r"future\.jsonl:1: date 2999-01-01 is in the future; not used",),
        stored=1,
        check=undated,
    ),
    "pre-1900-date": Case(
        write("ancient.md", f"---\ntitle: Hastings\ndate: 1066-10-14\n---\n{story('hastings')}\n"),
        warnings=(r"ancient\.md: date 1066-10-14 is before 1900; not used",),
        stored=1,
        check=undated,
    ),
    # duplicates
    "duplicate-ids-different-bodies": Case(
        write(
            "dups.jsonl",
            json.dumps(
                {
                    "id": "7",
                    "url": "https://dup.example/a",
                    "title": "Version one",
                    "text": story("dup one"),
                }
            )
            + "\n"
            + json.dumps(
                {
                    "id": "7",
                    "url": "https://dup.example/a",
                    "title": "Version two",
                    "text": story("dup two"),
                }
            ),
        ),
        warnings=(r"dups\.jsonl:1: replaced by a later version in .*dups\.jsonl:2",),
        stored=1,
        check=later_version_kept,
    ),
    # invisible and bidirectional text
    "zero-width-characters": Case(
        write(
            "zw.txt",
            "Zero\u200bwidth\u200d title\ufeff\n\n"
            + story("zero width").replace(" ", " \u200b\u2060")
            + " \u200e\u200f\u00ad end.",
        ),
        stored=1,
        check=clean_of_invisible,
    ),
    "right-to-left-text-and-overrides": Case(
        write("rtl.txt", "مجلس المدينة\n\n" + ARABIC + " \u202egnp.exe\u202c \u2067isolate\u2069."),
        stored=1,
        check=checks(body_holds("وافق مجلس المدينة"), clean_of_invisible),
    ),
}


def _symlink_loop(folder: Path) -> None:
    (folder / "sub").mkdir()
    (folder / "sub" / "back").symlink_to(folder, target_is_directory=True)
    (folder / "self.txt").symlink_to(folder / "self.txt")


CASES["directory-symlink-loop"] = Case(_symlink_loop)


def _unreadable(folder: Path) -> None:
    path = folder / "secret.txt"
    path.write_text("Secret\n\n" + story("unreadable"))
    path.chmod(0)


# --- running a case ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """One archive for every case, holding articles from before, which must never change."""
    opened = Archive(
        make_settings(tmp_path_factory.mktemp("bad-input") / "data"),
        embedder=HashingEmbedding(dimensions=64),
    )
    before = [
        Article(
            title=f"Earlier {n}",
            body=story(f"earlier {n}"),
            origin="seed",
            url=f"https://seed.example/{n}",
        )
        for n in range(3)
    ]
    assert Ingestor(opened).ingest(before).added == 3
    yield opened
    opened.close()


@dataclass(frozen=True)
class Outcome:
    summary: IngestSummary
    new: list[tuple[ArticleRecord, str]]
    good: Article


def _rows(archive: Archive) -> dict[str, tuple[ArticleRecord, str]]:
    return {row.article_id: (row, body) for row, body in archive.catalog.bodies()}


def ingest_case(
    archive: Archive,
    folder: Path,
    files: Files,
    *,
    max_file_mb: float = 50.0,
    during: Callable[[], None] | None = None,
) -> Outcome:
    """Write the bad input and a good article into `folder`, ingest it as one batch, check the
    archive-wide invariants, and return what the run reported and stored."""
    folder.mkdir()
    files(folder)
    tag = folder.name
    good = Article(
        title=f"Good {tag}", body=story(f"good {tag}"), origin="", url=f"https://good.example/{tag}"
    )
    (folder / "good.jsonl").write_text(
        json.dumps({"title": good.title, "text": good.body, "url": good.url}) + "\n"
    )
    before = _rows(archive)
    chunks_before = archive.store.count()
    items = gather([str(folder)], settings=IngestSettings(max_file_mb=max_file_mb), today=TODAY)
    if during is not None:
        items = _after_first(items, during)
    summary = Ingestor(archive).ingest(items)
    after = _rows(archive)

    # Nothing stored before changed; the good article is there.
    assert {k: v[0] for k, v in before.items()} == {k: after[k][0] for k in before}
    assert good.id in after, summary.errors
    new = [after[k] for k in after.keys() - before.keys() if k != good.id]
    # Chroma holds exactly the catalog's chunks: what was not stored left no vectors behind.
    stats = archive.catalog.stats()
    assert archive.store.count() == stats.chunks
    added = sum(after[k][0].n_chunks for k in after.keys() - before.keys())
    assert archive.store.count() - chunks_before == added
    for row, _ in new:
        assert len(archive.store.chunk_ids_of(row.article_id)) == row.n_chunks
    # Every report is one line naming its input.
    for report in [*summary.errors, *summary.warnings]:
        assert "\n" not in str(report)
        assert report.origin.startswith(str(folder)), report
    return Outcome(summary, new, good)


def _after_first(
    items: Iterator[Article | LoadError | WarcSkip], action: Callable[[], None]
) -> Iterator[Article | LoadError | WarcSkip]:
    for index, item in enumerate(items):
        yield item
        if index == 0:
            action()


def _relative(report: LoadError, folder: Path) -> str:
    return str(report).replace(f"{folder}/", "")


def _match_all(patterns: tuple[str, ...], lines: list[str]) -> None:
    unmatched = list(lines)
    for pattern in patterns:
        hits = [line for line in unmatched if re.fullmatch(pattern, line)]
        assert len(hits) == 1, f"{pattern!r} matched {hits} in {lines}"
        unmatched.remove(hits[0])
    assert not unmatched, f"unexpected reports: {unmatched}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_reported_and_the_batch_goes_on(
    store: Archive, tmp_path: Path, name: str
) -> None:
    case = CASES[name]
    folder = tmp_path / name
    started = time.monotonic()
    outcome = ingest_case(store, folder, case.files, max_file_mb=case.max_file_mb)
    elapsed = time.monotonic() - started
    assert elapsed < case.seconds, f"{name} took {elapsed:.1f}s"
    summary = outcome.summary
    _match_all(case.errors, [_relative(e, folder) for e in summary.errors])
    _match_all(case.warnings, [_relative(w, folder) for w in summary.warnings])
    assert summary.failed == len(case.errors)
    assert len(outcome.new) == case.stored, [row.origin for row, _ in outcome.new]
    if case.check is not None:
        case.check(outcome.new, summary)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(store: Archive, tmp_path: Path) -> None:
    folder = tmp_path / "unreadable"
    outcome = ingest_case(store, folder, _unreadable)
    lines = [_relative(e, folder) for e in outcome.summary.errors]
    _match_all((r"secret\.txt: cannot load: .*Permission denied.*",), lines)
    assert outcome.new == []


def test_file_that_vanishes_mid_walk(store: Archive, tmp_path: Path) -> None:
    """Deleted after the walk listed it and before it was read: skipped, nothing stored."""
    folder = tmp_path / "vanishing"
    victim = folder / "zz-vanishes.txt"
    outcome = ingest_case(
        store,
        folder,
        write("zz-vanishes.txt", "Gone\n\n" + story("vanishing")),
        during=victim.unlink,
    )
    assert not victim.exists()
    assert outcome.new == []
    assert outcome.summary.failed == 0


def test_a_file_given_by_name_that_vanished(store: Archive, tmp_path: Path) -> None:
    items = list(gather([str(tmp_path / "gone.jsonl")], settings=IngestSettings(), today=TODAY))
    assert [str(i) for i in items] == [f"{tmp_path / 'gone.jsonl'}: no such file or folder"]


def test_there_are_at_least_thirty_kinds() -> None:
    assert len(CASES) + 2 >= 30  # + unreadable and vanishing


# --- Telegram: messages and uploads ---------------------------------------------------------


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
        async with _running(_app(news, fake)):
            fake.inject_content(7, 7, STICKER)
            fake.inject_content(7, 7, PHOTO)
            fake.inject_content(-5, 7, STICKER, chat_type="group")
            fake.inject_message(7, 7, STRIKE_Q)
            await fake.wait_for_async(is_call("sendMessage", chat_id=7))
            await asyncio.sleep(0.3)

    asyncio.run(scenario())
    (answer,) = _answers(fake, 7)
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
        async with _running(_app(news, fake)):
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
        async with _running(_app(news, fake, admins=[99])):
            for n, text in enumerate(commands, start=1):
                fake.inject_message(7, 7, text)
                await fake.wait_for_async(is_call("sendMessage", chat_id=7), count=n, timeout=10)
            fake.inject_message(99, 99, "/stats --all; DROP TABLE articles")
            await fake.wait_for_async(is_call("sendMessage", chat_id=99), timeout=10)

    asyncio.run(scenario())
    sources, new, help_, stats, ingest, start = (c.result["text"] for c in _answers(fake, 7))
    assert sources == NO_ANSWER_YET
    assert new == "Started a new conversation."
    assert help_.startswith("newsbot answers questions") and start == help_
    assert stats == ingest == ADMINS_ONLY
    assert _answers(fake, 99)[0].result["text"].startswith("Archive\narticles: 2\n")
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
        async with _running(_app(news, fake, admins=[99])):
            for n, (name, (content, _)) in enumerate(UPLOADS.items(), start=1):
                data = content.encode("latin-1" if name == "photo.txt" else "utf-8")
                fake.inject_document(99, 99, name, data, "application/octet-stream")
                await fake.wait_for_async(is_call("sendMessage", chat_id=99), count=n, timeout=20)

    asyncio.run(scenario())
    replies = [c.result["text"] for c in _answers(fake, 99)]
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
        async with _running(_app(news, fake, admins=[99], max_upload_mb=0.01)):
            fake.inject_document(
                99, 99, "big.jsonl", (record("big upload") + "\n") * 200, "text/plain"
            )
            await fake.wait_for_async(is_call("sendMessage", chat_id=99))

    asyncio.run(scenario())
    (reply,) = _answers(fake, 99)
    assert reply.result["text"].startswith("big.jsonl is too big (")
    assert "the limit is 0.01 MB" in reply.result["text"]
    assert news.catalog.stats().articles == 2


# --- properties of the pure functions -------------------------------------------------------

_NASTY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("\u200b\u202e\u2066\ufeff\x00\x1b\r\n\t <>&*_[]()#-|/")),
    ),
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(text=_NASTY_TEXT)
def test_cleaning_output_is_clean_and_stable(text: str) -> None:
    normal = normalize_text(text)
    assert normalize_text(normal) == normal
    assert not _INVISIBLE_OR_CONTROL.search(normal)
    page = clean_dump(text)
    assert not _INVISIBLE_OR_CONTROL.search(page.body + (page.title or ""))
    page.body.encode("utf-8")  # no lone surrogates: everything downstream encodes


@settings(max_examples=100, deadline=None)
@given(body=_NASTY_TEXT, title=_NASTY_TEXT, size=st.integers(32, 200), overlap=st.integers(0, 60))
def test_chunking_any_text_keeps_words_ids_and_headers(
    body: str, title: str, size: int, overlap: int
) -> None:
    article = Article(title=title, body=body, origin="prop", url="https://prop.example/x")
    chunks = chunk_article(article, size=size, overlap=overlap)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert all(c.chunk_id.startswith(f"{article.id}:{article.content_hash[:8]}:") for c in chunks)
    assert all(0 < len(c.text.split()) <= size for c in chunks)
    assert set(body.split()) <= {w for c in chunks for w in c.text.split()}


_DATEISH = st.one_of(
    st.text(max_size=40),
    st.from_regex(
        r"\s*\d{1,5}[-/. ]\d{1,3}[-/. ]\d{1,5}(T\d\d:\d\d(:\d\d)?(Z|[+-]\d\d:?\d\d)?)?\s*",
        fullmatch=True,
    ),
    st.from_regex(
        r"(Mon|Tue|Sun)?,? ?\d{1,2} (Jan|May|Dec|Smarch)[a-z]* \d{1,6}( \d\d:\d\d:\d\d [+-]\d{4})?",
        fullmatch=True,
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@settings(max_examples=300, deadline=None)
@given(value=_DATEISH, today=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))
def test_date_parsing_never_raises_and_vetting_holds(value: str, today: date) -> None:
    parsed = parse_date(value)
    assert parsed is None or isinstance(parsed, date)
    kept, flag = vet_date(parsed, today=today)
    if kept is not None:
        assert date(1900, 1, 1) <= kept <= date.fromordinal(today.toordinal() + 1)
        assert flag is None
    assert flag is None or "\n" not in flag


@settings(max_examples=200, deadline=None)
@given(
    question=st.one_of(_NASTY_TEXT, _DATEISH.map(lambda d: f"What happened on {d}?")),
    as_of=st.dates(),
)
def test_timeframe_never_raises_on_any_text(question: str, as_of: date) -> None:
    frame = parse_timeframe(question, as_of)
    if frame is not None:
        assert frame.start is None or frame.end is None or frame.start <= frame.end
        assert isinstance(strip_time_expression(question, frame), str)


_EMOJI_AND_ASTRAL = st.lists(
    st.one_of(
        st.sampled_from([*"ab \n.&<>", "🔥", "👩\u200d👩\u200d👧", "𝔘", "\u0301", "&amp;", "&lt;"]),
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
    ),
    max_size=300,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=_EMOJI_AND_ASTRAL, limit=st.integers(min_value=16, max_value=400))
def test_splitting_plain_text_loses_nothing_and_counts_utf16(text: str, limit: int) -> None:
    """Plain-text mode (the fallback when Telegram rejects HTML): `<` and `&` are just text,
    and astral characters count two UTF-16 units, as Telegram counts them."""
    parts = split_message(text, limit, parse_tags=False)
    assert "".join(parts) == text
    assert all(0 < text_length(p) <= limit for p in parts)


@settings(max_examples=40, deadline=None)
@given(words=st.lists(_EMOJI_AND_ASTRAL, max_size=8))
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
