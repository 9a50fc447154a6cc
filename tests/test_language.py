"""The language of articles and questions: detection, the catalog column, ingest, stats, CLI."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from llama_index.core.base.embeddings.base import BaseEmbedding

from bot.cli import cli
from bot.formatting import stats_html
from config.settings import Settings
from ingest.articles import Article
from ingest.pipeline import Ingestor
from ingest.records import article_from_record
from retrieval.archive import Archive
from retrieval.archive.archive import ArchiveStats
from retrieval.archive.catalog import Catalog, CatalogStats
from retrieval.text.language import detect_language, language_code, question_language

# Fictional news paragraphs, one per language the bot is asked in.
TEXTS = {
    "en": "The city council approved a new budget on Monday after a long debate. The mayor "
    "said that bus fares will not rise this year and that two new schools will open.",
    "ru": "Городской совет в понедельник утвердил новый бюджет после долгих споров. Мэр "
    "заявил, что плата за проезд в автобусах в этом году не вырастет, а две новые школы "
    "откроются осенью.",
    "tr": "Belediye meclisi uzun bir tartışmanın ardından pazartesi günü yeni bütçeyi onayladı. "
    "Belediye başkanı bu yıl otobüs ücretlerinin artmayacağını ve iki yeni okulun açılacağını "
    "söyledi.",
    "ar": "وافق مجلس المدينة يوم الاثنين على ميزانية جديدة بعد نقاش طويل. وقال رئيس البلدية إن "
    "أسعار الحافلات لن ترتفع هذا العام وإن مدرستين جديدتين ستفتحان أبوابهما.",
    "fr": "Le conseil municipal a approuvé lundi un nouveau budget après un long débat. Le maire "
    "a déclaré que le prix des billets de bus n'augmentera pas cette année et que deux "
    "nouvelles écoles ouvriront.",
}
URL = "https://news.example/budget"


def make_article(language: str | None = None, text: str = TEXTS["en"], **fields: object) -> Article:
    values: dict[str, object] = {
        "title": "Budget",
        "body": text,
        "origin": "test",
        "url": URL,
        "source": "Harbor Wire",
        "published": date(2024, 5, 20),
        "language": language,
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


# --- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_an_article_paragraph_is_told_by_its_language(code: str) -> None:
    assert detect_language(TEXTS[code]) == code


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("Who won the election last year?", "en"),  # six words
        ("What happened in Paris?", "en"),
        ("What concern did Erdoğan voice about Idlib?", "en"),  # a Turkish name, not Turkish
        ("Кто победил на выборах?", "ru"),
        ("Что сказал министр?", "ru"),  # the model alone says Bulgarian
        ("Хто переміг на виборах?", "uk"),  # і: Ukrainian, not Russian
        ("Seçimi kim kazandı?", "tr"),
        ("من فاز في الانتخابات؟", "ar"),
        ("Qui a gagné l'élection ?", "fr"),
        ("Quand la console 3DS XL de Nintendo sortira-t-elle en Australie ?", "fr"),
        ("Что сказал Donald Trump о NATO?", "ru"),  # Latin names in a Russian question
    ],
)
def test_short_questions(question: str, code: str) -> None:
    assert question_language(question) == code


@pytest.mark.parametrize(
    "text",
    ["", "   ", "12345 !!!", "ok", "Trump Putin Biden", "Election results Выборы результаты"],
)
def test_empty_short_unclear_or_mixed_is_undetermined(text: str) -> None:
    assert detect_language(text) == "und"


def test_a_question_that_cannot_be_told_is_in_the_default_language() -> None:
    assert question_language("Trump Putin Biden") == "en"
    assert question_language("", default="ru") == "ru"
    assert question_language("NATO summit", default="fr") == "fr"


@pytest.mark.parametrize(
    ("value", "code"),
    [("ru", "ru"), ("RU", "ru"), ("ru-RU", "ru"), ("en_GB", "en"), ("rus", "ru"), (" fr ", "fr")],
)
def test_language_codes_as_exports_write_them(value: str, code: str) -> None:
    assert language_code(value) == code


@pytest.mark.parametrize("value", ["", "Russian", "und", None, 7, "r"])
def test_what_is_not_a_language_code(value: object) -> None:
    assert language_code(value) is None


# --- exports, the catalog and ingest ---------------------------------------------------------


def test_a_record_states_its_language() -> None:
    for record in ({"body": TEXTS["en"], "language": "ru"}, {"body": TEXTS["en"], "lang": "ru-RU"}):
        found = article_from_record(record, origin="x.jsonl:1", today=date(2024, 6, 1))
        assert isinstance(found, Article)
        assert found.language == "ru"
    found = article_from_record({"body": TEXTS["en"]}, origin="x.jsonl:2", today=date(2024, 6, 1))
    assert isinstance(found, Article)
    assert found.language is None  # detected at ingest


def test_the_language_is_not_in_the_content_hash() -> None:
    assert make_article("ru").content_hash == make_article().content_hash


def test_ingest_detects_or_keeps_the_stated_language(archive: Archive) -> None:
    articles = [
        make_article(text=TEXTS[code], url=f"https://news.example/{code}") for code in TEXTS
    ]
    stated = make_article("de", text=TEXTS["en"] + " Stated.", url="https://news.example/de")
    summary = Ingestor(archive).ingest([*articles, stated])
    assert summary.added == 6
    stored = archive.catalog.get(a.id for a in [*articles, stated])
    assert {a.url: stored[a.id].language for a in articles} == {
        f"https://news.example/{code}": code for code in TEXTS
    }
    assert stored[stated.id].language == "de"
    languages = dict(archive.catalog.stats().languages)
    assert languages == {"ar": 1, "de": 1, "en": 1, "fr": 1, "ru": 1, "tr": 1}


def test_a_language_stated_on_reingest_is_written_without_an_update(archive: Archive) -> None:
    ingestor = Ingestor(archive)
    ingestor.ingest([make_article()])
    again = ingestor.ingest([make_article("ru")])
    assert (again.added, again.updated, again.unchanged, again.chunks) == (0, 0, 1, 0)
    assert archive.catalog.get([make_article().id])[make_article().id].language == "ru"
    # Not stated again: the stored language stays, it is not re-detected.
    ingestor.ingest([make_article()])
    assert archive.catalog.get([make_article().id])[make_article().id].language == "ru"


_OLD_ARTICLES = """
CREATE TABLE articles (
    article_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT,
    url TEXT,
    published_int INTEGER NOT NULL DEFAULT 0,
    date_source TEXT NOT NULL DEFAULT 'none',
    author TEXT,
    origin TEXT NOT NULL,
    external_id TEXT,
    story_id TEXT,
    n_chunks INTEGER NOT NULL,
    ingested_at TEXT NOT NULL DEFAULT (datetime('now')),
    body TEXT NOT NULL DEFAULT ''
);
"""


def _old_catalog(path: Path, article: Article) -> None:
    """A catalog file as written before languages: no `language` column, one article."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    with conn:
        conn.executescript(_OLD_ARTICLES)
        conn.execute(
            "INSERT INTO articles(article_id, content_hash, body_hash, title, source, url, "
            "published_int, origin, n_chunks, body) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                article.id,
                article.content_hash,
                article.body_hash,
                article.title,
                article.source,
                article.url,
                20240520,
                article.origin,
                1,
                article.body,
            ),
        )
    conn.close()


