"""Bad files through the real intake: `gather` + `Ingestor` into a real archive, case by case.

Each file case puts one bad input next to a good article in one folder and ingests the folder
as one batch. It then checks what a person and the archive see: every failure is one line that
names the input (`file`, `file:line`, `file[index]`, `file@offset`); the good article is stored;
nothing of the bad input is stored unless the case says what was salvaged; nothing stored
before changes; Chroma holds exactly the catalog's chunks.
"""

from __future__ import annotations

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
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from config.settings import IngestSettings
from ingest.articles import Article, LoadError
from ingest.intake import gather
from ingest.pipeline import Ingestor, IngestSummary
from ingest.warc import WarcSkip
from retrieval.archive import Archive
from retrieval.archive.catalog import ArticleRecord
from retrieval.archive.embedding import HashingEmbedding
from tests.support.nasty_text import BINARY, INVISIBLE_OR_CONTROL
from tests.support.settings import make_settings
from tests.support.stories import record, story
from tests.support.warc import write_closed

TODAY = date(2024, 3, 1)


def _warc(records: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for url, body in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        write_closed(
            writer,
            writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": "2021-02-03T10:00:00Z"},
            ),
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
        assert not INVISIBLE_OR_CONTROL.search(row.title + body), (row.title, body[:200])


def undated(stored: list[tuple[ArticleRecord, str]], _summary: IngestSummary) -> None:
    assert stored
    assert all(row.published is None for row, _ in stored)


def later_version_kept(stored: list[tuple[ArticleRecord, str]], summary: IngestSummary) -> None:
    (only,) = stored
    assert only[0].title == "Version two"
    assert summary.duplicate == 1


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
    opened = Archive.open(
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
