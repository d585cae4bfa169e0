"""The stopwatch face: counts up from the first second it is shown."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from binclock.faces.stopwatch import StopwatchFace, span_grid

START = datetime(2025, 11, 27, 13, 37, 42, tzinfo=ZoneInfo("Europe/London"))


def shown(grid):
    """The grid's H, M, S columns as seconds (each column read as plain binary)."""
    h, m, s = grid.values()
    return h * 3600 + m * 60 + s


def run(face, start, steps):
    """Render at ``start`` and then after each step (seconds); return the last grid."""
    now = start
    grid = face.render(now)
    for step in steps:
        now += timedelta(seconds=step)
        grid = face.render(now)
    return grid


def test_the_first_render_shows_zero():
    assert StopwatchFace().render(START).values() == (0, 0, 0)


def test_columns_are_hours_minutes_seconds_of_six_bits():
    grid = StopwatchFace().render(START)
    assert [(c.group, c.label, len(c.bits)) for c in grid.columns] == [
        ("hours", "H", 6),
        ("minutes", "M", 6),
        ("seconds", "S", 6),
    ]


@given(st.lists(st.integers(1, 60), max_size=200))
def test_shows_the_time_gone_by_between_renders(steps):
    assert shown(run(StopwatchFace(), START, steps)) == sum(steps)


@given(st.integers(0, 64 * 3600 - 1))
def test_any_span_under_64_hours_reads_back_from_its_columns(total):
    assert shown(span_grid(total, True, "")) == total


def test_rolls_over_to_zero_after_63_59_59():
    face = StopwatchFace()
    grid = run(face, START, [60] * (64 * 60 - 1) + [59])
    assert shown(grid) == 64 * 3600 - 1
    assert shown(face.render(START + timedelta(hours=64))) == 0


def test_caption_is_the_elapsed_time():
    assert run(StopwatchFace(), START, [60] * 62 + [5]).caption == "01:02:05"


def test_a_clock_step_back_is_not_counted():
    face = StopwatchFace()
    run(face, START, [1, 1, 1])
    grid = face.render(START - timedelta(hours=1))
    assert shown(grid) == 3
    assert shown(face.render(START - timedelta(hours=1) + timedelta(seconds=1))) == 4


def test_a_clock_step_forward_of_over_a_minute_is_not_counted():
    face = StopwatchFace()
    run(face, START, [1, 1])
    assert shown(face.render(START + timedelta(days=3))) == 2


def test_a_preview_render_long_ago_does_not_count():
    face = StopwatchFace()
    face.render(datetime(2000, 1, 1, tzinfo=UTC))
    assert shown(run(face, START, [1, 1])) == 2


def test_counts_real_seconds_across_the_end_of_summer_time():
    london = ZoneInfo("Europe/London")
    face = StopwatchFace()
    face.render(datetime(2025, 10, 26, 1, 59, 59, tzinfo=london))  # BST
    assert shown(face.render(datetime(2025, 10, 26, 1, 0, 0, fold=1, tzinfo=london))) == 1


def test_without_seconds_shows_whole_minutes_in_hours_and_minutes_columns():
    grid = run(StopwatchFace(seconds=False), START, [60, 59])
    assert [c.label for c in grid.columns] == ["H", "M"]
    assert grid.values() == (0, 1)
    assert grid.caption == "00:01"
