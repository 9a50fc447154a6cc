"""Words that are not English: their script, their stem, and the function words to skip.

The text toolkit was written for English; a word in another script is now stemmed by the
Snowball stemmer of its language (Cyrillic: Russian, Arabic script: Arabic), so "Бородина"
meets "Бородин" and "выборах" meets "выборов" wherever the reader and the keyword index
compare stems. The script says the language without any detection, so an English archive is
untouched: a word written in ASCII, or in Latin letters with accents, goes through the English
stemmer exactly as before. French and Turkish share the Latin script with English, so they are
not told apart here: stemming them needs the article's or the question's language passed down
(not done yet).

The function-word lists are short on purpose: pronouns, prepositions, conjunctions, particles,
auxiliaries and the question words, never a word that can carry a question's meaning (the
lists the stop-word packages ship count "год", "миллионов" and "процентов" as stop words).
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

# Capital letters of the Latin (accented too), Greek and Cyrillic alphabets, for a regex
# character class: "Çavuşoğlu", "Élodie" and "Мевлют" are capitalised as "Smith" is.
CAPITALS = "A-Z" + "".join(
    re.escape(c) for c in map(chr, range(0xC0, 0x530)) if c.isupper() and c.isalpha()
)

SNOWBALL = {"ru": "russian", "ar": "arabic"}

# fmt: off
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "ru": frozenset("""
        а без более бы был была были было быть в вам вас весь во вот все всё всего всех вы где
        да даже для до его ее её ей ему если есть еще ещё же за и из или им ими их к как ко
        когда кто ли либо мне мной мы на над не него нее неё нет ни них но ну о об однако он
        она они оно от очень по под при с со так также такой там те тем то того тоже той
        только том ты у уже хотя чего чей чем что чтобы чье чьё чья эта эти это этого этой этом
        этот я какой какая какое какие каком какого какую каким какими каких кого кому кем
        сколько почему зачем куда откуда который которая которое которые которого которой
        котором которых свой своя своё свои своего своей
    """.split()),
    "ar": frozenset("""
        في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين هو هي هم كان كانت يكون أن ان
        إن لا لم لن ما ماذا متى أين اين كيف كم لماذا من هل أو او ثم قد كل بعد قبل عند حتى بين
        أي اي و ف ب ل
    """.split()),
}
# fmt: on


def script_language(word: str) -> str | None:
    """The language a word's script stands for here: "ru" for Cyrillic, "ar" for Arabic;
    None for Latin letters (English, French, Turkish ... cannot be told apart by script)."""
    for char in word:
        code = ord(char)
        if 0x0400 <= code <= 0x04FF:
            return "ru"
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F:
            return "ar"
    return None


@lru_cache(maxsize=8192)
def text_language(text: str) -> str:
    """The language of a sentence as its script tells it: "ru" or "ar" when most of its
    letters are Cyrillic or Arabic, else "en" (Latin letters are read as English, as ever)."""
    counts = {"ru": 0, "ar": 0, "latin": 0}
    for char in text:
        if char.isalpha():
            counts[script_language(char) or "latin"] += 1
    best = max(counts, key=lambda k: counts[k])
    return best if best != "latin" and counts[best] else "en"


@lru_cache(maxsize=8)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(SNOWBALL[language])


@lru_cache(maxsize=65536)
def stem_in(word: str, language: str) -> str:
    """`word` (lower-cased) stemmed by the Snowball stemmer of `language`."""
    return str(_stemmer(language).stemWord(word))


def is_function_word(word: str) -> bool:
    """A function or question word of the language its script says (lower-cased input);
    never true for a Latin-script word (English keeps its own list)."""
    language = script_language(word)
    return language is not None and word in FUNCTION_WORDS[language]
