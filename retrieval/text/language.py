"""Which language a text is written in: ISO 639-1 codes ("en", "ru", "tr", ...) or "und".

py3langid (a naive Bayes model over byte n-grams, shipped inside the package, no network)
reads the text; the script it is written in settles what the model cannot on short texts:

* too few letters, or no script holding most of them (half Cyrillic, half Latin): "und";
* Cyrillic is Russian unless it is clearly another language (Ukrainian і ї є ґ, Belarusian ў,
  or a confident model without the Russian-only ы э): "Что сказал министр?" is not Bulgarian;
* Arabic script is Arabic unless the model is sure of Persian/Urdu and their letters are there;
* Latin with the Turkish letters ğ ı İ (or ş without Romanian ă ţ) is Turkish when the model
  is unsure (a confident English "What did Erdoğan say?" stays English);
* scripts one language owns (Greek, Hebrew, Hangul, kana, Thai, Georgian, Armenian) decide;
* otherwise the model's answer when it believes it (probability 0.5, or 0.25 and 2.5 times the
  runner-up's), else "und".

Languages without an ISO 639-1 code (Kabyle, Nigerian Pidgin, ...) are "und"; dialect codes
fold into their macrolanguage (Egyptian Arabic `arz` -> "ar", Cantonese `yue` -> "zh").
The model is loaded once, on first use (half a second), so importing this module costs nothing.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Protocol

UNDETERMINED = "und"

SAMPLE_CHARS = 2000  # the opening of a long article decides; the rest only costs time
MIN_LETTERS = 3  # fewer letters than this say nothing
DOMINANT_SHARE = 0.6  # a script holding less than this share of the letters: a mixed text
MIN_CONFIDENCE = 0.5  # the model's normalised probability from which it is believed outright
MIN_LEAD = 0.25, 2.5  # or from this probability when it is this many times the runner-up's
QUESTION_SCRIPT_LETTERS = 4  # a question this many letters in a non-Latin script speaks it

# The model's codes without a two-letter form that fold into a macrolanguage's.
_MACRO = {
    "ary": "ar",
    "arz": "ar",
    "fuv": "ff",
    "gug": "gn",
    "hbo": "he",
    "kik": "ki",
    "ltg": "lv",
    "sdh": "ku",
    "uzs": "uz",
    "wuu": "zh",
    "yue": "zh",
}
# What exports write for a language besides ISO 639-1: the ISO 639-2 codes of common ones.
_THREE_LETTER = {
    "ara": "ar",
    "chi": "zh",
    "deu": "de",
    "eng": "en",
    "fra": "fr",
    "fre": "fr",
    "ger": "de",
    "ita": "it",
    "jpn": "ja",
    "por": "pt",
    "rus": "ru",
    "spa": "es",
    "tur": "tr",
    "ukr": "uk",
    "zho": "zh",
}
# Scripts one language owns among those the model knows.
_SCRIPT_LANGUAGE = {
    "greek": "el",
    "hebrew": "he",
    "hangul": "ko",
    "thai": "th",
    "georgian": "ka",
    "armenian": "hy",
    "kana": "ja",  # Chinese has no kana; Japanese mixes them with Han characters
}
_CYRILLIC_LANGUAGES = frozenset(
    {"ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "mn", "tt", "ba", "tg"}
)
_RUSSIAN_ONLY = frozenset("ыэЫЭ")  # not written in Ukrainian, Bulgarian, Macedonian, Serbian
_NOT_RUSSIAN = frozenset({"uk", "bg", "mk", "sr"})
_UKRAINIAN = frozenset("іїєґІЇЄҐ")
_BELARUSIAN = frozenset("ўЎ")
_PERSIAN_FAMILY = frozenset({"fa", "ur", "ps", "ku", "ug"})
_PERSIAN_LETTERS = frozenset("پچژگکیۀےٹڈڑں")
_TURKISH = frozenset("ğĞıİ")
_TURKISH_S = frozenset("şŞ")
_ROMANIAN = frozenset("ăĂţŢțȚ")

# (first code point, last code point, script) for the letters whose script matters here.
_RANGES = (
    (0x0041, 0x024F, "latin"),
    (0x0370, 0x03FF, "greek"),
    (0x0400, 0x052F, "cyrillic"),
    (0x0530, 0x058F, "armenian"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x08A0, 0x08FF, "arabic"),
    (0x0E00, 0x0E7F, "thai"),
    (0x10A0, 0x10FF, "georgian"),
    (0x1100, 0x11FF, "hangul"),
    (0x1E00, 0x1EFF, "latin"),
    (0x1F00, 0x1FFF, "greek"),
    (0x3040, 0x30FF, "kana"),
    (0x3400, 0x4DBF, "han"),
    (0x4E00, 0x9FFF, "han"),
    (0xAC00, 0xD7AF, "hangul"),
    (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
)


class _Classifier(Protocol):
    def rank(self, text: str) -> list[tuple[str, float]]: ...


_model: _Classifier | None = None
_model_lock = threading.Lock()


def _classifier() -> _Classifier:
    """py3langid's identifier with normalised probabilities, loaded once for the process."""
    global _model  # noqa: PLW0603 - one model per process, loaded on first use
    with _model_lock:
        if _model is None:
            # Deferred: unpacking the model takes half a second, which `newsbot --help` and
            # every command that never reads a language should not pay.
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _model


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language `text` is written in, or "und" when unclear."""
    sample = text[:SAMPLE_CHARS]
    scripts = _script_counts(sample)
    letters = sum(scripts.values())
    if letters < MIN_LETTERS:
        return UNDETERMINED
    script, count = scripts.most_common(1)[0]
    if count < DOMINANT_SHARE * letters:
        return UNDETERMINED
    return _settle(sample, script)


def question_language(question: str, default: str = "en") -> str:
    """The language a question is asked in; `default` when it cannot be told.

    A question is short, so its script counts for more than in an article: a few Cyrillic,
    Arabic or Greek words among Latin names ("Что сказал Donald Trump о NATO?") decide it.
    """
    found = detect_language(question)
    if found != UNDETERMINED:
        return found
    scripts = _script_counts(question[:SAMPLE_CHARS])
    scripts.pop("latin", None)
    if scripts:
        script, count = scripts.most_common(1)[0]
        if count >= QUESTION_SCRIPT_LETTERS:
            return _settle(question[:SAMPLE_CHARS], script)
    return default


def asked_language(question: str) -> str:
    """The language to read a question in: English for a question in plain ASCII (as every
    English question was read before; no model is loaded for it), else `question_language`."""
    return "en" if question.isascii() else question_language(question)


def language_code(value: object) -> str | None:
    """A language as exports write it ("ru", "RU", "ru-RU", "en_GB", "rus") -> "ru"; None
    when it is not a language code (empty, "Russian", "und")."""
    if not isinstance(value, str):
        return None
    head = value.strip().replace("_", "-").split("-")[0].casefold()
    if len(head) == 2 and head.isascii() and head.isalpha():
        return head
    return _THREE_LETTER.get(head)


def _settle(sample: str, script: str) -> str:
    """The language of `sample`, mostly written in `script`: the model, checked by the script."""
    if script in _SCRIPT_LANGUAGE:
        return _SCRIPT_LANGUAGE[script]
    ranked = _classifier().rank(sample)
    code = _MACRO.get(ranked[0][0], ranked[0][0])
    confident = _believed(ranked[0][1], ranked[1][1] if len(ranked) > 1 else 0.0)
    letters = set(sample)
    if script == "cyrillic":
        return _cyrillic(code, confident, letters)
    if script == "arabic":
        persian = code in _PERSIAN_FAMILY and confident and bool(letters & _PERSIAN_LETTERS)
        return code if persian else "ar"
    if script == "han":
        return "ja" if code == "ja" and confident else "zh"
    if script == "latin" and not confident and _looks_turkish(letters):
        return "tr"  # a confident model is right: "Erdoğan" in an English question is a name
    return code if confident and len(code) == 2 else UNDETERMINED


def _believed(best: float, runner_up: float) -> bool:
    """Whether the model's best guess stands: probable outright, or well ahead of the next."""
    least, lead = MIN_LEAD
    return best >= MIN_CONFIDENCE or (best >= least and best >= lead * runner_up)


def _cyrillic(code: str, confident: bool, letters: set[str]) -> str:
    if code in _CYRILLIC_LANGUAGES and confident:
        return "ru" if code in _NOT_RUSSIAN and letters & _RUSSIAN_ONLY else code
    if letters & _BELARUSIAN:
        return "be"
    if letters & _UKRAINIAN and not letters & _RUSSIAN_ONLY:
        return "uk"
    return "ru"


def _looks_turkish(letters: set[str]) -> bool:
    if letters & _TURKISH:
        return True
    return bool(letters & _TURKISH_S) and not letters & _ROMANIAN


def _script_counts(text: str) -> Counter[str]:
    """How many letters of `text` each script of `_RANGES` holds (other letters: "other")."""
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            counts[_script(ord(char))] += 1
    return counts


def _script(point: int) -> str:
    for first, last, name in _RANGES:
        if point < first:
            break
        if point <= last:
            return name
    return "other"
