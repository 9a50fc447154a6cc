"""Sentence splitting and word tokens shared by chunking, keyword search and answering.

A rule-based splitter: fast, deterministic and good enough for news prose. It keeps
abbreviations ("U.S.", "Mr.", "Jan."), initials, decimals and ellipses inside a sentence.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from retrieval.text.morphology import is_function_word, script_language, stem_in

_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep pres rev hon
    inc ltd co corp bros jan feb mar apr jun jul aug sep sept oct nov dec vol pp fig al vs
    etc approx est dept univ ave blvd rd u.s u.k u.n e.g i.e a.m p.m ph.d mln bn
    maj brig cpl pvt det insp supt messrs mme mlle
    """.split()
)
# Abbreviations only before a number: "ranked No. 1", "Art. 5"; "he said no. Then" still ends.
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "art", "ch", "para", "sec", "p"})
# The next sentence may start with any letter or digit; whether that letter is a capital is
# checked in code, because `[A-Z]` would miss "Élodie", "Österreich" or "Łódź".
# Closing quotes, brackets and citation markers ("... in 2019.[1] Next") stay with the sentence.
_BOUNDARY = re.compile(
    r"(?<=[.!?…؟])(?P<close>(?:[\"'”’»)\]]|\[[\d,;\s\-–]+\])*)\s+(?=[\"'“‘«„(\[]?[^\W_])"
)
_OPENERS = "\"'“‘«„(["
_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:['’.-][^\W\d_]+)*", re.UNICODE)

STOPWORDS = frozenset(
    """
    a an the and or but if of to in on at by for with from as into about over after before
    under between during than then that this these those there here is are was were be been
    being am do does did done has have had having will would shall should can could may
    might must not no nor so too very just also only own same such both each few more most
    other some any all what which who whom whose when where why how it its it's he him his
    she her hers they them their theirs we us our ours you your yours i me my mine one ones
    up down out off again further once s t did didn't doesn't don't isn't wasn't weren't
    aren't won't wouldn't said says say tell told according while whether via per among
    against through because until upon within without across around toward towards onto like
    new get gets got getting gotten
    """.split()
)

# Four-letter words whose final "s" is not a plural.
_SINGULAR_S = frozenset({"news", "mars", "lens", "ares", "yes", "thus"})

QUESTION_WORDS = frozenset(
    """
    what which who whom whose when where why how did does do was were is are has have had
    many much name list tell give describe explain happened happen
    """.split()
)


# What answering reads of a sentence: its first words (a 200-word sentence would cost as
# much to embed as five short ones).
READ_WORDS = 64
# Shorter sentences are never answer candidates (fragments, datelines).
CANDIDATE_WORDS = 4


def reading_text(sentence: str) -> str:
    """The text of a sentence as answering embeds it: its first `READ_WORDS` words."""
    return " ".join(sentence.split()[:READ_WORDS])


def candidate_sentences(text: str) -> list[str]:
    """The sentences of a passage that answering may read (ingest stores their vectors)."""
    return [s for s in split_sentences(text) if len(s.split()) >= CANDIDATE_WORDS]


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences, paragraph breaks always ending one."""
    sentences: list[str] = []
    for raw in re.split(r"\n\s*\n|\n", text):
        paragraph = raw.strip()
        if paragraph:
            sentences.extend(_split_paragraph(paragraph))
    return sentences


def _split_paragraph(paragraph: str) -> Iterator[str]:
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        candidate = paragraph[start : match.start() + len(match.group("close"))].rstrip()
        last_word = (
            paragraph[start : match.start()].rsplit(None, 1)[-1] if candidate.split() else ""
        )
        following = paragraph[match.end() :].lstrip(_OPENERS)[:1]
        if following.islower():
            continue  # "Wait... and then": a sentence starts with a capital or a digit
        stem = last_word.rstrip(".").lower().lstrip("(\"'“")
        # Initials, one or several ("J. Smith", "J.R.R. Tolkien", "the F.B.I. said").
        initial = re.fullmatch(r"\(?(?:[^\W\d_]\.)+", last_word)  # "J.", "В.В."
        numbered = stem in _NUMBER_ABBREVIATIONS and following.isdigit()
        if stem in _ABBREVIATIONS or initial or numbered:
            continue  # an abbreviation or an initial, not the end of a sentence
        if len(candidate) < 3:
            continue
        yield candidate
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        yield tail


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens. Turkish "İ" lower-cases to "i" plus a combining
    dot, which is dropped, so "İdlib" is the word "idlib"."""
    return [w.lower().replace("\u0307", "") for w in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Tokens that carry meaning: no stop words, no question words."""
    # Stop words are listed with a straight apostrophe; news text mostly has curly ones.
    return [
        w
        for w in words(text)
        if (plain := w.replace("’", "'")) not in STOPWORDS
        and plain not in QUESTION_WORDS
        and not (not w.isascii() and is_function_word(w))
    ]


# Irregular past forms of common verbs, so "won" meets "win" and "chosen" meets "choose".
# Forms that are also everyday nouns or other verbs ("left", "found", "saw", "wound", "rose",
# "fell", "lay") are left out: merging them would join unrelated words.
IRREGULAR_FORMS = {
    form: base
    for base, forms in {
        "win": "won",
        "beat": "beaten",
        "lose": "lost",
        "hold": "held",
        "strike": "struck",
        "meet": "met",
        "sell": "sold",
        "buy": "bought",
        "pay": "paid",
        "send": "sent",
        "spend": "spent",
        "tell": "told",
        "make": "made",
        "take": "took taken",
        "give": "gave given",
        "get": "got gotten",
        "go": "went gone",
        "come": "came",
        "run": "ran",
        "begin": "began begun",
        "choose": "chose chosen",
        "draw": "drew drawn",
        "fly": "flew flown",
        "fight": "fought",
        "catch": "caught",
        "bring": "brought",
        "build": "built",
        "keep": "kept",
        "sink": "sank sunk",
        "seek": "sought",
        "speak": "spoke spoken",
        "steal": "stole stolen",
        "swear": "swore sworn",
        "teach": "taught",
        "think": "thought",
        "throw": "threw thrown",
        "write": "wrote written",
        "know": "knew known",
        "break": "broke broken",
        "withdraw": "withdrew withdrawn",
        "freeze": "froze frozen",
        "hide": "hid hidden",
        "stand": "stood",
        "understand": "understood",
        "forgive": "forgave forgiven",
        "see": "seen",
        "eat": "ate eaten",
        "grow": "grew grown",
        "ride": "rode ridden",
        "sing": "sang sung",
        "swim": "swam swum",
        "lead": "led",
        "flee": "fled",
        "feed": "fed",
        "sleep": "slept",
        "sweep": "swept",
        "deal": "dealt",
        "become": "became",
        "arise": "arose arisen",
        "blow": "blew blown",
        "forget": "forgot forgotten",
        "shake": "shook shaken",
        "shrink": "shrank shrunk",
        "stick": "stuck",
        "swing": "swung",
        "tear": "tore torn",
        "wake": "woke woken",
        "wear": "wore worn",
        "hang": "hung",
        "dig": "dug",
        "spin": "spun",
        "overcome": "overcame",
        "overthrow": "overthrew overthrown",
        "undergo": "underwent undergone",
        "uphold": "upheld",
        "withhold": "withheld",
        "mislead": "misled",
        "bite": "bit bitten",
        "drive": "drove driven",
        "rise": "risen",
        "fall": "fallen",
        "shoot": "shot",
        "sit": "sat",
        "bear": "borne",
    }.items()
    for form in forms.split()
}


@functools.lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light suffix stripper so 'strikes', 'striking' and 'strike' meet (and 'won', 'win');
    a Cyrillic or Arabic word is stemmed by its language's Snowball stemmer (`morphology`)."""
    if not word.isascii() and (language := script_language(word)) is not None:
        return stem_in(word, language)
    return _english_stem(word)


def _english_stem(word: str) -> str:
    if word in IRREGULAR_FORMS:
        return stem(IRREGULAR_FORMS[word])
    # The possessive first: tried after "s" it never matched, and "turkey's" became "turkey'".
    if word.endswith(("'s", "’s")) and len(word) > 3:
        word = word[:-2]
    if len(word) > 5 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"  # countries, carried
    if len(word) == 4 and word.endswith(("ies", "ied")):
        return word[:-1]  # dies, died, lies, tied: "when did he die?" meets "he died"
    if (
        len(word) == 4
        and word.endswith("s")
        and not word.endswith(("ss", "us", "is", "as", "os"))
        and word not in _SINGULAR_S
    ):
        return word[:-1]  # wins, cuts, bans, hits
    if len(word) == 5 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]  # ended, voted, named: "ended" meets "ends", "voted" meets "vote"
    stripped = ""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            word, stripped = word[: -len(suffix)], suffix
            break
    # A final "e" goes too, so "strike" meets "strik(es)" and "strik(ing)"; not after "ed",
    # "es" or "ing", which took a verb's own "e" with them ("agreed" is "agre", like "agree").
    if stripped in ("", "s") and len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word
