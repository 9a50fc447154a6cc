"""Hostile input for property tests: hypothesis strategies, raw bytes, and what must not survive.

`INVISIBLE_OR_CONTROL` are the characters cleaning removes from every title and body
(zero-width and bidi controls, byte-order marks, C0 controls but tab and newlines).
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

INVISIBLE_OR_CONTROL = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\x00-\x08\x1b]")
BINARY = bytes(range(256)) * 8  # every byte value: a "text" file that is not text

NASTY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("\u200b\u202e\u2066\ufeff\x00\x1b\r\n\t <>&*_[]()#-|/")),
    ),
    max_size=300,
)

DATEISH = st.one_of(
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

EMOJI_AND_ASTRAL = st.lists(
    st.one_of(
        st.sampled_from([*"ab \n.&<>", "🔥", "👩\u200d👩\u200d👧", "𝔘", "\u0301", "&amp;", "&lt;"]),
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
    ),
    max_size=300,
).map("".join)
