"""Pure text normalisation and boilerplate removal for scraped page dumps.

# size: one pass over a dump's lines and the patterns its rules need; cohesive, so not split

A scraper's plain-text dump holds the article between a breadcrumb, an image credit and a
title above, and share buttons, teasers of *other* articles and a comment form below. Only the
article may be stored: a teaser stored with it would let the bot answer from a story the
archive does not hold.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from dateutil import parser as dateparser

from ingest.dates import dateline_date
from retrieval.text.calendar import MONTH_PREFIXES

_INVISIBLE = re.compile(
    "[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u061c\u180e\u202a-\u202e\u2066-\u2069"
    # Control characters (NUL, BEL, ESC: terminal escapes in a title) and lone surrogates (a
    # JSON "\ud800" escape), which no UTF-8 encoder accepts: one crashed a whole ingest.
    # Tab, line breaks and the separators str.split() counts as white space stay.
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

_BREADCRUMB = re.compile(r"^\s*(home|main|start|news)\s*([/>»›|»]|&gt;)", re.I)
_CRUMB_SEP = re.compile(r"\s(?:/|>|»|›|\|)\s")
_IMAGE_CREDIT = re.compile(
    r"\b(image|photo|picture|foto|illustration)s?\s*(credit|courtesy|source|by)?\s*(:|\s/)|"
    r"\((photo|image)\s*(by|:)|^\s*(credit|source)\s*:\s*\S|"
    r"^\s*(photo|image|picture)s?(\s+(by|courtesy of)\s+[A-Z].*)?\s*$",
    re.I,
)
# An agency's name is a credit in a caption ("Ana Ruiz/Getty Images", "REUTERS/Jo Bloggs"),
# but not in an article's sentence about the agency: see `_is_image_credit`.
_AGENCY = re.compile(r"\b(getty images|shutterstock|afp photo|reuters/|ap photo)\b", re.I)
# Headings of a box of teasers for other articles; `_strip_trailing_sections` decides how much goes.
_TEASER_BLOCK = re.compile(
    r"^\s*(check also|related( articles| posts| stories| news| content| coverage)?|"
    r"read (more|also|next)|also read|you (may|might) also like|more (from|stories|news)\b[^.!?]{0,40}|"
    r"recommended( for you| stories)?|see also|trending( now)?|most (read|popular)|"
    r"popular (posts|stories)|latest (news|posts|stories)|don'?t miss|editor'?s picks?|"
    r"in other news|further reading|what to read next|"
    # the same headings in Russian, Turkish, Arabic and French
    r"читайте также|смотрите также|по теме|ещё по теме|еще по теме|похожие (новости|статьи)|"
    r"другие новости|самое читаемое|[iİ]lgili (haberler|yazılar|içerikler)|"
    r"bunlar da ilginizi çekebilir|diğer haberler|çok okunanlar|öne çıkanlar|"
    r"اقرأ أيضا|اقرأ أيضاً|اقرأ المزيد|مواضيع ذات صلة|أخبار ذات صلة|الأكثر قراءة|"
    r"(à )?lire aussi|voir aussi|sur le même sujet|articles? (similaires|liés)|les plus lus)"
    r"\s*:?\s*$",
    re.I,
)
# Lines that start the comment section: it and everything after goes.
_COMMENTS_START = re.compile(
    r"^\s*(leave a (reply|comment)|post a comment|add (a )?comment|\d*\s*comments?\s*:?|"
    r"join the (discussion|conversation)|comments are closed\.?|discussion|"
    r"комментарии|оставить комментарий|добавить комментарий|yorumlar|yorum yap|"
    r"التعليقات|أضف تعليق|أضف تعليقا|commentaires|laisser un commentaire)\s*:?\s*$",
    re.I,
)
# Single lines of site furniture, dropped wherever they stand.
# Furniture is short; a longer line is never tested: on a multi-megabyte line without spaces
# `_FURNITURE` backtracks for seconds per call (a 2 MB line took 25 s to clean).
_FURNITURE_MAX_CHARS = 1000
_FURNITURE = re.compile(
    r"^\s*(share( this( article| story)?)?\s*:?|share on \w+|tweet|print|email|whatsapp|"
    r"поделиться|paylaş|شارك|partager|"
    r"facebook|twitter|linkedin|telegram|pinterest|reddit|copy link|advertisement|"
    r"sponsored( content)?|subscribe( now)?|sign up.*newsletter.*|"
    r"your email address will not be published\.?.*|required fields are marked.*|"
    r"(name|email|website|comment)\s*\*?|post comment|submit|"
    r"save my name, email,? and website.*|notify me of .*|"
    r"(tags?|filed under|categories|category|topics?)\s*:.*|"
    r"(previous|next) (article|post|story).*|click to share.*|like this:?|(like )?loading\W*|"
    r"(accept|reject|allow)( all)?( cookies)?|manage (cookies|preferences|cookie settings)|"
    r"cookie (settings|policy|preferences)|"
    r"(published|posted|updated|last updated)\s*:?\s*(\d{1,2}[:.]\d{2}\b.*|\d+\s+\w+\s+ago)|"
    r"follow us on .*|all rights reserved.*|©.*|copyright \d{4}.*|"
    r"(share( this( article| story)?)?\s*:?\s*)?"
    r"(facebook|twitter|whatsapp|linkedin|telegram|email|print|x)(\s*[|·•,]?\s*"
    r"(facebook|twitter|whatsapp|linkedin|telegram|email|print|x|pinterest|reddit))+\s*)\s*$",
    re.I,
)
# A cookie banner's sentence ("We use cookies to ... By continuing you agree ...").
_COOKIE_NOTICE = re.compile(
    r"\b(we|this (web)?site|our (web)?site)\s+uses?\s+cookies\b|"
    r"\bagree to (our|the) use of cookies\b",
    re.I,
)
# Share buttons and comment forms mark the end of the article: a teaser heading before them
# opens the page's trailing furniture, not a box in the middle of the story.
_SHARE_LINE = re.compile(
    r"^\s*(share( this( article| story)?)?\b|click to share|"
    r"(facebook|twitter|whatsapp|linkedin|telegram)\b)",
    re.I,
)
# "Read more: <other story>", "Read also - <other story>"; a dash only with a space before it,
# so "Related-party deals rose 5 percent." stays.
_READ_MORE_LINE = re.compile(
    r"^\s*(read more|read also|also read|related|see also|читайте также|смотрите также|"
    r"ayrıca (okuyun|bakınız)|ilgili haber|اقرأ أيضا|اقرأ أيضاً|(à )?lire aussi|voir aussi)"
    r"(\s*[:|]|\s+[-–—])\s*\S",
    re.I,
)
_PUBLISHED_LINE = re.compile(
    r"^\s*(published|posted|posted on|date|updated|last updated|first published)\s*(on|:)?\s*:?\s*"
    r"(?P<when>.{6,60}?)\s*$",
    re.I,
)
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'-]{2,40}),\s*(?P<when>[A-Z][a-z]{2,9}\.? \d{1,2}(, \d{4})?)\s*"
    r"(\((?P<source>[^)]{2,40})\))?\s*[-–—]+\s*"
)
# Any case of "by" ("By Jane Doe", "BY JANE DOE"), but the name must be capitalised.
_BY_LINE = re.compile(
    r"^\s*(?i:by)\s+(?P<author>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})"
    r"(?:\s*[|·•,\-–—]\s*(?P<when>.{6,60}))?\s*$"
)
_MONTH = rf"(?:{'|'.join(MONTH_PREFIXES)})[a-z]*\.?"
# A meta line that opens with a date: "May 20, 2024 by Rafael Quint", "Nov 19, 2024 | 4:12 pm",
# "January 8, 2026 - by Tobias Grell - 3 Comments", "2024-05-20 10:00".
_DATE_META = re.compile(
    rf"^\s*(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)[a-z]*\.?,?\s+)?"
    rf"(?P<when>{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+"
    rf"\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})(?P<rest>.{{0,80}})$",
    re.I,
)
_META_REST = re.compile(
    r"^[\s|·•,\-–—]*(?:(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?|by\s+(?P<author>[A-Z][\w.'-]+"
    r"(?:\s+[A-Z][\w.'-]+){0,3})|\d+\s+comments?|updated.*|[\s|·•,\-–—])*$",
    re.I,
)
_NAME_ONLY = re.compile(r"^[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){1,3}$")


@dataclass(frozen=True)
class CleanPage:
    """What is left of a page dump once the site's furniture is gone."""

    title: str | None
    body: str
    published: date | None
    source: str | None
    author: str | None = None