@pytest.fixture
def old_catalog_path(tmp_path: Path) -> Path:
    path = tmp_path / "old" / "catalog.sqlite3"
    _old_catalog(path, make_article())
    return path


def test_an_old_catalog_gains_the_column(old_catalog_path: Path) -> None:
    catalog = Catalog(old_catalog_path)
    try:
        record = catalog.get([make_article().id])[make_article().id]
        assert record.language == ""
        assert record.published == date(2024, 5, 20)
        assert catalog.stats().languages == (("(unknown)", 1),)
        catalog.set_languages([(record.article_id, "en")])
        assert catalog.get([record.article_id])[record.article_id].language == "en"
    finally:
        catalog.close()
    reopened = Catalog(old_catalog_path)  # the migration runs once; reopening keeps the value
    try:
        assert reopened.stats().languages == (("en", 1),)
    finally:
        reopened.close()


def test_reingest_fills_the_language_of_old_rows(
    settings: Settings, hashing_embedder: BaseEmbedding
) -> None:
    _old_catalog(settings.data_dir / "catalog.sqlite3", make_article(text=TEXTS["fr"]))
    archive = Archive.open(settings, embedder=hashing_embedder)
    try:
        summary = Ingestor(archive).ingest([make_article(text=TEXTS["fr"])])
        assert (summary.updated, summary.unchanged) == (0, 1)
        assert archive.catalog.stats().languages == (("fr", 1),)
    finally:
        archive.close()


