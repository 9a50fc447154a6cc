"""Web pages: bytes to text, HTML fragments to paragraphs, and whole pages to Articles.

Whole pages go through trafilatura, which finds the main text and the page metadata (title,
author, outlet, canonical URL, date via htmldate). It runs offline and deterministically here:
it is only ever given markup, never a URL to fetch, and htmldate's "latest plausible date" is
pinned to `today` instead of the clock.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import replace
from datetime import date, timedelta
from html.parser import HTMLParser

import charset_normalizer
import trafilatura
from trafilatura.settings import Document

from ingest.articles import Article, DateSource, LoadError
from ingest.cleaning import normalize_text
from ingest.dates import parse_date, vet_date

# Fewer words than this is navigation, a cookie wall or an error page, not an article.
MIN_ARTICLE_WORDS = 10
# Content types of a page worth extracting (fetched or captured in a web archive).
HTML_TYPES = ("text/html", "application/xhtml+xml")

_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th"),
        *("tr", "ul"),
    }
)
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "svg", "object", "title"}
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
_WESTERN = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŒœŠšŸ«»“”‘’„–—…€£©®°·•¡¿§\u00a0"
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def article_from_html(
    html: str | bytes,
    *,
    origin: str,
    url: str | None = None,
    fallback_date: date | None = None,
    fallback_date_source: DateSource = "capture",
    today: date,
) -> Article | LoadError:
    """The main text and metadata of a whole HTML page, or why there is no article in it.

    Args:
        html: the page; bytes are decoded as `decode_bytes` does.
        origin: names the page in errors and summaries (a path, `file.warc@1234`, a URL).
        url: where the page lives; when None the page's own canonical/og:url is used.
        fallback_date: used when the page states no date (a capture or feed date).
        fallback_date_source: how far to trust `fallback_date`.
        today: dates after tomorrow are flagged, not used.
    """
    text = decode_bytes(html) if isinstance(html, bytes) else html
    if not text.strip():
        return LoadError(origin, "empty page")
    document = trafilatura.bare_extraction(
        _CHAR_REF.sub(_drop_unusable_ref, text),
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        date_extraction_params={
            "original_date": True,
            # Pattern search over free text picks up copyright years and "related" dates.
            "extensive_search": False,
            "min_date": "1900-01-01",
            "max_date": (today + timedelta(days=1)).isoformat(),
        },
    )
    if not isinstance(document, Document):
        return LoadError(origin, "no article text found (only scripts/navigation?)")
    title = (document.title or "").strip()
    body = normalize_text(_drop_leading_title(document.text or "", title).replace("\n", "\n\n"))
    if len(body.split()) < MIN_ARTICLE_WORDS:
        return LoadError(origin, "no article text found (only scripts/navigation?)")
    page_date, flag = vet_date(parse_date(document.date), today=today)
    article = Article(
        title=title,
        body=body,
        origin=origin,
        url=url or document.url or None,
        source=(document.sitename or "").strip() or None,
        author=(document.author or "").strip() or None,
        published=page_date,
        date_source="metadata" if page_date else "none",
        date_flag=flag,
    )
    if page_date is None and fallback_date is not None:
        fallback, fallback_flag = vet_date(fallback_date, today=today)
        if fallback is not None:
            article = replace(article, published=fallback, date_source=fallback_date_source)
        article = replace(article, date_flag=flag or fallback_flag)
    return article


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, one paragraph per block element, entities decoded."""
    parser = _TextParser()
    parser.feed(fragment)
    parser.close()
    return normalize_text("".join(parser.parts))


def looks_like_html(text: str) -> bool:
    """True when a field holds markup rather than plain text."""
    return bool(_HTML_HINT.search(text))


def decode_bytes(data: bytes, *, declared: str | None = None) -> str:
    """Text from bytes: BOM, UTF-8, declared charset (HTTP header), `<meta charset>`, detection.

    Valid UTF-8 wins over a declaration because mislabelled UTF-8 pages are common and
    non-ASCII UTF-8 almost never happens by chance. Never raises: the last resort is
    Windows-1252 with replacement characters.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    candidates = ["utf-8"]
    if declared and (match := _HEADER_CHARSET.search(declared)):
        candidates.append(match.group(1))
    if meta := _META_CHARSET.search(data[:4096]):
        candidates.append(meta.group(1).decode("ascii"))
    for encoding in candidates:
        try:
            return data.decode(_known_encoding(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    best = charset_normalizer.from_bytes(data).best()
    western = data.decode("cp1252", errors="replace")
    if best is None:
        return western
    guess = str(best)
    # Detection cannot tell the Latin code pages apart on short texts (French in Latin-1
    # comes out as Hungarian in cp1250); Windows-1252 wins when it reads as Western text.
    if _latin_script(guess) and all(char.isascii() or char in _WESTERN for char in western):
        return western
    return guess


def _latin_script(text: str) -> bool:
    return all(
        unicodedata.name(char, "").startswith("LATIN")
        for char in text
        if char.isalpha() and not char.isascii()
    )


def _known_encoding(name: str) -> str:
    # Pages declaring ISO-8859-1 are written in Windows-1252 in practice (the HTML standard
    # says to read them so), and its extra characters (curly quotes, €) would fail otherwise.
    normalized = codecs.lookup(name).name
    return "cp1252" if normalized in {"latin-1", "iso8859-1", "ascii"} else normalized


def _drop_leading_title(text: str, title: str) -> str:
    """trafilatura repeats the headline as the first line; the title is stored separately."""
    first, _, rest = text.partition("\n")
    if title and first.strip().casefold() == title.casefold():
        return rest
    return text


# One reference to a control character (`&#27;`) or a non-character (`&#xFFFF;`) made the
# parser drop the whole page ("no article text found"), so those references go first.
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _drop_unusable_ref(match: re.Match[str]) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    unusable = (code < 32 and code not in (0, 9, 10, 13)) or code in (0xFFFE, 0xFFFF)
    return "" if unusable else match.group(0)


_HTML_HINT = re.compile(
    r"<(p|br|div|span|a|b|i|em|strong|h[1-6]|ul|ol|li|blockquote|figure|img|table)\b[^>]*>|"
    r"&(nbsp|amp|quot|#\d+|#x[0-9a-f]+);",
    re.I,
)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002 - HTMLParser's signature
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002 - HTMLParser's signature
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            # Line breaks inside a paragraph are layout, not structure.
            self.parts.append(data.replace("\n", " "))
