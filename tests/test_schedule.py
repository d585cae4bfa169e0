"""Night dimming: the [[schedule]] model, the factor at any local time and the next change."""

from __future__ import annotations

import math
import tomllib
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from binclock.bitgrid import BitColumn, BitGrid
from binclock.clock import ManualClock
from binclock.config import describe
from binclock.daemon.ticker import Ticker
from binclock.painter import Painter, scale
from binclock.timeofday.schedule import (
    Schedule,
    ScheduleEntry,
    Timetable,
    active,
    brightness_at,
    next_change,
    summary,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # DST moves the clock by 30 minutes
UTC = ZoneInfo("UTC")

SCHEDULE = TypeAdapter(Schedule)


class Holder(BaseModel):
    """A config file with only the schedule, as the real one carries it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    schedule: Schedule = Field((), description="night dimming ranges")


def entry(start: str, end: str, brightness: float | None = None, off: bool = False) -> dict:
    table: dict = {"from": start, "to": end}
    if brightness is not None:
        table["brightness"] = brightness
    if off:
        table["off"] = True
    return table


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def schedule(*tables: dict) -> tuple[ScheduleEntry, ...]:
    return SCHEDULE.validate_python(list(tables))


def config_error(text: str) -> str:
    """The one-line message the config loader prints for ``text``."""
    with pytest.raises(ValidationError) as caught:
        Holder.model_validate(tomllib.loads(text))
    return describe(caught.value, "config.toml")


def at(text: str, tz: ZoneInfo = LONDON) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


NIGHT = schedule(entry("22:30", "07:00", 0.1))


# -- the model ---------------------------------------------------------------------------


def test_reads_a_schedule_table_from_toml():
    text = '[[schedule]]\nfrom = "22:30"\nto = "07:00"\nbrightness = 0.1\n'
    (night,) = Holder.model_validate(tomllib.loads(text)).schedule
    assert (night.start, night.end, night.level) == (time(22, 30), time(7), 0.1)


def test_accepts_a_single_digit_hour():
    (morning,) = schedule(entry("7:05", "8:00", 0.5))
    assert morning.start == time(7, 5)


def test_accepts_a_toml_local_time_on_a_whole_minute():
    text = "[[schedule]]\nfrom = 22:30:00\nto = 07:00:00\noff = true\n"
    (night,) = Holder.model_validate(tomllib.loads(text)).schedule
    assert (night.start, night.end) == (time(22, 30), time(7))


@pytest.mark.parametrize("bad", ["24:00", "7", "07:60", "7pm", "07:00:30", "", "-1:00"])
def test_rejects_a_bad_time_string_naming_the_key(bad):
    message = config_error(f'[[schedule]]\nfrom = "{bad}"\nto = "07:00"\nbrightness = 0.1\n')
    assert message.startswith(f"config.toml: schedule.0.from = {bad!r}:")
    assert '"HH:MM"' in message


def test_rejects_a_toml_time_with_seconds():
    message = config_error("[[schedule]]\nfrom = 22:30:15\nto = 07:00:00\noff = true\n")
    assert "schedule.0.from" in message and '"HH:MM"' in message


def test_rejects_a_range_that_starts_where_it_ends():
    message = config_error('[[schedule]]\nfrom = "07:00"\nto = "07:00"\nbrightness = 0.1\n')
    assert "schedule.0" in message and "both 07:00" in message and "empty" in message


def test_rejects_brightness_together_with_off():
    message = config_error(
        '[[schedule]]\nfrom = "22:00"\nto = "07:00"\nbrightness = 0.1\noff = true\n'
    )
    assert "not both" in message


def test_rejects_a_range_with_neither_brightness_nor_off():
    message = config_error('[[schedule]]\nfrom = "22:00"\nto = "07:00"\n')
    assert "give a brightness (0-1) or off = true" in message


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_rejects_a_brightness_outside_zero_to_one(bad):
    message = config_error(f'[[schedule]]\nfrom = "22:00"\nto = "07:00"\nbrightness = {bad}\n')
    assert message.startswith(f"config.toml: schedule.0.brightness = {bad}:")


def test_rejects_an_unknown_key():
    message = config_error('[[schedule]]\nfrom = "22:00"\nto = "07:00"\nbrightnes = 0.1\n')
    assert message == "config.toml: schedule.0.brightnes: unknown key"


def test_rejects_overlapping_ranges_naming_both():
    with pytest.raises(ValidationError, match=r"ranges 22:30-07:00 and 06:00-08:00 overlap"):
        schedule(entry("22:30", "07:00", 0.1), entry("06:00", "08:00", off=True))


def test_rejects_ranges_that_overlap_after_midnight():
    with pytest.raises(ValidationError, match="overlap"):
        schedule(entry("22:00", "02:00", 0.1), entry("01:00", "03:00", 0.5))


def test_rejects_ranges_that_share_a_single_minute():
    with pytest.raises(ValidationError, match="overlap"):
        schedule(entry("22:30", "07:00", 0.1), entry("06:59", "08:00", off=True))


def test_rejects_two_identical_ranges():
    with pytest.raises(ValidationError, match="overlap"):
        schedule(entry("22:00", "02:00", 0.1), entry("22:00", "02:00", 0.5))


def test_accepts_ranges_that_touch():
    ranges = schedule(entry("22:30", "07:00", 0.1), entry("07:00", "08:00", off=True))
    assert len(ranges) == 2


def test_overlap_error_is_one_config_line():
    message = config_error(
        '[[schedule]]\nfrom = "22:30"\nto = "07:00"\nbrightness = 0.1\n'
        '[[schedule]]\nfrom = "06:00"\nto = "08:00"\noff = true\n'
    )
    assert "\n" not in message
    assert message.startswith("config.toml: schedule = ")
    assert message.endswith("overlap; give each minute of the day one brightness")


def test_writes_back_as_hh_mm_under_the_config_keys():
    dumped = SCHEDULE.dump_python(NIGHT, mode="json", by_alias=True)
    assert dumped == [
        {"from": "22:30", "to": "07:00", "brightness": 0.1, "off": False, "days": None}
    ]


def test_every_field_has_a_description():
    assert all(f.description for f in ScheduleEntry.model_fields.values())


def test_entries_are_frozen():
    with pytest.raises(ValidationError):
        NIGHT[0].brightness = 0.5  # type: ignore[misc]


# -- the factor ----------------------------------------------------------------------------


def test_inside_a_range_the_factor_is_its_brightness():
    assert brightness_at(NIGHT, at("2024-06-01T23:15")) == 0.1


def test_outside_every_range_the_factor_is_one():
    assert brightness_at(NIGHT, at("2024-06-01T12:00")) == 1.0


def test_without_a_schedule_the_factor_is_one():
    assert brightness_at((), at("2024-06-01T23:15")) == 1.0


def test_from_is_included():
    assert brightness_at(NIGHT, at("2024-06-01T22:30:00")) == 0.1


def test_the_second_before_from_is_not_dimmed():
    assert brightness_at(NIGHT, at("2024-06-01T22:29:59")) == 1.0


def test_to_is_excluded():
    assert brightness_at(NIGHT, at("2024-06-02T07:00:00")) == 1.0


def test_the_second_before_to_is_still_dimmed():
    assert brightness_at(NIGHT, at("2024-06-02T06:59:59")) == 0.1


def test_a_range_across_midnight_covers_both_sides():
    assert brightness_at(NIGHT, at("2024-06-01T23:59:59")) == 0.1
    assert brightness_at(NIGHT, at("2024-06-02T00:00:00")) == 0.1


def test_off_gives_zero():
    ranges = schedule(entry("01:00", "05:00", off=True))
    assert brightness_at(ranges, at("2024-06-02T03:00")) == 0.0


def test_a_range_ending_at_midnight_stops_at_midnight():
    ranges = schedule(entry("20:00", "00:00", 0.5))
    assert brightness_at(ranges, at("2024-06-01T23:59:59")) == 0.5
    assert brightness_at(ranges, at("2024-06-02T00:00:00")) == 1.0


def test_uses_the_wall_clock_on_a_dst_day():
    # 01:30 GMT and 02:30 BST are one hour apart in UTC but both read on the wall clock.
    ranges = schedule(entry("02:00", "03:00", 0.5))
    spring = datetime(2024, 3, 31, 1, 30, tzinfo=UTC).astimezone(LONDON)
    assert spring.strftime("%H:%M") == "02:30"
    assert brightness_at(ranges, spring) == 0.5


def test_active_names_the_range_in_force():
    ranges = schedule(entry("22:30", "07:00", 0.1), entry("07:00", "08:00", off=True))
    assert str(active(ranges, at("2024-06-02T07:30"))) == "07:00-08:00"
    assert active(ranges, at("2024-06-02T12:00")) is None


@st.composite
def schedules(draw: st.DrawFn) -> tuple[list[dict], list[float]]:
    """Random valid schedules (some crossing midnight, some touching) and, minute by minute,
    the factor each should give, worked out by marking the minutes each range covers."""
    count = draw(st.integers(0, 5))
    points = sorted(draw(st.lists(st.integers(0, 1439), min_size=2 * count, max_size=2 * count)))
    pairs = [(points[2 * i], points[2 * i + 1]) for i in range(count)]
    if any(a == b for a, b in pairs):
        points = sorted(set(points))
        pairs = [(points[2 * i], points[2 * i + 1]) for i in range(len(points) // 2)]
    shift = draw(st.integers(0, 1439))
    tables: list[dict] = []
    expected = [1.0] * 1440
    for a, b in pairs:
        start, end = (a + shift) % 1440, (b + shift) % 1440
        level = draw(st.one_of(st.none(), st.floats(0.0, 1.0)))
        tables.append(entry(hhmm(start), hhmm(end), level, off=level is None))
        minute = start
        while minute != end:
            expected[minute] = 0.0 if level is None else level
            minute = (minute + 1) % 1440
    return draw(st.permutations(tables)), expected


@given(schedules())
def test_every_minute_of_the_day_gets_the_right_factor(case):
    tables, expected = case
    table = Timetable(schedule(*tables))  # as the clock keeps it: each day resolved once
    for minute in range(1440):
        wall = datetime(2024, 6, 1, minute // 60, minute % 60)
        assert table.brightness_at(wall) == expected[minute], wall


def _covered(start: int, end: int) -> set[int]:
    return {m % 1440 for m in range(start, end if end > start else end + 1440)}


@given(st.integers(0, 1439), st.integers(0, 1439), st.integers(0, 1439), st.integers(0, 1439))
def test_two_ranges_are_accepted_exactly_when_no_minute_is_in_both(a, b, c, d):
    if a == b or c == d:
        return
    disjoint = not _covered(a, b) & _covered(c, d)
    tables = [entry(hhmm(a), hhmm(b), 0.5), entry(hhmm(c), hhmm(d), off=True)]
    try:
        schedule(*tables)
    except ValidationError:
        accepted = False
    else:
        accepted = True
    assert accepted == disjoint


# -- the next change -------------------------------------------------------------------------


def test_next_change_is_the_start_of_the_next_range():
    assert next_change(NIGHT, at("2024-06-01T12:00")) == at("2024-06-01T22:30")


def test_next_change_inside_a_range_is_its_end_the_next_morning():
    assert next_change(NIGHT, at("2024-06-01T23:00")) == at("2024-06-02T07:00")


def test_next_change_is_strictly_after_the_given_moment():
    assert next_change(NIGHT, at("2024-06-01T22:30")) == at("2024-06-02T07:00")


def test_next_change_skips_a_boundary_where_the_factor_stays_the_same():
    ranges = schedule(entry("22:00", "00:00", 0.2), entry("00:00", "06:00", 0.2))
    assert next_change(ranges, at("2024-06-01T23:00")) == at("2024-06-02T06:00")


def test_next_change_is_in_the_zone_of_the_given_moment():
    change = next_change(NIGHT, at("2024-06-01T12:00", NEW_YORK))
    assert change is not None and change.tzinfo is NEW_YORK


def test_next_change_without_a_schedule_is_none():
    assert next_change((), at("2024-06-01T12:00")) is None


def test_next_change_needs_a_time_zone():
    with pytest.raises(ValueError, match="time zone"):
        next_change(NIGHT, datetime(2024, 6, 1, 12))


def test_a_boundary_skipped_by_spring_forward_takes_effect_when_the_clocks_jump():
    # London, 31 March 2024: 01:00 GMT is followed by 02:00 BST; 01:30 never shows.
    ranges = schedule(entry("01:30", "05:00", 0.3))
    change = next_change(ranges, at("2024-03-31T00:10"))
    assert change == datetime(2024, 3, 31, 1, 0, tzinfo=UTC)
    assert change is not None and change.strftime("%H:%M %Z") == "02:00 BST"


def test_a_boundary_in_the_repeated_hour_happens_twice_in_autumn():
    # London, 27 October 2024: 01:00-02:00 is shown first in BST, then again in GMT.
    # (Instants are compared as timestamps: Python never calls a repeated local time equal
    # to a time in another zone.)
    ranges = schedule(entry("01:30", "05:00", 0.3))
    first = next_change(ranges, at("2024-10-27T00:10"))
    assert first is not None and first.strftime("%H:%M %Z") == "01:30 BST"  # dims
    undim = next_change(ranges, first)
    assert undim is not None and undim.strftime("%H:%M %Z") == "01:00 GMT"  # clocks go back
    again = next_change(ranges, undim)
    assert again is not None and again.strftime("%H:%M %Z") == "01:30 GMT"  # dims again
    assert [first.timestamp(), undim.timestamp(), again.timestamp()] == [
        datetime(2024, 10, 27, hour, minute, tzinfo=UTC).timestamp()
        for hour, minute in ((0, 30), (1, 0), (1, 30))
    ]


def test_a_half_hour_dst_jump_is_found_to_the_second():
    # Lord Howe Island, 6 October 2024: 02:00 standard time becomes 02:30 daylight time.
    ranges = schedule(entry("02:15", "06:00", 0.3))
    change = next_change(ranges, at("2024-10-06T01:00", LORD_HOWE))
    assert change == datetime(2024, 10, 5, 15, 30, tzinfo=UTC)
    assert change is not None and change.strftime("%H:%M") == "02:30"


DST_DAYS = [
    (LONDON, datetime(2024, 3, 31, 1, tzinfo=UTC)),
    (LONDON, datetime(2024, 10, 27, 1, tzinfo=UTC)),
    (NEW_YORK, datetime(2024, 3, 10, 7, tzinfo=UTC)),
    (NEW_YORK, datetime(2024, 11, 3, 6, tzinfo=UTC)),
    (LORD_HOWE, datetime(2024, 10, 5, 15, 30, tzinfo=UTC)),
    (LORD_HOWE, datetime(2024, 4, 6, 15, tzinfo=UTC)),
    (UTC, datetime(2024, 6, 1, tzinfo=UTC)),
]


def _first_change_by_scanning(ranges: tuple[ScheduleEntry, ...], after: datetime) -> datetime:
    """The slow, obvious answer: look at every UTC minute until the factor differs."""
    tz = after.tzinfo
    level = brightness_at(ranges, after)
    minute = math.floor(after.timestamp() / 60) * 60 + 60
    while True:
        moment = datetime.fromtimestamp(minute, tz)
        if brightness_at(ranges, moment) != level:
            return moment
        minute += 60


@settings(max_examples=60, deadline=None)
@given(
    schedules().filter(lambda case: case[0]),
    st.sampled_from(DST_DAYS),
    st.integers(-36 * 3600, 36 * 3600),
)
def test_next_change_agrees_with_scanning_minute_by_minute_around_dst(case, day, seconds):
    tz, transition = day
    ranges = schedule(*case[0])
    day = datetime(2024, 6, 1)
    if len({brightness_at(ranges, day + timedelta(minutes=m)) for m in range(1440)}) == 1:
        return  # every minute has the same factor, so nothing ever changes
    after = (transition + timedelta(seconds=seconds)).astimezone(tz)
    change = next_change(ranges, after)
    assert change is not None
    assert change.timestamp() == _first_change_by_scanning(ranges, after).timestamp()


def test_next_change_when_the_factor_never_changes_is_none():
    ranges = schedule(entry("00:00", "12:00", 0.5), entry("12:00", "00:00", 0.5))
    assert next_change(ranges, at("2024-06-01T08:00")) is None


# -- for the log -------------------------------------------------------------------------


def test_summary_outside_the_ranges_says_when_dimming_starts():
    assert summary(NIGHT, at("2024-06-01T21:00")) == "normal brightness until 22:30"


def test_summary_inside_a_range_names_it_and_its_end():
    text = summary(NIGHT, at("2024-06-01T23:00"))
    assert text == "brightness 10% of normal (schedule 22:30-07:00) until 07:00"


def test_summary_of_an_off_range_says_display_off():
    ranges = schedule(entry("01:00", "05:00", off=True))
    assert (
        summary(ranges, at("2024-06-01T02:00")) == "display off (schedule 01:00-05:00) until 05:00"
    )


# -- applied to frames, second by second -------------------------------------------------


def test_the_first_dimmed_frame_is_the_one_for_from():
    # The run loop's recipe: the painter's brightness is display.brightness times the factor
    # for the second being shown.
    clock = ManualClock(at("2024-06-01T22:29:58"))
    ticker = Ticker(clock)
    painter = Painter(brightness=0.8)
    grid = BitGrid((BitColumn.of("seconds", "S", 1, 1),))
    lit = []
    for _ in range(4):
        second = datetime.fromtimestamp(ticker.wait(), clock.tz)
        dimmed = replace(painter, brightness=painter.brightness * brightness_at(NIGHT, second))
        lit.append((second.strftime("%H:%M:%S"), dimmed.paint(grid, second).pixels[0]))
        clock.sleep(1.0)
    colour = painter.theme.colour("seconds", True)
    full, night = scale(colour, 0.8), scale(colour, 0.8 * 0.1)
    assert lit == [
        ("22:29:58", full),
        ("22:29:59", full),
        ("22:30:00", night),
        ("22:30:01", night),
    ]
