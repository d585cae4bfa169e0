"""The date face: month and day columns, and optionally the weekday."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from binclock.faces.date import DateFace, DateOptions

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2025, 11, 27, 13, 37, 42, tzinfo=LONDON)


def at(day):
    return datetime.combine(day, time(12), LONDON)


def by_group(grid):
    return {c.group: c.value for c in grid.columns}


@given(st.dates())
def test_any_date_reads_back_from_its_month_and_day_columns(day):
    assert by_group(DateFace().render(at(day))) == {"month": day.month, "day": day.day}


@given(st.dates())
def test_the_weekday_column_reads_back_as_iso_weekday(day):
    grid = DateFace(DateOptions(weekday=True)).render(at(day))
    assert by_group(grid)["weekday"] == day.isoweekday()


def test_month_is_four_bits_and_day_five_bits_month_first():
    grid = DateFace().render(NOW)
    assert [(c.group, c.label, len(c.bits)) for c in grid.columns] == [
        ("month", "M", 4),
        ("day", "D", 5),
    ]


def test_day_month_order_puts_the_day_first():
    grid = DateFace(DateOptions(order="day-month")).render(NOW)
    assert [c.group for c in grid.columns] == ["day", "month"]
    assert grid.caption == "27 Nov"


def test_the_weekday_column_comes_last_with_three_bits():
    grid = DateFace(DateOptions(weekday=True)).render(NOW)
    assert [(c.group, len(c.bits)) for c in grid.columns][-1] == ("weekday", 3)


def test_caption_is_the_short_month_and_day():
    assert DateFace().render(NOW).caption == "Nov 27"


def test_caption_starts_with_the_weekday_when_shown():
    assert DateFace(DateOptions(weekday=True)).render(NOW).caption == "Thu Nov 27"


def test_ignores_the_clock_options():
    plain = DateFace().render(NOW)
    assert DateFace(hour12=True, seconds=False).render(NOW) == plain
