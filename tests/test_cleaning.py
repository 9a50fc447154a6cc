"""Page dumps to clean articles: a table of site styles, the seed page, edge cases, properties."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.cleaning import clean_dump, normalize_text
from tests.support.nasty_text import INVISIBLE_OR_CONTROL, NASTY_TEXT

# Zero-width and bidirectional control characters: never part of what we store.
INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


@dataclass(frozen=True)
class Dump:
    """One page dump and what cleaning must make of it."""

    text: str
    title: str | None
    kept: tuple[str, ...]
    absent: tuple[str, ...]
    published: date | None = None
    author: str | None = None
    source: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


WORDPRESS_REPLY = Dump(
    text="""\
Home / Politics / Council / Library to stay open after late budget deal
Readers at the Chapel Street library, Photo: Kestrel Bay Herald / Image credit: Mira Olsen

Library to stay open after late budget deal

Posted on May 20, 2024 by Rafael Quint

The Chapel Street library will stay open for at least two more years after councillors agreed a late budget deal on Monday night.

The deal moves 180,000 dollars from the road resurfacing fund to the library service, council leader Hanna Berg said.

"People told us loud and clear that the library matters," Berg said after the vote.

Tags: Library, Budget, Council

Share this:
Facebook Twitter WhatsApp

Like this:
Like Loading...

Related

Council approves new parking charges

Leave a Reply

Your email address will not be published. Required fields are marked *

Comment

Name *

Email *

Website

Save my name, email, and website in this browser for the next time I comment.

Post Comment

This site uses Akismet to reduce spam. Learn how your comment data is processed.
""",
    title="Library to stay open after late budget deal",
    kept=(
        "The Chapel Street library will stay open for at least two more years",
        "The deal moves 180,000 dollars from the road resurfacing fund",
        '"People told us loud and clear that the library matters," Berg said after the vote.',
    ),
    absent=(
        "Home / Politics",
        "Image credit",
        "Posted on",
        "Tags:",
        "Share this",
        "WhatsApp",
        "Like this",
        "Loading",
        "parking charges",
        "Leave a Reply",
        "Your email address",
        "Save my name",
        "Post Comment",
        "Akismet",
    ),
    published=date(2024, 5, 20),
    author="Rafael Quint",
)

RELATED_ARTICLES_LIST = Dump(
    text="""\
News > Business > Energy
Grid operator orders emergency reserve as cold snap bites
By Jane Doe
Published: 3 March 2025

The regional grid operator ordered its emergency reserve plants online on Sunday as temperatures fell to minus 18 degrees and demand hit a record.

Advertisement

Demand peaked at 9,420 megawatts at 6 p.m., about 4 percent above the previous record set in 2021, the operator said.

Households were asked to avoid running dishwashers and washing machines between 5 p.m. and 8 p.m. until Wednesday.

Related Articles

Wind farm plan for Dune Ridge approved
Heat pump grants to double next year
Pylon route through Larkspur Valley delayed
""",
    title="Grid operator orders emergency reserve as cold snap bites",
    kept=(
        "The regional grid operator ordered its emergency reserve plants online on Sunday",
        "Demand peaked at 9,420 megawatts at 6 p.m.",
        "Households were asked to avoid running dishwashers",
    ),
    absent=(
        "News > Business",
        "By Jane Doe",
        "Published:",
        "Advertisement",
        "Related Articles",
        "Wind farm plan",
        "Heat pump grants",
        "Pylon route",
    ),
    published=date(2025, 3, 3),
    author="Jane Doe",
)

WIRE_CHECK_ALSO = Dump(
    text="""\
Home / Business / Labour / Meridian City dock workers walk out
Pickets at Gate 2, Photo: Harbor Wire / Image credit: Luis Amado

Meridian City dock workers walk out as port strike begins

Published: 3 March 2025

MERIDIAN CITY, March 3 (Harbor Wire) - About 2,300 dock workers at the Port of Meridian walked off the job on Monday, halting container traffic.

The union wants a 12 percent pay rise over two years. The port authority has offered 4 percent over the same period.

(Reporting by Samir Castellano; Editing by Joan Pettigrew)

Share this:
Facebook Twitter WhatsApp Email

Check Also

Ferry fares frozen on all Kestrel Bay routes for 2025

