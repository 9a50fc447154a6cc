"""Markdown articles: optional front matter (`key: value` lines) for metadata, then the text.

The first `# heading` is the title unless the front matter names another. Markup is stripped
to plain paragraphs (links keep their text, images go); embedded HTML goes through the same
text extraction as web pages.
"""

from __future__ import annotations

import re
from datetime import date

from ingest.articles import Article, LoadError
from ingest.htmlpage import html_to_text, looks_like_html
from ingest.records import article_from_record

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<head>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FRONT_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)$")
_MD_HEADING = re.compile(r"^#[ \t]+(?P<title>.+?)[ \t]*#*[ \t]*$", re.M)
# Link text stops at a bracket and targets at a parenthesis (one nested pair allowed, for
# URLs like `wiki/A_(b)`) or a line end: with `[^)]*` a line of "[a](" repeated made every
# "[" scan to the line's end, quadratic time (a 2 MB Markdown line would take many minutes).
_MD_TARGET = r"\([^()\n]*(?:\([^()\n]*\)[^()\n]*)*\)"
_MD_RULES = (
    (re.compile(r"!\[[^\[\]\n]*\]" + _MD_TARGET), ""),  # images
    (re.compile(r"\[([^\[\]\n]+)\]" + _MD_TARGET), r"\1"),  # links keep their text
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.M), "\n\\1\n"),  # headings
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.M), ""),  # quote markers
    (re.compile(r"^[ \t]*([-*+]|\d+\.)[ \t]+", re.M), ""),  # list markers
    (re.compile(r"^[ \t]*([-*_][ \t]*){3,}$", re.M), ""),  # horizontal rules
    (re.compile(r"(\*\*|__|\*|`+)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # emphasis, code
)


def article_from_markdown(text: str, *, origin: str, today: date) -> Article | LoadError:
    """The article a Markdown file holds, or a LoadError naming what is missing."""
    record: dict[str, object] = {}
    if match := _FRONT_MATTER.match(text):
        for line in match.group("head").splitlines():
            if field := _FRONT_LINE.match(line.strip()):
                value = field.group("value").strip()
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                    value = value[1:-1]
                record[field.group("key").casefold()] = value
        text = text[match.end() :]
    heading = _MD_HEADING.search(text)
    if heading and (
        not record.get("title") or heading.group("title").strip() == str(record["title"]).strip()
    ):
        # The first heading is the title: keep it out of the body, where it would run into
        # the first sentence.
        record.setdefault("title", heading.group("title"))
        text = text[: heading.start()] + text[heading.end() :]
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    record["body"] = html_to_text(text) if looks_like_html(text) else text
    return article_from_record(record, origin=origin, today=today)