def _unify(text: str) -> str:
    """One newline convention, no invisible characters, then NFC.

    Invisible characters go *before* composing: "e\u200b\u0301" only becomes "é" once the
    zero-width space between the letter and its accent is gone (else a second pass would
    compose what the first left apart, and normalising would not be idempotent).
    """
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", text)


def strip_invisible(text: str) -> str:
    """`text` without zero-width, direction, control and lone surrogate characters."""
    return _INVISIBLE.sub("", text)


def normalize_text(text: str) -> str:
    """NFC, no invisible characters, single spaces in lines, paragraphs split by a blank line."""
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in _unify(text).split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def _lines(text: str) -> list[str]:
    return [_SPACES.sub(" ", line).strip() for line in _unify(text).split("\n")]


def _is_breadcrumb(line: str) -> bool:
    if _BREADCRUMB.match(line):
        return True
    if _DATE_META.match(line):
        return False  # "Nov 19, 2024 | 4:12 pm | Updated 6:40 pm" is a date line, not a path
    return len(_CRUMB_SEP.findall(line)) >= 2 and len(line) < 160 and not line.endswith(".")


def _is_image_credit(line: str) -> bool:
    if len(line.split()) > 20:
        return False
    if _IMAGE_CREDIT.search(line):
        return True
    # A caption ends without a full stop; "Getty Images was sold to ..." is an article sentence.
    sentence_like = line.rstrip("\"'”’»").endswith((".", "!", "?"))
    return bool(_AGENCY.search(line)) and (not sentence_like or line.startswith("("))