Ferry fares frozen on all Kestrel Bay routes for 2025

Passengers on the Kestrel Bay ferry network will pay the same fares until the end of the year after the operator …

Leave a Reply

Your email address will not be published. Required fields are marked *
""",
    title="Meridian City dock workers walk out as port strike begins",
    kept=(
        "MERIDIAN CITY, March 3 (Harbor Wire) - About 2,300 dock workers",
        "The union wants a 12 percent pay rise over two years.",
        "(Reporting by Samir Castellano; Editing by Joan Pettigrew)",
    ),
    absent=(
        "Home / Business",
        "Photo:",
        "Share this",
        "Check Also",
        "Ferry fares",
        "Passengers on the Kestrel Bay ferry",
        "Leave a Reply",
        "Your email address",
    ),
    published=date(2025, 3, 3),
    source="Harbor Wire",
)

DATE_BY_COMMENTS_READ_MORE = Dump(
    text="""\
Home / News / Local / Water bills to rise in Kestrel Bay

Water bills to rise 6.5% in Kestrel Bay from February
Workers repair a burst main on Harbour Road, Photo: Kestrel Bay Herald / Image credit: Tobias Grell

January 8, 2026 - by Tobias Grell - 3 Comments

Households in Kestrel Bay will pay 6.5 percent more for water from February 1 after the utility board approved new rates on Wednesday.

Read more: Kestrel Bay council freezes parking fees for a third year

The increase adds about $4.10 a month to the bill of an average household, according to Kestrel Bay Water.

Read also - Harbour Road closed for six weeks of pipe works

The last water rate increase in Kestrel Bay, of 3 percent, took effect in 2023.

3 Comments

Ada Lindqvist
January 8, 2026 at 9:14 am
Another rise? We already pay more than the valley towns.
""",
    title="Water bills to rise 6.5% in Kestrel Bay from February",
    kept=(
        "Households in Kestrel Bay will pay 6.5 percent more for water from February 1",
        "The increase adds about $4.10 a month",
        "The last water rate increase in Kestrel Bay, of 3 percent, took effect in 2023.",
    ),
    absent=(
        "Home / News",
        "Image credit",
        "3 Comments",
        "Read more",
        "parking fees",
        "Read also",
        "six weeks of pipe works",
        "Ada Lindqvist",
        "Another rise?",
    ),
    published=date(2026, 1, 8),
    author="Tobias Grell",
)

NAME_DATE_YOU_MAY_ALSO_LIKE = Dump(
    text="""\
Home / News / Alder Falls / Red flood warning for Hollin River

Red flood warning for Hollin River as 600 Alder Falls homes told to leave
Sandbags stacked outside homes on Millbrook Lane, Photo: Valley Courier / Image credit: Greta Halvorsen

Greta Halvorsen
Nov 19, 2024 | 4:12 pm

The Larkspur Valley Water Board issued a red flood warning for the Hollin River at Alder Falls on Tuesday.

"This is the highest level we have forecast since the 2011 flood," said Daniel Achebe, the water board's duty hydrologist.

An emergency shelter has opened in the gym at Alder Falls High School, with room for 350 people.

You may also like

Alder Falls bakery wins national sourdough prize
The bakery on Mill Street beat 140 entries to take the top award on Saturday.
Night bus pilot scrapped after six months
Transport bosses said too few passengers used the late services to justify the cost.
""",
    title="Red flood warning for Hollin River as 600 Alder Falls homes told to leave",
    kept=(
        "The Larkspur Valley Water Board issued a red flood warning",
        'since the 2011 flood," said Daniel Achebe',
        "An emergency shelter has opened in the gym at Alder Falls High School",
    ),
    absent=(
        "Home / News",
        "Image credit",
        "Greta Halvorsen\n",
        "4:12 pm",
        "You may also like",
        "sourdough",
        "The bakery on Mill Street",
        "Night bus pilot",
        "too few passengers",
    ),
    published=date(2024, 11, 19),
    author="Greta Halvorsen",
)

COOKIES_GETTY_ONE_LINE_SHARE = Dump(
    text="""\
We use cookies to give you the best experience on our website. By continuing to browse you agree to our use of cookies.
Accept all cookies
Manage preferences

Sport

Holm saves penalty as Mariners reach cup final

(Photo by Ana Ruiz/Getty Images)

