"""Telegram's HTML parse mode, as the fake Bot API server enforces it on sent messages.

Why a validator of our own: the fake must refuse what api.telegram.org refuses, so a formatter
bug fails a test instead of a user's message. It is deliberately *stricter* than Telegram where
the documentation is stricter than the server (a bare ``&`` is rejected, as the docs demand;
tdlib lets it through), so our formatter is held to the documented contract. Error messages
mimic tdlib's wording, offsets included.
"""

from __future__ import annotations

import re

# A packed word list reads better than one word per line, hence the fmt: off block.
# fmt: off
_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
})
# fmt: on
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]*);")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR_RE = re.compile(r"\s*([a-zA-Z_][a-zA-Z0-9_-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message mimics tdlib's wording."""


def _byte_offset(text: str, index: int) -> int:
    """Telegram reports UTF-8 byte offsets, not character indexes."""
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int) -> tuple[str, int]:
    """Decode the entity starting with the '&' at ``index``; return it and the index after.

    Only the four named entities and numeric ones exist in Telegram HTML; anything else after
    an '&' is an error, which is what catches text that was never escaped.
    """
    match = _ENTITY_RE.match(text, index)
    offset = _byte_offset(text, index)
    if match is None:
        raise EntityParseError(f'Character "&" must be escaped as "&amp;" at byte offset {offset}')
    name = match.group(1)
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], match.end()
    if not name.startswith("#"):
        raise EntityParseError(f'Unsupported entity "&{name};" at byte offset {offset}')
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise EntityParseError(f"Invalid character entity at byte offset {offset}")
    return chr(code), match.end()


def _decode_all(text: str, start: int, end: int) -> str:
    """Decode the entities in ``text[start:end]`` (an attribute value)."""
    out: list[str] = []
    i = start
    while i < end:
        if text[i] == "&":
            char, i = _decode_entity(text, i)
        else:
            char, i = text[i], i + 1
        out.append(char)
    return "".join(out)


def _check_start_tag(name: str, attrs: dict[str, str], offset: int) -> None:
    """Enforce the per-tag attribute rules of Telegram's HTML parse mode."""
    if name not in _TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "a" and not attrs.get("href"):
        raise EntityParseError(f'Tag "a" must have attribute "href" at byte offset {offset}')
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise EntityParseError(
            f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
        )


def parse_html(text: str) -> str:
    """Validate Telegram-flavoured HTML and return the plain text a user would see."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            decoded, i = _decode_entity(text, i)
            out.append(decoded)
        elif char != "<":
            out.append(char)
            i += 1
        elif text.startswith("</", i):
            i = _parse_end_tag(text, i, stack)
        else:
            i = _parse_start_tag(text, i, stack)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _parse_start_tag(text: str, start: int, stack: list[str]) -> int:
    """Read ``<name attr="v" ...>`` at ``start``, push it, and return the index after it."""
    offset = _byte_offset(text, start)
    name_match = _TAG_NAME_RE.match(text, start + 1)
    if name_match is None:
        raise EntityParseError(
            f'Unexpected "<" at byte offset {offset}; escape a literal "<" as "&lt;"'
        )
    name = name_match.group().lower()
    attrs: dict[str, str] = {}
    i = name_match.end()
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {offset}')
        if text[i] == ">":
            break
        attr = _ATTR_RE.match(text, i)
        if attr is None or attr.end() == i:
            raise EntityParseError(f'Invalid attribute in tag "{name}" at byte offset {offset}')
        start_v, end_v = attr.span(2) if attr.group(2) else (i, i)
        if attr.group(2) and text[start_v] in {'"', "'"}:
            start_v, end_v = start_v + 1, end_v - 1
        attrs[attr.group(1).lower()] = _decode_all(text, start_v, end_v)
        i = attr.end()
    _check_start_tag(name, attrs, offset)
    stack.append(name)
    return i + 1


def _parse_end_tag(text: str, start: int, stack: list[str]) -> int:
    """Read ``</name>`` at ``start``, pop its start tag, and return the index after it."""
    offset = _byte_offset(text, start)
    close = text.find(">", start)
    name = text[start + 2 : close].strip().lower() if close != -1 else ""
    if close == -1 or not _TAG_NAME_RE.fullmatch(name):
        raise EntityParseError(f"Invalid end tag at byte offset {offset}")
    if not stack:
        raise EntityParseError(f'Unexpected end tag "</{name}>" at byte offset {offset}')
    if stack[-1] != name:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", '
            f'found "</{name}>"'
        )
    stack.pop()
    return close + 1