def _is_furniture(line: str) -> bool:
    return len(line) <= _FURNITURE_MAX_CHARS and bool(
        _FURNITURE.match(line)
        or _READ_MORE_LINE.match(line)
        or (_COOKIE_NOTICE.search(line) and len(line.split()) <= 40)
    )


def _looks_like_title(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 30 and not line.endswith((".", ":", ",")) and len(line) < 220


def _is_prose(line: str) -> bool:
    """A paragraph of an article: a sentence (or a long run of words), not a clipped excerpt."""
    if line.endswith(("…", "...", "[…]", "[...]")) or _is_furniture(line):
        return False
    words = len(line.split())
    return words >= 20 or (words >= 6 and line.rstrip("\"'”’»)").endswith((".", "!", "?")))


def _parse_loose_date(text: str, default_year: int | None = None) -> date | None:
    # Without a year dateutil would silently use the current one (and "Updated: 10:32" would
    # be today): a page's date is only read when the page says which year it is.
    if default_year is None and not re.search(r"(?<!\d)\d{4}(?!\d)", text):
        return None
    try:
        default = datetime(default_year, 1, 1) if default_year else None
        parsed = dateparser.parse(text, default=default, fuzzy=False)
    except (ValueError, OverflowError):
        return None
    if parsed is None or not (1900 <= parsed.year <= 2100):
        return None
    day: date = parsed.date()
    return day


def _teaser_block_end(lines: list[str], start: int) -> tuple[int, bool]:
    """Where the teaser titles after a heading end, and whether the page's furniture began.

    The block is the run of blank, title-like and clipped ("…") lines after the heading; the
    furniture has begun when that run meets share buttons or the comment section.
    """
    index = start
    while index < len(lines):
        line = lines[index]
        if line and (
            _COMMENTS_START.match(line)
            or (
                _SHARE_LINE.match(line)
                and len(line) <= _FURNITURE_MAX_CHARS
                and _FURNITURE.match(line)
            )
        ):
            return index, True
        if line and _is_prose(line):
            break
        index += 1
    return index, False


def _article_goes_on(lines: list[str], start: int) -> bool:
    """Two paragraphs of prose in a row: the story continues (teasers alternate title/excerpt)."""
    following = [line for line in lines[start:] if line][:2]
    return len(following) == 2 and all(_is_prose(line) for line in following)


def _strip_trailing_sections(lines: list[str]) -> list[str]:
    """Drop teaser blocks and cut at the comment section, once the article has started.

    A teaser heading ("Related", "Check Also", ...) followed by more of the story (two prose
    paragraphs in a row) is a box inside the article: the heading and its teaser titles go,
    the story stays. Followed by anything else (teaser titles and excerpts to the end, share
    buttons, a comment form) it opens the page's trailing furniture: everything after it goes.
    """
    kept: list[str] = []
    content_seen = headline_seen = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if line and _COMMENTS_START.match(line):
            if content_seen:
                break
            index += 1  # a "Comments" link above the story: only the line goes
            continue
        if line and _TEASER_BLOCK.match(line):
            end, furniture = _teaser_block_end(lines, index + 1)
            goes_on = not furniture and _article_goes_on(lines, end)
            if content_seen and not goes_on:
                break
            # Above the story the titles under a heading are teasers only when the headline
            # already stood above them; else one of them may be the headline: keep them.
            index = end if goes_on and (content_seen or headline_seen) else index + 1
            continue
        if line and not content_seen:
            page_furniture = _is_breadcrumb(line) or _is_image_credit(line) or _is_furniture(line)
            words = len(line.split())
            # The story has begun at its first sentence; a long headline is not one.
            content_seen = not page_furniture and (
                (words >= 3 and line.endswith((".", "!", "?")))
                or (words >= 8 and not _looks_like_title(line))
            )
            if _is_breadcrumb(line):
                headline_seen = False  # a line above the breadcrumb is the masthead
            elif not page_furniture and _looks_like_title(line):
                headline_seen = True
        kept.append(line)
        index += 1
    return kept


def _date_and_author(line: str) -> tuple[date, str | None] | None:
    """A meta line that opens with a date: "May 20, 2024 by Rafael Quint", "Nov 19, 2024 | 4:12 pm"."""
    meta = _DATE_META.match(line)
    rest = _META_REST.match(meta.group("rest")) if meta else None
    when = _parse_loose_date(meta.group("when")) if meta and rest else None
    if rest is None or when is None:
        return None
    return when, rest.group("author")


def clean_dump(text: str, language: str = "en") -> CleanPage:  # noqa: PLR0912, PLR0915 - one pass over lines, one rule per kind
    """Turn a scraped plain-text page into title, article body and any date or outlet it states.

    A page in another `language` with no date line takes its dateline's date, as English does.
    """
    lines = _strip_trailing_sections(_lines(text))
    title: str | None = None
    published: date | None = None
    source: str | None = None
    author: str | None = None
    kept: list[str] = []
    crumb_title: str | None = None
    for line in lines:
        if not line:
            if kept and kept[-1]:
                kept.append("")
            continue
        if _is_breadcrumb(line):
            parts = [p.strip() for p in re.split(r"/|>|»|›|\|", line) if p.strip()]
            crumb_title = parts[-1] if parts else None
            if title is not None and not any(kept):
                title = None  # what stood above the breadcrumb was the masthead, not the headline
            continue
        if _is_image_credit(line) or _is_furniture(line):
            continue
        match = _PUBLISHED_LINE.match(line)
        if match:
            when_text, _, by = match.group("when").partition(" by ")
            if when := _parse_loose_date(when_text.strip(" |-–—,")):
                published = published or when
                if by.strip() and author is None:
                    author = by.strip()
                continue
        dated = _date_and_author(line)
        if dated:
            published = published or dated[0]
            if dated[1] and author is None:
                author = dated[1]
            if kept and _NAME_ONLY.match(kept[-1]) and author is None:
                author = kept.pop()  # a byline without "by" just above the date
            continue
        by_line = _BY_LINE.match(line)
        by_date = (
            _date_and_author(by_line.group("when")) if by_line and by_line.group("when") else None
        )
        if by_line and (by_line.group("when") is None or by_date):
            # "By Jane Doe", or "By Jane Doe | May 12, 2024"; "By Monday, the river ..." is prose.
            author = author or by_line.group("author")
            if by_date:
                published = published or by_date[0]
            continue
        if not any(kept):
            if title is None and len(line.split()) == 1:
                continue  # a section label above the headline ("Sport", "Science")
            if title is not None and line.casefold() == title.casefold():
                continue  # the headline repeated above the story
        if title is None and not any(kept) and _looks_like_title(line):
            title = line
            continue
        kept.append(line)
    body_paragraphs = "\n".join(kept).split("\n\n")
    body = normalize_text("\n\n".join(body_paragraphs).replace("\n", "\n\n"))
    dateline = _DATELINE.match(body)
    if dateline:
        source = (dateline.group("source") or "").strip() or None
        if published is None:
            published = _parse_loose_date(dateline.group("when"))
        elif dateline.group("when"):
            # A dateline without a year takes the year of the page's published line; a
            # "Dec. 31" dateline on a page published on 2 January is from the year before.
            day = _parse_loose_date(dateline.group("when"), published.year)
            if day and day > published and not re.search(r"\d{4}", dateline.group("when")):
                day = _parse_loose_date(dateline.group("when"), published.year - 1)
            published = day or published
    elif published is None and language != "en":
        published = dateline_date(body, language)
    if title is None:
        title = crumb_title
    return CleanPage(title=title, body=body, published=published, source=source, author=author)