By Marta Kowalczyk | May 12, 2024

Goalkeeper Tomas Holm saved a late penalty as Meridian Mariners beat Port Alvers 1-0 to reach the Regional Cup final on Saturday.

Luca Ferrante scored the only goal in the 54th minute with a free kick from 25 metres.

Share this: Facebook Twitter WhatsApp

Most Read

Okonkwo signs new three-year contract
Lantern Park roof repairs to start in June
""",
    title="Holm saves penalty as Mariners reach cup final",
    kept=(
        "Goalkeeper Tomas Holm saved a late penalty as Meridian Mariners beat Port Alvers 1-0",
        "Luca Ferrante scored the only goal in the 54th minute",
    ),
    absent=(
        "cookies",
        "Manage preferences",
        "Getty Images",
        "Photo by",
        "By Marta",
        "Share this",
        "Most Read",
        "Okonkwo signs",
        "roof repairs",
    ),
    published=date(2024, 5, 12),
    author="Marta Kowalczyk",
)

BLOG_FILED_UNDER_COMMENTS_CLOSED = Dump(
    text="""\
Posted on August 2, 2023 by Wen Li
Night market returns to Canal Street

The Canal Street night market returns on Friday after a four-year break, with 60 stalls selling food, crafts and plants.

Organisers expect about 5,000 visitors on the first night. Trams will run every ten minutes until midnight.

Filed under: Events, Canal Street
Previous article: Harbour festival cancelled over safety fears
Next article: New cycle lane opens on Dune Road

Comments are closed.
""",
    title="Night market returns to Canal Street",
    kept=(
        "The Canal Street night market returns on Friday after a four-year break",
        "Organisers expect about 5,000 visitors on the first night.",
    ),
    absent=(
        "Posted on",
        "Filed under",
        "Harbour festival cancelled",
        "New cycle lane",
        "Comments are closed",
    ),
    published=date(2023, 8, 2),
    author="Wen Li",
)

TABLOID_CAPS_BYLINE = Dump(
    text="""\
Home » Showbiz » Theatre
Kestrel Bay theatre saved by last-minute donor
BY JANE DOE
Updated: 10:32 GMT

The Old Harbour Theatre will not close after an anonymous donor pledged 2 million dollars on Thursday, the theatre's board said.

The donation covers the repair of the roof and two years of running costs.

Most Popular

Singer cancels tour after throat surgery
Film festival announces jury
""",
    title="Kestrel Bay theatre saved by last-minute donor",
    kept=(
        "The Old Harbour Theatre will not close after an anonymous donor pledged 2 million dollars",
        "The donation covers the repair of the roof and two years of running costs.",
    ),
    absent=("Home »", "BY JANE DOE", "Updated:", "Most Popular", "Singer cancels", "jury"),
    # "Updated: 10:32 GMT" names no day: the page's date stays unknown, not today's.
    published=None,
    author="JANE DOE",
)

NEWSLETTER_COPYRIGHT_DONT_MISS = Dump(
    text="""\
Valley Courier
Home | News | Larkspur Valley

Apple harvest down a third after spring frost

Published on: 14 September 2024

Larkspur Valley growers picked about a third fewer apples this year after a late frost in April damaged blossom, the growers' association said on Friday.

Pears were less affected, with yields down about 10 percent.

Sign up for our free morning newsletter
Don't miss

Cider makers raise prices as apple supply falls
Valley fair gets new home at Millbrook Green

© 2024 Valley Courier. All rights reserved.
""",
    title="Apple harvest down a third after spring frost",
    kept=(
        "Larkspur Valley growers picked about a third fewer apples this year",
        "Pears were less affected, with yields down about 10 percent.",
    ),
    absent=(
        "Home | News",
        "Published on",
        "newsletter",
        "Don't miss",
        "Cider makers",
        "Valley fair",
        "All rights reserved",
    ),
    published=date(2024, 9, 14),
)

RECOMMENDED_SEE_ALSO = Dump(
    text="""\
Science
Meteor shower to peak on Tuesday night
Image: Kestrel Bay Observatory

By Tomas Berglund
Monday, August 12, 2024

The Perseid meteor shower will peak on Tuesday night, with up to 60 meteors an hour visible from dark sites, the Kestrel Bay Observatory said.

Skywatchers should look north-east after midnight, when the moon has set.

