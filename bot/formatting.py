"""Answers as Telegram HTML: escaped, cited, and split below the message limit.

Telegram's HTML parse mode knows a handful of tags and four named entities; one stray `<` or
`&` from an article makes it reject the whole message. So every piece of text that is not ours
(article titles, quotes, outlets, notes, the user's own words) is escaped here, and the bot
sends only what these functions return. Everything here is pure.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from retrieval.results import Answer, Citation, Passage

if TYPE_CHECKING:
    from retrieval.archive import ArchiveStats

MAX_MESSAGE = 4096
QUOTE_CONTEXT = 240  # characters of the passage shown on each side of a quote
PASSAGE_CHARS = 700  # of each passage in the Sources view
MAX_URL = 2048  # longer "URLs" are junk from a bad export; linking them could not fit a message

_CITATION = re.compile(r"\[(\d{1,3})\]")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# One indivisible piece of HTML: a tag, an entity, or a single character.
_ATOM = re.compile(
    r"<[^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{0,31});|.", re.S
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?:\s*\[\d{1,3}\])*$")

# Break classes, best first: after a blank line, a line, a sentence, a word.
_PARAGRAPH, _LINE, _SENTENCE, _WORD, _NONE = 4, 3, 2, 1, 0
_TEXT, _OPEN, _CLOSE = 0, 1, 2


def escape(text: str) -> str:
    """Text for Telegram HTML: `<`, `>` and `&` become entities."""
    return html.escape(text, quote=False)


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) link fit for an `href`, else None."""
    if not url:
        return None
    url = url.strip()
    if len(url) > MAX_URL or any(char.isspace() for char in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url


def link(inner_html: str, url: str) -> str:
    """`<a href="url">inner</a>` with the URL escaped for an attribute."""
    return f'<a href="{html.escape(url, quote=True)}">{inner_html}</a>'


def cite(text: str, urls: dict[int, str | None]) -> str:
    """Escape `text` and turn each `[n]` with a known URL into a link to it."""
    out: list[str] = []
    last = 0
    for match in _CITATION.finditer(text):
        out.append(escape(text[last : match.start()]))
        url = urls.get(int(match.group(1)))
        out.append(link(match.group(0), url) if url else match.group(0))
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def answer_html(answer: Answer) -> str:
    """The reply: the short answer once in bold, the cited sentences with linked `[n]`, then
    each cited source on its own line (outlet · date · linked title) with the passage it was
    quoted from in an expandable blockquote (the quoted words in bold), then any notes."""
    urls = {c.n: safe_url(c.passage.url) for c in answer.citations}
    lead = ""
    if answer.short and not answer.abstained:
        lead = f"<b>{escape(answer.short)}</b>\n\n"
    sources = "".join(f"\n\n{_source_block(c)}" for c in answer.citations)
    notes = "".join(f"\n<i>({escape(note)})</i>" for note in answer.notes)
    if sources and notes:
        notes = "\n" + notes
    return lead + cite(answer.text, urls) + sources + notes


def source_line(passage: Passage) -> str:
    """`Outlet · 2019-05-20 · Title`, the title linked to the article when it has a URL."""
    title = escape(passage.title or "(untitled)")
    url = safe_url(passage.url)
    parts = [escape(passage.source)] if passage.source else []
    parts.append(passage.published.isoformat() if passage.published else "undated")
    parts.append(link(title, url) if url else title)
    return " · ".join(parts)


def quote_in_context(quote: str, passage_text: str, width: int = QUOTE_CONTEXT) -> str:
    """The quote with up to `width` characters of its passage on each side, cut at words,
    as HTML with the quote in bold; the quote alone when the passage does not hold it."""
    text = " ".join(passage_text.split())
    wanted = " ".join(quote.split())
    at = text.find(wanted) if wanted else -1
    if at < 0:
        return escape(wanted)
    before, after = text[:at], text[at + len(wanted) :]
    if len(before) > width:
        cut = before.find(" ", len(before) - width)
        before = "… " + before[cut + 1 :] if cut >= 0 else before[-width:]
    if len(after) > width:
        cut = after.rfind(" ", 0, width)
        after = after[: cut if cut > 0 else width] + " …"
    return f"{escape(before)}<b>{escape(wanted)}</b>{escape(after)}"


def _source_block(citation: Citation) -> str:
    passage = citation.passage
    lines = [f"[{citation.n}] {source_line(passage)}"]
    if passage.also_published_by:
        lines.append(f"<i>also published by {escape(', '.join(passage.also_published_by))}</i>")
    quoted = quote_in_context(citation.quote, passage.text)
    return "\n".join(lines) + f"\n<blockquote expandable>{quoted}</blockquote>"


def preview_url(answer: Answer) -> str | None:
    """The one article an answer cites, whose link may unfurl under it; None when it cites
    several (a preview of one would suggest it is the only source) or none."""
    urls = {safe_url(c.passage.url) for c in answer.citations}
    if len(urls) == 1:
        return next(iter(urls))
    return None


def sources_html(answer: Answer, *, shown: int = 5) -> str:
    """The Sources view: the passages the answer was read from, best first, each under its
    source line in an expandable blockquote, the cited ones marked with their number."""
    if not answer.passages:
        return "No sources: nothing in the archive matched this question."
    cited = {c.passage.chunk_id: c.n for c in answer.citations}
    head = (
        "<b>Sources</b>" if answer.citations else "<b>Closest articles</b> (not enough to answer)"
    )
    blocks = [head]
    for passage in answer.passages[:shown]:
        mark = f"[{cited[passage.chunk_id]}] " if passage.chunk_id in cited else "• "
        excerpt = escape(_clip(" ".join(passage.text.split()), PASSAGE_CHARS))
        blocks.append(
            f"{mark}{source_line(passage)}\n<blockquote expandable>{excerpt}</blockquote>"
        )
    return "\n\n".join(blocks)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + " …"


def stats_html(stats: ArchiveStats, *, outlets: int = 10) -> str:
    """What the archive holds, for admins."""
    cat = stats.catalog
    span = f"{cat.first} to {cat.last}" if cat.first else "no dated articles"
    if cat.undated:
        span += f" ({cat.undated} undated)"
    names = ", ".join(f"{escape(name)} ({n})" for name, n in cat.outlets[:outlets]) or "-"
    if len(cat.outlets) > outlets:
        names += f" and {len(cat.outlets) - outlets} more"
    languages = ", ".join(f"{escape(code)} ({n})" for code, n in cat.languages) or "-"
    return "\n".join(
        [
            "<b>Archive</b>",
            f"articles: {cat.articles}",
            f"chunks: {cat.chunks} ({stats.vectors} vectors)",
            f"dates: {span}",
            f"outlets: {names}",
            f"languages: {languages}",
            f"store: {escape(stats.store_kind)} Chroma; model {escape(stats.embedding_model)}",
        ]
    )


def to_plain(html_text: str) -> str:
    """The plain-text fallback: tags dropped, entities decoded, link targets spelled out."""
    out: list[str] = []
    hrefs: list[str | None] = []
    last = 0
    for match in _TAG.finditer(html_text):
        out.append(html.unescape(html_text[last : match.start()]))
        last = match.end()
        closing, name = match.group(1), match.group(2).lower()
        if name != "a":
            continue
        if not closing:
            href = _HREF.search(match.group(3))
            hrefs.append(html.unescape(href.group(1) or href.group(2) or "") if href else None)
        elif hrefs and (url := hrefs.pop()):
            out.append(f" ({url})")
    out.append(html.unescape(html_text[last:]))
    return "".join(out)


def text_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units): at least the number of characters."""
    return len(text.encode("utf-16-le")) // 2


# --- splitting ------------------------------------------------------------------------------


class _Atoms:
    """`text` cut into indivisible pieces, each with its kind, tag name, visible char and size."""

    def __init__(self, text: str, *, parse_tags: bool) -> None:
        self.raw: list[str] = _ATOM.findall(text) if parse_tags else list(text)
        self.kind: list[int] = []
        self.name: list[str] = []
        self.visible: list[str] = []
        for raw in self.raw:
            tag = _TAG.fullmatch(raw) if parse_tags and raw.startswith("<") else None
            if tag is not None:
                self.kind.append(_CLOSE if tag.group(1) else _OPEN)
                self.name.append(tag.group(2).lower())
                self.visible.append("")
            else:
                self.kind.append(_TEXT)
                self.name.append("")
                self.visible.append(
                    html.unescape(raw) if parse_tags and raw.startswith("&") else raw
                )
        self.size = [text_length(raw) for raw in self.raw]

    def __len__(self) -> int:
        return len(self.raw)

    def break_classes(self) -> list[int]:
        """For each index i, how good a split just before atom i is (0: not a boundary).

        A split goes after a run of white space (which stays with the earlier part) and before
        visible text or an opening tag, never before a closing tag.
        """
        classes = [_NONE] * len(self.raw)
        newlines = 0
        in_space = False
        tail = ""  # the last visible characters, for recognising a sentence end
        for i, char in enumerate(self.visible):
            starts_text = self.kind[i] == _OPEN or (char != "" and not char.isspace())
            if in_space and starts_text and i > 0:
                if newlines >= 2:
                    classes[i] = _PARAGRAPH
                elif newlines == 1:
                    classes[i] = _LINE
                elif _SENTENCE_END.search(tail.rstrip()):
                    classes[i] = _SENTENCE
                else:
                    classes[i] = _WORD
            if not char:
                continue  # tags are transparent
            if char.isspace():
                newlines = newlines + char.count("\n") if in_space else char.count("\n")
                in_space = True
            else:
                in_space = False
            tail = (tail + char)[-32:]
        return classes


def _replay(
    stack: list[tuple[str, str]], atoms: _Atoms, start: int, end: int
) -> list[tuple[str, str]]:
    """The open tags (name, raw start tag) after atoms[start:end], given those open before."""
    stack = list(stack)
    for i in range(start, end):
        if atoms.kind[i] == _OPEN:
            stack.append((atoms.name[i], atoms.raw[i]))
        elif atoms.kind[i] == _CLOSE:
            names = [name for name, _ in stack]
            if atoms.name[i] in names:
                del stack[len(names) - 1 - names[::-1].index(atoms.name[i]) :]
    return stack


def split_message(text: str, limit: int = MAX_MESSAGE, *, parse_tags: bool = True) -> list[str]:
    """Cut `text` into parts of at most `limit` (UTF-16 units of the raw text).

    Splits at the last paragraph break that fits, else a line, sentence or word break, else
    between two characters; never inside a tag or an entity. Tags open at a split are closed
    at the end of the part and opened again at the start of the next, so every part is valid
    on its own and the parts together show exactly the original text. With `parse_tags=False`
    the text is plain and `<`/`&` are ordinary characters.

    Raises ValueError when `limit` cannot hold even the tags that must be re-opened.
    """
    atoms = _Atoms(text, parse_tags=parse_tags)
    classes = atoms.break_classes()
    parts: list[str] = []
    stack: list[tuple[str, str]] = []
    pos = 0
    while pos < len(atoms):
        prefix = "".join(raw for _, raw in stack)
        used = text_length(prefix)
        names = [name for name, _ in stack]
        closers = sum(len(name) + 3 for name in names)
        fits = pos
        best: dict[int, int] = {}
        content = 0
        for i in range(pos, len(atoms)):
            content += atoms.size[i]
            if used + content > limit:
                break
            if atoms.kind[i] == _OPEN:
                names.append(atoms.name[i])
                closers += len(atoms.name[i]) + 3
            elif atoms.kind[i] == _CLOSE and atoms.name[i] in names:
                cut = len(names) - 1 - names[::-1].index(atoms.name[i])
                closers -= sum(len(name) + 3 for name in names[cut:])
                del names[cut:]
            if used + content + closers <= limit:
                fits = i + 1
                if fits < len(atoms) and classes[fits]:
                    best[classes[fits]] = fits
        if fits == pos:
            raise ValueError(f"a message limit of {limit} cannot hold this markup")
        end = fits
        if fits < len(atoms):
            floor = pos + (fits - pos) // 4  # a much shorter part is worse than a worse break
            end = next(
                (best[c] for c in (_PARAGRAPH, _LINE, _SENTENCE, _WORD) if best.get(c, 0) > floor),
                fits,
            )
            if end == fits:  # a hard cut: do not leave an opening tag dangling at the end
                while end - 1 > pos and atoms.kind[end - 1] == _OPEN:
                    end -= 1
        after = _replay(stack, atoms, pos, end)
        body = "".join(atoms.raw[pos:end])
        parts.append(prefix + body + "".join(f"</{name}>" for name, _ in reversed(after)))
        stack, pos = after, end
    return parts