# --- stats and the command line --------------------------------------------------------------


def test_telegram_stats_list_languages() -> None:
    figures = CatalogStats(
        articles=819,
        chunks=2000,
        outlets=(("Wikinews", 819),),
        first=None,
        last=None,
        undated=0,
        languages=(("ru", 816), ("en", 3)),
    )
    html = stats_html(ArchiveStats(figures, "embedded", "/data/chroma", 2000, "minilm"))
    assert "languages: ru (816), en (3)" in html


def _jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def test_language_option_fills_only_articles_that_state_none(
    runner: CliRunner, tmp_path: Path
) -> None:
    export = _jsonl(
        tmp_path / "mixed.jsonl",
        [
            {"title": "Бюджет", "body": TEXTS["ru"], "url": "https://news.example/ru"},
            {"title": "Budget", "body": TEXTS["en"], "url": "https://news.example/en"},
            {"title": "Bütçe", "body": TEXTS["tr"], "url": "https://news.example/tr", "lang": "tr"},
        ],
    )
    data = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(cli, [*data, "ingest", str(export), "--language", "ru"])
    assert result.exit_code == 0, result.output
    assert "added 3," in result.output
    stats = runner.invoke(cli, [*data, "stats"])
    assert "languages: ru (2), tr (1)" in stats.output
    figures = json.loads(runner.invoke(cli, [*data, "stats", "--json"]).stdout)
    assert figures["languages"] == {"ru": 2, "tr": 1}


def test_ingest_without_the_option_detects(runner: CliRunner, tmp_path: Path) -> None:
    export = _jsonl(
        tmp_path / "export.jsonl",
        [
            {"body": TEXTS[code], "url": f"https://news.example/{code}", "language": None}
            for code in ("en", "fr")
        ],
    )
    data = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(cli, [*data, "ingest", str(export)]).exit_code == 0
    figures = json.loads(runner.invoke(cli, [*data, "stats", "--json"]).stdout)
    assert figures["languages"] == {"en": 1, "fr": 1}


def test_a_language_option_that_is_no_code_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(tmp_path), "--language", "Russian"])
    assert result.exit_code == 2
    assert "not a language code" in result.output


# --- the shared Wikinews data ----------------------------------------------------------------


def _accuracy(path: Path, want: str, limit: int | None = None) -> float:
    if not path.is_file():
        pytest.skip(f"{path} not found")
    lines = path.read_text(encoding="utf-8").splitlines()[:limit]
    rows = [json.loads(line) for line in lines if line.strip()]
    right = sum(
        detect_language(f"{row.get('title') or ''}\n{row.get('body') or ''}") == want
        for row in rows
    )
    return right / len(rows)


@pytest.mark.parametrize(
    ("corpus", "code", "limit"),
    [("wikinews-ru", "ru", 200), ("wikinews-fr", "fr", None), ("wikinews", "en", 200)],
)
def test_wikinews_articles_are_told_by_their_language(
    shared_dir: Path, corpus: str, code: str, limit: int | None
) -> None:
    assert _accuracy(shared_dir / "data" / corpus / "articles.jsonl", code, limit) >= 0.98