Recommended for you

Observatory telescope to reopen after repairs
Comet visible to the naked eye next month
""",
    title="Meteor shower to peak on Tuesday night",
    kept=(
        "The Perseid meteor shower will peak on Tuesday night",
        "Skywatchers should look north-east after midnight, when the moon has set.",
    ),
    absent=(
        "Image:",
        "By Tomas",
        "Monday, August 12",
        "Recommended",
        "telescope to reopen",
        "Comet visible",
    ),
    published=date(2024, 8, 12),
    author="Tomas Berglund",
)

MID_ARTICLE_RELATED = Dump(
    text="""\
Home / News / Tram line opens
Eastbank tram line opens to passengers

Posted on June 1, 2024 by Ines Calder

The Eastbank tram line opened to passengers on Saturday, eight months late and 40 million dollars over budget.

Related:
Tram works close Harbour Road for a month
Council apologises for tram delays

About 12,000 people rode the line on its first day, the transit authority said, many of them families taking a free trial ride.

Trams will run every six minutes at peak times and every 12 minutes in the evening.

The authority says the line will carry 25,000 passengers a day by the end of the year.

Share this:
Facebook Twitter

Leave a Reply

Your email address will not be published.
""",
    title="Eastbank tram line opens to passengers",
    kept=(
        "The Eastbank tram line opened to passengers on Saturday",
        "About 12,000 people rode the line on its first day",
        "Trams will run every six minutes at peak times",
        "The authority says the line will carry 25,000 passengers a day",
    ),
    absent=(
        "Related",
        "Tram works close Harbour Road",
        "Council apologises",
        "Share this",
        "Leave a Reply",
    ),
    published=date(2024, 6, 1),
    author="Ines Calder",
)

MORE_FROM_OUTLET = Dump(
    text="""\
Harbour Road bridge to close for repairs
By Samir Castellano
2024-10-07 08:30

The Harbour Road bridge will close to traffic for three weeks from Monday while engineers replace its expansion joints.

More news about the diversion routes is expected on Friday.

Buses will be diverted over the Canal Street bridge.

More from Harbor Wire

Bridge inspections find cracks in two flyovers
Port traffic up 8 percent in September
""",
    title="Harbour Road bridge to close for repairs",
    kept=(
        "The Harbour Road bridge will close to traffic for three weeks from Monday",
        "More news about the diversion routes is expected on Friday.",
        "Buses will be diverted over the Canal Street bridge.",
    ),
    absent=("By Samir", "08:30", "More from Harbor Wire", "flyovers", "Port traffic up"),
    published=date(2024, 10, 7),
    author="Samir Castellano",
)

INVISIBLE_CRLF_NBSP = Dump(
    text=(
        "Home / World / Europe\r\n"
        "\u200fSummit\u00a0agrees\u00a0new\u00a0fisheries\u00a0deal\u200e\r\n"
        "\r\n"
        "Ministers from\u00a0nine coastal states agreed on\u202fWednesday to cut the cod "
        "quo\u00adta by 12\u200b percent for 2025.\r\n"
        "\r\n"
        "\ufeffThe deal\u2060 still needs the approval of national parliaments, the chair "
        "said.\u2066\u2069\r\n"
        "\r\n"
        "Advertisement\r\n"
        "Read next\r\n"
        "\r\n"
        "Whale sightings rise off the northern cape\r\n"
    ),
    title="Summit agrees new fisheries deal",
    kept=(
        "Ministers from nine coastal states agreed on Wednesday to cut the cod quota by 12 "
        "percent for 2025.",
        "The deal still needs the approval of national parliaments, the chair said.",
    ),
    absent=("Home / World", "Advertisement", "Read next", "Whale sightings", "\r", "\u00a0"),
)

TRENDING_AND_SPONSORED = Dump(
    text="""\
Kestrel Bay Herald
Home > Health
Clinic waiting times fall for third month
Photo credit: Kestrel Bay Health Trust

Sponsored

Waiting times at Kestrel Bay's walk-in clinic fell for the third month in a row in October, to an average of 47 minutes, the health trust said.

The trust credits a new triage nurse and longer opening hours on Saturdays.

Trending Now

