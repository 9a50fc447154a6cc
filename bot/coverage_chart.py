"""Coverage drawn for people: a PNG chart for Telegram and `--png`, a caption, a terminal table.

The chart is drawn headless with matplotlib's Agg canvas on a `Figure` of its own, never
through pyplot: pyplot keeps global state and the bot draws in worker threads. Nothing here
touches matplotlib's global rcParams either; every size and colour is given where it is used.
A coverage with no dated article is not charted: `coverage_png` raises ValueError, and the
caller says there is nothing to show (`coverage_caption` says it in words).
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from retrieval.coverage import OTHER_OUTLETS, Coverage, period_end, short_label

if TYPE_CHECKING:  # annotations only: matplotlib takes most of a second to import
    from matplotlib.axes import Axes
    from matplotlib.transforms import Bbox

# Okabe & Ito's palette, which stays apart under the common colour-vision deficiencies; the
# yellow comes last (weakest on white) and OTHER_OUTLETS is always grey.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442")
OTHER_COLOUR = "#999999"
EVENT_COLOUR = "#4D4D4D"
# 1200 x 800 px: on a phone the picture is shown about 400 pt wide, so text is set at 11-15 pt.
WIDTH_IN, HEIGHT_IN, DPI = 8.0, 16 / 3, 150
MAX_TICKS = 8
MAX_EVENTS = 8  # more dashed lines than this hide the bars they mark
EVENT_ROWS = 3
EVENT_ROW = 0.065  # an event label row's height, in axes fractions (10 pt of ~500 px)
CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption
BAR_WIDTH = 40  # characters of the longest bar in `coverage_text`
_SPARKS = "▁▂▃▄▅▆▇█"


def outlet_colours(coverage: Coverage) -> dict[str, str]:
    """The colour of each outlet's series in the chart."""
    named = [o for o in coverage.outlets if o != OTHER_OUTLETS]
    colours = {o: PALETTE[i % len(PALETTE)] for i, o in enumerate(named)}
    if OTHER_OUTLETS in coverage.outlets:
        colours[OTHER_OUTLETS] = OTHER_COLOUR
    return colours


def coverage_png(coverage: Coverage) -> bytes:
    """The chart as PNG bytes, 1200 x 800 px. Raises ValueError when there is nothing to chart
    (no dated article about the topic)."""
    if not coverage.bins:
        raise ValueError(f"no dated article about {coverage.topic!r}: nothing to chart")
    # Deferred: matplotlib takes most of a second to import; only a chart needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    # Fixed margins, not a layout engine: the title, the legend's two rows above the plot and
    # the footnote under it keep their places whatever the labels (and the size stays exact).
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    figure.subplots_adjust(left=0.08, right=0.98, top=0.80, bottom=0.17)
    FigureCanvasAgg(figure)  # attaches itself: savefig then renders with Agg, headless
    axes = figure.add_subplot()
    positions = list(range(len(coverage.bins)))
    bottoms = [0] * len(coverage.bins)
    for outlet, colour in outlet_colours(coverage).items():
        index = coverage.outlets.index(outlet)
        heights = [b.counts[index][1] for b in coverage.bins]
        axes.bar(
            positions, heights, width=0.8, bottom=bottoms, color=colour, label=outlet, zorder=2
        )
        bottoms = [low + h for low, h in zip(bottoms, heights, strict=True)]

    axes.set_xlim(-0.6, len(coverage.bins) - 0.4)  # before the labels measure where they fall
    rows = _mark_events(axes, coverage)
    # headroom above the tallest bar for the event labels' rows
    axes.set_ylim(0, max(bottoms) / (1 - EVENT_ROW * rows - 0.06) if rows else max(bottoms) * 1.1)
    _date_ticks(axes, coverage)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(f"articles per {coverage.unit}", fontsize=12)
    axes.tick_params(labelsize=11)
    axes.grid(axis="y", color="#DDDDDD", linewidth=0.8, zorder=0)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.text(
        0.5,
        0.985,
        f"Coverage of “{coverage.topic}”",
        ha="center",
        va="top",
        fontsize=15,
        fontweight="bold",
    )
    figure.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, 0.925),
        ncols=min(len(coverage.outlets), 4),
        fontsize=11,
        frameon=False,
        handlelength=1.2,
        columnspacing=1.2,
    )
    figure.text(0.99, 0.01, _footnote(coverage), ha="right", va="bottom", fontsize=10)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def _mark_events(axes: Axes, coverage: Coverage) -> int:
    """Dashed lines at the events' days (behind the bars), each labelled across the top in one
    of up to EVENT_ROWS staggered rows so neighbours do not overprint; returns the rows used."""
    marked, rows_used = 0, 0
    renderer = axes.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    placed: list[Bbox] = []
    for day, label in coverage.events[:MAX_EVENTS]:
        for i, period in enumerate(coverage.bins):
            last = period_end(period.start, coverage.unit)
            if period.start <= day <= last:
                span = (last - period.start).days + 1
                x = i - 0.5 + ((day - period.start).days + 0.5) / span
                break
        else:
            continue  # Coverage keeps only the events inside its bins
        axes.axvline(x, color=EVENT_COLOUR, linestyle="--", linewidth=1.2, zorder=1)
        left_half = x < len(coverage.bins) * 0.55
        texts = (f" {day.day} {day:%b}: {short_label(label)} ", f" {day.day} {day:%b} ")
        # The first row where the label overprints no other; the day alone when none has room.
        for text, row in [(t, r) for t in texts for r in range(EVENT_ROWS)]:
            drawn = axes.text(
                x,
                0.985 - EVENT_ROW * row,
                text,
                transform=axes.get_xaxis_transform(),
                ha="left" if left_half else "right",
                va="top",
                fontsize=10,
                color=EVENT_COLOUR,
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1},
                zorder=3,
            )
            extent = drawn.get_window_extent(renderer)
            if not any(extent.overlaps(other) for other in placed):
                placed.append(extent)
                rows_used = max(rows_used, row + 1)
                break
            drawn.remove()
        marked += 1
    return rows_used


