"""The countdown face: time left to a time of day or of a duration, then a blink."""

import tomllib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from binclock.faces.countdown import CountdownFace, CountdownOptions

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2025, 11, 27, 13, 37, 42, tzinfo=LONDON)


def left(grid):
    """The H, M, S columns read as seconds."""
    h, m, s = grid.values()
    return h * 3600 + m * 60 + s


def is_blink(grid, lit):
    return all(c.group == "alarm" and all(b == lit for b in c.bits) for c in grid.columns)


def face(**options):
    return CountdownFace(CountdownOptions(**options))


def after(face, start, seconds):
    """Render each second from ``start`` for ``seconds`` seconds; return the last grid."""
    grid = face.render(start)
    for i in range(1, seconds + 1):
        grid = face.render(start + timedelta(seconds=i))
    return grid


# -- options -------------------------------------------------------------------------------


def test_needs_a_target_or_a_duration():
    with pytest.raises(ValidationError, match="set target = "):
        CountdownOptions()


def test_refuses_both_a_target_and_a_duration():
    with pytest.raises(ValidationError, match="not both"):
        CountdownOptions(target="07:00", duration="25m")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("25m", 1500), ("1h30m", 5400), ("90s", 90), ("0:25:00", 1500), (1500, 1500)],
)
def test_reads_durations_in_units_clock_form_or_seconds(text, seconds):
    assert CountdownOptions(duration=text).duration == timedelta(seconds=seconds)


def test_refuses_a_two_part_duration_as_ambiguous():
    with pytest.raises(ValidationError, match="'25m'"):
        CountdownOptions(duration="25:00")


def test_refuses_a_duration_of_64_hours_or_more():
    with pytest.raises(ValidationError, match="under 64 hours"):
        CountdownOptions(duration="64h")


def test_reads_a_target_with_a_one_digit_hour():
    assert CountdownOptions(target="7:30").target == time(7, 30)


def test_reads_a_toml_local_time_as_the_target():
    table = tomllib.loads("target = 07:30:00")
    assert CountdownOptions(**table).target == time(7, 30)


def test_refuses_a_target_that_is_not_a_time_of_day():
    with pytest.raises(ValidationError, match="HH:MM"):
        CountdownOptions(target="24:00")


# -- to a time of day ------------------------------------------------------------------------


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(LONDON)
    ),
    st.times(),
)
def test_shows_the_seconds_left_to_the_next_target_rounded_up(now, target):
    target = target.replace(microsecond=0)
    moment = datetime.combine(now.date(), target, LONDON)
    if moment.timestamp() <= now.timestamp():
        moment = datetime.combine(now.date() + timedelta(days=1), target, LONDON)
    expected = -int(-(moment.timestamp() - now.timestamp()) // 1)
    assert left(face(target=target, blink=0).render(now)) == expected


def test_caption_says_the_time_left():
    assert face(target="14:00").render(NOW).caption == "00:22:18 left"


def test_blinks_all_leds_on_then_off_from_the_target_second():
    countdown = face(target="14:00")
    at = datetime(2025, 11, 27, 14, 0, 0, tzinfo=LONDON)
    grids = [countdown.render(at + timedelta(seconds=i)) for i in range(3)]
    assert [is_blink(g, True) for g in grids] == [True, False, True]
    assert is_blink(grids[1], False)


def test_after_the_blink_counts_to_the_next_days_target():
    at = datetime(2025, 11, 27, 14, 0, 0, tzinfo=LONDON)
    grid = face(target="14:00", blink=60).render(at + timedelta(seconds=60))
    assert left(grid) == 24 * 3600 - 60


def test_a_blink_carries_on_past_midnight():
    grid = face(target="23:59:30", blink=60).render(datetime(2025, 11, 28, 0, 0, 10, tzinfo=LONDON))
    assert is_blink(grid, True)


def test_counts_real_hours_to_a_target_across_the_start_of_summer_time():
    before = datetime(2025, 3, 30, 0, 0, 0, tzinfo=LONDON)  # clocks go forward at 01:00
    assert left(face(target="03:00").render(before)) == 2 * 3600


# -- for a duration --------------------------------------------------------------------------


def test_the_first_render_shows_the_whole_duration():
    assert left(face(duration="25m").render(NOW)) == 1500


@given(st.integers(1, 3 * 3600), st.data())
def test_each_second_shown_takes_one_second_off(duration, data):
    seconds = data.draw(st.integers(0, min(duration - 1, 300)))
    assert left(after(face(duration=duration), NOW, seconds)) == duration - seconds


def test_blinks_when_the_duration_has_run_out():
    countdown = face(duration=2)
    grids = [countdown.render(NOW + timedelta(seconds=i)) for i in range(5)]
    assert [left(g) for g in grids[:2]] == [2, 1]
    assert [is_blink(g, i % 2 == 0) for i, g in enumerate(grids[2:])] == [True, True, True]


def test_after_the_blink_shows_zero_and_says_so():
    grid = after(face(duration=2, blink=3), NOW, 5)
    assert grid.values() == (0, 0, 0)
    assert [c.group for c in grid.columns] == ["hours", "minutes", "seconds"]
    assert grid.caption == "time's up"


def test_a_clock_step_does_not_eat_the_duration():
    countdown = face(duration="25m")
    countdown.render(NOW)
    assert left(countdown.render(NOW + timedelta(hours=2))) == 1500


# -- without seconds ---------------------------------------------------------------------------


@pytest.mark.parametrize(("seconds_left", "minutes"), [(1, 1), (60, 1), (61, 2), (5400, 90)])
def test_without_seconds_shows_the_minutes_left_rounded_up(seconds_left, minutes):
    at = datetime.combine(date(2025, 11, 27), time(14, 0), LONDON)
    countdown = CountdownFace(CountdownOptions(target="14:00"), seconds=False)
    grid = countdown.render(at - timedelta(seconds=seconds_left))
    assert [c.label for c in grid.columns] == ["H", "M"]
    h, m = grid.values()
    assert h * 60 + m == minutes


def test_without_seconds_blinks_two_columns():
    countdown = CountdownFace(CountdownOptions(duration=60), seconds=False)
    grid = after(countdown, NOW, 60)
    assert len(grid.columns) == 2
    assert is_blink(grid, True)


def test_a_duration_too_long_for_a_clock_is_a_config_error_not_a_crash():
    with pytest.raises(ValidationError, match="too long"):
        CountdownOptions(duration="99999999999h")


def test_a_duration_that_rounds_past_63_59_shows_63_59():
    face = CountdownFace(CountdownOptions(duration="63h59m30s"), seconds=False)
    assert face.render(NOW).values() == (63, 59)