Dentist shortage leaves 3,000 without care
Flu jabs: where to get yours this winter
""",
    title="Clinic waiting times fall for third month",
    kept=(
        "Waiting times at Kestrel Bay's walk-in clinic fell for the third month in a row",
        "The trust credits a new triage nurse",
    ),
    absent=("Home > Health", "Photo credit", "Sponsored", "Trending", "Dentist", "Flu jabs"),
)

DUMPS = {
    "wordpress-leave-a-reply": WORDPRESS_REPLY,
    "related-articles-list": RELATED_ARTICLES_LIST,
    "wire-dateline-check-also": WIRE_CHECK_ALSO,
    "date-by-comments-read-more": DATE_BY_COMMENTS_READ_MORE,
    "name-date-you-may-also-like": NAME_DATE_YOU_MAY_ALSO_LIKE,
    "cookies-getty-one-line-share": COOKIES_GETTY_ONE_LINE_SHARE,
    "blog-filed-under-comments-closed": BLOG_FILED_UNDER_COMMENTS_CLOSED,
    "tabloid-caps-byline": TABLOID_CAPS_BYLINE,
    "newsletter-copyright-dont-miss": NEWSLETTER_COPYRIGHT_DONT_MISS,
    "recommended-see-also": RECOMMENDED_SEE_ALSO,
    "mid-article-related": MID_ARTICLE_RELATED,
    "more-from-outlet": MORE_FROM_OUTLET,
    "invisible-crlf-nbsp": INVISIBLE_CRLF_NBSP,
    "trending-and-sponsored": TRENDING_AND_SPONSORED,
}


@pytest.mark.parametrize("dump", list(DUMPS.values()), ids=list(DUMPS))
def test_dump_is_cleaned(dump: Dump) -> None:
    page = clean_dump(dump.text)
    assert page.title == dump.title
    for sentence in dump.kept:
        assert sentence in page.body
    for furniture in dump.absent:
        assert furniture not in page.body, furniture
    assert (page.published, page.author, page.source) == (
        dump.published,
        dump.author,
        dump.source,
    )
    assert not INVISIBLE.search(page.body)
    assert page.body == page.body.strip()


# --- the real seed page --------------------------------------------------------------------


def test_seed_dump_keeps_the_article_and_nothing_else(shared_dir: Path) -> None:
    path = shared_dir / "data" / "seed" / "000_6c58a5cac82abc02.txt"
    if not path.is_file():
        pytest.skip(f"seed dump not found at {path}")
    page = clean_dump(path.read_text(encoding="utf-8"))
    assert page.title == "Turkish and Russian defense ministers discuss Idlib"
    assert "with his Russian counterpart, Sergei Shoigu, on May 20th" in page.body
    assert "Syria has been locked in a vicious civil war" in page.body
    for furniture in (
        "Home / Russia",
        "Image credit",
        "flickr",
        "Check Also",
        "Erdogan's crimes",
        "Erdogan’s crimes",
        "violations against the elderly",
        "repressive practices",
        "Leave a Reply",
        "Your email address",
        "Required fields",
    ):
        assert furniture not in page.body, furniture


# --- edge cases ----------------------------------------------------------------------------

STORY_HEAD = "Fishing quotas cut for 2025\n\n"


def test_teaser_and_furniture_words_inside_article_sentences_are_kept() -> None:
    text = STORY_HEAD + (
        "Officials said the closures were related to falling cod stocks in the northern bay.\n\n"
        "Related to the quota cut, the ministry will pay 40 million dollars in compensation.\n\n"
        "Read more about it in our report on the state of the fisheries published last week.\n\n"
        "See also the ministry's statement, which runs to 40 pages.\n\n"
        "Related-party loans to the fleet owners rose 5 percent.\n\n"
        "The ruling limits the use of cookies by the ministry's website.\n"
    )
    page = clean_dump(text)
    assert page.title == "Fishing quotas cut for 2025"
    for sentence in (
        "Officials said the closures were related to falling cod stocks in the northern bay.",
        "Related to the quota cut, the ministry will pay 40 million dollars in compensation.",
        "Read more about it in our report on the state of the fisheries published last week.",
        "See also the ministry's statement, which runs to 40 pages.",
        "Related-party loans to the fleet owners rose 5 percent.",
        "The ruling limits the use of cookies by the ministry's website.",
    ):
        assert sentence in page.body


def test_related_heading_mid_article_drops_only_the_teasers() -> None:
    paragraphs = [
        "The port reopened on Tuesday after a three-day strike ended with a pay deal for 2,300 "
        "dock workers.",
        "The agreement gives workers a 9 percent rise over two years, the union said on Tuesday.",
        "Shipping lines said it would take a week to clear the backlog of 40 container ships.",
        "Exporters in the valley said fruit held in cold stores could now be shipped.",
    ]
    text = (
        STORY_HEAD
        + "\n\n".join(paragraphs[:2])
        + "\n\nRelated\n\nPort strike: what we know so far\nUnion leader re-elected\n\n"
        + "\n\n".join(paragraphs[2:])
    )
    page = clean_dump(text)
    assert page.body.split("\n\n") == paragraphs


@pytest.mark.parametrize(
    "teasers",
    [
        # titles only, to the end of the page
        "Port strike: what we know so far\nUnion leader re-elected\n",
        # title + clipped excerpt, then the comment form
        "Union leader re-elected\n\nInes Calder won a second term as general secretary …\n\n"
        "Leave a Reply\nYour email address will not be published.\n",
        # title/excerpt pairs whose excerpts are whole sentences
        "Union leader re-elected\nInes Calder won a second term as general secretary on Monday.\n"
        "Ferry fares frozen\nBayline agreed a subsidy deal with the transport authority.\n",
        # titles, then share buttons and a comment count
        "Union leader re-elected\nFerry fares frozen\n\nShare this:\nFacebook Twitter\n\n"
        "2 Comments\n",
    ],
    ids=["titles", "excerpt-then-comments", "sentence-excerpts", "titles-then-share"],
)
@pytest.mark.parametrize("heading", ["Related", "Check Also", "Read more", "You might also like"])
def test_trailing_teaser_blocks_are_cut(heading: str, teasers: str) -> None:
    body = (
        "The port reopened on Tuesday after a three-day strike ended with a pay deal for 2,300 "
        "dock workers.\n\nShipping lines said it would take a week to clear the backlog."
    )
    page = clean_dump(f"{STORY_HEAD}{body}\n\n{heading}\n\n{teasers}")
    assert page.body == body
    for teaser in ("Union leader", "Ines Calder", "Ferry fares", "Bayline", "what we know"):
        assert teaser not in page.body


def test_teaser_heading_right_under_the_title_keeps_the_article() -> None:
    text = (
        "Home / News / Port reopens after strike\n"
        "Port reopens after strike\n\n"
        "Related\n"
        "Union leader re-elected\n\n"
        "The port reopened on Tuesday after a three-day strike ended with a pay deal.\n\n"
        "Shipping lines said it would take a week to clear the backlog of container ships.\n"
    )
    page = clean_dump(text)
    assert page.title == "Port reopens after strike"
    assert page.body == (
        "The port reopened on Tuesday after a three-day strike ended with a pay deal.\n\n"
        "Shipping lines said it would take a week to clear the backlog of container ships."
    )


def test_sentence_starting_with_more_news_is_not_a_teaser_heading() -> None:
    text = (
        STORY_HEAD + "The ministry cut the cod quota by 12 percent on Wednesday.\n\n"
        "More news on the herring quota is expected in the spring.\n\n"
        "Fishing crews said the cut would cost jobs in every harbour along the coast.\n"
    )
    page = clean_dump(text)
    assert "More news on the herring quota is expected in the spring." in page.body
    assert "Fishing crews said the cut would cost jobs" in page.body


def test_invisible_and_rtl_marks_are_removed() -> None:
    text = (
        "Title\u200b of\u200d the\u2060 story\n\n"
        "\u202bThe\u202c mayor\u200f said\u200e the\u2067 bridge\u2069 will\u061c open "
        "in\u00ad June.\ufeff\n"
    )
    page = clean_dump(text)
    assert page.title == "Title of the story"
    assert page.body == "The mayor said the bridge will open in June."


def test_nbsp_and_odd_spaces_become_single_spaces() -> None:
    page = clean_dump(
        "A\u00a0title\u2009here\n\nThe\u00a0\u00a0council\u202fmet\u3000on\t\tMonday.\n"
    )
    assert page.title == "A title here"
    assert page.body == "The council met on Monday."


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings_do_not_matter(newline: str) -> None:
    text = newline.join(
        [
            "Home / News / Bridge",
            "Bridge opens",
            "",
            "The bridge opened on Monday.",
            "",
            "Leave a Reply",
            "Your email address will not be published.",
        ]
    )
    page = clean_dump(text)
    assert (page.title, page.body) == ("Bridge opens", "The bridge opened on Monday.")


def test_dateline_without_a_year_takes_the_published_year() -> None:
    page = clean_dump(
        "Strike ends\n\nPublished: 3 March 2025\n\n"
        "MERIDIAN CITY, March 2 (Harbor Wire) - The strike ended on Sunday night.\n"
    )
    assert (page.published, page.source) == (date(2025, 3, 2), "Harbor Wire")


def test_dateline_late_in_december_on_a_january_page_is_last_year() -> None:
    page = clean_dump(
        "Strike ends\n\nPublished: 2 January 2025\n\n"
        "MERIDIAN CITY, Dec. 31 (Harbor Wire) - The strike ended on New Year's Eve.\n"
    )
    assert page.published == date(2024, 12, 31)


def test_dateline_without_any_year_leaves_the_date_unknown() -> None:
    page = clean_dump(
        "Strike ends\n\nMERIDIAN CITY, March 2 (Harbor Wire) - The strike ended on Sunday night.\n"
    )
    assert page.published is None
    assert page.source == "Harbor Wire"


def test_dateline_with_a_year_is_used_when_nothing_else_dates_the_page() -> None:
    page = clean_dump(
        "Strike ends\n\nMERIDIAN CITY, March 2, 2019 (Harbor Wire) - The strike ended.\n"
    )
    assert page.published == date(2019, 3, 2)


def test_repeated_title_line_is_not_body() -> None:
    page = clean_dump(
        "Strike ends after three days\n\nStrike ends after three days\n\n"
        "The strike ended on Sunday night after the union accepted a 9 percent rise.\n"
    )
    assert page.title == "Strike ends after three days"
    assert page.body == (
        "The strike ended on Sunday night after the union accepted a 9 percent rise."
    )


def test_timestamp_with_pipes_is_a_date_not_a_breadcrumb() -> None:
    page = clean_dump(
        "Strike ends\n\nNov 19, 2024 | 4:12 pm | Updated 6:40 pm\n\n"
        "The strike ended on Sunday night after the union accepted a 9 percent rise.\n"
    )
    assert page.title == "Strike ends"
    assert page.published == date(2024, 11, 19)
    assert "4:12" not in page.body


def test_company_named_in_a_short_sentence_is_not_an_image_credit() -> None:
    sentence = "Getty Images was sold to a rival agency for 3 billion dollars."
    page = clean_dump(f"Photo agency sold\n\n{sentence}\n\n(Photo by Ana Ruiz/Getty Images)\n")
    assert page.body == sentence


def test_page_with_nothing_but_furniture_has_an_empty_body() -> None:
    page = clean_dump(
        "Home / News\nShare this:\nFacebook Twitter\nLeave a Reply\n"
        "Your email address will not be published.\n"
    )
    assert page.body == ""


def test_empty_text() -> None:
    page = clean_dump("")
    assert (page.title, page.body, page.published, page.source, page.author) == (
        None,
        "",
        None,
        None,
        None,
    )


# --- normalize_text ------------------------------------------------------------------------


def test_normalize_text_joins_lines_and_keeps_paragraphs() -> None:
    text = "  First line\nof a paragraph.  \n\n\n\nSecond\u00a0 paragraph.\r\n\r\n"
    assert normalize_text(text) == "First line of a paragraph.\n\nSecond paragraph."


def test_normalize_text_composes_unicode() -> None:
    assert normalize_text("Cafe\u0301 in Mu\u0308nchen") == "Café in München"


def test_normalize_text_composes_across_removed_invisible_characters() -> None:
    assert normalize_text("Cafe\u200b\u0301") == "Café"


# --- properties ----------------------------------------------------------------------------

_NASTY = st.sampled_from(
    [
        *"\u00a0\u200b\u200e\u200f\u202e\u2066\ufeff\u00ad\r\n\t /|>»:-…\u0301.",
        *("Home / ", "Related", "Check Also", "Leave a Reply", "Photo: ", "By ", "May 20, 2024"),
    ]
)
_TEXTS = st.lists(st.one_of(st.text(max_size=40), _NASTY), max_size=40).map("".join)


@given(_TEXTS)
def test_clean_dump_never_raises_and_leaves_no_invisible_characters(text: str) -> None:
    page = clean_dump(text)
    assert not INVISIBLE.search(page.body)
    assert page.title is None or not INVISIBLE.search(page.title)


@given(_TEXTS)
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert not INVISIBLE.search(once)


def test_comment_link_above_the_story_does_not_cut_it() -> None:
    page = clean_dump(
        "Port reopens after a three-day strike over pay and automation\n\n12 Comments\n\n"
        "The port reopened on Tuesday after a three-day strike ended with a pay deal.\n\n"
        "Leave a Reply\nGreat news for the valley's fruit growers, finally some sense.\n"
    )
    assert page.title == "Port reopens after a three-day strike over pay and automation"
    assert page.body == (
        "The port reopened on Tuesday after a three-day strike ended with a pay deal."
    )


def test_teaser_box_above_the_headline_keeps_the_story() -> None:
    page = clean_dump(
        "Trending\nUnion leader re-elected\n\n"
        "Port reopens after strike\n\n"
        "The port reopened on Tuesday after a three-day strike ended with a pay deal.\n\n"
        "Shipping lines said it would take a week to clear the backlog of container ships.\n"
    )
    # Which of the two title-like lines is the headline cannot be told; the story is whole.
    assert "Trending" not in page.body
    assert page.body.endswith(
        "The port reopened on Tuesday after a three-day strike ended with a pay deal.\n\n"
        "Shipping lines said it would take a week to clear the backlog of container ships."
    )


# --- any text, however hostile ---------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(text=NASTY_TEXT)
def test_cleaning_output_is_clean_and_stable(text: str) -> None:
    normal = normalize_text(text)
    assert normalize_text(normal) == normal
    assert not INVISIBLE_OR_CONTROL.search(normal)
    page = clean_dump(text)
    assert not INVISIBLE_OR_CONTROL.search(page.body + (page.title or ""))
    page.body.encode("utf-8")  # no lone surrogates: everything downstream encodes


@pytest.mark.parametrize(
    ("language", "title", "body", "furniture"),
    [
        (
            "ru",
            "Порт Новороссийска возобновил работу",
            "Порт Новороссийска возобновил работу во вторник после трёхдневной забастовки.\n\n"
            "Около 1200 докеров получили прибавку к зарплате.",
            "Поделиться\n\nЧитайте также\n\nЛидер профсоюза переизбран\nТарифы на паром "
            "заморожены\n\nКомментарии\nОставить комментарий\n",
        ),
        (
            "tr",
            "Liman yeniden açıldı",
            "Liman, üç gün süren grevin ardından salı günü yeniden açıldı.\n\n"
            "Yaklaşık 1200 liman işçisi zam aldı.",
            "Paylaş\n\nİlgili Haberler\n\nSendika başkanı yeniden seçildi\nFeribot ücretleri "
            "donduruldu\n\nYorumlar\n",
        ),
        (
            "ar",
            "إعادة فتح الميناء",
            "أعيد فتح الميناء يوم الثلاثاء بعد إضراب استمر ثلاثة أيام.\n\n"
            "حصل نحو 1200 عامل على زيادة في الأجور.",
            "شارك\n\nاقرأ أيضا\n\nإعادة انتخاب زعيم النقابة\nتجميد أسعار العبارات\n\nالتعليقات\n",
        ),
        (
            "fr",
            "Le port a rouvert",
            "Le port a rouvert mardi après trois jours de grève.\n\n"
            "Environ 1200 dockers ont obtenu une hausse de salaire.",
            "Partager\n\nÀ lire aussi\n\nLe chef du syndicat réélu\nLes tarifs du ferry "
            "gelés\n\nCommentaires\n",
        ),
    ],
    ids=["ru", "tr", "ar", "fr"],
)
def test_page_furniture_in_other_languages_is_removed(
    language: str, title: str, body: str, furniture: str
) -> None:
    """Share buttons, a box of teasers for other stories and the comment form, each in the
    page's own language, go; the article stays whole (texts written for this test)."""
    page = clean_dump(f"{title}\n\n{body}\n\n{furniture}", language)
    assert page.title == title
    assert page.body == body
