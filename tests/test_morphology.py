"""Words in other scripts: stems, function words, names, sentences, keyword terms, and an
archive that mixes English and Russian articles."""

from __future__ import annotations

from datetime import date

import pytest

from ingest.articles import Article
from ingest.pipeline import Ingestor
from retrieval.answering.article_dates import dated_outside, mentions_date
from retrieval.archive import Archive
from retrieval.archive.keywords import fts_term
from retrieval.question.profile import NAME_WORD, profile, question_kind
from retrieval.responder import Responder
from retrieval.text.morphology import is_function_word, script_language, text_language
from retrieval.text.sentences import content_words, split_sentences, stem, words
from retrieval.text.variants import fold, spelled_alike
from tests.support.telegram_data import ARTICLES, STRIKE_Q


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Бородина", "Бородин"),  # a name in two cases
        ("выборах", "выборов"),
        ("музее", "музей"),
        ("выставки", "выставка"),
        ("الرئيس", "رئيس"),  # Arabic: the article "ال" is not the word
        ("بالمدينة", "مدينة"),  # nor "بال" ("in the")
    ],
)
def test_words_in_other_scripts_meet_their_other_forms(one: str, other: str) -> None:
    assert stem(one.lower()) == stem(other.lower())


def test_english_stems_are_what_they_were() -> None:
    assert [stem(w) for w in ("strikes", "striking", "strike", "won", "countries")] == [
        "strik",
        "strik",
        "strik",
        "win",
        "country",
    ]
    assert script_language("Erdoğan") is None  # Latin letters: English rules, as before


def test_function_words_of_other_scripts_are_not_content() -> None:
    assert content_words("Кто стал лауреатом премии в 2019 году?") == [
        "стал",
        "лауреатом",
        "премии",
        "2019",
        "году",
    ]
    assert is_function_word("какой") and not is_function_word("год")
    assert not is_function_word("son")  # a Latin word is never taken for French


def test_turkish_dotted_capital_i_folds_to_plain_i() -> None:
    assert words("İdlib ve Idlib") == ["idlib", "ve", "idlib"]


def test_names_in_any_alphabet_with_capitals() -> None:
    text = "Smith met Çavuşoğlu and Мевлют Чавушоглу in İdlib; Élodie said so."
    assert [m.group(0) for m in NAME_WORD.finditer(text)] == [
        "Smith",
        "Çavuşoğlu",
        "Мевлют",
        "Чавушоглу",
        "İdlib",
        "Élodie",
    ]
    asked = profile("Какой приз получил художник Кирилл Бородин за «Витамин Б»?")
    assert set(asked.names) >= {"кирилл", "бородин", "витамин"}


def test_russian_question_types() -> None:
    assert question_kind("Сколько человек погибло?") == "how_many"
    assert question_kind("Когда скончался Чарли Роули?") == "when"
    assert question_kind("В каком году Марк Холлис создал группу?") == "when"
    assert question_kind("Кто стал лауреатом премии?") == "who"
    assert question_kind("Был ли арестован мэр?") == "yesno"
    assert question_kind("В каком музее открылась выставка?") == "what"  # no typed answer yet
    assert question_kind("How many workers joined?") == "how_many"


def test_sentences_end_at_arabic_question_marks_but_not_at_cyrillic_initials() -> None:
    assert split_sentences("من فاز؟ فاز الحزب.") == ["من فاز؟", "فاز الحزب."]
    assert split_sentences("Выступил В.В. Путин. Затем был обед.") == [
        "Выступил В.В. Путин.",
        "Затем был обед.",
    ]


def test_keyword_terms_look_russian_words_up_by_their_stem() -> None:
    assert fts_term("бородина") == '"бородин"*'
    assert fts_term("музее") == '"музее"'  # a stem of three letters would find too much
    assert fts_term("strike") == '"strike"'


def test_cyrillic_and_latin_spellings_of_a_name_are_one_name() -> None:
    assert fold("Путин") == "putin"
    assert spelled_alike("Putin", "Путина", name=True)
    assert spelled_alike("Shoigu", "Шойгу", name=True)
    assert not spelled_alike("Putin", "Путь", name=True)


def test_dates_of_other_languages_are_mentions_and_bound_an_undated_page() -> None:
    assert text_language("В Сочи 15 декабря 2017 года открылась выставка.") == "ru"
    assert mentions_date("В Сочи 15 декабря 2017 года открылась выставка.")
    assert not mentions_date("В Сочи открылась выставка.")
    assert dated_outside(
        "Выставка открылась 15 декабря 2017 года.", date(2015, 1, 1), date(2015, 12, 31)
    )
    assert not dated_outside("Выставка открылась 15 декабря 2017 года.", date(2017, 12, 1), None)
    assert not dated_outside("Выставка открылась.", date(2015, 1, 1), date(2015, 12, 31))


RUSSIAN = [
    Article(
        title="Выставка Кирилла Бородина в Сочи",
        body=(
            "15 декабря 2017 года в Сочинском художественном музее открылась персональная "
            "выставка художника Кирилла Бородина. На выставке представлено 40 картин."
        ),
        origin="test:ru-1",
        url="https://news.example/ru/borodin",
        source="Сочи Новости",
        published=date(2017, 12, 16),
    ),
    Article(
        title="Забастовка в порту Новороссийска",
        body="Около 1200 докеров порта Новороссийска объявили забастовку в понедельник.",
        origin="test:ru-2",
        url="https://news.example/ru/port",
        source="Черноморская газета",
        published=date(2018, 3, 5),
    ),
]


def test_an_archive_of_english_and_russian_articles_answers_both(archive: Archive) -> None:
    assert Ingestor(archive).ingest([*ARTICLES, *RUSSIAN]).added == 4
    responder = Responder(archive)
    english = responder.ask(STRIKE_Q)
    assert english.short == "4,000"
    assert english.citations[0].passage.url == ARTICLES[0].url
    russian = responder.ask("Сколько картин представлено на выставке Кирилла Бородина?")
    assert not russian.abstained
    assert russian.citations[0].passage.url == "https://news.example/ru/borodin"
    assert "40" in russian.reply()
    dockers = responder.ask("Сколько докеров объявили забастовку в порту Новороссийска?")
    assert "1200" in dockers.reply()
    assert dockers.citations[0].passage.url == "https://news.example/ru/port"
    when = responder.ask("Когда открылась выставка Кирилла Бородина?")
    assert when.short == "15 декабря 2017 года"  # the date as the article writes it
    missed = responder.ask("Сколько картин представлено на выставке Кирилла Бородина в 2015 году?")
    assert missed.abstained  # the page says 2017: not an answer about 2015


def test_spaced_thousands_are_one_number_outside_english() -> None:
    from retrieval.answering.short_answer import short_answer

    asked = "Сколько водителей участвовали в забастовке?"
    sentence = "В забастовке участвовали 1 200 водителей."
    assert short_answer("how_many", sentence, asked, ("водител",), None) == "1 200"
    french = "Environ 3\u00a0500 dockers ont fait grève."  # a non-breaking space: any language
    assert short_answer("how_many", french, "Combien de dockers ?", (), None) == "3\u00a0500"
    english = "In 2019 200 people came."  # a year, then a count: two numbers
    assert short_answer("how_many", english, "How many people came?", ("peopl",), None) == "200"
