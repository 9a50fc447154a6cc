"""A synthetic news corpus: realistic-looking articles from templates and vocabularies.

Deterministic for a seed. Articles are dated across 2005-2025, spread over a dozen outlets
and ten desks (politics, economy, sport, ...), with invented places, people, companies and
figures, so every body is different and questions about them have one right answer. About
5-6 chunks per article at the default chunk size: 20,000 articles give 100k+ chunks.

    .venv/bin/python benchmarks/synthetic.py 20000 --out benchmarks/results/synthetic-20k.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

OUTLETS = [
    "Harbor Wire", "Meridian Tribune", "Northgate Courier", "Valley Ledger", "Coastline Post",
    "Capital Dispatch", "Riverside Herald", "Summit Daily", "Eastbank Observer", "Pinecrest News",
    "Lakeside Chronicle", "Ironbridge Gazette",
]  # fmt: skip
PLACES = [
    "Meridian City", "Alder Falls", "Eastbank", "Kestrel Bay", "Northgate", "Port Halden",
    "Silverton", "Ravensmoor", "Brightwater", "Oakhollow", "Westmarch", "Cinder Ridge",
    "Greyhaven", "Marlow Point", "Thornfield", "Ashcombe", "Larkspur", "Redcliff", "Fenwick",
    "Stonebridge", "Wrenfield", "Holloway", "Dunmore", "Glenarron", "Caskport", "Belmont Heights",
]  # fmt: skip
FIRST = (
    "Alice Maria Omar Chen Priya Tomas Ingrid Kwame Elena Rafael Yusuf Hana Lena Marcus Sofia "
    "Daniel Amara Viktor Nadia Samuel Leila Jonas Mei Carlos Fatima Henrik Zara Pavel Rosa Idris"
).split()
LAST = (
    "Okonkwo Lindqvist Haddad Moreau Takahashi Novak Brennan Castillo Adeyemi Kowalski Varga "
    "Sorensen Petrov Mendes Achebe Whitfield Nakamura Oyelaran Duarte Halvorsen Farouk Quispe "
    "Ferreira Ivanova Mbeki Rasmussen Kaur Delacroix Abernathy Sato"
).split()
COMPANIES = [
    "Quillstack", "Norrbridge Energy", "Halcyon Freight", "Brightline Foods", "Corvid Systems",
    "Tessaract Mining", "Lumen Harbor", "Pellwater Pharma", "Granite Mutual", "Orchard Telecom",
    "Vantor Motors", "Sable Airways", "Kinetic Grid", "Blue Heron Textiles", "Arcwell Steel",
]  # fmt: skip
TEAMS = [
    "Alder Falls Rovers", "Meridian City FC", "Eastbank United", "Port Halden Athletic",
    "Kestrel Bay Wanderers", "Silverton Rangers", "Northgate Albion", "Redcliff Town",
]  # fmt: skip
BODIES = [
    "city council", "regional assembly", "transport authority", "health board", "water board",
    "port authority", "education department", "housing agency", "planning committee",
]  # fmt: skip
ROLES = [
    "mayor", "council leader", "finance director", "spokesperson", "chief executive",
    "union representative", "head coach", "lead researcher", "police chief", "health minister",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

DESKS: dict[str, dict[str, list[str]]] = {
    "politics": {
        "title": [
            "{place} {body} approves {thing} after {adj} debate",
            "{person} wins {place} vote by {small} seats",
            "{place} {body} rejects plan to cut {thing}",
        ],
        "lead": [
            "The {body} of {place} voted {big} to {small} on {weekday} to approve {thing}, ending months of {adj} debate.",
            "{person}, the {role} of {place}, won the vote with {pct} percent of the ballots cast on {weekday}.",
        ],
        "body": [
            "Opponents said the {thing} would cost residents about {money} over the next {small} years.",
            "{person} told reporters that the decision reflected what voters had asked for in {year}.",
            "The proposal had been delayed {small} times since it was first tabled in {month}.",
            "Turnout reached {pct} percent, the highest in {place} since {year}.",
            "A second reading is scheduled for {month}, when amendments on {thing} will be considered.",
        ],
    },
    "economy": {
        "title": [
            "{company} to cut {big} jobs in {place}",
            "{company} profits rise {pct} percent on strong demand",
            "{company} opens {money} plant in {place}",
        ],
        "lead": [
            "{company} said on {weekday} it would cut {big} jobs at its {place} site, about {pct} percent of its workforce there.",
            "{company} reported a {pct} percent rise in quarterly profit to {money}, beating analyst forecasts.",
        ],
        "body": [
            "The company's {role}, {person}, said the decision followed a review of {thing}.",
            "Shares in {company} rose {small} percent in early trading after the announcement.",
            "Union leaders in {place} said they had not been consulted and called the move {adj}.",
            "The firm expects the changes to save {money} a year from {year}.",
            "Analysts at {company} said demand for {thing} had grown {pct} percent since {month}.",
        ],
    },
    "sport": {
        "title": [
            "{team} beat {team2} {score} in cup final",
            "{person} scores twice as {team} go top",
            "{team} appoint {person} as head coach",
        ],
        "lead": [
            "{team} beat {team2} {score} on {weekday} night, with {person} scoring the winner in the {minute}th minute.",
            "{person} scored twice as {team} moved to the top of the table with a {score} win at {place}.",
        ],
        "body": [
            "A crowd of {big} watched the match at the {place} stadium.",
            "The head coach, {person}, said the team had trained for {small} weeks on set pieces.",
            "{team2} had not lost at home since {month} {year}.",
            "The club's {role} said ticket sales had risen {pct} percent this season.",
            "The return fixture is scheduled for {month}, when {team2} will host the game.",
        ],
    },
    "weather": {
        "title": [
            "Flood warning for {big} homes in {place}",
            "Storm brings {small} centimetres of rain to {place}",
            "Heatwave sets record of {temp} degrees in {place}",
        ],
        "lead": [
            "Authorities in {place} told residents of {big} homes to leave on {weekday} as the river rose {small} metres above normal.",
            "A storm dropped {small} centimetres of rain on {place} overnight, closing {small2} roads and the ferry to {place2}.",
        ],
        "body": [
            "The {body} said emergency shelters had room for {big} people.",
            "Forecasters expect temperatures of {temp} degrees by {weekday}.",
            "The last comparable flood in {place} was recorded in {month} {year}.",
            "{person}, the {role}, urged drivers to avoid the coast road near {place2}.",
            "Power was cut to {big} households for up to {small} hours.",
        ],
    },
    "transport": {
        "title": [
            "{place} tram line opens after {small} years of works",
            "Strike halts buses across {place}",
            "{place} port to expand at a cost of {money}",
        ],
        "lead": [
            "The new tram line between {place} and {place2} opened on {weekday}, {small} years after construction began and at a cost of {money}.",
            "About {big} transport workers in {place} walked out on {weekday} in a dispute over pay and {thing}.",
        ],
        "body": [
            "The {body} said trains would run every {small} minutes at peak times.",
            "Passenger numbers are forecast to reach {big} a day by {year}.",
            "{person}, the {role}, said negotiations would resume in {month}.",
            "The project ran {pct} percent over its original budget.",
            "Commuters reported journeys {small} minutes shorter on the first day.",
        ],
    },
    "science": {
        "title": [
            "{place} researchers find {thing} in {adj} study",
            "{company} trial shows {pct} percent improvement",
            "University of {place} wins {money} grant",
        ],
        "lead": [
            "Researchers at the University of {place} said on {weekday} they had found evidence of {thing} in a study of {big} samples.",
            "A trial run by {company} found a {pct} percent improvement among {big} participants over {small} months.",
        ],
        "body": [
            "The lead researcher, {person}, said the results needed to be repeated before any firm conclusion.",
            "The study was funded by a {money} grant awarded in {year}.",
            "Independent experts called the findings {adj} but welcomed the size of the sample.",
            "The team plans a second phase in {place2} starting in {month}.",
            "Results will be published in full in {month} {year}.",
        ],
    },
    "crime": {
        "title": [
            "{small} arrested after raid in {place}",
            "Court jails {person} for {small} years",
            "Police in {place} seize {money} in goods",
        ],
        "lead": [
            "Police in {place} arrested {small} people on {weekday} after a raid on a warehouse near the {place2} road.",
            "A court in {place} sentenced {person} to {small} years in prison for fraud worth {money}.",
        ],
        "body": [
            "The {role} said the investigation had lasted {small} months.",
            "Officers recovered goods worth an estimated {money}.",
            "The defence said it would appeal, calling the ruling {adj}.",
            "The case is the largest of its kind in {place} since {year}.",
            "{person} is due to appear in court again in {month}.",
        ],
    },
    "health": {
        "title": [
            "{place} hospital waiting times fall {pct} percent",
            "{body} of {place} opens {small} new clinics",
            "Vaccination drive reaches {big} people in {place}",
        ],
        "lead": [
            "Waiting times at hospitals in {place} fell {pct} percent in the year to {month}, the {body} said on {weekday}.",
            "The {body} of {place} opened {small} new clinics on {weekday}, adding room for {big} patients a year.",
        ],
        "body": [
            "{person}, the {role}, credited {big} extra nurses hired since {year}.",
            "Patients still wait an average of {small} weeks for routine surgery.",
            "The programme cost {money} and was funded by the {body}.",
            "Doctors in {place2} said the change was {adj} but overdue.",
            "A review of {thing} is due in {month}.",
        ],
    },
}
GENERIC = [
    'Speaking in {place} on {weekday}, {person} said: "We have listened carefully and we will keep listening."',
    "Local business owners in {place2} said they were {adj} about the outlook for {month}.",
    "The {body} will publish a full report on {thing} before the end of {year}.",
    "Critics pointed to a similar decision in {place2} in {year} that was reversed within {small} months.",
    "{person2}, a resident of {place} for {small2} years, said the mood in the town was {adj}.",
    "Figures released by the {body} show {big} people were affected in the last year alone.",
    "The announcement came {small} days after a public meeting attended by {big} people.",
    "Officials declined to say how much of the {money} had already been spent.",
    "A spokesperson for {company} said the company was following the situation closely.",
    "Earlier in {month}, the {body} of {place2} reached a {adj} agreement on {thing}.",
    "Opposition members called for an inquiry and asked the {role} to appear before the {body}.",
    "According to the {body}, {pct} percent of those surveyed supported the change.",
    "The decision is expected to be reviewed in {month} {year}.",
    "Campaigners gathered outside the offices of the {body} in {place} on {weekday} morning.",
    "{person2}, the {role} of {company}, described the figures as {adj}.",
    "Neighbouring {place2} is expected to follow with a plan of its own worth {money}.",
]
THINGS = [
    "the property tax increase", "a new waste plan", "school funding", "the harbour bridge",
    "rent controls", "night bus services", "the water tariff", "battery storage", "rural broadband",
    "the library network", "housing subsidies", "coastal defences", "the budget surplus",
]  # fmt: skip
ADJECTIVES = [
    "heated", "lengthy", "surprising", "unusual", "bitter", "cautious", "long-awaited",
    "controversial", "promising", "modest", "historic", "unexpected",
]  # fmt: skip
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip


class _Slots(dict[str, str]):
    """Fills template slots with fresh random values each time a name is looked up."""

    def __init__(self, rng: random.Random, year: int, place: str, person: str) -> None:
        super().__init__()
        self.rng = rng
        self.fixed = {"place": place, "person": person, "year": str(year)}

    def __missing__(self, key: str) -> str:
        rng = self.rng
        if key in self.fixed:
            return self.fixed[key]
        makers = {
            "place2": lambda: rng.choice(PLACES),
            "body": lambda: rng.choice(BODIES),
            "role": lambda: rng.choice(ROLES),
            "company": lambda: rng.choice(COMPANIES),
            "team": lambda: rng.choice(TEAMS),
            "team2": lambda: rng.choice(TEAMS),
            "thing": lambda: rng.choice(THINGS),
            "adj": lambda: rng.choice(ADJECTIVES),
            "weekday": lambda: rng.choice(WEEKDAYS),
            "month": lambda: rng.choice(MONTHS),
            "small": lambda: str(rng.randint(2, 19)),
            "small2": lambda: str(rng.randint(2, 40)),
            "big": lambda: f"{rng.randint(120, 98000):,}",
            "pct": lambda: str(rng.randint(3, 89)),
            "money": lambda: f"{rng.randint(2, 950)} million dollars",
            "score": lambda: f"{rng.randint(1, 5)}-{rng.randint(0, 3)}",
            "minute": lambda: str(rng.randint(5, 89)),
            "temp": lambda: str(rng.randint(34, 47)),
            "year": lambda: str(rng.randint(1990, 2024)),
            "person2": lambda: _person(rng),
        }
        if key == "person":
            return f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        return makers[key]() if key in makers else key


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def article(n: int, seed: int = 7) -> dict[str, str]:
    """The n-th synthetic article (deterministic for `seed`)."""
    rng = random.Random(seed * 1_000_003 + n)
    desk_name = rng.choice(sorted(DESKS))
    desk = DESKS[desk_name]
    day = date(2005, 1, 1) + timedelta(days=rng.randrange(21 * 365))
    place = rng.choice(PLACES)
    slots = _Slots(rng, day.year, place, _person(rng))
    title = rng.choice(desk["title"]).format_map(slots)
    paragraphs = [rng.choice(desk["lead"]).format_map(slots)]
    for _ in range(rng.randint(6, 10)):
        sentences = [
            rng.choice(desk["body"] if rng.random() < 0.5 else GENERIC).format_map(slots)
            for _ in range(rng.randint(3, 5))
        ]
        paragraphs.append(" ".join(sentences))
    outlet = rng.choice(OUTLETS)
    slug = "-".join(title.lower().replace(",", "").split()[:8])
    return {
        "id": f"syn-{seed}-{n}",
        "title": title,
        "body": "\n\n".join(paragraphs),
        "published": day.isoformat(),
        "source": outlet,
        "url": f"https://{outlet.lower().replace(' ', '')}.example/{desk_name}/{day:%Y/%m/%d}/{slug}-{n}",
    }


def articles(count: int, seed: int = 7, start: int = 0) -> Iterator[dict[str, str]]:
    """`count` articles, numbered from `start`."""
    for n in range(start, start + count):
        yield article(n, seed)


def write_jsonl(path: Path, count: int, seed: int = 7, start: int = 0) -> Path:
    """Write `count` articles as JSON Lines (the format `newsbot ingest` reads)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for record in articles(count, seed, start):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic news corpus as JSON Lines.")
    parser.add_argument("count", type=int, help="number of articles (20000 -> 100k+ chunks)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_jsonl(args.out, args.count, args.seed)
    words = sum(len(a["body"].split()) for a in articles(min(args.count, 500), args.seed))
    print(
        f"wrote {args.count} articles to {args.out} (~{words / min(args.count, 500):.0f} words each)"
    )


if __name__ == "__main__":
    main()
