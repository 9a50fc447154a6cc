"""Dates in the shapes archives store them, and the vetting of implausible ones."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.dates import parse_date, vet_date
from tests.support.nasty_text import DATEISH

TODAY = date(2024, 3, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-05-20", date(2019, 5, 20)),
        ("2019-05-20T09:30:00Z", date(2019, 5, 20)),
        ("2019-05-20T09:30:00.000+0100", date(2019, 5, 20)),
        # The publisher's own day, not the UTC one.
        ("2019-05-20T23:30:00-05:00", date(2019, 5, 20)),
        ("2019-05-20 14:00", date(2019, 5, 20)),
        ("20190520", date(2019, 5, 20)),
        ("Mon, 20 May 2019 23:30:00 -0500", date(2019, 5, 20)),
        ("Tue, 21 May 2019 06:00:00 GMT", date(2019, 5, 21)),
        ("20 May 2019", date(2019, 5, 20)),
        ("Monday, 20th May 2019", date(2019, 5, 20)),
        ("May 20, 2019", date(2019, 5, 20)),
        ("Sept. 3, 2019", date(2019, 9, 3)),
        ("3 Sept 2019", date(2019, 9, 3)),
        ("2019/05/20", date(2019, 5, 20)),
        ("20.05.2019", date(2019, 5, 20)),
        ("13/04/2019", date(2019, 4, 13)),
        ("04/13/2019", date(2019, 4, 13)),
        ("  2019-05-20  ", date(2019, 5, 20)),
        ("1558310400", date(2019, 5, 20)),
    ],
)
def test_parse_date_strings(value: str, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "soon", "04/05/2019", "2019-02-30", "32 May 2019", "yesterday", "2019", "n/a"],
)
def test_parse_date_refuses_what_it_cannot_know(value: str) -> None:
    assert parse_date(value) is None


def test_parse_date_timestamps_in_seconds_and_milliseconds() -> None:
    assert parse_date(1558310400) == date(2019, 5, 20)
    assert parse_date(1558310400.75) == date(2019, 5, 20)
    assert parse_date(1558310400000) == date(2019, 5, 20)


def test_parse_date_objects() -> None:
    tz = timezone(timedelta(hours=-5))
    assert parse_date(datetime(2019, 5, 20, 23, 30, tzinfo=tz)) == date(2019, 5, 20)
    assert parse_date(date(2019, 5, 20)) == date(2019, 5, 20)
    assert parse_date(time.gmtime(1558310400)) == date(2019, 5, 20)


@pytest.mark.parametrize("value", [None, True, False, [], {}, object(), float("nan"), 10**30])
def test_parse_date_other_values_are_none(value: object) -> None:
    assert parse_date(value) is None


def test_vet_date_keeps_plausible_dates() -> None:
    assert vet_date(date(2019, 5, 20), today=TODAY) == (date(2019, 5, 20), None)
    # Tomorrow is fine: the publisher's time zone may be ahead of ours.
    assert vet_date(TODAY + timedelta(days=1), today=TODAY) == (TODAY + timedelta(days=1), None)
    assert vet_date(None, today=TODAY) == (None, None)


def test_vet_date_flags_future_and_ancient_dates() -> None:
    assert vet_date(date(2031, 1, 1), today=TODAY) == (
        None,
        "date 2031-01-01 is in the future; not used",
    )
    kept, flag = vet_date(date(1850, 6, 1), today=TODAY)
    assert kept is None
    assert flag == "date 1850-06-01 is before 1900; not used"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_iso_dates_round_trip(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d %B %Y")) == day
    assert parse_date(day.strftime("%B %d, %Y")) == day


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)))
def test_timestamps_round_trip(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC)
    assert parse_date(int(aware.timestamp())) == aware.date()


@given(st.one_of(st.text(), st.integers(), st.floats(), st.binary()))
def test_parse_date_never_raises(value: object) -> None:
    result = parse_date(value)
    assert result is None or isinstance(result, date)


# --- any text, however hostile ---------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(value=DATEISH, today=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))
def test_date_parsing_never_raises_and_vetting_holds(value: str, today: date) -> None:
    parsed = parse_date(value)
    assert parsed is None or isinstance(parsed, date)
    kept, flag = vet_date(parsed, today=today)
    if kept is not None:
        assert date(1900, 1, 1) <= kept <= date.fromordinal(today.toordinal() + 1)
        assert flag is None
    assert flag is None or "\n" not in flag
