"""Pure text normalisation and boilerplate removal for scraped page dumps.

A scraper's plain-text dump holds the article between a breadcrumb, an image credit and a
title above, and share buttons, teasers of *other* articles and a comment form below. Only the
article may be stored: a teaser stored with it would let the bot answer from a story the
archive does not hold.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from dateutil import parser as dateparser

_INVISIBLE = re.compile(
    "[\u200b\u200c\u200d\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069\u200e\u200f]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

_BREADCRUMB = re.compile(r"^\s*(home|main|start|news)\s*([/>»›|»]|&gt;)", re.I)
_CRUMB_SEP = re.compile(r"\s(?:/|>|»|›|\|)\s")
_IMAGE_CREDIT = re.compile(
    r"(image|photo|picture|foto|illustration)\s*(credit|courtesy|source|by)?\s*[:/]|"
    r"\((photo|image)\s*(by|:)|^\s*(credit|source)\s*:\s*\S|"
    r"^\s*(photo|image)\s*$|\b(getty images|shutterstock|afp photo|reuters/|ap photo)\b",
    re.I,
)
# Headings that start a block of teasers for other articles: everything after them goes.
_TEASER_BLOCK = re.compile(
    r"^\s*(check also|related( articles| posts| stories| news| content| coverage)?|"
    r"read (more|also|next)|also read|you (may|might) also like|more (from|stories|news)\b.*|"
    r"recommended( for you| stories)?|see also|trending( now)?|most (read|popular)|"
    r"popular (posts|stories)|latest (news|posts|stories)|don'?t miss|editor'?s picks?|"
    r"in other news|further reading|what to read next)\s*:?\s*$",
    re.I,
)
# Lines that start the comment section: it and everything after goes.
_COMMENTS_START = re.compile(
    r"^\s*(leave a (reply|comment)|post a comment|add (a )?comment|\d*\s*comments?\s*:?|"
    r"join the (discussion|conversation)|comments are closed\.?|discussion)\s*$",
    re.I,
)
# Single lines of site furniture, dropped wherever they stand.
_FURNITURE = re.compile(
    r"^\s*(share( this( article| story)?)?\s*:?|share on \w+|tweet|print|email|whatsapp|"
    r"facebook|twitter|linkedin|telegram|pinterest|reddit|copy link|advertisement|"
    r"sponsored( content)?|subscribe( now)?|sign up.*newsletter.*|"
    r"your email address will not be published\.?.*|required fields are marked.*|"
    r"(name|email|website|comment)\s*\*?|post comment|submit|"
    r"save my name, email,? and website.*|notify me of .*|"
    r"(tags?|filed under|categories|category|topics?)\s*:.*|"
    r"(previous|next) (article|post|story).*|click to share.*|"
    r"follow us on .*|all rights reserved.*|©.*|copyright \d{4}.*|"
    r"(facebook|twitter|whatsapp|linkedin|telegram|email|print|x)(\s*[|·•,]?\s*"
    r"(facebook|twitter|whatsapp|linkedin|telegram|email|print|x|pinterest|reddit))+\s*)\s*$",
    re.I,
)
_READ_MORE_LINE = re.compile(
    r"^\s*(read more|read also|also read|related|see also)\s*[:|-]\s*\S", re.I
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
_BY_LINE = re.compile(r"^\s*by\s+[A-Z][\w.'-]+(\s+[A-Z][\w.'-]+){0,3}\s*$")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
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


def normalize_text(text: str) -> str:
    """NFC, no invisible characters, single spaces in lines, paragraphs split by a blank line."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", text)
    paragraphs: list[str] = []
    current: list[str] = []
    for raw in text.split("\n"):
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
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INVISIBLE.sub("", text)
    return [_SPACES.sub(" ", line).strip() for line in text.split("\n")]


def _is_breadcrumb(line: str) -> bool:
    if _BREADCRUMB.match(line):
        return True
    return len(_CRUMB_SEP.findall(line)) >= 2 and len(line) < 160 and not line.endswith(".")


def _looks_like_title(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 30 and not line.endswith((".", ":", ",")) and len(line) < 220


def _parse_loose_date(text: str, default_year: int | None = None) -> date | None:
    try:
        default = None
        if default_year:
            from datetime import datetime

            default = datetime(default_year, 1, 1)
        parsed = dateparser.parse(text, default=default, fuzzy=False)
    except (ValueError, OverflowError):
        return None
    if parsed is None or not (1900 <= parsed.year <= 2100):
        return None
    day: date = parsed.date()
    return day


def _strip_trailing_sections(lines: list[str]) -> list[str]:
    """Cut at the first teaser block or comment section that sits after the article's start."""
    content_seen = 0
    for index, line in enumerate(lines):
        if not line:
            continue
        if content_seen and (_TEASER_BLOCK.match(line) or _COMMENTS_START.match(line)):
            return lines[:index]
        if len(line.split()) >= 8:
            content_seen += 1
    return lines


def clean_dump(text: str) -> CleanPage:  # noqa: PLR0912, PLR0915 - one pass over lines, one rule per kind
    """Turn a scraped plain-text page into title, article body and any date or outlet it states."""
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
            continue
        if _IMAGE_CREDIT.search(line) and len(line.split()) <= 20:
            continue
        if _FURNITURE.match(line) or _READ_MORE_LINE.match(line):
            continue
        match = _PUBLISHED_LINE.match(line)
        if match:
            when_text, _, by = match.group("when").partition(" by ")
            if when := _parse_loose_date(when_text.strip(" |-–—,")):
                published = published or when
                if by.strip() and author is None:
                    author = by.strip()
                continue
        meta = _DATE_META.match(line)
        rest = _META_REST.match(meta.group("rest")) if meta else None
        when = _parse_loose_date(meta.group("when")) if meta and rest else None
        if rest and when:
            published = published or when
            if rest.group("author") and author is None:
                author = rest.group("author")
            if kept and _NAME_ONLY.match(kept[-1]) and author is None:
                author = kept.pop()  # a byline without "by" just above the date
            continue
        if _BY_LINE.match(line) and author is None:
            author = line.split(None, 1)[1].strip()
            continue
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
            # A dateline without a year takes the year of the page's published line.
            published = _parse_loose_date(dateline.group("when"), published.year) or published
    if title is None:
        title = crumb_title
    return CleanPage(title=title, body=body, published=published, source=source, author=author)