def _date_ticks(axes: Axes, coverage: Coverage) -> None:
    """At most MAX_TICKS period labels; the year shown on the first and where it changes."""
    step = max(1, math.ceil(len(coverage.bins) / MAX_TICKS))
    if coverage.unit == "month" and step > 1:
        step = next(s for s in (2, 3, 4, 6, 12, 24, 60, 120) if s >= step or s == 120)
    picks = list(range(0, len(coverage.bins), step))
    labels = []
    last_year = None
    for i in picks:
        start = coverage.bins[i].start
        short = f"{start:%b}" if coverage.unit == "month" else f"{start.day} {start:%b}"
        labels.append(short if start.year == last_year else f"{short}\n{start.year}")
        last_year = start.year
    axes.set_xticks(picks, labels)
    axes.set_xlabel("month" if coverage.unit == "month" else "week starting (Monday)", fontsize=12)


def _footnote(coverage: Coverage) -> str:
    return f"{_articles(coverage.articles)}, {coverage.undated} undated, source: newsbot archive"


def _articles(n: int) -> str:
    return f"{n} article" if n == 1 else f"{n} articles"


def _period(coverage: Coverage, index: int) -> str:
    start = coverage.bins[index].start
    return f"{start:%Y-%m}" if coverage.unit == "month" else start.isoformat()


def coverage_caption(coverage: Coverage) -> str:
    """One plain-text line for the chart (at most CAPTION_LIMIT characters), or the reason
    there is no chart."""
    topic = f"“{coverage.topic}”"
    if not coverage.bins:
        if coverage.undated:
            text = f"{_articles(coverage.undated)} about {topic}, none dated: nothing to chart"
        else:
            text = f"nothing in the archive about {topic}"
        return text[:CAPTION_LIMIT]
    outlets = coverage.outlet_count
    parts = [
        f"{_articles(coverage.articles)} about {topic} from {outlets} "
        f"outlet{'s' if outlets != 1 else ''}, "
        f"{_period(coverage, 0)} to {_period(coverage, len(coverage.bins) - 1)}"
    ]
    peak = coverage.peak()
    if peak is not None and len(coverage.bins) > 1:
        index = coverage.bins.index(peak)
        what = "week of" if coverage.unit == "week" else "month"
        parts.append(f"peak {what} {_period(coverage, index)} ({peak.total})")
    if coverage.undated:
        parts.append(f"{coverage.undated} undated not shown")
    text = "; ".join(parts)
    if len(text) > CAPTION_LIMIT:
        text = text[: CAPTION_LIMIT - 1] + "…"
    return text


def sparkline(coverage: Coverage) -> str:
    """One character per period, its height the period's share of the peak (blank: none)."""
    peak = coverage.peak()
    top = peak.total if peak else 0
    return "".join(
        " " if not b.total else _SPARKS[max(0, math.ceil(b.total / top * len(_SPARKS)) - 1)]
        for b in coverage.bins
    )


def coverage_text(coverage: Coverage) -> str:
    """The coverage for a terminal: the caption, a sparkline, then one row per period (a bar
    and each outlet's articles), then the events."""
    lines = [coverage_caption(coverage)]
    if not coverage.bins:
        return lines[0]
    peak = coverage.peak()
    top = peak.total if peak else 1
    lines.append(sparkline(coverage))
    lines.append("")
    for index, period in enumerate(coverage.bins):
        bar = "█" * math.ceil(period.total / top * BAR_WIDTH) if period.total else ""
        who = ", ".join(f"{o} {n}" for o, n in period.counts if n)
        row = f"{_period(coverage, index):<10} {period.total:>4} {bar:<{BAR_WIDTH}}"
        lines.append(f"{row}  {who}".rstrip())
    if coverage.events:
        lines.append("")
        lines.extend(f"{day.isoformat()}  {label}" for day, label in coverage.events)
    return "\n".join(lines)
