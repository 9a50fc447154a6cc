"""Coverage: binning (pure, on hand-built records), the archive end to end, the chart's pixels
and `newsbot coverage`."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from bot.cli import cli
from bot.coverage_chart import (
    OTHER_COLOUR,
    coverage_caption,
    coverage_png,
    coverage_text,
    outlet_colours,
)
from ingest.articles import Article
from ingest.pipeline import Ingestor
from retrieval.archive import Archive
from retrieval.archive.catalog import ArticleRecord
from retrieval.archive.embedding import HashingEmbedding
from retrieval.coverage import (
    MAX_OUTLETS,
    OTHER_OUTLETS,
    Coverage,
    count_coverage,
    coverage,
    events_from_answer,
)
from retrieval.results import Answer, Citation, Passage
from retrieval.topics import TopicMatch
from tests.support.charts import bars_in, matches_colour, rgb
from tests.support.settings import make_settings


def record(n: int, published: date | None, source: str | None = "Harbor Wire") -> ArticleRecord:
    return ArticleRecord(
        article_id=f"a{n}",
        content_hash=f"h{n}",
        body_hash=f"b{n}",
        title=f"Story {n}",
        source=source,
        url=f"https://news.example/{n}",
        published=published,
        date_source="metadata" if published else "none",
        author=None,
        origin=f"test:{n}",
        external_id=None,
        story_id=None,
        n_chunks=1,
    )


def totals(found: Coverage) -> list[tuple[date, int]]:
    return [(b.start, b.total) for b in found.bins]


# --- binning ---------------------------------------------------------------------------------


def test_iso_weeks_start_on_monday_and_empty_weeks_are_kept() -> None:
    # Sunday 2019-04-14 is in the week of Monday 04-08; 2019-04-15 starts the next; none in 04-22
    days = [date(2019, 4, 8), date(2019, 4, 14), date(2019, 4, 15), date(2019, 5, 1)]
    found = count_coverage("strike", [record(i, d) for i, d in enumerate(days)])
    assert found.unit == "week"
    assert totals(found) == [
        (date(2019, 4, 8), 2),
        (date(2019, 4, 15), 1),
        (date(2019, 4, 22), 0),
        (date(2019, 4, 29), 1),
    ]
    assert found.articles == 4
    assert found.undated == 0
    assert found.peak() == found.bins[0]


def test_iso_weeks_across_the_new_year() -> None:
    # 2020-12-31 is a Thursday of ISO week 53, which began Monday 2020-12-28; 2021-01-04 is week 1
    found = count_coverage("x", [record(1, date(2020, 12, 31)), record(2, date(2021, 1, 4))])
    assert totals(found) == [(date(2020, 12, 28), 1), (date(2021, 1, 4), 1)]


def test_months_keep_empty_months_and_cross_the_year() -> None:
    days = [date(2019, 11, 30), date(2019, 11, 1), date(2020, 2, 29)]
    found = count_coverage("x", [record(i, d) for i, d in enumerate(days)], unit="month")
    assert totals(found) == [
        (date(2019, 11, 1), 2),
        (date(2019, 12, 1), 0),
        (date(2020, 1, 1), 0),
        (date(2020, 2, 1), 1),
    ]


def test_auto_unit_switches_to_months_beyond_half_a_year() -> None:
    first = date(2019, 1, 7)  # a Monday
    within = count_coverage("x", [record(1, first), record(2, first + timedelta(weeks=25))])
    beyond = count_coverage("x", [record(1, first), record(2, first + timedelta(weeks=26))])
    assert (within.unit, len(within.bins)) == ("week", 26)
    assert (beyond.unit, len(beyond.bins)) == ("month", 7)
    assert count_coverage("x", [record(1, first)], unit="month").unit == "month"


def test_outlets_ranked_and_the_rest_folded_into_other_outlets() -> None:
    # outlet k publishes 10 - k articles on one day; ties are broken by name
    outlets = [f"Outlet {k}" for k in range(9)]
    records = [
        record(k * 100 + i, date(2019, 4, 1), outlet)
        for k, outlet in enumerate(outlets)
        for i in range(10 - k)
    ]
    found = count_coverage("x", records)
    assert found.outlets == (*outlets[: MAX_OUTLETS - 1], OTHER_OUTLETS)
    assert found.folded == tuple(outlets[MAX_OUTLETS - 1 :])
    assert found.outlet_count == 9
    (only,) = found.bins
    assert dict(only.counts)[OTHER_OUTLETS] == 4 + 3 + 2
    assert [o for o, _ in only.counts] == list(found.outlets)  # every outlet, zeros kept
    assert only.total == found.articles == sum(range(2, 11))


def test_as_many_outlets_as_the_chart_holds_are_all_named() -> None:
    records = [record(k, date(2019, 4, 1), f"Outlet {k}") for k in range(MAX_OUTLETS)]
    found = count_coverage("x", records)
    assert OTHER_OUTLETS not in found.outlets
    assert found.folded == ()
    assert len(found.outlets) == MAX_OUTLETS


def test_undated_articles_are_counted_apart_and_unknown_outlets_named() -> None:
    records = [record(1, date(2019, 4, 1), None), record(2, None), record(3, None)]
    found = count_coverage("x", records)
    assert (found.articles, found.undated) == (1, 2)
    assert found.outlets == ("(unknown)",)
    only_undated = count_coverage("x", records[1:])
    assert (only_undated.bins, only_undated.undated, only_undated.peak()) == ((), 2, None)


def test_topic_matches_and_records_count_alike_and_once_each() -> None:
    records = [record(1, date(2019, 4, 1)), record(2, date(2019, 4, 2))]
    matches = [TopicMatch(r, 0.5, False) for r in [*records, records[0]]]
    assert count_coverage("x", matches) == count_coverage("x", records)


def test_events_outside_the_span_are_dropped() -> None:
    records = [record(1, date(2019, 4, 3)), record(2, date(2019, 4, 17))]  # weeks 04-01..04-15
    events = [
        (date(2019, 3, 31), "before"),
        (date(2019, 4, 1), "first day"),
        (date(2019, 4, 21), "last day"),  # the Sunday ending the last week
        (date(2019, 4, 22), "after"),
    ]
    found = count_coverage("x", records, events=events)
    assert found.events == ((date(2019, 4, 1), "first day"), (date(2019, 4, 21), "last day"))


def passage(n: int, published: date | None, title: str) -> Passage:
    return Passage(f"c{n}", f"a{n}", "text", title, "Harbor Wire", published, None, 1.0)


def test_events_from_a_timeline_answer_one_per_day_with_short_labels() -> None:
    long_title = "Dock workers walk out at Meridian City port over pay and hours"
    citations = (
        Citation(1, passage(1, date(2019, 4, 15), long_title), "They walked out."),
        Citation(2, passage(2, date(2019, 4, 15), "Second on that day"), "Also."),
        Citation(3, passage(3, None, "Undated"), "No day."),
        Citation(4, passage(4, date(2019, 4, 2), ""), "Talks  broke\ndown late on Monday night"),
    )
    answer = Answer("timeline?", "…", citations, (), False)
    events = events_from_answer(answer)
    assert [day for day, _ in events] == [date(2019, 4, 2), date(2019, 4, 15)]
    assert events[0][1] == "Talks broke down late on Monday night"
    assert events[1][1].endswith("…")
    assert len(events[1][1]) <= 40
    assert long_title.startswith(events[1][1][:-1])
    assert events_from_answer(Answer("q", "no", citations, (), True)) == ()


# --- caption and text ------------------------------------------------------------------------


def test_caption_and_text() -> None:
    days = [date(2019, 4, 15)] * 5 + [date(2019, 4, 1), date(2019, 5, 6)]
    records = [record(i, d, "Bay Herald" if i % 2 else "Harbor Wire") for i, d in enumerate(days)]
    found = count_coverage("port strike", [*records, record(99, None)])
    caption = coverage_caption(found)
    assert caption.startswith("7 articles about “port strike” from 2 outlets, 2019-04-01 to ")
    assert "peak week of 2019-04-15 (5)" in caption
    assert "1 undated" in caption
    text = coverage_text(found)
    assert "2019-04-22    0" in text  # the empty week has its row
    assert "Harbor Wire 3, Bay Herald 2" in text
    assert coverage_caption(count_coverage("pandas", [])) == "nothing in the archive about “pandas”"
    assert len(coverage_caption(count_coverage("x" * 5000, records))) <= 1024


# --- the chart, read back from its pixels -----------------------------------------------------


def test_png_has_the_size_and_one_bar_per_period_with_articles() -> None:
    days = [date(2019, 4, 1)] * 6 + [date(2019, 4, 15)] * 2 + [date(2019, 4, 22)] * 4
    days += [date(2019, 5, 13)] * 3
    outlets = ["Harbor Wire", "Bay Herald", "Meridian Post"]
    records = [record(i, d, outlets[i % 3]) for i, d in enumerate(days)]
    found = count_coverage("port strike", [*records, record(99, None)])
    assert [b.total for b in found.bins] == [6, 0, 2, 4, 0, 0, 3]
    png = coverage_png(found)
    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1200, 800))
    heights = bars_in(png)
    assert len(heights) == 4  # the empty weeks draw no bar
    unit = heights[0] / 6
    for measured, articles in zip(heights, [6, 2, 4, 3], strict=True):
        assert measured == pytest.approx(articles * unit, rel=0.06)


def test_png_counts_a_missing_bar() -> None:
    """The pixel reader is not fooled: a chart with one period fewer shows one bar fewer."""
    records = [record(i, date(2019, 4, 1) + timedelta(weeks=i), "Bay Herald") for i in range(5)]
    assert len(bars_in(coverage_png(count_coverage("x", records)))) == 5
    assert len(bars_in(coverage_png(count_coverage("x", records[:4])))) == 4


def test_png_folds_outlets_and_marks_events() -> None:
    records = [record(k, date(2019, 4, 1) + timedelta(weeks=k % 3), f"O{k}") for k in range(10)]
    events = [(date(2019, 4, 3), "Dock workers walk out"), (date(2019, 4, 16), "Talks fail")]
    found = count_coverage("x", records, events=events)
    assert outlet_colours(found)[OTHER_OUTLETS] == OTHER_COLOUR
    assert len(set(outlet_colours(found).values())) == len(found.outlets)
    png = coverage_png(found)
    assert len(bars_in(png)) == 3
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = {image.getpixel((x, y)) for x in range(0, 1200, 2) for y in range(0, 800, 2)}
    assert any(matches_colour(c, [rgb(OTHER_COLOUR)]) for c in colours)  # type: ignore[arg-type]


def test_nothing_to_chart_raises() -> None:
    with pytest.raises(ValueError, match="nothing to chart"):
        coverage_png(count_coverage("x", [record(1, None)]))


# --- the archive end to end, and the command ---------------------------------------------------


def strike(n: int, day: date | None, source: str) -> Article:
    return Article(
        title=f"Port strike day {n}",
        body=(
            f"Dock workers kept up the port strike at Meridian City on day {n}. The union said "
            f"pickets stood at gate {n} while the port authority counted ships waiting offshore."
        ),
        origin=f"test:strike{n}",
        url=f"https://{source.lower().replace(' ', '')}.example/strike/{n}",
        source=source,
        published=day,
    )


def panda(n: int, day: date) -> Article:
    return Article(
        title=f"Zoo news {n}",
        body=f"Two red panda cubs born at Kestrel Bay Zoo number {n} will go on view in June.",
        origin=f"test:panda{n}",
        url=f"https://bayherald.example/panda/{n}",
        source="Bay Herald",
        published=day,
    )


ARCHIVE = [
    strike(1, date(2019, 4, 1), "Harbor Wire"),
    strike(2, date(2019, 4, 2), "Harbor Wire"),
    strike(3, date(2019, 4, 3), "Meridian Post"),
    strike(4, date(2019, 4, 17), "Harbor Wire"),
    strike(5, None, "Meridian Post"),
    panda(1, date(2019, 4, 8)),
    panda(2, date(2019, 6, 1)),
]


def fill(data_dir: Path) -> None:
    archive = Archive.open(make_settings(data_dir), embedder=HashingEmbedding(dimensions=256))
    try:
        assert Ingestor(archive).ingest(ARCHIVE).added == len(ARCHIVE)
    finally:
        archive.close()


def test_coverage_of_a_real_archive(archive: Archive) -> None:
    assert Ingestor(archive).ingest(ARCHIVE).added == len(ARCHIVE)
    settings = make_settings(archive.data_dir)
    found = coverage(archive, "port strike", settings, events=[(date(2019, 4, 15), "Talks")])
    assert found.unit == "week"
    assert totals(found) == [(date(2019, 4, 1), 3), (date(2019, 4, 8), 0), (date(2019, 4, 15), 1)]
    assert found.outlets == ("Harbor Wire", "Meridian Post")
    assert (found.articles, found.undated) == (3 + 1, 1)
    assert found.events == ((date(2019, 4, 15), "Talks"),)
    windowed = coverage(archive, "port strike", settings.retrieval, end=date(2019, 4, 10))
    assert totals(windowed) == [(date(2019, 4, 1), 3)]
    assert coverage(archive, "volcano eruption", settings).bins == ()


def test_cli_coverage_text_json_png_and_nothing(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "cov-data"
    fill(data)
    text = runner.invoke(cli, ["--data-dir", str(data), "coverage", "port strike"])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("4 articles about “port strike” from 2 outlets")
    assert "2019-04-08    0" in text.stdout

    raw = runner.invoke(cli, ["--data-dir", str(data), "coverage", "port strike", "--json"])
    assert raw.exit_code == 0, raw.output
    payload = json.loads(raw.stdout)
    assert payload["unit"] == "week"
    assert [b["total"] for b in payload["bins"]] == [3, 0, 1]
    assert payload["bins"][0]["counts"] == {"Harbor Wire": 2, "Meridian Post": 1}
    assert payload["undated"] == 1

    chart = tmp_path / "strike.png"
    args = ["--data-dir", str(data), "coverage", "port strike", "--png", str(chart)]
    drawn = runner.invoke(cli, [*args, "--by", "month", "--since", "2019-04-02"])
    assert drawn.exit_code == 0, drawn.output
    assert f"chart written to {chart}" in drawn.stdout
    assert drawn.stdout.startswith("3 articles about “port strike”")
    with Image.open(chart) as image:
        assert image.size == (1200, 800)
    assert len(bars_in(chart.read_bytes())) == 1  # one month

    none = runner.invoke(cli, ["--data-dir", str(data), "coverage", "volcano eruption"])
    assert none.exit_code == 0, none.output
    assert none.stdout.strip() == "nothing in the archive about “volcano eruption”"
    bad = runner.invoke(cli, ["--data-dir", str(data), "coverage", "x", "--since", "April"])
    assert bad.exit_code == 2


def test_chat_coverage_table_chart_and_the_last_timeline(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "cov-data"
    fill(data)
    chart = tmp_path / "chat.png"
    script = "\n".join(
        [
            "/coverage",  # nothing asked yet: a hint
            "/coverage port strike",
            f"/coverage port strike {chart}",
            "How did the port strike unfold?",
            "/coverage",  # the timeline just answered, its events marked
            "/quit",
        ]
    )
    result = runner.invoke(cli, ["--data-dir", str(data), "chat"], input=script + "\n")
    assert result.exit_code == 0, result.output
    assert (
        "(name a topic: /coverage port strike, or ask a timeline question first)" in result.output
    )
    assert result.output.count("4 articles about “port strike” from 2 outlets") == 3
    assert f"(chart written to {chart})" in result.output
    assert len(bars_in(chart.read_bytes())) == 2  # weeks of 1 and 15 April; 8 April is empty
    timeline_table = result.output.rsplit("4 articles about “port strike”", 1)[1]
    assert "\n2019-04-02  Port strike day 2\n" in timeline_table  # its events, one per day
    assert "\n2019-04-17  Port strike day 4\n" in timeline_table
