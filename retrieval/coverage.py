"""Coverage of a topic over time: how many articles about it each outlet published per period.

`count_coverage` is pure over the matches (`articles_about`'s, or bare records), `coverage`
finds them in the archive first. Each stored article counts once under its own outlet, so a
syndicated story (one `story_id`) carried by three outlets counts three times, once in each
outlet's stack: that is what stacking by outlet shows. An exact copy the catalog kept only as
an alias of another article (same body, another URL) is not a stored article and is not
counted. Articles without a publication date are counted apart (`undated`), in no period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from config.settings import RetrievalSettings, Settings
from retrieval.archive import Archive
from retrieval.archive.catalog import ArticleRecord
from retrieval.results import Answer
from retrieval.topics import TopicMatch, articles_about

Unit = Literal["week", "month"]

# A chart stacks at most this many series: the busiest outlets by name, and when there are
# more, all but the busiest MAX_OUTLETS - 1 together as OTHER_OUTLETS (a phone legend holds
# about seven entries; the palette has seven colours that stay apart for colour-blind readers).
MAX_OUTLETS = 7
OTHER_OUTLETS = "other outlets"
UNKNOWN_OUTLET = "(unknown)"  # as `newsbot stats` names articles without an outlet
# Auto unit: weekly bars while the span is at most this many weeks (half a year), else monthly.
# Monthly bars stay the choice for long spans too (10 years: 120 thin bars, ticks thinned by the
# chart); years would hide the rise and fall this chart is for.
MAX_WEEKS = 26
EVENT_LABEL_CHARS = 40


@dataclass(frozen=True)
class CoverageBin:
    """One period: its first day and the articles each outlet published in it."""

    start: date  # the Monday of the ISO week, or the 1st of the month
    # (outlet, articles) for every outlet of `Coverage.outlets`, in that order, zeros kept: a
    # chart stacks the same series in every bar and a table lines them up.
    counts: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


@dataclass(frozen=True)
class Coverage:
    """A topic's articles per period, outlets apart, with the events to mark on a chart."""

    topic: str
    unit: Unit
    # every period from the first to the last dated matching article, empty ones included
    bins: tuple[CoverageBin, ...]
    # most articles first (ties by name); OTHER_OUTLETS, when present, last
    outlets: tuple[str, ...]
    articles: int  # dated matching articles, each in one bin
    undated: int  # matching articles without a date (in no bin)
    events: tuple[tuple[date, str], ...] = ()  # inside the span only, by date
    folded: tuple[str, ...] = ()  # the outlets counted as OTHER_OUTLETS

    @property
    def outlet_count(self) -> int:
        """How many distinct outlets published the dated articles (folded ones included)."""
        named = [o for o in self.outlets if o != OTHER_OUTLETS]
        return len(named) + len(self.folded)

    @property
    def end(self) -> date | None:
        """The last day of the last period (None: no dated article)."""
        return period_end(self.bins[-1].start, self.unit) if self.bins else None

    def peak(self) -> CoverageBin | None:
        """The period with the most articles (the earliest of equals); None when no bins."""
        if not self.bins:
            return None
        return max(self.bins, key=lambda b: (b.total, -b.start.toordinal()))


def period_start(day: date, unit: Unit) -> date:
    """The first day of the period holding `day`: its ISO week's Monday, or its month's 1st."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_period(start: date, unit: Unit) -> date:
    """The first day of the period after the one starting on `start`."""
    if unit == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def period_end(start: date, unit: Unit) -> date:
    """The last day of the period starting on `start`."""
    return next_period(start, unit) - timedelta(days=1)


def auto_unit(first: date, last: date) -> Unit:
    """Weeks when the span is at most MAX_WEEKS ISO weeks, else months."""
    weeks = (period_start(last, "week") - period_start(first, "week")).days // 7 + 1
    return "week" if weeks <= MAX_WEEKS else "month"


def count_coverage(
    topic: str,
    matches: Sequence[TopicMatch] | Sequence[ArticleRecord],
    *,
    unit: Unit | None = None,
    events: Iterable[tuple[date, str]] = (),
) -> Coverage:
    """Count the matching articles per period and outlet (`unit` None: `auto_unit`); an
    article listed twice counts once."""
    records = list({r.article_id: r for r in map(_record, matches)}.values())
    dated = [r for r in records if r.published is not None]
    undated = len(records) - len(dated)
    if not dated:
        return Coverage(topic, unit or "week", (), (), 0, undated)
    days = [r.published for r in dated if r.published is not None]
    first, last = min(days), max(days)
    chosen: Unit = unit or auto_unit(first, last)

    per_outlet = Counter(r.source or UNKNOWN_OUTLET for r in dated)
    ranked = sorted(per_outlet, key=lambda o: (-per_outlet[o], o))
    folded: tuple[str, ...] = ()
    if len(ranked) > MAX_OUTLETS:
        ranked, folded = ranked[: MAX_OUTLETS - 1], tuple(ranked[MAX_OUTLETS - 1 :])
    named = set(ranked)
    outlets = tuple(ranked) + ((OTHER_OUTLETS,) if folded else ())

    cells: Counter[tuple[date, str]] = Counter()
    for r in dated:
        outlet = r.source or UNKNOWN_OUTLET
        assert r.published is not None  # dated: filtered above
        cells[period_start(r.published, chosen), outlet if outlet in named else OTHER_OUTLETS] += 1
    bins = []
    start, stop = period_start(first, chosen), period_start(last, chosen)
    while start <= stop:
        bins.append(CoverageBin(start, tuple((o, cells[start, o]) for o in outlets)))
        start = next_period(start, chosen)
    end = period_end(stop, chosen)
    inside = sorted({day: label for day, label in events if bins[0].start <= day <= end}.items())
    return Coverage(topic, chosen, tuple(bins), outlets, len(dated), undated, tuple(inside), folded)


def coverage(
    archive: Archive,
    topic: str,
    settings: Settings | RetrievalSettings,
    *,
    start: date | None = None,
    end: date | None = None,
    unit: Unit | None = None,
    events: Iterable[tuple[date, str]] = (),
    limit: int = 2000,
) -> Coverage:
    """The coverage of `topic` in the archive, within [start, end] when given (`limit`: at
    most this many articles found by each of `articles_about`'s retrievers)."""
    section = settings.retrieval if isinstance(settings, Settings) else settings
    matches = articles_about(archive, topic, section, start=start, end=end, limit=limit)
    return count_coverage(topic, matches, unit=unit, events=events)


def events_from_answer(answer: Answer) -> tuple[tuple[date, str], ...]:
    """The dated events of a (timeline) answer: each dated citation's day, labelled with its
    article's title (the quote when untitled) cut to EVENT_LABEL_CHARS; the first citation of
    a day names it."""
    if answer.abstained:
        return ()
    found: dict[date, str] = {}
    for citation in answer.citations:
        day = citation.passage.published
        if day is not None and day not in found:
            found[day] = short_label(citation.passage.title or citation.quote)
    return tuple(sorted(found.items()))


def short_label(text: str, limit: int = EVENT_LABEL_CHARS) -> str:
    """`text` on one line, cut at a word to at most `limit` characters (with an ellipsis)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-–—") + "…"


def _record(match: TopicMatch | ArticleRecord) -> ArticleRecord:
    return match.record if isinstance(match, TopicMatch) else match
